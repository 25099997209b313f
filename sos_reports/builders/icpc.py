"""The template of the agency report to an Initial Child Protection Conference."""

from __future__ import annotations

from docx.document import Document as DocxDocument

from sos_reports.builders import sections
from sos_reports.builders.kit import Row, heading, label_table, loop_table, optional, para, tag


def involvement(doc: DocxDocument, *, review: bool = False) -> None:
    heading(doc, "The agency's involvement", 1)
    if review:
        para(doc, ("Since the previous conference.", "i"), style="Small")
    label_table(
        doc,
        [
            Row("Why the agency is involved", "{{ involvement.reason }}"),
            Row("Involved since", "{{ involvement.since }}", optional("involvement.since")),
            Row("Contact", "{{ involvement.contact }}", optional("involvement.contact")),
            Row("Help offered and the difference it made", "{{ involvement.help_offered }}"),
        ],
    )
    heading(doc, "When the children were last seen", 2)
    loop_table(
        doc,
        ("Child", "Last seen", "Seen alone", "Seen by", "Notes"),
        (3.2, 3.5, 2.0, 3.2, 5.1),
        "s in involvement.last_seen",
        (
            "{{ s.child }}",
            "{% if s.date is not none %}{{ s.date }}{% else %}Not seen{% endif %}",
            "{% if s.seen_alone is not none %}{{ s.seen_alone }}{% endif %}",
            "{% if s.by is not none %}{{ s.by }}{% endif %}",
            "{% if s.not_seen_reason is not none %}{{ s.not_seen_reason }}{% endif %}",
        ),
        dates=(1,),
    )


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
    sections.about(doc)
    sections.family(doc)
    sections.summary_map(doc)
    involvement(doc)
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
