"""The browser form's web application: the start page, the task list, a page per section and
per entry, check your answers, and the downloads.

Every answer is saved as it is sent, before any check, so nothing typed is lost on an error,
a reload or a restart; the saved draft is then read back and checked as `validate` checks
it, and the findings are shown where their fields are.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sos_reports.commands.options import Options
from sos_reports.errors import Finding, SosError
from sos_reports.kinds import KINDS
from sos_reports.support.tree import dig, path_of
from sos_reports.web import pages
from sos_reports.web.drafts import Draft, DraftError, Drafts, DraftStore, shown_name
from sos_reports.web.pages import Form, Group, Loop, Page, Question, Task
from sos_reports.web.security import Guard, Keys

STATIC = Path(__file__).parent / "static"
MAX_FIELDS = 5000


@dataclass(frozen=True)
class Service:
    """What the pages say of the place they are served from: the footer's words, a banner
    over every page (none for the local form), and where a finished draft is sent (None:
    the local form, which only downloads)."""

    footer: str = (
        "Everything you type is saved on this computer, in the draft's file. "
        "Nothing is sent anywhere else."
    )
    banner: str | None = None
    send_url: Callable[[Draft], str | None] | None = None
    # Links in the header beside the service's name: (words, address).
    links: tuple[tuple[str, str], ...] = ()


@dataclass
class Shown:
    """A finding as a page shows it: its words, where the summary links, the element beside
    which it stands."""

    finding: Finding
    text: str
    href: str
    beside: str | None  # the id of the question, group or list it is shown beside


def said(label: str, message: str) -> str:
    """`Date of birth` and `is required: ...` as one sentence."""
    label = label.rstrip(" *")
    message = message.strip()
    if message.startswith(("is ", "must ", "has ", "should ", "needs ", "cannot ", "names ")):
        return f"{label} {message}"
    return f"{label}: {message}"


class App:
    """The state of one server run: its drafts, its secrets, its templates."""

    def __init__(
        self,
        drafts: DraftStore,
        keys: Keys,
        pdf_available: Callable[[], bool],
        service: Service | None = None,
    ) -> None:
        self.drafts = drafts
        self.service = service or Service()
        self.keys = keys
        self.pdf_available = pdf_available
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.env = Environment(
            loader=PackageLoader("sos_reports.web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["kinds"] = KINDS
        self.env.globals["service"] = self.service
        self.env.globals["quote"] = quote
        self.env.globals["pages"] = pages
        self.env.filters["shown_name"] = shown_name

    def lock(self, draft_id: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(draft_id, threading.Lock())

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        # The form token is asked for each page: a service that signs people in gives each
        # session its own.
        context.setdefault("csrf", self.keys.csrf)
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status)

    # --- findings where they belong ------------------------------------------------------

    def placed(self, draft: Draft, page: Page) -> list[Shown]:
        """The findings of the draft that belong on `page`, each beside its question."""
        anchors = page.anchors()
        own = path_of(page.loc)
        out = []
        for finding in draft.checked.findings:
            shown = self._place(draft, page, anchors, own, finding)
            if shown is not None:
                out.append(shown)
        return out

    def _place(
        self, draft: Draft, page: Page, anchors: dict[str, str], own: str, finding: Finding
    ) -> Shown | None:
        path = finding.path
        best = max((a for a in anchors if _under(path, a)), key=len, default=None)
        if best is None:
            if own and _under(path, own):
                first = next(iter(anchors.values()), "main")
                return Shown(finding, said(page.title, finding.message), f"#{first}", None)
            return None
        item, owner = _item_by_path(page, best)
        if isinstance(item, Loop) and path != best:
            # A finding inside an entry of a list is fixed on the entry's page.
            rest = path[len(best) :]
            index = int(rest[1 : rest.index("]")]) if rest.startswith("[") else None
            if index is None or index >= len(item.entries):
                return Shown(
                    finding, said(item.table.title, finding.message), f"#{item.id}", item.id
                )
            entry = item.entries[index]
            # The deepest entry the finding is in: an admission of a child's health entry
            # is fixed on the admission's page.
            deepest = re.match(r"^(.*\[\d+\])", path)
            tokens = re.findall(r"[A-Za-z_]+|\d+", deepest[1] if deepest else "")
            inner = tuple(int(t) if t.isdigit() else t for t in tokens)
            found = pages.entry_context(draft.kind, inner, draft.tree) if inner else None
            target = inner if found is not None else (*item.loc, index)
            loc = pages.loc_text(target)
            href = f"/d/{draft.id}/entry/{loc}#{pages.html_id(path)}"
            label = _label_at(item, path) or item.table.title
            return Shown(finding, said(f"{entry.title}: {label}", finding.message), href, None)
        label = item.label if isinstance(item, Question) else item.table.title
        if owner:
            label = f"{owner}: {label}"
        return Shown(finding, said(label, finding.message), f"#{anchors[best]}", anchors[best])

    def task_findings(self, draft: Draft) -> dict[int, list[Finding]]:
        """The findings of each task, by its number; those of no task under -1."""
        out: dict[int, list[Finding]] = {}
        placed: set[int] = set()
        for task in pages.tasks(draft.kind):
            page = pages.task_page(draft.kind, task, draft.tree)
            anchors = set(page.anchors())
            if page.loc:
                anchors.add(path_of(page.loc))
            mine = [f for f in draft.checked.findings if any(_under(f.path, a) for a in anchors)]
            placed |= {id(f) for f in mine}
            out[task.number] = mine
        out[-1] = [f for f in draft.checked.findings if id(f) not in placed]
        return out


def _under(path: str, anchor: str) -> bool:
    return path == anchor or path.startswith((anchor + ".", anchor + "["))


def _item_by_path(page: Page, path: str) -> tuple[Any, str | None]:
    """The item of the page at `path`, and the name of the child it asks about, if any."""
    for item in page.items:
        if item.path == path:
            return item, None
        if isinstance(item, Group):
            for _cid, name, _index, questions in item.children:
                for q in questions:
                    if q.path == path:
                        return q, name
    raise KeyError(path)


def _label_at(loop: Loop, path: str) -> str | None:
    # `household[0].dob` -> the column `dob` of the household table.
    rest = path[len(loop.path) :]
    if "]." not in rest:
        return None
    keys = tuple(rest.split("].", 1)[1].split("[")[0].split("."))
    for column in loop.table.columns:
        if column.keys == keys:
            return column.label.rstrip(" *")
    return None


# --- the handlers ----------------------------------------------------------------------------


def create_app(
    folder: Path,
    keys: Keys,
    port: int,
    pdf_available: Callable[[], bool] | None = None,
    options: Options | None = None,
    sections: Path | None = None,
) -> Guard:
    """The application for the drafts in `folder`, behind its guard, for the bound `port`,
    checking them with `options` (and keeping which sections were saved in `sections`)."""
    drafts = Drafts(folder, keys.drafts, options, sections)
    return Guard(pages_app(drafts, keys, pdf_available), keys=keys, port=port)


def pages_app(
    drafts: DraftStore,
    keys: Keys,
    pdf_available: Callable[[], bool] | None = None,
    service: Service | None = None,
) -> Starlette:
    """The pages of the form over `drafts`, without a guard: whoever serves them puts the
    guard in front that says who the user is (the local start token and cookie, or a
    sign-in) and checks each request's host and origin."""
    state = App(drafts, keys, pdf_available or _libreoffice_present, service)

    async def form_of(request: Request) -> Form | Response:
        async with request.form(max_files=0, max_fields=MAX_FIELDS) as data:
            pairs = [(k, v) for k, v in data.multi_items() if isinstance(v, str)]
        form = Form(pairs)
        if not keys.csrf_ok(form.one("csrf")):
            return state.page(
                "problem.html",
                403,
                message="This form has expired: go back, reload the page and send it again.",
            )
        return form

    def threaded(handler: Callable[..., Response]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            form: Form | None = None
            try:
                if request.method == "POST":
                    got = await form_of(request)
                    if isinstance(got, Response):
                        return got
                    form = got
                return await run_in_threadpool(handler, request, form)
            except DraftError as exc:
                return state.page("problem.html", 400, message=str(exc), findings=exc.findings)
            except SosError as exc:
                return state.page("problem.html", 400, message=str(exc))
            except HTTPException as exc:  # a form the parser refuses: too large, malformed
                return state.page(
                    "problem.html",
                    exc.status_code if 400 <= exc.status_code < 500 else 400,
                    message="What the browser sent could not be read as this form: "
                    "go back, reload the page and send it again.",
                )
            except Exception as exc:
                return failed(exc)

        return endpoint

    def start_page(status: int = 200, **errors: Any) -> Response:
        title = "Write a report for a child protection conference"
        return state.page(
            "start.html",
            status,
            title=("Error: " if errors else "") + title,
            listing=state.drafts.listing(),
            folder=state.drafts.where,
            **errors,
        )

    def start(request: Request, form: Form | None) -> Response:
        return start_page()

    def new(request: Request, form: Form | None) -> Response:
        assert form is not None
        kind = form.one("kind")
        if kind not in KINDS:
            return start_page(400, new_error="Select which report you are writing")
        draft = state.drafts.create(kind)
        return RedirectResponse(f"/d/{draft.id}", 303)

    def next_report(request: Request, form: Form | None) -> Response:
        from sos_reports.inputs.forms.carry import carry_forward

        assert form is not None
        kind, earlier = form.one("kind"), form.one("earlier")
        errors = {}
        if kind not in KINDS:
            errors["next-kind"] = "Select which report you are writing next"
        source = state.drafts.find(earlier) if earlier else None
        if source is None:
            errors["next-earlier"] = "Select the earlier report to start from"
        if errors:
            return start_page(400, next_errors=errors)
        assert source is not None and kind is not None
        draft = state.drafts.create(kind, carry_forward(source.tree, kind))
        return RedirectResponse(f"/d/{draft.id}", 303)

    def task_list(request: Request, form: Form | None) -> Response:
        draft = state.drafts.open(request.path_params["draft"])
        found = state.task_findings(draft)
        saved = state.drafts.saved_sections(draft)
        rows = []
        for task in pages.tasks(draft.kind):
            page = pages.task_page(draft.kind, task, draft.tree)
            errors = [f for f in found[task.number] if f.severity == "error"]
            rows.append((task, _status(_started(page), task.number in saved, errors), len(errors)))
        return state.page(
            "tasks.html",
            title=KINDS[draft.kind].title,
            draft=draft,
            rows=rows,
            others=[f for f in found[-1] if f.severity == "error"],
        )

    def show_task(request: Request, form: Form | None) -> Response:
        draft = state.drafts.open(request.path_params["draft"])
        task = _task(draft, request.path_params["number"])
        if request.method == "GET":
            page = pages.task_page(draft.kind, task, draft.tree)
            return _render(draft, page, checked=state.drafts.answers_checked(draft))
        assert form is not None
        with state.lock(draft.id):
            draft = state.drafts.open(draft.id)
            page = pages.task_page(draft.kind, task, draft.tree)
            return _post(draft, page, form, back=f"/d/{draft.id}", after=_after_task(draft, task))

    def show_entry(request: Request, form: Form | None) -> Response:
        draft = state.drafts.open(request.path_params["draft"])
        loc = pages.parse_loc(request.path_params["loc"])
        found = pages.entry_context(draft.kind, loc, draft.tree) if loc else None
        if loc is None or found is None:
            return state.page("problem.html", 404, message="There is no such page.")
        task, table = found
        entries = dig(draft.tree, loc[:-1])
        size = len(entries) if isinstance(entries, list) else 0
        parent = _parent_url(draft, task, loc)
        if request.method == "GET":
            tree = draft.tree
            child = request.query_params.get("child")
            if loc[-1] == size and child is not None and _plain_number(child):
                tree = copy.deepcopy(tree)  # the child chosen on the list page, not yet saved
                named = pages.children_named(tree)
                if int(child) < len(named):
                    tree_entries = dig(tree, loc[:-1])
                    if not isinstance(tree_entries, list):
                        pages.set_at(tree, loc[:-1], [])
                        tree_entries = dig(tree, loc[:-1])
                    tree_entries.append({"child": named[int(child)][0]})
            page = pages.entry_page(draft.kind, task, table, loc, tree)
            return _render(draft, page, checked=state.drafts.answers_checked(draft), back=parent)
        assert form is not None
        with state.lock(draft.id):
            draft = state.drafts.open(draft.id)
            page = pages.entry_page(draft.kind, task, table, loc, draft.tree)
            return _post(draft, page, form, back=parent, after=parent)

    def remove(request: Request, form: Form | None) -> Response:
        draft = state.drafts.open(request.path_params["draft"])
        loc = pages.parse_loc(request.path_params["loc"])
        found = pages.entry_context(draft.kind, loc, draft.tree) if loc else None
        if loc is None or found is None or dig(draft.tree, loc) is None:
            return state.page("problem.html", 404, message="There is no such entry.")
        task, table = found
        parent = _parent_url(draft, task, loc)
        title = pages.entry_title(table, dig(draft.tree, loc), draft.tree, int(loc[-1]))
        if request.method == "GET":
            return state.page(
                "remove.html",
                title=f"Remove {title}?",
                entry=title,
                mark=pages.digest(dig(draft.tree, loc)),
                table=table,
                back=parent,
                draft=draft,
            )
        assert form is not None
        answer = form.one("confirm")
        if answer not in ("yes", "no"):
            return state.page(
                "remove.html",
                400,
                title=f"Error: Remove {title}?",
                entry=title,
                mark=form.one("entry") or "",
                table=table,
                back=parent,
                draft=draft,
                error=f"Select yes if you want to remove {title}",
            )
        if answer == "yes":
            with state.lock(draft.id):
                draft = state.drafts.open(draft.id)
                tree = copy.deepcopy(draft.tree)
                # The entry confirmed must be the one there now: after a change elsewhere
                # (another tab added or removed one), its place may hold another entry.
                if form.one("entry") != pages.digest(dig(tree, loc)):
                    return state.page(
                        "problem.html",
                        409,
                        message="The list changed somewhere else (in another tab or by "
                        "another program) after you chose to remove this entry, so nothing "
                        "was removed. Go back to the list and choose again.",
                    )
                if pages.remove_entry(tree, loc):
                    state.drafts.save(draft, tree)
        return RedirectResponse(parent, 303)

    def check_answers(request: Request, form: Form | None) -> Response:
        draft = state.drafts.open(request.path_params["draft"])
        state.drafts.mark_checked(draft)
        found = state.task_findings(draft)
        sections = []
        for task in pages.tasks(draft.kind):
            page = pages.task_page(draft.kind, task, draft.tree)
            sections.append((task, page, _summary_cards(draft, page)))
        errors = [
            Shown(f, text, href, None)
            for task in pages.tasks(draft.kind)
            for f, text, href in _task_links(state, draft, task, found[task.number], "error")
        ]
        warnings = [
            Shown(f, text, href, None)
            for task in pages.tasks(draft.kind)
            for f, text, href in _task_links(state, draft, task, found[task.number], "warning")
        ]
        others = found[-1]
        model = draft.checked.model
        has_annex = bool(model is not None and model.confidential.present)
        return state.page(
            "check.html",
            title=("Error: " if errors or any(f.severity == "error" for f in others) else "")
            + "Check your answers",
            draft=draft,
            sections=sections,
            errors=errors,
            warnings=warnings,
            others=others,
            pdf=state.pdf_available(),
            has_annex=has_annex,
            send=state.service.send_url(draft) if state.service.send_url else None,
        )

    def download(request: Request, form: Form | None) -> Response:
        from sos_reports.commands.reports import documents, pdfs_of
        from sos_reports.errors import InputError

        draft = state.drafts.open(request.path_params["draft"])
        what = request.path_params["what"]
        if what not in ("report.docx", "report.pdf", "annex.docx", "annex.pdf"):
            return state.page("problem.html", 404, message="There is no such download.")
        try:
            model = draft.checked.valid_model()
        except InputError:
            return RedirectResponse(f"/d/{draft.id}/check", 303)
        report, annex = documents(model)
        part, suffix = what.split(".")
        data = report if part == "report" else annex
        if data is None:
            return state.page("problem.html", 404, message="This report has no confidential annex.")
        stem = draft.path.stem + ("-report" if part == "report" else "-report-confidential-annex")
        name = Path(f"{stem}.docx")
        if suffix == "pdf":
            data = pdfs_of({name: data})[name.with_suffix(".pdf")]
            name = name.with_suffix(".pdf")
        media = (
            "application/pdf"
            if suffix == "pdf"
            else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        return Response(
            data,
            media_type=media,
            headers={"content-disposition": _attachment(name.name)},
        )

    def show_board(request: Request, form: Form | None) -> Response:
        from sos_reports.web import board

        draft = state.drafts.open(request.path_params["draft"])
        if draft.kind != "record":
            return state.page("problem.html", 404, message="Only a conference record has a board.")
        notices: list[str] = []
        if form is not None:
            with state.lock(draft.id):
                draft = state.drafts.open(draft.id)
                action = form.one("action")
                tree = draft.tree
                if action == "save":
                    sent = [(k[2:], v) for k, v in form.pairs if k.startswith("e:")]
                    was = {k[4:]: v for k, v in form.pairs if k.startswith("was:")}
                    tree, notices = board.edit_column(tree, sent, was)
                elif action == "add":
                    tree = board.add_entry(
                        tree, form.one("to") or "", form.one("text") or "", form.one("by") or ""
                    )
                elif action == "score":
                    who = (form.one("by") or "").strip()
                    if not who:
                        notices.append("Say who gave the score, then add it again.")
                    else:
                        tree = board.add_score(
                            tree,
                            form.one("child") or "",
                            who,
                            form.one("score") or "",
                            form.one("reason") or "",
                        )
                if tree is not draft.tree:
                    draft = state.drafts.save(draft, tree)
            if not notices:
                anchor = "#scaling" if form.one("action") == "score" else ""
                return RedirectResponse(f"/d/{draft.id}/board{anchor}", 303)
        return state.page(
            "board.html",
            200,
            title=f"Board: {KINDS[draft.kind].title}",
            draft=draft,
            board=board.board(draft.tree),
            notices=notices,
        )

    # --- shared by the page handlers -------------------------------------------------------

    def _render(
        draft: Draft,
        page: Page,
        *,
        checked: bool,
        back: str | None = None,
        notice: str | None = None,
        conflicts: list[tuple[str, str]] | None = None,
        status: int = 200,
    ) -> Response:
        shown = state.placed(draft, page)
        errors = [s for s in shown if s.finding.severity == "error"] if checked else []
        warnings = [s for s in shown if s.finding.severity == "warning"]
        beside: dict[str, list[str]] = {}
        for s in errors:
            if s.beside:
                beside.setdefault(s.beside, []).append(s.text)  # the summary's own words
        title = page.title if page.entry_of is None else f"{page.entry_of.title}: {page.title}"
        return state.page(
            "page.html",
            status,
            title=("Error: " if errors else "") + title,
            heading=page.title,
            draft=draft,
            page=page,
            errors=errors,
            warnings=warnings,
            beside=beside,
            back=back or f"/d/{draft.id}",
            notice=notice,
            conflicts=conflicts or [],
            seen=pages.seen(page),
            version=draft.version,
        )

    def _post(draft: Draft, page: Page, form: Form, *, back: str, after: str) -> Response:
        action = form.one("action") or "continue"
        version = form.one("version")
        current = draft.version
        if version == current:
            tree = pages.apply(page, form, copy.deepcopy(draft.tree))
        else:
            # The file changed since the page was shown (another tab, another program):
            # what the user changed is put into the draft as it is now; where both changed
            # one answer, the page is shown again with theirs, and the draft's, to choose.
            tree, conflicts = pages.merge(page, form, draft.tree)
            if conflicts:
                shown = Draft(draft.id, draft.path, draft.kind, tree, draft.checked, draft.revision)
                return _render(
                    shown,
                    _rebuild(draft, page, tree),
                    checked=False,
                    back=back,
                    notice=(
                        "This draft was changed somewhere else (in another tab or by another "
                        "program) after this page was opened, in the answers listed here. "
                        "The page shows yours, not saved yet: check them and save again."
                    ),
                    conflicts=[
                        (q.label, pages.display(q.answer, now, draft.tree) or "no answer")
                        for q, now in conflicts
                    ],
                    status=409,
                )
        draft = state.drafts.save(draft, tree)
        if page.entry_of is None:
            state.drafts.mark_saved(draft, page.task.number)
        page = _rebuild(draft, page, draft.tree)
        target = _action_target(draft, page, action)
        if target is not None:
            return RedirectResponse(target, 303)
        if action == "later":
            return RedirectResponse(f"/d/{draft.id}", 303)
        errors = [s for s in state.placed(draft, page) if s.finding.severity == "error"]
        if errors:
            return _render(draft, page, checked=True, back=back)
        return RedirectResponse(after, 303)

    def _rebuild(draft: Draft, page: Page, tree: dict[str, Any]) -> Page:
        if page.entry_of is None:
            return pages.task_page(draft.kind, page.task, tree)
        loc = page.loc
        if page.index is not None and page.index != loc[-1]:
            loc = (*loc[:-1], page.index)
        return pages.entry_page(draft.kind, page.task, page.entry_of, loc, tree)

    def _action_target(draft: Draft, page: Page, action: str) -> str | None:
        verb, _, rest = action.partition(":")
        loops = {item.path: item for item in page.items if isinstance(item, Loop)}
        if verb in ("add", "change", "remove", "add-child"):
            loc = pages.parse_loc(rest.split(":")[0])
            if loc is None:
                return None
            if verb == "add":
                loop = loops.get(path_of(loc))
                if loop is None:
                    return None
                return f"/d/{draft.id}/entry/{pages.loc_text((*loop.loc, len(loop.entries)))}"
            if verb == "add-child":
                loop = loops.get(path_of(loc))
                child = rest.split(":")[1] if ":" in rest else ""
                if loop is None or not _plain_number(child):
                    return None
                new = pages.loc_text((*loop.loc, len(loop.entries)))
                return f"/d/{draft.id}/entry/{new}?child={child}"
            target = "entry" if verb == "change" else "remove"
            return f"/d/{draft.id}/{target}/{pages.loc_text(loc)}"
        return None

    def _after_task(draft: Draft, task: Task) -> str:
        following = [t for t in pages.tasks(draft.kind) if t.number > task.number]
        return f"/d/{draft.id}/task/{following[0].number}" if following else f"/d/{draft.id}/check"

    def _parent_url(draft: Draft, task: Task, loc: tuple[Any, ...]) -> str:
        ints = [i for i, p in enumerate(loc) if isinstance(p, int)]
        if len(ints) > 1:
            return f"/d/{draft.id}/entry/{pages.loc_text(loc[: ints[-2] + 1])}"
        return f"/d/{draft.id}/task/{task.number}"

    def _task(draft: Draft, number: str) -> Task:
        all_tasks = pages.tasks(draft.kind)
        if not _plain_number(number) or int(number) >= len(all_tasks):
            raise DraftError("There is no such page.")
        return all_tasks[int(number)]

    routes = [
        Route("/", threaded(start), methods=["GET"]),
        Route("/new", threaded(new), methods=["POST"]),
        Route("/next", threaded(next_report), methods=["POST"]),
        Route("/d/{draft}", threaded(task_list), methods=["GET"]),
        Route("/d/{draft}/task/{number}", threaded(show_task), methods=["GET", "POST"]),
        Route("/d/{draft}/entry/{loc}", threaded(show_entry), methods=["GET", "POST"]),
        Route("/d/{draft}/remove/{loc}", threaded(remove), methods=["GET", "POST"]),
        Route("/d/{draft}/check", threaded(check_answers), methods=["GET"]),
        Route("/d/{draft}/board", threaded(show_board), methods=["GET", "POST"]),
        Route("/d/{draft}/download/{what}", threaded(download), methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        return state.page("problem.html", 404, message="There is no such page.")

    def failed(exc: BaseException) -> Response:
        # Only the kind of failure is told: its words could hold a family's details.
        import sys

        print(f"sos-reports serve: internal error ({type(exc).__name__})", file=sys.stderr)
        return state.page(
            "problem.html",
            500,
            message="Something went wrong. What you saved before is in the draft's file.",
        )

    async def server_error(request: Request, exc: Exception) -> Response:
        return failed(exc)

    return Starlette(
        routes=routes, exception_handlers={404: not_found, 405: not_found, 500: server_error}
    )


def _plain_number(text: str) -> bool:
    """Digits 0 to 9 only (`isdigit` takes ² and ①, which `int` refuses), and not too many."""
    return re.fullmatch(r"[0-9]{1,6}", text) is not None


def _status(started: bool, saved: bool, errors: list[Finding]) -> str:
    """A section's status on the task list: one saved from its page, even with nothing in
    it, has been started."""
    if not started:
        return "Not yet started" if not saved else ("In progress" if errors else "Completed")
    return "Incomplete" if errors else "Completed"


def _started(page: Page) -> bool:
    for item in page.items:
        if isinstance(item, Question) and item.value not in (None, "", []):
            return True
        if isinstance(item, Loop) and item.entries:
            return True
        if isinstance(item, Group) and any(
            q.value not in (None, "", []) for *_, qs in item.children for q in qs
        ):
            return True
    return False


def _task_links(
    state: App, draft: Draft, task: Task, findings: list[Finding], severity: str
) -> list[tuple[Finding, str, str]]:
    page = pages.task_page(draft.kind, task, draft.tree)
    out = []
    for shown in state.placed(draft, page):
        if shown.finding.severity != severity:
            continue
        href = shown.href
        if href.startswith("#"):
            href = f"/d/{draft.id}/task/{task.number}{href}"
        out.append((shown.finding, f"{task.title}: {shown.text}", href))
    return out


def _summary_cards(draft: Draft, page: Page) -> list[dict[str, Any]]:
    """The page's answers for check your answers: its own rows, then a card per entry."""
    rows = []
    cards: list[dict[str, Any]] = []
    base = f"/d/{draft.id}/task/{page.task.number}"
    for item in page.items:
        if isinstance(item, Question):
            rows.append(
                (
                    item.label,
                    pages.display(item.answer, item.value, draft.tree),
                    f"{base}#{item.id}",
                )
            )
        elif isinstance(item, Group):
            for _cid, name, _index, questions in item.children:
                cards.append(
                    {
                        "title": f"{item.table.title}: {name}",
                        "rows": [
                            (
                                q.label,
                                pages.display(q.answer, q.value, draft.tree),
                                f"{base}#{q.id}",
                            )
                            for q in questions
                        ],
                        "change": f"{base}#{item.id}",
                    }
                )
        else:
            for entry in item.entries:
                loc = pages.loc_text(entry.loc)
                sub = pages.entry_page(draft.kind, page.task, item.table, entry.loc, draft.tree)
                href = f"/d/{draft.id}/entry/{loc}"
                cards.append(
                    {
                        "title": f"{item.table.title}: {entry.title}",
                        "rows": [
                            (
                                q.label,
                                pages.display(q.answer, q.value, draft.tree),
                                f"{href}#{q.id}",
                            )
                            for q in sub.questions()
                        ]
                        + [
                            (
                                sub_loop.table.title,
                                "; ".join(e.title for e in sub_loop.entries),
                                f"{href}#{sub_loop.id}",
                            )
                            for sub_loop in sub.items
                            if isinstance(sub_loop, Loop)
                        ],
                        "change": href,
                    }
                )
            if not item.entries:
                rows.append((item.table.title, "", f"{base}#{item.id}"))
    return [{"title": None, "rows": rows, "change": None}, *cards] if rows else cards


def _attachment(name: str) -> str:
    name = shown_name(name)
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\]', "_", name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _libreoffice_present() -> bool:
    from sos_reports.documents.pdf import find_soffice

    try:
        find_soffice()
    except SosError:
        return False
    return True
