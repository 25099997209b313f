"""The hosted service's web application: sign-in, the administrator's and the chair's pages,
and the browser form's own pages (those of `serve`, over the database's drafts), behind one
guard.

The guard checks every request's Host and, for a POST, its Origin and form token; reads the
session from the database; and says who the request is from. The pages of the form are the
same application `serve` runs, given another store of drafts: nothing of them is copied.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import re
import sys
import tempfile
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from sos_reports.errors import SosError
from sos_reports.hosted import db
from sos_reports.hosted.service import ROLES, Hosted, HostedError, Session, Who, normal_email
from sos_reports.hosted.store import Access, HostedDrafts, current
from sos_reports.kinds import KINDS
from sos_reports.web.app import Service, pages_app
from sos_reports.web.security import CSP, HEADERS, refuse

MAX_BODY = 2_000_000
MAX_UPLOAD = 5_000_000
DRAFT_PATH = re.compile(r"^/d/([0-9a-f]{20})(/.*)?$")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_session: ContextVar[Session | None] = ContextVar("sos_reports_hosted_session", default=None)


class SessionKeys:
    """The form token of the pages: the signed-in session's own, not one for the server."""

    @property
    def csrf(self) -> str:
        session = _session.get()
        return session.csrf if session is not None else ""

    def csrf_ok(self, offered: str | None) -> bool:
        session = _session.get()
        return (
            session is not None
            and offered is not None
            and hmac.compare_digest(session.csrf.encode(), offered.encode())
        )


def create_app(hosted: Hosted, *, oidc: Any = None) -> HostedApp:
    """The service's ASGI application over `hosted` (its database, settings, clock, mail);
    `oidc`, a sign-in client for the identity provider, is made from the settings when not
    given."""
    return HostedApp(hosted, oidc)


