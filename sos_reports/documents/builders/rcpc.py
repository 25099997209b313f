"""The template of the agency report to a Review Child Protection Conference."""

from __future__ import annotations

from docx.document import Document as DocxDocument

from sos_reports.documents.builders import sections
from sos_reports.documents.builders.kit import Row, heading, loop_table, para, tag


def plan(doc: DocxDocument) -> None:
    heading(doc, "The child protection plan", 1)
    loop_table(
        doc,
        ("Child", "Plan started", "Categories"),
        (5.0, 4.0, 8.0),
        "p in plan",
        ("{{ p.child }}", "{{ p.start_date }}", "{{ p.categories|join(', ') }}"),
        dates=(1,),
    )
    heading(doc, "Core group meetings", 2)
    para(
        doc,
        ("Attended {{ core_group_attended }} core group meetings", "b"),
        " since the previous conference.",
    )
    tag(doc, "{%p if core_group %}")
    loop_table(
        doc,
        ("Date", "Attended", "Update sent", "Comment"),
        (3.5, 2.4, 2.6, 8.5),
        "m in core_group",
        (
            "{{ m.date }}",
            "{{ m.attended }}",
            "{% if m.update_sent is not none %}{{ m.update_sent }}{% endif %}",
            "{% if m.comment is not none %}{{ m.comment }}{% endif %}",
        ),
        dates=(0,),
    )
    tag(doc, "{%p endif %}")
    heading(doc, "Progress against the plan", 2)
    loop_table(
        doc,
        ("Action in the plan", "Responsible", "Status", "Comment", "Children"),
        (4.4, 3.2, 2.2, 4.4, 2.8),
        "a in plan_progress",
        (
            "{{ a.action }}",
            "{{ a.responsible }}",
            "{{ a.status }}",
            "{% if a.comment is not none %}{{ a.comment }}{% endif %}",
            "{% if a.children %}{{ a.children|join(', ') }}{% else %}All the children{% endif %}",
        ),
    )


def changes(doc: DocxDocument) -> None:
    heading(doc, "What has changed since the last conference", 1)
    para(doc, "{{ changes_since_last }}")


def recommendations(doc: DocxDocument) -> None:
    heading(doc, "Recommendations", 1)
    para(
        doc,
        "The conference decides; this is the recommendation of the agency writing this report.",
        style="Small",
    )
    loop_table(
        doc,
        ("Child", "Recommendation", "Reason", "Category change"),
        (3.3, 4.2, 6.3, 3.2),
        "r in recommendations",
        (
            "{{ r.child }}",
            "{{ r.recommendation }}",
            "{{ r.reason }}",
            "{% if r.category_change is not none %}{{ r.category_change }}{% endif %}",
        ),
    )


def remaining_concerns(doc: DocxDocument) -> None:
    """The review's own worries (RcpcWorries), under the shared ones."""
    heading(doc, "Remaining concerns", 2)
    para(doc, "{{ worries.remaining_concerns }}")
    sections.optional_text(doc, "New concerns", "worries.new_concerns")


def progress(doc: DocxDocument) -> None:
    """The review's own part of what is working well (RcpcWorkingWell)."""
    heading(doc, "Progress towards the safety goals", 2)
    para(doc, "{{ working_well.progress }}")


CONFERENCE_ROWS = (
    Row("Review number", "{{ conference.review_number }}"),
    Row("Previous conference", "{{ conference.previous_date }}"),
    Row("Initial conference", "{{ conference.initial_date }}"),
)


def build(doc: DocxDocument) -> None:
    sections.title_block(doc)
    sections.about(doc, conference_rows=CONFERENCE_ROWS, author_rows=sections.AGENCY_AUTHOR_ROWS)
    sections.family(doc)
    sections.household(doc)
    sections.summary_map(doc)
    sections.involvement(doc, period=("Since the previous conference.", "i"))
    plan(doc)
    changes(doc)
    sections.worries(doc)
    remaining_concerns(doc)
    sections.working_well(doc)
    progress(doc)
    sections.needs_to_happen(doc)
    sections.child_voice(doc)
    sections.family_views(doc)
    sections.scaling(doc, below_score=[sections.PREVIOUS_SCORE])
    recommendations(doc)
    sections.sharing(doc)
    sections.confidential(doc)
    sections.sign_off(doc)
