"""The sections of the shared blocks (model/common.py), written as template parts with the kit.

Each function adds one section to a document under construction; a kind's builder calls
them in its order and adds its own sections between them. A section prints the shared
block only: where a kind's model adds fields to a block, the kind's builder passes the rows
or lines that print them, or adds them after the section, as its model adds them after the
shared fields. No section asks which kind it is building.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document as DocxDocument

from sos_reports.documents.builders.kit import (
    Line,
    Row,
    Run,
    ScaleLine,
    cell_paragraphs,
    data_row,
    heading,
    keep_together,
    label_table,
    loop_table,
    optional,
    para,
    scale_table,
    spanning_row,
    table,
    tag,
    tag_row,
)


def title_block(doc: DocxDocument) -> None:
    para(doc, "{{ title }}", style="Title")
    para(doc, ("{{ conference.type }}", "b"), " on ", ("{{ conference.date }}", "b"))


def conference(own: Sequence[Row] = ()) -> list[Row]:
    """The conference's rows, a kind's own fields (`own`) after its date."""
    return [
        Row("Conference", "{{ conference.type }}"),
        Row(
            "Date",
            "{{ conference.date }}{% if conference.time is not none %}, {{ conference.time }}{% endif %}",
        ),
        *own,
        Row("Venue", "{{ conference.venue }}", optional("conference.venue")),
        Row("Chair", "{{ conference.chair }}", optional("conference.chair")),
        Row(
            "Case reference",
            "{{ conference.case_reference }}",
            optional("conference.case_reference"),
        ),
        Row(
            "Social worker", "{{ conference.social_worker }}", optional("conference.social_worker")
        ),
    ]


# A review's number and the date of the conference before it, for the kinds that have them.
REVIEW_ROWS = (
    Row("Review number", "{{ conference.review_number }}", optional("conference.review_number")),
    Row(
        "Previous conference",
        "{{ conference.previous_date }}",
        optional("conference.previous_date"),
    ),
)


def about(
    doc: DocxDocument, *, conference_rows: Sequence[Row] = (), author_rows: Sequence[Row] = ()
) -> None:
    """The conference and the author: a kind's own conference fields (`conference_rows`)
    follow its date, its own author fields (`author_rows`) the author's contact details."""
    heading(doc, "About this report", 1)
    label_table(doc, conference(conference_rows))
    heading(doc, "Report by", 2)
    rows = [
        Row("Name", "{{ author.name }}"),
        Row("Role", "{{ author.role }}"),
        Row("Agency", "{{ author.agency }}"),
        Row("Work base", "{{ author.base }}"),
        Row("Phone", "{{ author.phone }}"),
        Row("E-mail", "{{ author.email }}"),
        *author_rows,
    ]
    rows += [
        Row("Report date", "{{ report.date }}"),
        Row("Sent to the chair", "{{ report.sent_to_chair }}", optional("report.sent_to_chair")),
    ]
    label_table(doc, rows)


# The agency author's own fields (AgencyAuthor), for the kinds whose author is an agency's.
AGENCY_AUTHOR_ROWS = (
    Row("Attending the conference", "{{ author.attending }}"),
    Row("Presenting the report", "{{ author.presenting }}", optional("author.presenting")),
)