class HostedApp:
    def __init__(self, hosted: Hosted, oidc: Any = None) -> None:
        self.hosted = hosted
        settings = hosted.settings
        if oidc is None and settings.oidc_issuer and settings.oidc_client_id:
            from sos_reports.hosted.oidc import Client, Provider

            oidc = Client(
                Provider(
                    issuer=settings.oidc_issuer,
                    client_id=settings.oidc_client_id,
                    client_secret=settings.oidc_client_secret or "",
                    redirect_uri=f"{settings.base_url}/sign-in/callback",
                )
            )
        self.oidc = oidc
        self.cookie = "__Host-sos_reports" if settings.https else "sos_reports_session"
        banner = (
            "Development sign-in is on: codes are printed where the service was started. "
            "Do not use this service for real cases."
            if settings.dev_sign_in
            else None
        )
        self.service = Service(
            footer="What is typed here is saved by your council's service as it is typed. "
            "A report is read only by its author, until it is sent, and the conference chair.",
            banner=banner,
            send_url=_send_url,
        )
        self.keys = SessionKeys()
        self.pages = pages_app(HostedDrafts(), self.keys, service=self.service)  # type: ignore[arg-type]
        self.env = Environment(
            loader=ChoiceLoader(
                [
                    PackageLoader("sos_reports.hosted", "templates"),
                    PackageLoader("sos_reports.web", "templates"),
                ]
            ),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["service"] = self.service
        self.env.globals["kinds"] = KINDS
        self.env.globals["quote"] = quote
        self.own = Starlette(routes=_routes(self))
        headers = list(HEADERS)
        if settings.https:
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        self.headers = headers

    # --- the guard -------------------------------------------------------------------------

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        every: dict[str, list[str]] = {}
        for k, v in scope["headers"]:
            every.setdefault(k.decode("latin-1").lower(), []).append(v.decode("latin-1"))
        headers = {k: v[0] if len(v) == 1 else None for k, v in every.items()}
        send = self._with_headers(send)
        if headers.get("host") != self.hosted.settings.host:
            await refuse(send, 421, "This service answers only at its own address.")
            return
        method = scope["method"]
        if method not in ("GET", "HEAD", "POST"):
            await refuse(send, 405, "Not allowed.")
            return
        if method == "HEAD":
            scope = {**scope, "method": "GET"}
            send = _without_body(send)
        if method == "POST":
            if not self._same_origin(headers):
                await refuse(send, 403, "This form was not sent from the service's own page.")
                return
            length = headers.get("content-length")
            limit = MAX_UPLOAD if scope["path"] == "/admin/new" else MAX_BODY
            if length is None or not (length.isascii() and length.isdigit()) or int(length) > limit:
                await refuse(send, 413, "What was sent is too large for a form.")
                return
        token = _cookie(self.cookie, "; ".join(every.get("cookie", [])))
        session = await run_in_threadpool(self._load_session, token)
        who = session.who if session is not None else Who("anonymous")
        scope.setdefault("state", {})
        scope["state"]["session"] = session
        scope["state"]["who"] = who
        session_token = _session.set(session)
        access_token = current.set(Access(self.hosted, who))
        try:
            path = scope["path"]
            found = DRAFT_PATH.match(path)
            if path.startswith("/static/"):
                await self.pages(scope, receive, send)
            elif found and found[2] != "/send":
                allowed = await run_in_threadpool(self._may_open, who, found[1], method, path)
                if allowed is None:
                    await self._page_to(send, 303, "/") if who.role == "anonymous" else None
                    if who.role != "anonymous":
                        await refuse(send, 404, "There is no such page.")
                    return
                await self.pages(scope, receive, send)
            else:
                await self.own(scope, receive, send)
        except Exception as exc:
            print(f"sos-reports host: internal error ({type(exc).__name__})", file=sys.stderr)
            await refuse(send, 500, "Something went wrong. What you saved before is kept.")
        finally:
            current.reset(access_token)
            _session.reset(session_token)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.hosted.engine.dispose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _page_to(self, send: Any, status: int, location: str) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"location", location.encode()), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    def _with_headers(self, send: Any) -> Any:
        headers = self.headers

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in headers if k not in present),
                ]
            await send(message)

        return sending

    def _same_origin(self, headers: dict[str, str | None]) -> bool:
        origin = headers.get("origin")
        if origin == self.hosted.settings.origin:
            return True
        return origin == "null" and headers.get("sec-fetch-site") == "same-origin"

    def _load_session(self, token: str | None) -> Session | None:
        with self.hosted.begin() as c:
            return self.hosted.session(c, token)

    def _may_open(self, who: Who, draft_id: str, method: str, path: str) -> bool | None:
        with self.hosted.begin() as c:
            if not HostedDrafts().allowed(c, Access(self.hosted, who), draft_id):
                return None
            if method == "GET":
                what = path.split("/")[3] if path.count("/") >= 3 else "tasks"
                conference = who.conference_id
                if conference is None:
                    row = c.execute(
                        select(db.drafts.c.conference_id).where(db.drafts.c.id == draft_id)
                    ).first()
                    conference = row.conference_id if row is not None else None
                action = "download" if what == "download" else "view"
                detail = f"{what} {path.rsplit('/', 1)[-1]}" if what == "download" else what
                self.hosted.audit(c, who, action, conference, detail)
            return True

    # --- shared by the pages ---------------------------------------------------------------

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        session = request.state.session
        context.setdefault("csrf", session.csrf if session is not None else "")
        context.setdefault("who", request.state.who)
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status)

    def problem(self, request: Request, status: int, message: str) -> HTMLResponse:
        return self.page(request, "problem.html", status, title="Problem", message=message)

    def set_cookie(self, response: Response, token: str) -> Response:
        secure = "; Secure" if self.hosted.settings.https else ""
        response.headers.append(
            "set-cookie", f"{self.cookie}={token}; HttpOnly; SameSite=Lax; Path=/{secure}"
        )
        return response

    def clear_cookie(self, response: Response) -> Response:
        secure = "; Secure" if self.hosted.settings.https else ""
        response.headers.append(
            "set-cookie", f"{self.cookie}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}"
        )
        return response


def _send_url(draft: Any) -> str | None:
    access = current.get()
    if access is None or access.who.role != "author" or draft.kind == "record":
        return None
    return f"/d/{draft.id}/send"


