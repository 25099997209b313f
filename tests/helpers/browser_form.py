"""The browser form in tests: a real server on 127.0.0.1, and a practitioner who types an
input into its pages by their labels, as a person would, from a tree of answers."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sos_reports.inputs.forms.layout import Answer, Pointer, Section, Table
from sos_reports.support.tree import Loc, dig, path_of
from sos_reports.web import pages
from sos_reports.web.pages import Task

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page


CONFIDENTIAL = """confidential:
  present: true
  reason: third-party information
  chair_informed: 2025-03-07
  details: |
    A neighbour, who asked not to be named, told the school office on 5 March 2025 that she hears shouting from the house most evenings.
"""


def icpc_with_annex() -> str:
    """The school's ICPC example with something for the chair only, so that it has an annex."""
    from tests.helpers.examples import EXAMPLES

    text = (EXAMPLES / "icpc-school.yaml").read_text("utf-8")
    assert "confidential:\n  present: false\n" in text
    return text.replace("confidential:\n  present: false\n", CONFIDENTIAL)


@dataclass
class Running:
    """A served folder: the address that opens it (once), and the server's secrets."""

    base: str
    start: str
    folder: Path
    keys: Any


@contextmanager
def running_form(folder: Path) -> Iterator[Running]:
    """`sos-reports serve FOLDER` in a thread of this process, on a free port."""
    import uvicorn

    from sos_reports.web.app import create_app
    from sos_reports.web.security import Keys
    from sos_reports.web.server import bind

    sock = bind(0)
    port = sock.getsockname()[1]
    keys = Keys()
    config = uvicorn.Config(
        create_app(folder, keys, port), log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.025)
    base = f"http://127.0.0.1:{port}"
    try:
        yield Running(base, f"{base}/start?token={keys.start_token}", folder, keys)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def labelled(label: str) -> re.Pattern[str]:
    """A question's label as the page shows it: with " (optional)" when it may be left out."""
    return re.compile("^" + re.escape(label.rstrip(" *")) + r"( \(optional\))?$")


def typed_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


