"""The hosted service's mail: a council's SMTP relay, GOV.UK Notify, or, with the
development sign-in only, the terminal.

A message says only that a report is requested and by when, or that one was sent, with a
link: nothing about a family, in the subject or the text.
"""

from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol

from sos_reports.errors import SosError

if TYPE_CHECKING:
    from sos_reports.hosted.settings import Settings


class MailError(SosError):
    """A message could not be handed to the mail service."""


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str) -> None: ...


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, to: str, subject: str, text: str) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"] = s.mail_from
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        assert s.smtp_host is not None
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"the mail could not be sent ({type(exc).__name__})") from None


class NotifyMailer:
    """GOV.UK Notify: one e-mail template whose subject and body are the fields
    `subject` and `body`."""

    def __init__(self, settings: Settings) -> None:
        try:
            from notifications_python_client.notifications import NotificationsAPIClient
        except ImportError:
            raise MailError(
                "GOV.UK Notify needs its client: pip install 'sos-reports[notify]'"
            ) from None
        assert settings.notify_api_key is not None
        self.client = NotificationsAPIClient(settings.notify_api_key)
        self.template = settings.notify_template_id

    def send(self, to: str, subject: str, text: str) -> None:
        try:
            self.client.send_email_notification(
                email_address=to,
                template_id=self.template,
                personalisation={"subject": subject, "body": text},
            )
        except Exception as exc:
            raise MailError(f"the mail could not be sent ({type(exc).__name__})") from None


class TerminalMailer:
    """The development sign-in's mail: printed where `host run` was started."""

    def send(self, to: str, subject: str, text: str) -> None:
        print(f"--- mail to {to}: {subject}\n{text}---", file=sys.stderr, flush=True)


def mailer_for(settings: Settings) -> Mailer:
    from sos_reports.hosted.settings import SettingsError

    if settings.notify_api_key:
        if not settings.notify_template_id:
            raise SettingsError("GOV.UK Notify needs SOS_REPORTS_NOTIFY_TEMPLATE_ID too")
        return NotifyMailer(settings)
    if settings.smtp_host:
        return SmtpMailer(settings)
    if settings.dev_sign_in:
        return TerminalMailer()
    raise SettingsError(
        "the service cannot send mail: give an SMTP relay (SOS_REPORTS_SMTP_HOST) or "
        "GOV.UK Notify (SOS_REPORTS_NOTIFY_API_KEY), or --dev-sign-in to try it out"
    )
