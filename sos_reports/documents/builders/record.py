"""The template of the conference record: what the conference decided, for everyone who
attended, the family included.

It opens with the decision for each child in plain words, then who came, the three columns,
everyone's scores, the views, the plan with its goals and dates, and who is given the record.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument

from sos_reports.documents.builders import sections
from sos_reports.documents.builders.kit import (
    Row,
    cell_paragraphs,
    data_row,
    heading,
    keep_together,
    label_table,
    loop_table,
    optional,
    para,
    spanning_row,
    table,
    tag,
    tag_row,
)


def decisions(doc: DocxDocument) -> None:
    heading(doc, "What the conference decided", 1)
    tag(doc, "{%p for d in decisions %}")
    heading(doc, "{{ d.child }}", 2)
    para(doc, ("{{ d.words }}", "b"))
    tag(doc, "{%p if d.plan %}")
    para(
        doc,
        (
            "{% if d.categories|length > 1 %}Categories{% else %}Category{% endif %} of the plan: ",
            "b",
        ),
        "{{ d.categories|join(', ') }}",
    )
    tag(doc, "{%p endif %}")
    para(doc, ("Why: ", "b"), "{{ d.reason }}")
    tag(doc, "{%p endfor %}")


def about(doc: DocxDocument) -> None:
    heading(doc, "About this conference", 1)
    minute_taker = Row(
        "Minute taker", "{{ conference.minute_taker }}", optional("conference.minute_taker")
    )
    label_table(doc, [*sections.conference(sections.REVIEW_ROWS), minute_taker])


def attendance(doc: DocxDocument) -> None:
    heading(doc, "Who was invited", 1)
    loop_table(
        doc,
        ("Name", "Role", "Agency", "Attendance", "Report received"),
        (3.8, 4.2, 3.8, 3.0, 2.2),
        "a in attendance",
        (
            "{{ a.name }}",
            "{{ a.role }}",
            "{% if a.agency is not none %}{{ a.agency }}{% else %}Family{% endif %}",
            "{{ a.attended }}",
            "{% if a.report_received is not none %}{{ a.report_received }}{% endif %}",
        ),
    )


def columns(doc: DocxDocument) -> None:
    """The three columns, with a review's remaining and new concerns and its progress."""
    sections.summary_map(doc)
    sections.worries(doc)
    sections.optional_text(doc, "Remaining concerns", "worries.remaining_concerns")
    sections.optional_text(doc, "New concerns", "worries.new_concerns")
    sections.working_well(doc)
    sections.optional_text(doc, "Progress towards the safety goals", "working_well.progress")
    sections.needs_to_happen(doc)


def scaling(doc: DocxDocument) -> None:
    """Per child, who gave which score and why, and the spread: never an average."""
    heading(doc, "Scaling", 1)
    para(doc, ("{{ scaling.question }}", "i"))
    para(
        doc,
        "0 means {{ scaling.zero_means }}; 10 means {{ scaling.ten_means }}. Everyone at the "
        "conference was asked, the family too; each score is written as it was given.",
        style="Small",
    )
    tag(doc, "{%p for c in scaling.children %}")
    heading(doc, "{{ c.name }}", 2)
    widths = (4.6, 1.8, 10.6)
    t = table(doc, widths, ("Who", "Score", "Why"))
    tag_row(t, widths, "{%tr for s in scaling.scores if s.child == c.name %}")
    data_row(
        t,
        widths,
        ("{{ s.by }}", "{{ s.score }}", "{% if s.reason is not none %}{{ s.reason }}{% endif %}"),
    )
    tag_row(t, widths, "{%tr endfor %}")
    cell_paragraphs(
        spanning_row(t, widths),
        [
            "{{ c.summary }}",
            "{%p if c.difference %}",
            (
                "A difference of view: the scores for {{ c.name }} are {{ c.spread }} points "
                "apart. The conference talked about why.",
                "b",
            ),
            "{%p endif %}",
        ],
    )
    keep_together(t)
    tag(doc, "{%p endfor %}")