def family(doc: DocxDocument) -> None:
    """The family's address and the children."""
    heading(doc, "The children and family", 1)
    tag(doc, "{%p if family_address is not none %}")
    # The section's heading and the address go with the children, not alone at a page's foot.
    address = para(doc, ("Family address: ", "b"), "{{ family_address }}")
    address.paragraph_format.keep_with_next = True
    tag(doc, "{%p endif %}")
    heading(doc, "Children", 2)
    widths: tuple[float, ...] = (2.8, 3.5, 1.7, 2.4, 2.0, 1.9, 2.7)
    t = table(
        doc,
        widths,
        ("Name", "Date of birth", "Gender", "Ethnicity", "First language", "Religion", "Setting"),
    )
    tag_row(t, widths, "{%tr for c in children %}")
    cells = (
        "{{ c.name }}{% if c.known_as is not none %} (known as {{ c.known_as }}){% endif %}",
        "{% if c.dob is not none %}{{ c.dob }}{% else %}Expected {{ c.edd }}{% endif %}",
        "{{ c.gender }}",
        "{{ c.ethnicity }}",
        "{{ c.first_language }}",
        "{% if c.religion is not none %}{{ c.religion }}{% endif %}",
        "{% if c.setting is not none %}{{ c.setting }}{% endif %}",
    )
    # What does not fit a column, for a child who has any of it, is in a row across the
    # table under the child's own, and the child's row keeps with it (in Word its name's
    # paragraph keeps the row with the next): it cannot drift onto another page. A child
    # without it keeps with nothing, so that the table may break between two children; a
    # table whose last row kept with the next would be held with what follows it.
    has_details = "c.disability is not none or c.address is not none or c.nhs_number is not none"
    tag_row(t, widths, f"{{%tr if {has_details} %}}")
    kept = data_row(t, widths, cells, dates=(1,))
    kept.cells[0].paragraphs[0].paragraph_format.keep_with_next = True
    tag_row(t, widths, "{%tr else %}")
    data_row(t, widths, cells, dates=(1,))
    tag_row(t, widths, "{%tr endif %}")
    tag_row(t, widths, f"{{%tr if {has_details} %}}")
    details: list[Line] = []
    for label, value in (
        ("NHS number", "c.nhs_number"),
        ("Disability or special educational needs", "c.disability"),
        ("Address", "c.address"),
    ):
        details += [
            f"{{%p if {value} is not none %}}",
            [(f"{label}: ", "b"), f"{{{{ {value} }}}}"],
            "{%p endif %}",
        ]
    cell_paragraphs(spanning_row(t, widths), details)
    tag_row(t, widths, "{%tr endif %}")
    tag_row(t, widths, "{%tr endfor %}")
    # A long list of children breaks between two children, its header row repeated: held on
    # one page, it left most of the page before it empty.


def household(doc: DocxDocument) -> None:
    """The parents, carers and other significant adults, under the children."""
    heading(doc, "Parents, carers and other significant adults", 2)
    widths = (2.6, 2.6, 3.5, 2.4, 2.8, 3.1)
    t = table(
        doc,
        widths,
        (
            "Name",
            "Relationship",
            "Date of birth",
            "Ethnicity, language",
            "Parental responsibility",
            "Lives with the children",
        ),
    )
    tag_row(t, widths, "{%tr for h in household %}")
    row = data_row(
        t,
        widths,
        (
            "{{ h.name }}",
            "{{ h.relationship }}",
            "{% if h.dob is not none %}{{ h.dob }}{% endif %}",
            "{% if h.ethnicity is not none %}{{ h.ethnicity }}{% endif %}"
            "{% if h.ethnicity is not none and h.first_language is not none %}, {% endif %}"
            "{% if h.first_language is not none %}{{ h.first_language }}{% endif %}",
            "{{ h.parental_responsibility }}{% if h.parental_responsibility_for %} (for {{ h.parental_responsibility_for|join(', ') }}){% endif %}",
            "",
        ),
        dates=(2,),
    )
    cell_paragraphs(
        row.cells[5],
        [
            "{{ h.in_household }}",
            "{%p if h.address is not none %}",
            "{{ h.address }}",
            "{%p endif %}",
        ],
    )
    tag_row(t, widths, "{%tr endfor %}")


MAP_NAME = "Signs of Safety summary"


