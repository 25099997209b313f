"""The browser form's drafts kept in the database: the same pages as `serve`, another store.

A draft is the YAML input that `validate` and `fill` read, in a row of `drafts`. When the
service has an annex key, the draft's confidential part is kept apart from the rest, in
`secret`, encrypted. Which drafts a request may open is decided by who sent it, which the
service's guard puts in `current` before the pages run.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from sos_reports.hosted import db
from sos_reports.web.drafts import Draft, DraftError, Listed, checked_draft

# The service (`Hosted`, and `Who` a request is from) stands above this store and uses it;
# the store is given them, and names them only as what they are to it.
Hosted = Any
Who = Any

MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class Access:
    hosted: Hosted
    who: Who


current: ContextVar[Access | None] = ContextVar("sos_reports_hosted_access", default=None)


def initial_tree(details: dict[str, Any], kind: str, agency: str, email: str) -> dict[str, Any]:
    """An invited author's draft: the conference, the children and the household as the
    administrator gave them, and the agency; carried forward from the earlier report or the
    record the conference was started from, where there is one."""
    from sos_reports.inputs.forms.carry import carry_forward

    source = details.get("source")
    if isinstance(source, dict):
        agencies = {
            str(r.get("agency", "")).strip().casefold()
            for key in ("attendance", "plan")
            for r in source.get(key) or []
            if isinstance(r, dict)
        }
        named = agency if source.get("kind") == "record" and agency.casefold() in agencies else None
        tree = carry_forward(copy.deepcopy(source), kind, named)
    else:
        tree = {"kind": kind, "format_version": 1}
        for key in ("marking", "family_address", "children", "household"):
            if details.get(key) is not None:
                tree[key] = copy.deepcopy(details[key])
    conference = dict(tree.get("conference") or {})
    conference.update({k: v for k, v in (details.get("conference") or {}).items() if v})
    tree["conference"] = conference
    author = dict(tree.get("author") or {})
    author["agency"] = agency
    author.setdefault("email", email)
    tree["author"] = author
    return tree


def _text_of(kind: str, tree: dict[str, Any]) -> str:
    from sos_reports.inputs.forms.layout import canonical
    from sos_reports.inputs.forms.skeleton import yaml_skeleton

    return yaml_skeleton(kind, canonical(kind, tree), blank_entries=False)


def _split(hosted: Hosted, kind: str, tree: dict[str, Any]) -> tuple[str, bytes | None]:
    """The draft's text, and its confidential part sealed apart when there is a key."""
    if not hosted.settings.annex_key or not tree.get("confidential"):
        return _text_of(kind, tree), None
    rest = {k: v for k, v in tree.items() if k != "confidential"}
    sealed, _ = hosted.seal(json.dumps(tree["confidential"], default=_plain).encode("utf-8"))
    return _text_of(kind, rest), sealed


def write_draft(
    hosted: Hosted,
    c: Connection,
    conference_id: str,
    kind: str,
    tree: dict[str, Any],
    draft_id: str | None,
) -> str:
    text, secret = _split(hosted, kind, {**tree, "kind": kind})
    draft_id = draft_id or db.new_id()
    c.execute(
        insert(db.drafts).values(
            id=draft_id,
            conference_id=conference_id,
            kind=kind,
            text=text,
            secret=secret,
            revision=1,
            marks="{}",
            updated_at=hosted.now(),
        )
    )
    return draft_id


def draft_text(hosted: Hosted, c: Connection, draft_id: str) -> str:
    """The whole draft as its YAML input, the confidential part put back."""
    row = c.execute(select(db.drafts).where(db.drafts.c.id == draft_id)).first()
    if row is None:
        raise DraftError("There is no such draft.")
    return _whole_text(hosted, row)


def _whole_text(hosted: Hosted, row: Any) -> str:
    if row.secret is None:
        return str(row.text)
    import yaml

    tree = yaml.safe_load(row.text) or {}
    tree["confidential"] = json.loads(hosted.unseal(row.secret, True))
    return _text_of(row.kind, tree)


# The checks of the drafts read lately, by what they are a function of: the draft's text
# and revision, the day, the due days. A page reads its draft two or three times a request
# (before and after its lock, after saving); each is checked once. This is a cache, not
# state: the database's row decides, and a worker without it checks again.
_CHECKED: OrderedDict[tuple[str, int, str, dt.date, str], Draft] = OrderedDict()
_CHECKED_LOCK = threading.Lock()
CHECKED_KEPT = 256


def read_draft(hosted: Hosted, c: Connection, draft_id: str) -> Draft:
    row = c.execute(select(db.drafts).where(db.drafts.c.id == draft_id)).first()
    if row is None:
        raise DraftError("There is no such draft.")
    text = _whole_text(hosted, row)
    if len(text) > MAX_BYTES:
        raise DraftError("This draft is larger than a report's input can be.")
    key = (
        str(row.id),
        int(row.revision),
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
        hosted.today(),
        hosted.settings.due_days,
    )
    with _CHECKED_LOCK:
        found = _CHECKED.get(key)
        if found is not None:
            _CHECKED.move_to_end(key)
    if found is None:
        found = _check(hosted, row, text)
        with _CHECKED_LOCK:
            _CHECKED[key] = found
            while len(_CHECKED) > CHECKED_KEPT:
                _CHECKED.popitem(last=False)
    # Each caller gets a tree of its own to change.
    return Draft(
        found.id, found.path, found.kind, copy.deepcopy(found.tree), found.checked, found.revision
    )


