"""The drafts of the browser form: the input files of a folder, read, checked and saved.

A draft is an input file like any other (YAML, or JSON when it was one), so `validate`,
`fill`, `batch` and `merge` work on what the browser saved, and a file written by hand or
converted from a workbook opens in the browser. A page names a draft by an id made from its
file name with the server's secret: never the file name, which may hold a family's name.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sos_reports.checks.validation import Checked, check
from sos_reports.commands.options import Options
from sos_reports.errors import Finding, InputError, SosError
from sos_reports.inputs.read import Source, read_input
from sos_reports.kinds import KINDS

if TYPE_CHECKING:
    from sos_reports.checks.language import Terms

SUFFIXES = (".yaml", ".yml", ".json")
# A folder of drafts is listed up to this many files (the newest first).
LIST_LIMIT = 500
# A draft is read up to this size; an input of a few pages is a few tens of kilobytes.
MAX_BYTES = 5_000_000


class DraftError(SosError):
    """A draft that cannot be opened in the browser; carries what to do about it."""

    def __init__(self, message: str, findings: list[Finding] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


@dataclass
class Draft:
    """A draft as read: its file, its kind and its tree, and its findings when checked."""

    id: str
    path: Path
    kind: str
    tree: dict[str, Any]
    checked: Checked
    # A store that keeps drafts elsewhere than in files says which saving this one is.
    revision: str | None = None

    @property
    def version(self) -> str:
        """What a page carries to tell, when it is sent, whether the draft changed meanwhile."""
        if self.revision is not None:
            return self.revision
        return str(self.checked.source.path.stat().st_mtime_ns)


@dataclass
class Listed:
    """A file of the folder as the start page lists it."""

    id: str
    name: str
    kind: str | None
    title: str
    saved: dt.datetime
    problem: str | None = None


class DraftStore(Protocol):
    """Where the browser form's drafts are kept, and all that its pages ask of that place.

    The local form keeps them as files in one folder (`Drafts`); a service that keeps them
    elsewhere (a database) gives the same pages another store. Ids are opaque to the pages:
    they never hold a name, a file's or a family's.
    """

    @property
    def where(self) -> str: ...  # said on the start page: where the drafts are kept

    def listing(self) -> list[Listed]: ...

    def open(self, draft_id: str) -> Draft: ...

    def find(self, draft_id: str) -> Draft | None: ...  # as `open`, or None when there is none

    def create(self, kind: str, tree: dict[str, Any] | None = None) -> Draft: ...

    def save(self, draft: Draft, tree: dict[str, Any]) -> Draft: ...

    # The sections (task numbers) of a draft that were saved from their page, empty or not,
    # so that the task list can tell "In progress" from "Not yet started".
    def saved_sections(self, draft: Draft) -> set[int]: ...

    def mark_saved(self, draft: Draft, section: int) -> None: ...

    # Whether check your answers was opened for the draft: from then on a page shows its
    # problems when it opens, not only once it is saved.
    def answers_checked(self, draft: Draft) -> bool: ...

    def mark_checked(self, draft: Draft) -> None: ...


class Drafts:
    """The drafts in one folder, checked with `options` (the due days and the local terms)."""

    def __init__(
        self,
        folder: Path,
        secret: bytes,
        options: Options | None = None,
        sections: Path | None = None,
    ) -> None:
        self.folder = folder.resolve()
        self._secret = secret
        self._options = options or Options()
        self._terms: Terms | None = None
        # Which sections of which draft were saved, and whether its answers were checked:
        # kept in `sections` (a private file of the user's, beside the form's keys) when
        # given, so that a restart keeps them. Drafts are named there by their ids, never
        # by their files' names.
        self._sections_file = sections
        self._marks: dict[str, dict[str, Any]] = _read_marks(sections)
        self._marks_lock = threading.Lock()

    def saved_sections(self, draft: Draft) -> set[int]:
        with self._marks_lock:
            return set(self._marks.get(draft.id, {}).get("saved", ()))

    def mark_saved(self, draft: Draft, section: int) -> None:
        with self._marks_lock:
            saved = self._marks.setdefault(draft.id, {}).setdefault("saved", [])
            if section not in saved:
                saved.append(section)
                self._keep_marks()

    def answers_checked(self, draft: Draft) -> bool:
        with self._marks_lock:
            return bool(self._marks.get(draft.id, {}).get("checked"))

    def mark_checked(self, draft: Draft) -> None:
        with self._marks_lock:
            marks = self._marks.setdefault(draft.id, {})
            if not marks.get("checked"):
                marks["checked"] = True
                self._keep_marks()

    def _keep_marks(self) -> None:
        if self._sections_file is not None:
            data = json.dumps(self._marks, sort_keys=True).encode("utf-8")
            _write_private(self._sections_file, data)

    @property
    def where(self) -> str:
        return str(self.folder)

    def id_of(self, path: Path) -> str:
        digest = hmac.new(self._secret, path.name.encode("utf-8", "surrogateescape"), "sha256")
        return digest.hexdigest()[:20]

    def _files(self) -> list[Path]:
        try:
            found = [
                p
                for p in self.folder.iterdir()
                if p.suffix.lower() in SUFFIXES and not p.name.startswith(".") and p.is_file()
            ]
        except OSError:
            return []
        found.sort(key=lambda p: _mtime(p), reverse=True)
        return found[:LIST_LIMIT]

    def path_of(self, draft_id: str) -> Path | None:
        if re.fullmatch(r"[0-9a-f]{20}", draft_id) is None:
            return None  # no id of ours, whatever it holds
        for path in self._files():
            if hmac.compare_digest(self.id_of(path), draft_id):
                return path
        return None

    def listing(self) -> list[Listed]:
        out = []
        for path in self._files():
            kind, problem = None, None
            try:
                tree = read_input(path).tree
                value = tree.get("kind") if isinstance(tree, dict) else None
                kind = value if isinstance(value, str) and value in KINDS else None
                if kind is None:
                    problem = "not an input of sos-reports (no known `kind`)"
            except InputError as exc:
                problem = _first_problem(exc)
            title = KINDS[kind].title if kind else ""
            saved = dt.datetime.fromtimestamp(_mtime(path))
            out.append(Listed(self.id_of(path), shown_name(path.name), kind, title, saved, problem))
        return out

    def find(self, draft_id: str) -> Draft | None:
        path = self.path_of(draft_id)
        return self.read(path) if path is not None else None

    def open(self, draft_id: str) -> Draft:
        path = self.path_of(draft_id)
        if path is None:
            raise DraftError("There is no such draft in this folder: it may have been renamed.")
        return self.read(path)

    def read(self, path: Path) -> Draft:
        try:
            if path.stat().st_size > MAX_BYTES:
                raise DraftError(f"{shown_name(path.name)} is larger than a report's input can be.")
            source = read_input(path)
        except InputError as exc:
            raise DraftError(
                f"{shown_name(path.name)} cannot be read as an input: fix it in the file first.",
                exc.findings,
            ) from None
        except OSError as exc:
            raise DraftError(f"{shown_name(path.name)} cannot be read: {exc.strerror}.") from None
        if self._terms is None and self._options.terms is not None:
            from sos_reports.checks.language import load_terms

            self._terms = load_terms(self._options.terms)
        return checked_draft(self.id_of(path), source, self._options, self._terms)

    def save(self, draft: Draft, tree: dict[str, Any]) -> Draft:
        """Write the tree as the draft's file, atomically and readable by this user only,
        then read it back as the command line would, so that what is shown is what is saved."""
        from sos_reports.documents.writing import folder_locks
        from sos_reports.inputs.forms.layout import canonical
        from sos_reports.inputs.forms.skeleton import json_skeleton, yaml_skeleton

        plain = canonical(draft.kind, tree)
        if draft.path.suffix.lower() == ".json":
            text = json_skeleton(draft.kind, plain, blank_entries=False)
        else:
            text = yaml_skeleton(draft.kind, plain, blank_entries=False)
        with folder_locks([draft.path.parent]):
            if draft.path.suffix.lower() != ".json":
                text = _with_own_comments(draft, text, plain)
            _write_private(draft.path, text.encode("utf-8"))
        return self.read(draft.path)

    def create(self, kind: str, tree: dict[str, Any] | None = None) -> Draft:
        """A new draft of `kind` (from `tree`, the next report, when given), in a file of
        its own named by the kind and the day: never by anyone's name."""
        from sos_reports.documents.writing import folder_locks
        from sos_reports.inputs.forms.skeleton import yaml_skeleton

        text = yaml_skeleton(kind, tree or {"kind": kind}, blank_entries=False).encode("utf-8")
        stem = f"{kind}-draft-{dt.date.today().isoformat()}"
        with folder_locks([self.folder]):
            for number in range(1, 1000):
                name = stem + (f"-{number}" if number > 1 else "") + ".yaml"
                path = self.folder / name
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    continue
                with os.fdopen(fd, "wb") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                return self.read(path)
        raise DraftError("There are too many drafts of today in this folder.")