def summary_map(doc: DocxDocument) -> None:
    """The Signs of Safety map: the three columns side by side, as on the meeting's whiteboard.

    The danger statements, strengths, existing safety, safety goals and next steps are
    printed here in full and nowhere else; the sections under the three questions give the
    rest of each answer and say where these are, so the family reads each paragraph once.
    """
    heading(doc, MAP_NAME, 1)
    intro = para(
        doc,
        "The three questions at a glance; the sections below give the rest of each answer.",
        style="Small",
    )
    intro.paragraph_format.keep_with_next = True
    widths = (17.0 / 3,) * 3
    t = table(
        doc, widths, ("What are we worried about?", "What's working well?", "What needs to happen?")
    )
    # The columns flow on to the next page under their repeated headings: moved whole, the
    # map left most of the page before it empty.
    row = data_row(t, widths, ("", "", ""), flows=True)
    worried: list[Line] = [
        ("Danger statements", "b"),
        "{%p for d in worries.danger_statements %}",
        [
            ("{{ loop.index }}. ", "b"),
            "{{ d.text }} ",
            (
                "({% if d.children %}{{ d.children|join(', ') }}"
                "{% else %}All the children{% endif %})",
                "i",
            ),
        ],
        "{%p endfor %}",
    ]
    well: list[Line] = [
        ("Strengths", "b"),
        "{{ working_well.strengths }}",
        "{%p if working_well.existing_safety is not none %}",
        ("Existing safety", "b"),
        "{{ working_well.existing_safety }}",
        "{%p endif %}",
    ]
    needs: list[Line] = [
        ("Safety goals", "b"),
        "{%p for g in needs_to_happen.safety_goals %}",
        [("{{ loop.index }}. ", "b"), "{{ g }}"],
        "{%p endfor %}",
        ("Next steps", "b"),
        "{%p for s in needs_to_happen.next_steps %}",
        ["{{ s.action }} ", ("({{ s.who }}, by {{ s.by }})", "i")],
        "{%p endfor %}",
    ]
    for cell, lines in zip(row.cells, (worried, well, needs), strict=True):
        cell_paragraphs(cell, lines)


def _in_the_map(doc: DocxDocument, what: str) -> None:
    """Where the part of an answer that the summary map holds is found (`document`: what
    the kind calls its document, a report or a record)."""
    pointer = para(
        doc,
        (f"{what} in the {MAP_NAME} near the start of this {{{{ document }}}}.", "i"),
        style="Small",
    )
    pointer.paragraph_format.keep_with_next = True  # never alone at the foot of a page


def involvement(doc: DocxDocument, *, period: Run | None = None) -> None:
    """The agency's involvement (Involvement), with a kind's note of its period (`period`)."""
    heading(doc, "The agency's involvement", 1)
    if period is not None:
        para(doc, period, style="Small")
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


def worries(doc: DocxDocument) -> None:
    heading(doc, "What are we worried about?", 1)
    _in_the_map(doc, "The danger statements are")
    heading(doc, "Harm", 2)
    para(doc, "{{ worries.harm }}")
    optional_text(doc, "Complicating factors", "worries.complicating_factors")


def working_well(doc: DocxDocument) -> None:
    heading(doc, "What's working well?", 1)
    _in_the_map(
        doc,
        "The strengths{% if working_well.existing_safety is not none %} and the existing "
        "safety{% endif %} are",
    )


def needs_to_happen(doc: DocxDocument) -> None:
    heading(doc, "What needs to happen?", 1)
    _in_the_map(doc, "The safety goals and the next steps are")
    optional_text(doc, "Information gaps", "needs_to_happen.information_gaps")


def optional_text(doc: DocxDocument, title: str, value: str) -> None:
    """A level-2 heading and its text, both left out when `value` is none."""
    tag(doc, f"{{%p if {value} is not none %}}")
    heading(doc, title, 2)
    para(doc, f"{{{{ {value} }}}}")
    tag(doc, "{%p endif %}")