def _check(hosted: Hosted, row: Any, text: str) -> Draft:
    from sos_reports.commands.options import Options
    from sos_reports.errors import InputError
    from sos_reports.inputs.yaml_json import read_yaml
    from sos_reports.support.deadlines import DueDays

    try:
        source = read_yaml(Path(f"{row.kind}.yaml"), text.encode("utf-8"))
    except InputError as exc:
        raise DraftError("This draft cannot be read as an input.", exc.findings) from None
    due = hosted.settings.due_days
    options = Options(due_days=DueDays.parse(due)) if due else Options()
    return checked_draft(row.id, source, options, revision=str(row.revision))


class HostedDrafts:
    """The DraftStore of the hosted service: the drafts that the signed-in user may open."""

    @property
    def where(self) -> str:
        return "the service"

    def _access(self) -> Access:
        access = current.get()
        if access is None:
            raise DraftError("There is no such draft.")
        return access

    def allowed(self, c: Connection, access: Access, draft_id: str) -> bool:
        """Whether `access` may open the draft: an author their report until it is sent,
        a chair the records of the conferences they chair; an administrator none."""
        hosted, who = access.hosted, access.who
        if who.role == "author" and who.invitation_id:
            invitation = hosted.invitation(c, who.invitation_id)
            return bool(
                invitation is not None
                and invitation.draft_id == draft_id
                and invitation.sent_at is None
                and invitation.withdrawn_at is None
            )
        if who.role == "chair":
            row = c.execute(
                select(db.records.c.conference_id).where(db.records.c.draft_id == draft_id)
            ).first()
            if row is None:
                return False
            return hosted.may_see_conference(who, hosted.conference(c, row.conference_id))
        return False

    def listing(self) -> list[Listed]:
        return []

    def find(self, draft_id: str) -> Draft | None:
        try:
            return self.open(draft_id)
        except DraftError:
            return None

    def open(self, draft_id: str) -> Draft:
        access = self._access()
        with access.hosted.begin() as c:
            if not self.allowed(c, access, draft_id):
                raise DraftError("There is no such draft.")
            return read_draft(access.hosted, c, draft_id)

    def create(self, kind: str, tree: dict[str, Any] | None = None) -> Draft:
        raise DraftError("A report is started from its invitation.")

    def save(self, draft: Draft, tree: dict[str, Any]) -> Draft:
        access = self._access()
        hosted = access.hosted
        text, secret = _split(hosted, draft.kind, tree)
        with hosted.begin() as c:
            if not self.allowed(c, access, draft.id):
                raise DraftError("There is no such draft.")
            done = c.execute(
                update(db.drafts)
                .where(and_(db.drafts.c.id == draft.id, db.drafts.c.revision == int(draft.version)))
                .values(
                    text=text,
                    secret=secret,
                    revision=db.drafts.c.revision + 1,
                    updated_at=hosted.now(),
                )
            )
            if done.rowcount != 1:
                raise DraftError(
                    "This draft was changed somewhere else at the same moment, so nothing was "
                    "saved: go back, reload the page and send it again."
                )
            who = access.who
            if who.role == "author" and who.invitation_id:
                c.execute(
                    update(db.invitations)
                    .where(
                        and_(
                            db.invitations.c.id == who.invitation_id,
                            db.invitations.c.started_at.is_(None),
                        )
                    )
                    .values(started_at=hosted.now())
                )
            hosted.audit(c, who, "save draft", who.conference_id or _conference(c, draft.id))
            return read_draft(hosted, c, draft.id)

    # --- the marks -------------------------------------------------------------------------

    def _marks(self, draft: Draft) -> dict[str, Any]:
        access = self._access()
        with access.hosted.begin() as c:
            row = c.execute(select(db.drafts.c.marks).where(db.drafts.c.id == draft.id)).first()
        return json.loads(row.marks) if row is not None else {}

    def _mark(self, draft: Draft, change: Any) -> None:
        access = self._access()
        with access.hosted.begin() as c:
            row = c.execute(
                select(db.drafts.c.marks).where(db.drafts.c.id == draft.id).with_for_update()
            ).first()
            if row is None:
                return
            marks = json.loads(row.marks)
            if change(marks):
                c.execute(
                    update(db.drafts)
                    .where(db.drafts.c.id == draft.id)
                    .values(marks=json.dumps(marks, sort_keys=True))
                )

    def saved_sections(self, draft: Draft) -> set[int]:
        return {n for n in self._marks(draft).get("saved", []) if isinstance(n, int)}

    def mark_saved(self, draft: Draft, section: int) -> None:
        def change(marks: dict[str, Any]) -> bool:
            saved = marks.setdefault("saved", [])
            if section in saved:
                return False
            saved.append(section)
            return True

        self._mark(draft, change)

    def answers_checked(self, draft: Draft) -> bool:
        return bool(self._marks(draft).get("checked"))

    def mark_checked(self, draft: Draft) -> None:
        def change(marks: dict[str, Any]) -> bool:
            if marks.get("checked"):
                return False
            marks["checked"] = True
            return True

        self._mark(draft, change)


def _conference(c: Connection, draft_id: str) -> str | None:
    row = c.execute(select(db.drafts.c.conference_id).where(db.drafts.c.id == draft_id)).first()
    return row.conference_id if row is not None else None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)