class Practitioner:
    """Types an input tree into the browser form, task by task, by the pages' labels."""

    def __init__(self, page: Page, kind: str, tree: dict[str, Any]) -> None:
        self.page = page
        self.kind = kind
        self.tree = tree
        self.names = {
            str(c.get("id")): str(c.get("name"))
            for c in tree.get("children") or []
            if isinstance(c, dict)
        }

    # --- the task list -----------------------------------------------------------------

    def open_task(self, task: Task) -> None:
        self.page.get_by_role("link", name=task.title, exact=True).click()
        self.page.get_by_role("heading", level=1, name=task.title, exact=True).wait_for()

    def type_task(self, task: Task, *, save: bool = True) -> None:
        """Open the task from the task list, answer all it asks, save and go back."""
        self.open_task(task)
        part = task.part
        if isinstance(part, Table):
            self.type_list(self.page.locator("main"), part, part.loc)
        else:
            self.type_section(part)
        if save:
            self.save_and_continue()
            self.page.goto(self.task_list_url)

    @property
    def task_list_url(self) -> str:
        match = re.search(r"(/d/[0-9a-f]+)", self.page.url)
        assert match, self.page.url
        return self.page.url[: match.end()]

    def save_and_continue(self) -> None:
        self.page.get_by_role("button", name="Save and continue", exact=True).click()
        self.page.wait_for_load_state()
        title = self.page.title()
        assert not title.startswith(("Error: ", "There is a problem")), (
            title,
            self.errors() or self.page.locator("main").inner_text(),
        )

    def errors(self) -> list[str]:
        summary = self.page.locator(".error-summary li")
        return [summary.nth(i).inner_text() for i in range(summary.count())]

    # --- a page ------------------------------------------------------------------------

    def type_section(self, section: Section) -> None:
        scope = self.page.locator("main")
        for row in section.rows:
            if isinstance(row, Pointer):
                self.type_list(scope, row.table, row.table.loc)
            elif not row.fixed:
                value = dig(self.tree, (*section.base, *row.keys))
                if value is not None:
                    self.answer(scope, row, value)

    def type_list(self, scope: Locator, table: Table, loc: Loc) -> None:
        entries = dig(self.tree, loc) or []
        if table.per_child and not table.subtables:
            for entry in entries:
                group = scope.get_by_role("group", name=self.names[str(entry["child"])], exact=True)
                for column in table.columns[1:]:
                    value = dig(entry, column.keys)
                    if value is not None:
                        self.answer(group, column, value)
            return
        box = scope.locator(f"#{pages.html_id(path_of(loc))}")
        there = box.locator(".summary-list-row").count()
        for index, entry in enumerate(entries):
            if index < there:
                # An entry carried from an earlier report is changed, not typed again.
                box.locator(".summary-list-row").nth(index).get_by_role(
                    "button", name=re.compile("^Change")
                ).click()
            elif table.per_child:
                name = self.names[str(entry["child"])]
                self.page.get_by_role(
                    "button", name=f"Add {table.title.lower()} for {name}", exact=True
                ).click()
            else:
                word = pages.noun(table)
                button = re.compile(rf"^Add (a|an|another) {re.escape(word)}$")
                self.page.get_by_role("button", name=button).click()
            self.type_entry(table, entry, loc)
            box = self.page.locator("main").locator(f"#{pages.html_id(path_of(loc))}")
        for _ in range(there - len(entries)):
            # Entries carried that this report does not have are removed, the last first.
            rows = box.locator(".summary-list-row")
            rows.nth(rows.count() - 1).get_by_role("button", name=re.compile("^Remove")).click()
            self.page.get_by_label("Yes", exact=True).check()
            self.page.get_by_role("button", name="Continue", exact=True).click()
            box = self.page.locator("main").locator(f"#{pages.html_id(path_of(loc))}")

    def type_entry(self, table: Table, entry: Any, loc: Loc) -> None:
        main = self.page.locator("main")
        main.get_by_role("button", name="Save and continue", exact=True).wait_for()
        if table.scalar:
            main.get_by_label(labelled(table.columns[0].label)).fill(str(entry))
        else:
            for column in table.columns:
                value = dig(entry, column.keys)
                if table.per_child and column is table.columns[0]:
                    continue
                if value is not None:
                    self.answer(main, column, value)
                else:
                    self.clear(main, column)
            for sub in table.subtables:
                # The entry is saved first, so that its own lists have a place to go.
                for inner in dig(entry, sub.keys_in_parent) or []:
                    word = pages.noun(sub)
                    self.page.get_by_role(
                        "button", name=re.compile(rf"^Add (a|an|another) {re.escape(word)}$")
                    ).click()
                    self.type_entry(sub, inner, loc)
        self.save_and_continue()

    def answer(self, scope: Locator, answer: Answer, value: Any) -> None:
        """Type one answer as a person would: into its box, its day/month/year, or a choice."""
        q = pages.question(answer, (), self.tree)
        name = labelled(answer.label)
        if q.widget == "date":
            group = scope.get_by_role("group", name=name)
            when = typed_date(value)
            group.get_by_label("Day", exact=True).fill(str(when.day))
            group.get_by_label("Month", exact=True).fill(str(when.month))
            group.get_by_label("Year", exact=True).fill(str(when.year))
        elif q.widget in ("radios", "checkboxes"):
            group = scope.get_by_role("group", name=name)
            if q.widget == "checkboxes":
                self.clear(scope, answer)
            for choice in value if isinstance(value, list) else [value]:
                group.get_by_label(self.option_label(q, choice)).check()
        elif q.widget == "select":
            wanted = self.option_label(q, value)
            label = next(text for _, text in q.options if wanted.match(text))
            scope.get_by_label(name).select_option(label=label)
        elif answer.value_type == "date-or-text" and _is_date(value):
            scope.get_by_label(name).fill(typed_date(value).strftime("%d/%m/%Y"))
        else:
            scope.get_by_label(name).fill(str(value))

    def clear(self, scope: Locator, answer: Answer) -> None:
        """Empty an answer that this input leaves out (one carried from an earlier report)."""
        q = pages.question(answer, (), self.tree)
        name = labelled(answer.label)
        if q.widget == "date":
            group = scope.get_by_role("group", name=name)
            for part in ("Day", "Month", "Year"):
                group.get_by_label(part, exact=True).fill("")
        elif q.widget == "checkboxes":
            boxes = scope.get_by_role("group", name=name).get_by_role("checkbox")
            for i in range(boxes.count()):
                boxes.nth(i).uncheck()
        elif q.widget in ("radios", "select"):
            group = scope.get_by_role("group", name=name) if q.widget == "radios" else None
            if group is not None and group.locator("input:checked").count():
                group.get_by_label("Not answered", exact=True).check()
        else:
            scope.get_by_label(name).fill("")

    def option_label(self, q: pages.Question, value: Any) -> re.Pattern[str]:
        if isinstance(value, bool):
            return re.compile("^Yes$" if value else "^No$")
        text = str(value)
        if q.answer.value_type == "bool":
            return re.compile("^Yes$" if text.lower() in ("yes", "true") else "^No$")
        if q.answer.value_type == "score":
            return re.compile(rf"^{int(text)}(:.*)?$")
        if q.answer.value_type == "child":
            return re.compile("^" + re.escape(self.names[text]) + "$")
        for option, label in q.options:
            if text.lower() in (option.lower(), label.lower()):
                return re.compile("^" + re.escape(label) + "$")
        raise AssertionError(f"{value!r} is not a choice of {q.answer.label}")


def _is_date(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True