def _cookie(name: str, header: str) -> str | None:
    for pair in header.split(";"):
        key, _, value = pair.strip().partition("=")
        if key == name and value:
            return value.strip()
    return None


def _without_body(send: Any) -> Any:
    async def sending(message: Any) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return sending


def _attachment(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}


# --- the routes ------------------------------------------------------------------------------


def _routes(app: HostedApp) -> list[Route]:
    hosted = app.hosted
    settings = hosted.settings

    async def form_of(request: Request, files: int = 0) -> dict[str, Any] | Response:
        try:
            async with request.form(max_files=files, max_fields=200) as data:
                pairs: dict[str, Any] = {}
                for k, v in data.multi_items():
                    if isinstance(v, UploadFile):
                        pairs[k] = (v.filename or "", await v.read(MAX_UPLOAD + 1))
                    else:
                        pairs[k] = v
        except HTTPException:
            return app.problem(request, 400, "What the browser sent could not be read.")
        if not app.keys.csrf_ok(pairs.get("csrf") if isinstance(pairs.get("csrf"), str) else None):
            return app.problem(
                request, 403, "This form has expired: go back, reload the page and send it again."
            )
        return pairs

    def threaded(
        handler: Callable[..., Response], *, roles: tuple[str, ...] | None, files: int = 0
    ) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            who: Who = request.state.who
            if roles is not None and who.role not in roles:
                if who.role == "anonymous":
                    return RedirectResponse("/", 303)
                return app.problem(request, 403, "You do not have access to this page.")
            form = None
            if request.method == "POST":
                got = await form_of(request, files)
                if isinstance(got, Response):
                    return got
                form = got
            try:
                return await run_in_threadpool(handler, request, form)
            except HostedError as exc:
                return app.problem(request, 400, f"This cannot be done: {exc}.")
            except SosError as exc:
                return app.problem(request, 400, str(exc))

        return endpoint

    def text(form: dict[str, Any] | None, key: str) -> str:
        value = (form or {}).get(key)
        return value.strip() if isinstance(value, str) else ""

    # --- signed out, and signing in ------------------------------------------------------

    def home(request: Request, form: Any) -> Response:
        who: Who = request.state.who
        if who.role == "admin":
            return RedirectResponse("/admin", 303)
        if who.role == "chair":
            return RedirectResponse("/chair", 303)
        if who.role == "author":
            with hosted.begin() as c:
                invitation = hosted.invitation(c, who.invitation_id or "")
            if invitation is not None and invitation.sent_at is None:
                return RedirectResponse(f"/d/{invitation.draft_id}", 303)
            return RedirectResponse("/sent", 303)
        return app.page(request, "home.html", title="Reports for child protection conferences")

    def ensure_session(request: Request) -> tuple[Session, str | None]:
        """The request's session, or a new one not yet signed in (its cookie to set)."""
        session = request.state.session
        if session is not None:
            return session, None
        with hosted.begin() as c:
            token = hosted.new_session(c)
            made = hosted.session(c, token)
        assert made is not None
        request.state.session = made
        _session.set(made)
        return made, token

    def with_cookie(response: Response, token: str | None) -> Response:
        return app.set_cookie(response, token) if token else response

    def sign_in_page(request: Request, form: Any) -> Response:
        if settings.dev_sign_in:
            session, token = ensure_session(request)
            return with_cookie(
                app.page(request, "sign_in_dev.html", title="Sign in", csrf=session.csrf), token
            )
        if app.oidc is None:
            return app.problem(request, 503, "Staff sign-in is not set up for this service.")
        session, token = ensure_session(request)
        url, pending = app.oidc.begin()
        with hosted.begin() as c:
            hosted.set_pending(c, session, {"oidc": pending})
        return with_cookie(RedirectResponse(url, 303), token)

    def sign_in_callback(request: Request, form: Any) -> Response:
        from sos_reports.hosted.oidc import SignInError

        session = request.state.session
        if app.oidc is None:
            return app.problem(request, 404, "There is no such page.")
        pending = session.pending.get("oidc") if session is not None else None
        if session is not None:
            with hosted.begin() as c:  # the state is good once: used or not, it is gone
                hosted.set_pending(c, session, {})
        try:
            identity = app.oidc.finish(pending, dict(request.query_params))
        except SignInError as exc:
            with hosted.begin() as c:
                hosted.audit(c, Who("anonymous"), "sign-in refused", detail=str(exc)[:100])
            return app.problem(request, 403, f"You could not be signed in: {exc}")
        return staff_signed_in(request, session, identity.email)

    def staff_signed_in(request: Request, session: Session | None, email: str) -> Response:
        with hosted.begin() as c:
            user = hosted.staff_by_email(c, email)
            if user is None:
                hosted.audit(c, Who("anonymous"), "sign-in refused", detail="no staff account")
                return app.problem(
                    request,
                    403,
                    "You have no account on this service. Ask its administrator to add you.",
                )
            token = hosted.sign_in(c, session, Who(user.role, user_id=user.id, email=user.email))
        return app.set_cookie(RedirectResponse("/", 303), token)

    def dev_sign_in(request: Request, form: Any) -> Response:
        if not settings.dev_sign_in:
            return app.problem(request, 404, "There is no such page.")
        session = request.state.session
        email = text(form, "email")
        step = text(form, "step")
        if step == "code":
            pending = session.pending.get("dev") if session is not None else None
            with hosted.begin() as c:
                user = hosted.staff_by_email(c, pending) if isinstance(pending, str) else None
                good = user is not None and hosted.take_code(
                    c, f"staff:{user.id}", text(form, "code")
                )
            if not good:
                return app.page(
                    request,
                    "sign_in_dev.html",
                    400,
                    title="Error: Sign in",
                    step="code",
                    error="The code is not right, or has expired: ask for a new one",
                )
            assert isinstance(pending, str)
            return staff_signed_in(request, session, pending)
        try:
            email = normal_email(email)
        except HostedError:
            return app.page(
                request,
                "sign_in_dev.html",
                400,
                title="Error: Sign in",
                error="Enter your e-mail address",
            )
        with hosted.begin() as c:
            user = hosted.staff_by_email(c, email)
            code = hosted.new_code(c, f"staff:{user.id}", email, _client(request)) if user else None
            if session is not None:
                hosted.set_pending(c, session, {"dev": email})
        if code is not None:
            print(
                f"sos-reports host: development sign-in code for {email}: {code}",
                file=sys.stderr,
                flush=True,
            )
        return app.page(request, "sign_in_dev.html", title="Enter your code", step="code")

    def sign_out(request: Request, form: Any) -> Response:
        session = request.state.session
        if session is not None:
            with hosted.begin() as c:
                hosted.sign_out(c, session)
        return app.clear_cookie(RedirectResponse("/", 303))

    # --- an invited author ---------------------------------------------------------------

    def invite_page(request: Request, form: Any) -> Response:
        token = request.path_params["token"]
        with hosted.begin() as c:
            invitation = hosted.invitation_by_token(c, token)
        if invitation is None or invitation.withdrawn_at is not None:
            return app.problem(
                request,
                404,
                "This link does not work: it may have been replaced by a newer one, or "
                "withdrawn. Ask the conference administrator for a new one.",
            )
        session, cookie = ensure_session(request)
        if request.method == "GET":
            return with_cookie(
                app.page(
                    request, "invite.html", title="Sign in to write your report", csrf=session.csrf
                ),
                cookie,
            )
        step = text(form, "step")
        subject = f"invitation:{invitation.id}"
        if step == "code":
            with hosted.begin() as c:
                good = hosted.take_code(c, subject, text(form, "code"))
                if good:
                    who = Who(
                        "author",
                        email=invitation.email,
                        invitation_id=invitation.id,
                        conference_id=invitation.conference_id,
                    )
                    new = hosted.sign_in(c, session, who)
            if not good:
                return app.page(
                    request,
                    "invite.html",
                    400,
                    title="Error: Enter your code",
                    step="code",
                    error="The code is not right, or has expired: ask for a new one",
                )
            return app.set_cookie(RedirectResponse("/", 303), new)
        with hosted.begin() as c:
            code = hosted.new_code(c, subject, invitation.email, _client(request))
            hosted.audit(
                c,
                Who("anonymous"),
                "ask for code",
                invitation.conference_id,
                f"invitation {invitation.id}" + ("" if code else ": refused, too many"),
            )
        if code is None:
            return app.page(
                request,
                "invite.html",
                429,
                title="Error: Sign in to write your report",
                error="Too many codes have been asked for: wait an hour and try again",
            )
        hosted.mailer.send(
            invitation.email,
            "Your code to sign in",
            f"Your code is {code}. It works once, for 10 minutes.\n\n"
            "If you did not ask for it, you can ignore this e-mail.\n",
        )
        return app.page(request, "invite.html", title="Enter your code", step="code")

    def send_report(request: Request, form: Any) -> Response:
        who: Who = request.state.who
        draft_id = request.path_params["draft"]
        with hosted.begin() as c:
            invitation = hosted.invitation(c, who.invitation_id or "")
        if invitation is None or invitation.draft_id != draft_id or invitation.sent_at is not None:
            return app.problem(request, 404, "There is no such page.")
        from sos_reports.errors import InputError

        try:
            hosted.send(who, invitation.id)
        except InputError:
            return RedirectResponse(f"/d/{draft_id}/check", 303)
        return RedirectResponse("/sent", 303)

    def sent(request: Request, form: Any) -> Response:
        return app.page(request, "sent.html", title="Your report has been sent")

    # --- the administrator ---------------------------------------------------------------

    def admin_home(request: Request, form: Any) -> Response:
        who = request.state.who
        with hosted.begin() as c:
            rows = hosted.conferences(c, who)
            hosted.audit(c, who, "view", detail="conferences")
        return app.page(
            request,
            "admin.html",
            title="Conferences",
            conferences=[_conference_row(r) for r in rows],
        )

    def admin_new(request: Request, form: Any) -> Response:
        who = request.state.who
        if request.method == "GET":
            return app.page(request, "admin_new.html", title="Create a conference", values={})
        errors, details, source, chair_email = _new_conference(form or {})
        if errors:
            return app.page(
                request,
                "admin_new.html",
                400,
                title="Error: Create a conference",
                values={k: v for k, v in (form or {}).items() if isinstance(v, str)},
                errors=errors,
            )
        conference_id = hosted.create_conference(who, details, chair_email, source)
        return RedirectResponse(f"/admin/c/{conference_id}", 303)

    def admin_conference(request: Request, form: Any) -> Response:
        who = request.state.who
        conference_id = request.path_params["conference"]
        with hosted.begin() as c:
            conference = hosted.conference(c, conference_id)
            if conference is None:
                return app.problem(request, 404, "There is no such conference.")
            invitations = hosted.invitations(c, conference_id)
            hosted.audit(c, who, "view", conference_id, "status")
        return app.page(
            request,
            "admin_conference.html",
            title="Conference",
            conference=_conference_row(conference),
            rows=[(i, hosted.status(i)) for i in invitations],
            report_kinds=[(k, KINDS[k].title) for k in ("icpc", "rcpc", "medical") if k in KINDS],
            values={},
            errors={},
        )

    def admin_invite(request: Request, form: Any) -> Response:
        who = request.state.who
        conference_id = request.path_params["conference"]
        errors = {}
        try:
            email = normal_email(text(form, "email"))
        except HostedError:
            errors["email"] = "Enter the author's e-mail address, like name@agency.example"
        if not text(form, "agency"):
            errors["agency"] = "Enter the agency, like School or Police"
        if text(form, "kind") not in ("icpc", "rcpc", "medical"):
            errors["kind"] = "Select the kind of report"
        due = None
        if text(form, "due"):
            try:
                due = dt.date.fromisoformat(text(form, "due"))
            except ValueError:
                errors["due"] = "Enter the due date as a date, like 2025-03-07"
        with hosted.begin() as c:
            conference = hosted.conference(c, conference_id)
            if conference is None:
                return app.problem(request, 404, "There is no such conference.")
            invitations = hosted.invitations(c, conference_id)
        if errors:
            return app.page(
                request,
                "admin_conference.html",
                400,
                title="Error: Conference",
                conference=_conference_row(conference),
                rows=[(i, hosted.status(i)) for i in invitations],
                report_kinds=[(k, KINDS[k].title) for k in ("icpc", "rcpc", "medical")],
                values={k: v for k, v in (form or {}).items() if isinstance(v, str)},
                errors=errors,
            )
        hosted.invite(who, conference_id, email, text(form, "agency"), text(form, "kind"), due)
        return RedirectResponse(f"/admin/c/{conference_id}", 303)

    def admin_act(request: Request, form: Any) -> Response:
        who = request.state.who
        conference_id = request.path_params["conference"]
        invitation_id = request.path_params["invitation"]
        action = request.path_params["action"]
        if action == "remind":
            hosted.remind(who, conference_id, invitation_id)
        elif action == "withdraw":
            hosted.withdraw(who, conference_id, invitation_id)
        else:
            return app.problem(request, 404, "There is no such page.")
        return RedirectResponse(f"/admin/c/{conference_id}", 303)

    def admin_audit(request: Request, form: Any) -> Response:
        data = hosted.audit_csv(request.state.who)
        return PlainTextResponse(
            data, media_type="text/csv; charset=utf-8", headers=_attachment("audit-log.csv")
        )

    # --- the chair -----------------------------------------------------------------------

    def chair_home(request: Request, form: Any) -> Response:
        who = request.state.who
        with hosted.begin() as c:
            rows = hosted.conferences(c, who)
            hosted.audit(c, who, "view", detail="conferences")
        return app.page(
            request,
            "chair.html",
            title="Your conferences",
            conferences=[_conference_row(r) for r in rows],
        )

    def chaired(request: Request) -> Any:
        who = request.state.who
        with hosted.begin() as c:
            conference = hosted.conference(c, request.path_params["conference"])
        return (
            conference
            if hosted.may_see_conference(who, conference) and who.role == "chair"
            else None
        )

    def chair_conference(request: Request, form: Any) -> Response:
        who = request.state.who
        conference = chaired(request)
        if conference is None:
            return app.problem(request, 404, "There is no such conference.")
        with hosted.begin() as c:
            invitations = hosted.invitations(c, conference.id)
            annexes = {
                i.id
                for i in invitations
                if i.sent_at is not None and hosted.document(c, i.id, "annex") is not None
            }
            record = hosted.record_of(c, conference.id)
            hosted.audit(c, who, "view", conference.id, "reports")
        return app.page(
            request,
            "chair_conference.html",
            title="Conference",
            conference=_conference_row(conference),
            rows=[(i, hosted.status(i)) for i in invitations],
            annexes=annexes,
            record=record,
            sent_any=any(i.sent_at is not None for i in invitations),
            no_annexes=settings.no_annex_storage,
        )

    def chair_document(request: Request, form: Any) -> Response:
        from sos_reports.commands.reports import pdfs_of

        who = request.state.who
        conference = chaired(request)
        what = request.path_params["what"]
        if conference is None or what not in (
            "report.docx",
            "report.pdf",
            "annex.docx",
            "annex.pdf",
        ):
            return app.problem(request, 404, "There is no such document.")
        with hosted.begin() as c:
            invitation = hosted.invitation(c, request.path_params["invitation"])
            if (
                invitation is None
                or invitation.conference_id != conference.id
                or invitation.sent_at is None
            ):
                return app.problem(request, 404, "There is no such document.")
            part, suffix = what.split(".")
            data = hosted.document(c, invitation.id, part)
            if data is None:
                return app.problem(request, 404, "There is no such document.")
            hosted.audit(c, who, "download", conference.id, f"invitation {invitation.id}: {what}")
        stem = f"{invitation.kind}-{_safe(invitation.agency)}-" + (
            "report" if part == "report" else "confidential-annex"
        )
        if suffix == "pdf":
            name = Path(f"{stem}.docx")
            data = pdfs_of({name: data})[name.with_suffix(".pdf")]
            return Response(data, media_type="application/pdf", headers=_attachment(f"{stem}.pdf"))
        return Response(data, media_type=DOCX, headers=_attachment(f"{stem}.docx"))

    def chair_map(request: Request, form: Any) -> Response:
        conference = chaired(request)
        if conference is None:
            return app.problem(request, 404, "There is no such conference.")
        data = hosted.conference_map(request.state.who, conference.id)
        return Response(data, media_type=DOCX, headers=_attachment("conference-map.docx"))

    def chair_record(request: Request, form: Any) -> Response:
        conference = chaired(request)
        if conference is None:
            return app.problem(request, 404, "There is no such conference.")
        draft_id = hosted.start_record(request.state.who, conference.id)
        return RedirectResponse(f"/d/{draft_id}/board", 303)

    def chair_reopen(request: Request, form: Any) -> Response:
        conference = chaired(request)
        if conference is None:
            return app.problem(request, 404, "There is no such conference.")
        hosted.reopen(request.state.who, conference.id, request.path_params["invitation"])
        return RedirectResponse(f"/chair/c/{conference.id}", 303)

    staff = ("admin", "chair")
    return [
        Route("/", threaded(home, roles=None), methods=["GET"]),
        Route("/sign-in", threaded(sign_in_page, roles=("anonymous",)), methods=["GET"]),
        Route("/sign-in", threaded(dev_sign_in, roles=("anonymous",)), methods=["POST"]),
        Route(
            "/sign-in/callback", threaded(sign_in_callback, roles=("anonymous",)), methods=["GET"]
        ),
        Route("/sign-out", threaded(sign_out, roles=(*staff, "author")), methods=["POST"]),
        Route(
            "/invite/{token}", threaded(invite_page, roles=("anonymous",)), methods=["GET", "POST"]
        ),
        Route("/d/{draft}/send", threaded(send_report, roles=("author",)), methods=["POST"]),
        Route("/sent", threaded(sent, roles=("author",)), methods=["GET"]),
        Route("/admin", threaded(admin_home, roles=("admin",)), methods=["GET"]),
        Route(
            "/admin/new", threaded(admin_new, roles=("admin",), files=1), methods=["GET", "POST"]
        ),
        Route("/admin/audit.csv", threaded(admin_audit, roles=("admin",)), methods=["GET"]),
        Route(
            "/admin/c/{conference}", threaded(admin_conference, roles=("admin",)), methods=["GET"]
        ),
        Route(
            "/admin/c/{conference}/invite",
            threaded(admin_invite, roles=("admin",)),
            methods=["POST"],
        ),
        Route(
            "/admin/c/{conference}/i/{invitation}/{action}",
            threaded(admin_act, roles=("admin",)),
            methods=["POST"],
        ),
        Route("/chair", threaded(chair_home, roles=("chair",)), methods=["GET"]),
        Route(
            "/chair/c/{conference}", threaded(chair_conference, roles=("chair",)), methods=["GET"]
        ),
        Route(
            "/chair/c/{conference}/map.docx", threaded(chair_map, roles=("chair",)), methods=["GET"]
        ),
        Route(
            "/chair/c/{conference}/record",
            threaded(chair_record, roles=("chair",)),
            methods=["POST"],
        ),
        Route(
            "/chair/c/{conference}/i/{invitation}/reopen",
            threaded(chair_reopen, roles=("chair",)),
            methods=["POST"],
        ),
        Route(
            "/chair/c/{conference}/i/{invitation}/{what}",
            threaded(chair_document, roles=("chair",)),
            methods=["GET"],
        ),
    ]


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "agency"


