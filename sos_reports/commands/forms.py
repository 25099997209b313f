"""The verbs that write forms, not reports: a blank or pre-filled input (`new`), the same
input in another form (`convert`), its JSON Schema, and a copy of a packaged template."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from sos_reports.checks.validation import Checked
from sos_reports.commands.reports import validate
from sos_reports.documents.writing import Output, write_outputs
from sos_reports.errors import OutputError
from sos_reports.kinds import KINDS
from sos_reports.results import Result

FORM_SUFFIXES = {".yaml", ".yml", ".json", ".xlsx", ".docx"}
_FORM_NAMES = "a name ending in .xlsx (Excel), .docx (Word form), .yaml or .json"


def new_input(
    kind: str,
    output: Path,
    *,
    from_path: Path | str | Sequence[Path | str] | None = None,
    agency: str | None = None,
    force: bool = False,
) -> Result:
    """Write a blank input form for `kind` (.xlsx, .docx, .yaml, .yml or .json), or the next
    report's form pre-filled from an earlier input (see forms/carry.py). The earlier input
    must be well formed (no unknown keys, no values of the wrong form); it need not be
    complete.

    A conference record is started from the agencies' inputs (several, or folders of them,
    valid as `merge` takes them: see commands/record.py). A review started from a record
    takes, with `agency`, that agency's author, actions of the plan and previous scores.
    """
    from sos_reports.inputs.forms.carry import carry_forward

    output = Path(output)
    _form_suffix(output)
    paths = [] if from_path is None else _paths(from_path)
    tree: dict[str, Any] | None = None
    inputs: list[Path] = []
    if kind == "record" and paths:
        from sos_reports.commands.merge import input_files
        from sos_reports.commands.record import record_from

        if agency is not None:
            raise OutputError("--agency is for a report started from a conference record")
        tree = record_from(paths)
        inputs = [path for path, _ in input_files(paths)]
    elif paths:
        if len(paths) > 1:
            raise OutputError(
                f"{KINDS[kind].a_report} is started from one earlier input, not {len(paths)}: "
                "the conference record is the one started from several"
            )
        checked = _well_formed(paths[0], {"unknown", "value", "read"})
        if agency is not None:
            _check_agency(checked, agency)
        tree = carry_forward(checked.source.tree, kind, agency=agency)
        inputs.append(paths[0])
    elif agency is not None:
        raise OutputError("--agency is for a report started from a conference record (--from)")
    produce = _form_writer(kind, output, tree, blank_entries=True)
    written = write_outputs([Output(output, produce)], inputs=inputs, force=force)
    return Result(list(written), [])


def _paths(given: Path | str | Sequence[Path | str]) -> list[Path]:
    if isinstance(given, (str, Path)):
        return [Path(given)]
    return [Path(p) for p in given]


def _check_agency(checked: Checked, agency: str) -> None:
    """`agency` is for a record, and names an agency the record knows."""
    tree = checked.source.tree
    if checked.kind != "record":
        raise OutputError(
            f"--agency is for a report started from a conference record; {checked.source.path} "
            f"is {KINDS[checked.kind or 'icpc'].a_report}"
        )
    rows = [r for key in ("attendance", "plan") for r in tree.get(key) or [] if isinstance(r, dict)]
    known = sorted({str(r["agency"]).strip() for r in rows if r.get("agency")})
    if agency.strip().casefold() not in {k.casefold() for k in known}:
        raise OutputError(
            f"the record names no agency {agency!r} in its attendance or plan: "
            f"the agencies there are {', '.join(known) or 'none'}"
        )


def convert(input_path: Path, output: Path, *, force: bool = False) -> Result:
    """Write the same input in another form (.yaml, .json, .xlsx or .docx), content whole.

    The input need not be complete or valid: an export sent ahead, or a half-filled form,
    converts as it is, a wrong value as it was typed. What a form could not carry is
    refused instead of dropped: an unknown key, or what the reader could not place (text
    typed outside a Word form's answer boxes, a workbook's cell outside the form).
    """
    input_path, output = Path(input_path), Path(output)
    _form_suffix(output)
    checked = _well_formed(input_path, {"unknown", "read"})
    assert checked.kind is not None
    produce = _form_writer(checked.kind, output, checked.source.tree, blank_entries=False)
    written = write_outputs([Output(output, produce)], inputs=[input_path], force=force)
    return Result(list(written), [])


def _form_suffix(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix not in FORM_SUFFIXES:
        raise OutputError(f"{output}: give {_FORM_NAMES}")
    return suffix


def _well_formed(path: Path, stopping: set[str]) -> Checked:
    """The input checked, or InputError with what a form cannot carry over."""
    from sos_reports.errors import InputError

    checked = validate(path)
    broken = [f for f in checked.findings if f.severity == "error" and f.code in stopping]
    if broken or checked.kind is None:
        raise InputError(broken or checked.findings, str(path))
    return checked


def _form_writer(
    kind: str, output: Path, tree: dict[str, Any] | None, *, blank_entries: bool
) -> Callable[[IO[bytes]], object]:
    suffix = output.suffix.lower()

    def produce(handle: IO[bytes]) -> None:
        if suffix == ".xlsx":
            from sos_reports.inputs.forms.workbook_writer import write_workbook

            write_workbook(kind, handle, tree)
        elif suffix == ".docx":
            from sos_reports.inputs.forms.word_writer import write_word_form

            write_word_form(kind, handle, tree)
        else:
            from sos_reports.inputs.forms.layout import canonical
            from sos_reports.inputs.forms.skeleton import json_skeleton, yaml_skeleton

            plain = canonical(kind, tree) if tree is not None else None
            if suffix == ".json":
                text = json_skeleton(kind, plain, blank_entries=blank_entries)
            else:
                text = yaml_skeleton(kind, plain, blank_entries=blank_entries)
            handle.write(text.encode("utf-8"))

    return produce


def input_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the input for `kind`, keys as the input spells them."""
    from sos_reports.kinds import get_kind

    schema = get_kind(kind).model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def copy_template(kind: str, output: Path, *, force: bool = False) -> Result:
    """Write the packaged Word template of `kind` to `output`, to adapt to local branding."""
    from sos_reports.documents.render import packaged_template
    from sos_reports.kinds import get_kind

    output = Path(output)
    if output.suffix.lower() != ".docx":
        raise OutputError(f"{output}: the template is a Word document; give a name ending in .docx")
    data = packaged_template(get_kind(kind).template).read_bytes()
    return Result(write_outputs([Output(output, lambda handle: handle.write(data))], force=force))
