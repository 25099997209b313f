"""The template of the agency report to an Initial Child Protection Conference."""

from __future__ import annotations

from docx.document import Document as DocxDocument

from sos_reports.documents.builders import sections
from sos_reports.documents.builders.kit import heading, loop_table, para, tag


def view_on_plan(doc: DocxDocument) -> None:
    tag(doc, "{%p if view_on_plan %}")
    heading(doc, "The agency's view on a plan", 1)
    para(
        doc,
        "The conference decides; this is the view of the agency writing this report.",
        style="Small",
    )
    loop_table(
        doc,
        ("Child", "View", "Reason"),
        (3.5, 3.5, 10.0),
        "v in view_on_plan",
        ("{{ v.child }}", "{{ v.view }}", "{{ v.reason }}"),
    )
    tag(doc, "{%p endif %}")


def build(doc: DocxDocument) -> None:
    sections.title_block(doc)
    sections.about(doc, author_rows=sections.AGENCY_AUTHOR_ROWS)
    sections.family(doc)
    sections.household(doc)
    sections.summary_map(doc)
    sections.involvement(doc)
    sections.worries(doc)
    sections.working_well(doc)
    sections.needs_to_happen(doc)
    sections.child_voice(doc)
    sections.family_views(doc)
    sections.scaling(doc)
    view_on_plan(doc)
    sections.sharing(doc)
    sections.confidential(doc)
    sections.sign_off(doc)