def checked_draft(
    draft_id: str,
    source: Source,
    options: Options,
    terms: Terms | None = None,
    revision: str | None = None,
) -> Draft:
    """The draft read into `source`, checked as `validate` checks it; DraftError when it
    cannot be opened in the browser without losing something."""
    name = shown_name(source.path.name)
    checked = check(source, options.due_days, terms)
    if checked.kind is None:
        raise DraftError(
            f"{name} does not say which report it is: give it a `kind`.", checked.findings
        )
    # What a page cannot show would be lost when the browser saves: the file is
    # refused until it is fixed, as `convert` refuses it.
    unknown = [f for f in checked.findings if f.code in ("unknown", "read")]
    if unknown:
        raise DraftError(
            f"{name} has keys that sos-reports does not know: fix them in the file "
            "first, so that nothing in it is lost when the browser saves it.",
            unknown,
        )
    return Draft(draft_id, source.path, checked.kind, source.tree, checked, revision)


def _with_own_comments(draft: Draft, text: str, plain: dict[str, Any]) -> str:
    """The draft's new text with the comments its author typed into the file, each where it
    was written; the help comments the tool writes are in `text` already, once."""
    from sos_reports.inputs.forms.layout import canonical
    from sos_reports.inputs.forms.skeleton import yaml_skeleton
    from sos_reports.inputs.yaml_comments import carry_comments

    try:
        old_text = draft.path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return text
    before = canonical(draft.kind, draft.tree)
    help_lines = [
        line
        for written in (text, yaml_skeleton(draft.kind, before, blank_entries=False))
        for line in written.split("\n")
        if line.strip().startswith("#")
    ]
    return carry_comments(old_text, text, help_lines, before, plain)


def _read_marks(path: Path | None) -> dict[str, dict[str, Any]]:
    """The marks kept in `path`; anything unreadable there is taken as none."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    marks: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if not isinstance(value, dict):
            continue
        saved = value.get("saved")
        numbers = saved if isinstance(saved, list) else []
        marks[str(key)] = {
            "saved": [n for n in numbers if isinstance(n, int) and not isinstance(n, bool)],
            "checked": value.get("checked") is True,
        }
    return marks


def shown_name(name: str) -> str:
    """A file name as a page can show it: one not in UTF-8 (copied from another machine)
    with its odd bytes as replacement characters, and no control characters."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return re.sub(r"[\x00-\x1f\x7f]", "_", text)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _first_problem(exc: InputError) -> str:
    first = next(iter(exc.findings), None)
    return first.message if first else str(exc)


def _write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step: a crash leaves the old file or the new one."""
    fd, temp = tempfile.mkstemp(prefix=".sos-reports-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