def dissent(doc: DocxDocument) -> None:
    tag(doc, "{%p if any_dissent %}")
    heading(doc, "Views that differed from the decision", 1)
    widths = (3.4, 3.6, 10.0)
    t = table(doc, widths, ("Child", "Who", "Their view"))
    tag_row(t, widths, "{%tr for d in decisions %}")
    tag_row(t, widths, "{%tr for x in d.dissent %}")
    data_row(t, widths, ("{{ d.child }}", "{{ x.name }}", "{{ x.view }}"))
    tag_row(t, widths, "{%tr endfor %}")
    tag_row(t, widths, "{%tr endfor %}")
    tag(doc, "{%p endif %}")


def plan(doc: DocxDocument) -> None:
    tag(doc, "{%p if any_plan %}")
    heading(doc, "The child protection plan", 1)
    para(
        doc,
        "The outline plan the conference agreed. The core group makes it into the full plan.",
        style="Small",
    )
    loop_table(
        doc,
        ("What will be done", "Who", "By when", "For"),
        (6.3, 4.2, 3.5, 3.0),
        "p in plan",
        (
            "{{ p.action }}",
            "{{ p.responsible }}{% if p.agency is not none %} ({{ p.agency }}){% endif %}",
            "{{ p.by }}",
            "{% if p.children %}{{ p.children|join(', ') }}{% else %}All the children{% endif %}",
        ),
        dates=(2,),
    )
    heading(doc, "The family's goals", 2)
    para(doc, "{{ family_goals }}")
    heading(doc, "The agencies' goals", 2)
    para(doc, "{{ agency_goals }}")
    heading(doc, "The core group and the review", 1)
    dates = label_table(
        doc,
        [
            Row("Core group members", "{{ core_group.members|join(', ') }}"),
            Row("First core group meeting", "{{ core_group.first_meeting }}"),
            Row("Review conference", "{{ review_date }}"),
        ],
    )
    keep_together(dates)
    tag(doc, "{%p endif %}")


def confidential(doc: DocxDocument) -> None:
    tag(doc, "{%p if confidential.present %}")
    heading(doc, "A closed part of the meeting", 1)
    para(
        doc,
        "Part of the meeting was held without the family, to hear information that cannot be "
        "shared with them. It is recorded separately for the chair and is not part of this "
        "record.",
    )
    tag(doc, "{%p endif %}")


def distribution(doc: DocxDocument) -> None:
    tag(doc, "{%p if distribution %}")
    heading(doc, "Who is given this record", 1)
    loop_table(
        doc,
        ("Name", "Sent", "How"),
        (7.0, 5.0, 5.0),
        "r in distribution",
        (
            "{{ r.name }}",
            "{% if r.sent is not none %}{{ r.sent }}{% endif %}",
            "{% if r.method is not none %}{{ r.method }}{% endif %}",
        ),
        dates=(1,),
    )
    tag(doc, "{%p endif %}")


# What someone who attended can do about a record they think is wrong. A local authority
# whose procedure differs changes these lines in its copy of the template.
DISAGREEING = (
    "If you think something in this record is wrong or missing, tell the chair, "
    "{{ sign_off.name }}, within 10 working days of receiving it: in writing, or through "
    "your social worker{% if conference.social_worker is not none %}, "
    "{{ conference.social_worker }}{% endif %}.",
    "The chair will reply, and your comments will be kept with the record and given to the "
    "next conference.",
    "If you do not agree with a decision, you can ask for the local authority's complaints "
    "procedure for child protection conferences.",
)


def disagreeing(doc: DocxDocument) -> None:
    heading(doc, "If you do not agree with this record", 1)
    for line in DISAGREEING:
        para(doc, line)


def sign_off(doc: DocxDocument) -> None:
    heading(doc, "Sign-off", 1)
    signatures = label_table(
        doc, [Row("Signed by the chair", "{{ sign_off.name }}"), Row("Date", "{{ sign_off.date }}")]
    )
    keep_together(signatures)


def build(doc: DocxDocument) -> None:
    sections.title_block(doc)
    decisions(doc)
    about(doc)
    sections.family(doc)
    sections.household(doc)
    attendance(doc)
    columns(doc)
    sections.child_voice(doc)
    sections.family_views(doc)
    scaling(doc)
    dissent(doc)
    plan(doc)
    confidential(doc)
    distribution(doc)
    disagreeing(doc)
    sign_off(doc)
