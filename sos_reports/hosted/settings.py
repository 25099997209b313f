"""The hosted service's settings: each from its command-line option or its environment
variable (`SOS_REPORTS_...`), so that an ASGI server started by itself (gunicorn, uvicorn
workers on several machines) is configured as `host run` is."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sos_reports.errors import SosError

DEFAULT_DATABASE = "sqlite:///sos-reports.db"


class SettingsError(SosError):
    """A setting that cannot be used; says which and why."""


@dataclass(frozen=True)
class Settings:
    database: str = DEFAULT_DATABASE
    # The connections each worker keeps to PostgreSQL (its threads for requests are 40).
    database_pool: int = 40
    base_url: str = "http://127.0.0.1:8740"
    # Staff sign-in by OpenID Connect: the council's identity provider.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = field(default=None, repr=False)
    # The development sign-in: a code printed to the terminal, for trying the service out.
    dev_sign_in: bool = False
    # Mail: a council's SMTP relay, or GOV.UK Notify.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = False
    mail_from: str = "sos-reports@localhost"
    notify_api_key: str | None = field(default=None, repr=False)
    notify_template_id: str | None = None
    # The confidential annex: encrypted at rest with this key (Fernet), or not stored.
    annex_key: str | None = field(default=None, repr=False)
    no_annex_storage: bool = False
    # Idle expiry of a session, in minutes.
    author_idle_minutes: int = 30
    staff_idle_minutes: int = 30
    # Codes asked for per address and per client in an hour.
    codes_per_address: int = 5
    codes_per_client: int = 20
    # The due days of the reports, as `--due-days` takes them (empty: the defaults).
    due_days: str = ""

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def host(self) -> str:
        """The Host a request must carry: the base URL's."""
        return urlsplit(self.base_url).netloc

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def check(self) -> Settings:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise SettingsError(
                f"--base-url {self.base_url!r} is not the address the service is reached at: "
                "give one like https://reports.council.example (no path)"
            )
        if not self.dev_sign_in and not (self.oidc_issuer and self.oidc_client_id):
            raise SettingsError(
                "staff cannot sign in: give the identity provider (SOS_REPORTS_OIDC_ISSUER, "
                "SOS_REPORTS_OIDC_CLIENT_ID and SOS_REPORTS_OIDC_CLIENT_SECRET), or "
                "--dev-sign-in to try the service out"
            )
        if self.annex_key and self.no_annex_storage:
            raise SettingsError("give an annex key or --no-annex-storage, not both")
        if self.annex_key:
            from cryptography.fernet import Fernet

            try:
                Fernet(self.annex_key.encode())
            except (ValueError, TypeError):
                raise SettingsError(
                    "SOS_REPORTS_ANNEX_KEY is not a key: make one with "
                    '`python -c "from cryptography.fernet import Fernet; '
                    'print(Fernet.generate_key().decode())"`'
                ) from None
        return self

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None, **given: Any) -> Settings:
        """The settings given (by the command line), then the environment's, then defaults."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = f"SOS_REPORTS_{spec.name.upper()}"
            if given.get(spec.name) is not None:
                values[spec.name] = given[spec.name]
            elif name in environ and environ[name] != "":
                values[spec.name] = _parse(spec.name, environ[name], spec.default)
        return replace(cls(), **values)

    def environment(self) -> dict[str, str]:
        """These settings as environment variables, for the workers `host run` starts."""
        out = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value is None:
                continue
            if isinstance(value, bool):
                value = "1" if value else "0"
            out[f"SOS_REPORTS_{spec.name.upper()}"] = str(value)
        return out


def _parse(name: str, text: str, default: Any) -> Any:
    if isinstance(default, bool):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"SOS_REPORTS_{name.upper()} must be 1 or 0, not {text!r}")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise SettingsError(
                f"SOS_REPORTS_{name.upper()} must be a number, not {text!r}"
            ) from None
    return text


def sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