def _conference_row(row: Any) -> dict[str, Any]:
    from sos_reports.support.formatting import long_date

    details = json.loads(row.details)
    conference = details.get("conference") or {}
    children = [c.get("name", "") for c in details.get("children") or [] if isinstance(c, dict)]
    return {
        "id": row.id,
        "type": conference.get("type", row.type),
        "date": long_date(row.date),
        "reference": conference.get("case_reference") or "",
        "children": children,
        "chair": row.chair_email,
    }


def _new_conference(
    form: dict[str, Any],
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any] | None, str]:
    """The new conference's details from the administrator's form (and the input or record
    given with it); the problems by field when it cannot be made."""
    errors: dict[str, str] = {}
    details: dict[str, Any] = {}
    source: dict[str, Any] | None = None
    upload = form.get("from_file")
    if isinstance(upload, tuple) and upload[0] and upload[1]:
        name, data = upload
        tree = _read_upload(name, data, errors)
        if tree is not None:
            for key in ("marking", "family_address", "children", "household"):
                if tree.get(key) is not None:
                    details[key] = tree[key]
            details["conference"] = {
                k: v for k, v in (tree.get("conference") or {}).items() if isinstance(k, str)
            }
            source = tree
            if tree.get("kind") == "record":
                # A review after a record: its date is the review the record set.
                from sos_reports.inputs.forms.carry import carry_forward

                carried = carry_forward(tree, "rcpc")
                details["conference"] = carried.get("conference") or {}
                details["children"] = carried.get("children") or details.get("children")
                details["household"] = carried.get("household") or details.get("household")
    conference = dict(details.get("conference") or {})
    for key in ("type", "date", "time", "venue", "chair", "case_reference", "social_worker"):
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            conference[key] = value.strip()
    if conference.get("type") not in ("initial", "pre-birth", "transfer-in", "review"):
        errors["type"] = "Select the kind of conference"
    day = conference.get("date")
    try:
        conference["date"] = dt.date.fromisoformat(str(day)).isoformat() if day else None
    except ValueError:
        conference["date"] = None
    if not conference.get("date"):
        errors["date"] = "Enter the conference's date, like 2025-03-12"
    details["conference"] = {k: v for k, v in conference.items() if v not in (None, "")}
    children_text = form.get("children")
    if isinstance(children_text, str) and children_text.strip():
        children = []
        for number, line in enumerate(children_text.strip().splitlines(), start=1):
            name, _, dob = line.partition(",")
            try:
                born = dt.date.fromisoformat(dob.strip()).isoformat()
            except ValueError:
                errors["children"] = (
                    f"Line {number} of the children: give a name, a comma and the date of "
                    "birth, like Maisie Fenwick, 2017-09-14"
                )
                break
            children.append({"id": f"child{number}", "name": name.strip(), "dob": born})
        details["children"] = children
    household_text = form.get("household")
    if isinstance(household_text, str) and household_text.strip():
        details["household"] = [
            {"name": name.strip(), "relationship": rel.strip()}
            for name, _, rel in (
                line.partition(",") for line in household_text.strip().splitlines()
            )
        ]
    if not details.get("children"):
        errors.setdefault("children", "Enter the children, or give an input file or record")
    chair_email = form.get("chair_email")
    try:
        chair_email = normal_email(chair_email if isinstance(chair_email, str) else "")
    except HostedError:
        errors["chair_email"] = "Enter the chair's e-mail address"
        chair_email = ""
    return errors, details, source, chair_email


def _read_upload(name: str, data: bytes, errors: dict[str, str]) -> dict[str, Any] | None:
    from sos_reports.errors import InputError
    from sos_reports.inputs.read import read_input

    suffix = Path(name).suffix.lower()
    if suffix not in (".yaml", ".yml", ".json", ".xlsx", ".docx"):
        errors["from_file"] = "The file must be an input or a record: .yaml, .json, .xlsx or .docx"
        return None
    if len(data) > MAX_UPLOAD:
        errors["from_file"] = "The file is larger than an input can be"
        return None
    with tempfile.TemporaryDirectory(prefix="sos-reports-upload-") as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            tree = read_input(path).tree
        except InputError as exc:
            first = exc.findings[0].message if exc.findings else str(exc)
            errors["from_file"] = f"The file cannot be read as an input: {first}"
            return None
    if not isinstance(tree, dict) or tree.get("kind") not in KINDS:
        errors["from_file"] = "The file is not an input of sos-reports (it has no known kind)"
        return None
    return tree


__all__ = ["CSP", "ROLES", "HostedApp", "create_app"]
