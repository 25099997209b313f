"""check-template: a local template's problems found in one run, and fill refusing them."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from sos_reports.cli import cli
from sos_reports.documents.render import packaged_template, render
from sos_reports.documents.template_check import check_template
from tests.helpers.docx_xml import docx_text
from tests.helpers.examples import example_path
from tests.helpers.kinds import KINDS


def _paragraph(doc: docx.document.Document, text: str) -> docx.text.paragraph.Paragraph:
    def every(container: object) -> list[docx.text.paragraph.Paragraph]:
        found = list(container.paragraphs)  # type: ignore[attr-defined]
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    found += every(cell)
        return found

    for p in every(doc):
        if p.text == text:
            return p
    raise AssertionError(f"no paragraph {text!r}")


def _runs_paragraph(after: docx.text.paragraph.Paragraph, runs_xml: str) -> None:
    """A paragraph of the given runs (raw XML), placed after `after`."""
    p = parse_xml(f"<w:p {nsdecls('w')}>{runs_xml}</w:p>")
    after._p.addnext(p)


def planted(tmp_path: Path) -> Path:
    """The packaged ICPC template with five mistakes, as a council might make them."""
    doc = docx.Document(str(packaged_template("icpc/report.docx")))
    _paragraph(doc, "{{ author.role }}").runs[0].text = "{{ author.rol }}"  # unknown
    _paragraph(doc, "{{ conference.venue }}").runs[0].text = "{{ conference.venue|upper( }}"
    harm = _paragraph(doc, "{{ worries.harm }}")
    # A split inside a hyperlink that docxtpl cannot join, then one it joins (proofing mark).
    _runs_paragraph(
        harm,
        "<w:r><w:t>Written on {{ report.</w:t></w:r>"
        '<w:hyperlink w:anchor="top"><w:r><w:t>date }}</w:t></w:r></w:hyperlink>',
    )
    _runs_paragraph(
        harm,
        '<w:r><w:t xml:space="preserve">By {{ author.</w:t></w:r>'
        '<w:proofErr w:type="spellStart"/><w:r><w:t>na</w:t></w:r>'
        '<w:proofErr w:type="spellEnd"/><w:r><w:t>me }</w:t></w:r><w:r><w:t>}</w:t></w:r>',
    )
    # The family's views taken out whole: heading and text.
    views = _paragraph(doc, "{{ family_views }}")
    heading = views._p.getprevious()
    views._p.getparent().remove(views._p)
    heading.getparent().remove(heading)
    footer = doc.sections[0].footer.paragraphs[0]
    footer.add_run(" {{ confidential.details }}")
    out = tmp_path / "planted.docx"
    doc.save(str(out))
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_the_packaged_templates_pass(kind: str) -> None:
    assert check_template(packaged_template(f"{kind}/report.docx"), kind) == []


def test_every_planted_mistake_is_found_in_one_run(tmp_path: Path) -> None:
    problems = check_template(planted(tmp_path), "icpc")
    errors = [p for p in problems if p.severity == "error"]
    by_code = {p.code: p for p in errors}
    assert set(by_code) == {"unknown", "syntax", "split", "missing", "confidential"}, errors
    unknown = by_code["unknown"]
    assert "`author.rol`" in unknown.message and "did you mean `author.role`?" in unknown.message
    assert unknown.place is not None and unknown.place.heading == "Report by"
    assert unknown.place.cell is not None and 'the row "Role"' in unknown.place.cell
    syntax = by_code["syntax"]
    assert "{{ conference.venue|upper( }}" in syntax.message
    split = by_code["split"]
    assert "{{ report.date }}" in split.message and "hyperlink" in split.message
    assert split.place is not None and split.place.heading == "Harm"
    assert '"Family\'s views"' in by_code["missing"].message
    assert "`family_views`" in by_code["missing"].message
    confidential = by_code["confidential"]
    assert "confidential.details" in confidential.message
    assert confidential.place is not None and confidential.place.part == "the footer"
    # The proofing marks inside `{{ author.name }}` are joined by docxtpl: no problem there.
    assert not any("author.name" in p.message for p in problems)
    assert len(errors) == 5


def test_docxtpl_joins_a_split_over_proofing_marks_but_not_over_a_hyperlink(
    tmp_path: Path,
) -> None:
    """What the split check says, proved by filling without it."""
    from sos_reports.checks.validation import check
    from sos_reports.documents.context import report_context
    from sos_reports.inputs.read import read_input

    model = check(read_input(example_path("icpc"))).valid_model(False, False)
    context = report_context(model)

    def filled(runs_xml: str) -> str:
        doc = docx.Document(str(packaged_template("icpc/report.docx")))
        _runs_paragraph(_paragraph(doc, "{{ worries.harm }}"), runs_xml)
        source = tmp_path / "t.docx"
        doc.save(str(source))
        out = io.BytesIO()
        render(source, context, out, properties={}, family_copy=True)
        (tmp_path / "r.docx").write_bytes(out.getvalue())
        return docx_text(tmp_path / "r.docx")

    joined = filled(
        '<w:r><w:t xml:space="preserve">By {{ author.</w:t></w:r>'
        '<w:proofErr w:type="spellStart"/><w:bookmarkStart w:id="9" w:name="b"/>'
        '<w:bookmarkEnd w:id="9"/><w:r><w:t>name }</w:t></w:r><w:r><w:t>}</w:t></w:r>'
    )
    assert f"By {model.author.name}" in joined
    assert "Sign-off" in joined
    # docxtpl reads the broken XML leniently: everything after the tag silently disappears.
    broken = filled(
        "<w:r><w:t>Written on {{ report.</w:t></w:r>"
        '<w:hyperlink w:anchor="top"><w:r><w:t>date }}</w:t></w:r></w:hyperlink>'
        "<w:r><w:t>.</w:t></w:r>"
    )
    assert "Written on" in broken
    assert "Sharing this report with the family" not in broken and "Sign-off" not in broken


def test_a_tag_split_by_a_tracked_deletion_between_its_braces_is_found(tmp_path: Path) -> None:
    doc = docx.Document(str(packaged_template("icpc/report.docx")))
    _runs_paragraph(
        _paragraph(doc, "{{ worries.harm }}"),
        '<w:r><w:t>{</w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:delText>x</w:delText>'
        "</w:r></w:del><w:r><w:t>{ author.name }}</w:t></w:r>",
    )
    doc.save(str(tmp_path / "t.docx"))
    problems = check_template(tmp_path / "t.docx", "icpc")
    assert [p.code for p in problems] == ["split"]
    assert "opening braces" in problems[0].message


def test_loop_variables_and_nested_attributes_are_followed(tmp_path: Path) -> None:
    doc = docx.Document(str(packaged_template("medical/report.docx")))
    cell = _paragraph(doc, "{{ m.service }}")
    cell.runs[0].text = "{{ m.servise }}"
    seen = _paragraph(doc, "Last seen")
    row = seen._p.getparent().getparent().getparent()
    value = row.findall(".//{*}t")
    for t in value:
        if t.text and "h.last_seen.by" in t.text:
            t.text = t.text.replace("h.last_seen.by", "h.last_seen.bye")
    doc.save(str(tmp_path / "t.docx"))
    problems = check_template(tmp_path / "t.docx", "medical")
    messages = [p.message for p in problems if p.code == "unknown"]
    assert any("`m.servise`" in m and "did you mean `m.service`?" in m for m in messages)
    assert any("`h.last_seen.bye`" in m and "did you mean `h.last_seen.by`?" in m for m in messages)


def test_paragraph_and_row_tags_must_stand_alone(tmp_path: Path) -> None:
    doc = docx.Document(str(packaged_template("icpc/report.docx")))
    tag = _paragraph(doc, "{%p if view_on_plan %}")
    tag.runs[0].text = "Our view: {%p if view_on_plan %}"
    first = doc.paragraphs[0]
    _runs_paragraph(first, "<w:r><w:t>{%tr if family_address %}</w:t></w:r>")
    _runs_paragraph(first, "<w:r><w:t>{%tr endif %}</w:t></w:r>")
    doc.save(str(tmp_path / "t.docx"))
    misuse = [p for p in check_template(tmp_path / "t.docx", "icpc") if p.code == "misuse"]
    alone = [p for p in misuse if "alone in its paragraph" in p.message]
    outside = [p for p in misuse if "outside a table" in p.message]
    assert len(misuse) == 3 and len(outside) == 2
    assert len(alone) == 1 and '"Our view:"' in alone[0].message


def test_unclosed_and_stray_blocks_are_all_reported(tmp_path: Path) -> None:
    doc = docx.Document(str(packaged_template("icpc/report.docx")))
    _paragraph(doc, "{%p endif %}").runs[0].text = "{%p endfor %}"  # family address's endif
    _paragraph(doc, "{{ author.base }}").runs[0].text = "{{ author.base }"
    doc.save(str(tmp_path / "t.docx"))
    problems = check_template(tmp_path / "t.docx", "icpc")
    messages = [p.message for p in problems if p.code == "syntax"]
    assert any("`{%p endfor %}`" in m and "never opened" in m for m in messages)
    assert any("family_address" in m and "never closed" in m for m in messages)
    assert any("`{{` without its `}}` in this paragraph" in m for m in messages)
    # The broken tag does not swallow the next paragraph's: it is still checked.
    assert not any("author.phone" in p.message for p in problems)


def test_another_kinds_template_is_refused_and_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["check-template", str(packaged_template("icpc/report.docx")), "--kind", "rcpc"]
    )
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert "looks like a template for the icpc report" in first
    assert "cannot be used for the rcpc report" in result.output


def test_check_template_json_lists_every_problem_with_its_place(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["check-template", str(planted(tmp_path)), "--kind", "icpc", "--format", "json"]
    )
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert {f["severity"] for f in found} >= {"error"}
    unknown = next(f for f in found if f["code"] == "unknown")
    assert unknown["heading"] == "Report by"
    assert unknown["paragraph"] == "{{ author.rol }}"
    assert set(unknown) >= {"severity", "message", "place", "part", "heading", "paragraph", "cell"}


def test_check_template_passes_an_exported_template(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "t.docx"
    assert runner.invoke(cli, ["template", "medical", "-o", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["check-template", str(out), "--kind", "medical"])
    assert result.exit_code == 0, result.output
    assert "can be used for the medical report (0 errors, 0 warnings)" in result.output


def test_fill_refuses_a_template_with_errors_listing_them_all(tmp_path: Path) -> None:
    source = copy.copy(example_path("icpc"))
    report = tmp_path / "r.docx"
    result = CliRunner().invoke(
        cli, ["fill", str(source), "--template", str(planted(tmp_path)), "-o", str(report)]
    )
    assert result.exit_code == 1
    assert "planted.docx cannot be used as it is (5 errors)" in result.output
    for what in ("author.rol", "venue|upper(", "report.date", "family_views", "confidential"):
        assert what in result.output
    assert "Traceback" not in result.output
    assert not report.exists()


def test_a_bookmark_half_inside_a_tag_is_a_warning_and_a_picture_inside_one_an_error(
    tmp_path: Path,
) -> None:
    doc = docx.Document(str(packaged_template("icpc/report.docx")))
    harm = _paragraph(doc, "{{ worries.harm }}")
    _runs_paragraph(
        harm,
        '<w:r><w:t xml:space="preserve">By {{ author.</w:t></w:r>'
        '<w:bookmarkStart w:id="7" w:name="author"/><w:r><w:t>name }}</w:t></w:r>'
        '<w:bookmarkEnd w:id="7"/>',
    )
    _runs_paragraph(
        harm,
        '<w:r><w:t>{{ author.</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>agency }}</w:t></w:r>',
    )
    doc.save(str(tmp_path / "t.docx"))
    problems = check_template(tmp_path / "t.docx", "icpc")
    warning = next(p for p in problems if p.severity == "warning")
    assert "bookmark author" in warning.message and "{{ author.name }}" in warning.message
    errors = [p for p in problems if p.severity == "error"]
    assert (
        len(errors) == 1
        and "a field sits inside the tag `{{ author.agency }}`" in errors[0].message
    )


def test_a_cell_tag_must_be_alone_in_its_cell(tmp_path: Path) -> None:
    doc = docx.Document(str(packaged_template("icpc/report.docx")))
    cell = _paragraph(doc, "{{ author.base }}")
    cell.runs[0].text = "{%tc if author.base %}{{ author.base }}"
    doc.save(str(tmp_path / "t.docx"))
    misuse = [p for p in check_template(tmp_path / "t.docx", "icpc") if p.code == "misuse"]
    assert len(misuse) == 1
    assert "alone in its table cell" in misuse[0].message
    assert misuse[0].place is not None and 'the row "Work base"' in str(misuse[0].place)


def test_a_file_that_is_not_a_word_document_is_refused_clearly(tmp_path: Path) -> None:
    bogus = tmp_path / "t.docx"
    bogus.write_text("not a zip")
    result = CliRunner().invoke(cli, ["check-template", str(bogus), "--kind", "icpc"])
    assert result.exit_code == 1
    assert "is not a Word document (.docx)" in result.output and "Traceback" not in result.output
