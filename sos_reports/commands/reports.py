"""The library's main work: read and check an input, and fill its report and annex."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sos_reports.checks.validation import Checked, check
from sos_reports.commands.options import Options
from sos_reports.errors import Finding, OutputError
from sos_reports.inputs.read import read_input
from sos_reports.kinds import KINDS
from sos_reports.results import Result
from sos_reports.support.formatting import long_date

if TYPE_CHECKING:
    from sos_reports.model.common import CommonInput
from sos_reports.documents.writing import Output, check_outputs, write_outputs


def validate(path: Path, options: Options | None = None, **settings: Any) -> Checked:
    """Read and check an input; every finding, never an exception for a bad value.

    Of the options (an `Options`, or its names as keywords) the due days and the local list
    of acronyms and jargon (`terms`, applied after SOS_REPORTS_TERMS) are used.
    """
    from sos_reports.checks.language import load_terms

    options = Options.of(options, **settings)
    terms = options.terms
    known = load_terms(Path(terms) if terms is not None else None)
    return check(read_input(Path(path)), options.due_days, known)


def default_output(input_path: Path) -> Path:
    return input_path.with_name(f"{input_path.stem}-report.docx")


def annex_path(report: Path) -> Path:
    return report.with_name(f"{report.stem}-confidential-annex.docx")


def fill(
    input_path: Path, output: Path | None = None, options: Options | None = None, **settings: Any
) -> Result:
    """Validate an input and write its report (and its confidential annex, when it has one),
    with the `pdf` option a PDF of each as well.

    `options` is an `Options`, or its names given as keywords. Raises InputError with every
    finding when the input is not valid (or, with `strict`, has warnings about the input;
    with `strict_language`, plain-English warnings, found with the local list `terms` as
    well), TemplateError for a `template` that cannot be filled, OutputError when an output
    may not be written (an existing one without `force`), PdfError when LibreOffice is
    missing or fails. Every output is checked before any work, and nothing is written
    unless everything succeeds.
    """
    options = Options.of(options, **settings)
    filled = prepare(input_path, output, options)
    if options.pdf:
        filled.add_pdfs(pdfs_of(filled.documents))
    return filled.write()


@dataclass
class Filled:
    """A report (and annex) filled in memory, its outputs checked but not yet written.

    A batch fills many before it converts their PDFs in one LibreOffice run; `write` then
    puts each set in place as `fill` does.
    """

    targets: list[Path]
    inputs: list[Path]
    documents: dict[Path, bytes]
    findings: list[Finding]
    checked: Checked
    force: bool
    pdfs: dict[Path, bytes] = field(default_factory=dict)

    def add_pdfs(self, pdfs: dict[Path, bytes]) -> None:
        self.pdfs.update(pdfs)

    def write(self) -> Result:
        contents = {**self.documents, **self.pdfs}
        outputs = [Output(path, _writer(contents[path])) for path in self.targets]
        written = write_outputs(outputs, inputs=self.inputs, force=self.force)
        checked = self.checked
        return Result(list(written), self.findings, checked.due_date, checked.due_days)


def prepare(
    input_path: Path, output: Path | None = None, options: Options | None = None, **settings: Any
) -> Filled:
    """Everything `fill` does short of converting to PDF and writing: raises as `fill` does."""
    from sos_reports.documents.render import packaged_template

    options = Options.of(options, **settings)
    template, force, pdf = options.template, options.force, options.pdf
    input_path = Path(input_path)
    checked = validate(input_path, options)
    model = checked.valid_model(options.strict, options.strict_language)
    output = Path(output) if output is not None else default_output(input_path)
    if output.suffix.lower() != ".docx":
        raise OutputError(f"{output}: the report is a Word document; give a name ending in .docx")
    report_template = (
        Path(template) if template is not None else packaged_template(KINDS[model.kind].template)
    )
    if template is not None:  # a local template is checked whole before any work
        from sos_reports.documents.template_check import refuse_broken_template

        refuse_broken_template(report_template, model.kind)
    # The template is read too: even the packaged one must never be written over.
    inputs = [input_path, report_template]
    annex = annex_path(output)
    wanted = [output] + ([annex] if model.confidential.present else [])
    targets = wanted + ([d.with_suffix(".pdf") for d in wanted] if pdf else [])
    check_outputs(targets, inputs, force)
    if pdf:
        from sos_reports.documents.pdf import find_soffice

        find_soffice()  # a missing LibreOffice is found before any work is done

    report, annex_data = documents(model, report_template)
    contents: dict[Path, bytes] = {output: report}
    if annex_data is not None:
        contents[annex] = annex_data

    findings = list(checked.findings)
    if not model.confidential.present and annex.exists():
        findings.append(
            Finding(
                "warning",
                "confidential.present",
                f"{annex.name} from an earlier run lies beside the report, but this input has no "
                "confidential information; it was left as it is: check whether it is still needed",
            )
        )
    return Filled(targets, inputs, contents, findings, checked, force)


def documents(model: CommonInput, template: Path | None = None) -> tuple[bytes, bytes | None]:
    """The report of a valid input, and its confidential annex when it has one, filled in
    memory (with `template`, a local template already checked, instead of the packaged one)."""
    from sos_reports.documents.context import annex_context, report_context
    from sos_reports.documents.render import packaged_template, render

    kind = KINDS[model.kind]
    report_template = template if template is not None else packaged_template(kind.template)
    title = f"{kind.title}, {long_date(model.conference.date)}"
    if kind.agency_report:
        author = model.author.name
        subject = f"{model.author.agency}: report for the child protection conference"
    else:  # the record: signed by the chair
        author, subject = model.sign_off.name, "Record of the child protection conference"
    properties = {"title": title, "author": author, "subject": subject}
    buffer = io.BytesIO()
    render(report_template, report_context(model), buffer, properties=properties, family_copy=True)
    report = buffer.getvalue()
    if not model.confidential.present:
        return report, None
    buffer = io.BytesIO()
    render(
        packaged_template("annex/confidential-annex.docx"),
        annex_context(model),
        buffer,
        properties={**properties, "title": f"Confidential annex: {properties['title']}"},
        family_copy=False,
    )
    return report, buffer.getvalue()


def _writer(data: bytes) -> Callable[[IO[bytes]], object]:
    return lambda handle: handle.write(data)


def pdfs_of(documents: dict[Path, bytes]) -> dict[Path, bytes]:
    """The PDF of each document, converted in one LibreOffice call in a private folder."""
    from sos_reports.documents.pdf import convert
    from sos_reports.support.interrupts import private_folder

    with private_folder("sos-reports-pdf-") as work:
        sources = []
        for path, data in documents.items():
            source = work / path.name
            with os.fdopen(os.open(source, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                f.write(data)
            sources.append(source)
        made = convert(sources, work)
        return {
            path.with_suffix(".pdf"): pdf.read_bytes()
            for path, pdf in zip(documents, made, strict=True)
        }