def child_voice(doc: DocxDocument) -> None:
    heading(doc, "The child's voice", 1)
    tag(doc, "{%p for v in child_voice %}")
    heading(doc, "{{ v.child }}", 2)
    method = para(
        doc,
        ("How the views were gathered: ", "b"),
        "{{ v.method }}{% if v.date is not none %}, {{ v.date }}{% endif %}",
    )
    method.paragraph_format.keep_with_next = True  # never alone at the foot of a page
    para(doc, "{{ v.views }}")
    tag(doc, "{%p if v.not_gathered_reason is not none %}")
    para(doc, ("Why the child's views were not gathered: ", "b"), "{{ v.not_gathered_reason }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def family_views(doc: DocxDocument) -> None:
    heading(doc, "The family's views", 1)
    para(doc, "{{ family_views }}")


def scaling(doc: DocxDocument, *, below_score: Sequence[ScaleLine] = ()) -> None:
    """Each child's score on the scale; a kind's own fields of a score (`below_score`)
    are printed under the score."""
    heading(doc, "Scaling", 1)
    para(doc, ("{{ scaling.question }}", "i"))
    tag(doc, "{%p for s in scaling.scores %}")
    heading(doc, "{{ s.child }}", 2)
    below = [ScaleLine([("Score: ", "b"), "{{ s.score_text }}"]), *below_score]
    # The scale, its legend and the score stay on one page, with the reason after them.
    scale_table(doc, "s.score", "{{ scaling.zero_means }}", "{{ scaling.ten_means }}", below)
    para(doc, ("Reason: ", "b"), "{{ s.reason }}")
    tag(doc, "{%p endfor %}")


# A score's previous score and its direction, for the kinds whose scores have one.
PREVIOUS_SCORE = ScaleLine(
    [
        ("Previous score: ", "b"),
        "{{ s.previous }} out of 10. ",
        ("Direction of travel: ", "b"),
        "{{ s.direction }}",
    ],
    optional("s.previous"),
)


def sharing(doc: DocxDocument) -> None:
    heading(doc, "Sharing this report with the family", 1)
    rows = [
        Row("Shared with the family", "{{ sharing.shared }}"),
        Row("Date shared", "{{ sharing.date }}", optional("sharing.date")),
        Row(
            "To be shared",
            "To be shared with the family on {{ sharing.planned_date }}",
            optional("sharing.planned_date"),
        ),
        Row(
            "Interpreter or translation",
            "{{ sharing.interpreter }}",
            optional("sharing.interpreter"),
        ),
    ]
    label_table(doc, rows)
    tag(doc, "{%p if sharing.with %}")
    heading(doc, "Who was given the report", 2)
    loop_table(
        doc,
        ("Name", "Relationship", "Given the report", "How", "Date"),
        (3.6, 4.0, 2.6, 3.3, 3.5),
        "w in sharing.with",
        (
            "{{ w.name }}",
            "{{ w.relationship }}",
            "{{ w.shared }}",
            "{% if w.method is not none %}{{ w.method }}{% endif %}",
            "{% if w.date is not none %}{{ w.date }}{% endif %}",
        ),
        dates=(4,),
    )
    tag(doc, "{%p endif %}")
    optional_text(doc, "Why the report was not shared", "sharing.not_shared_reason")
    optional_text(doc, "The family's comments on this report", "sharing.family_comments")
    disagreeing(doc)


# What a family can do about a report they disagree with. A local authority whose procedure
# differs changes these lines in its copy of the template (`sos-reports template`).
DISAGREEING = (
    "You can talk to {{ author.name }}, who wrote this report, before the conference: "
    "{{ author.phone }} or {{ author.email }}.",
    "You can write down what you think is wrong or missing and ask for your comments to be "
    "added to the report or given to the conference chair.",
    "You can also tell the conference chair, at the start of the conference or before it "
    "through your social worker. The chair makes sure that your views are heard.",
)


def disagreeing(doc: DocxDocument) -> None:
    heading(doc, "If you do not agree with this report", 2)
    for line in DISAGREEING:
        para(doc, line)


def confidential(doc: DocxDocument) -> None:
    heading(doc, "Confidential information", 1)
    tag(doc, "{%p if confidential.present %}")
    para(
        doc,
        "Some information for this conference cannot be shared with the family. "
        "It has been given to the conference chair separately and is not part of this report.",
    )
    tag(doc, "{%p else %}")
    para(
        doc,
        "Nothing has been withheld from the family: this report holds all the information the author has for the conference.",
    )
    tag(doc, "{%p endif %}")


def sign_off(doc: DocxDocument, *, signer_rows: Sequence[Row] = ()) -> None:
    """Who signs; a kind's own rows about the signer (`signer_rows`) beside the name, where
    they are looked for."""
    heading(doc, "Sign-off", 1)
    signer = [Row("Signed by", "{{ sign_off.name }}"), *signer_rows]
    signatures = label_table(
        doc,
        [
            *signer,
            Row("Date", "{{ sign_off.date }}"),
            Row(
                "Countersigned by",
                "{{ sign_off.countersigned_by }}",
                optional("sign_off.countersigned_by"),
            ),
            Row(
                "Date countersigned",
                "{{ sign_off.countersigned_date }}",
                optional("sign_off.countersigned_date"),
            ),
        ],
    )
    keep_together(signatures)  # one signature block, on one page
