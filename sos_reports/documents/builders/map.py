"""The template of the conference map: every agency's report for one conference, for the chair.

A4 landscape: the three questions stand side by side with each agency's answers in its own
row, and the tables of reports, scores and next steps have room for their columns.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import RGBColor

from sos_reports.documents.builders import sections
from sos_reports.documents.builders.kit import (
    ACCENT,
    LABEL_FILL,
    Line,
    Row,
    _shade,
    cell_paragraphs,
    data_row,
    header_row,
    heading,
    keep_together,
    label_table,
    optional,
    para,
    spanning_row,
    table,
    tag,
    tag_row,
)

LANDSCAPE = True
WIDTH = 25.7  # cm between the margins of A4 landscape


def build(doc: DocxDocument) -> None:
    para(doc, "{{ title }}", style="Title")
    para(doc, ("{{ conference.type }}", "b"), " on ", ("{{ conference.date }}", "b"))
    para(
        doc,
        "For the chair: the reports of {{ agency_count }} for this conference on one Signs of "
        "Safety map. It holds only what the reports hold, which is written for the family to "
        "read: confidential information that an agency sent to the chair separately is not in it.",
        style="Small",
    )
    _conference(doc)
    _reports(doc)
    _three_questions(doc)
    _dangers_and_goals(doc)
    _scaling(doc)
    _next_steps(doc)
    _plan_progress(doc)
    _plan_views(doc)
    _chairs_view(doc)


def _conference(doc: DocxDocument) -> None:
    heading(doc, "The conference", 1)
    label_table(
        doc,
        [
            *sections.conference(sections.REVIEW_ROWS),
            Row(
                "Reports due",
                "With the chair and the family by {{ due.when }}",
                optional("due.date"),
            ),
        ],
        widths=(6.0, WIDTH - 6.0),
    )
    heading(doc, "The children", 2)
    widths = (8.2, 5.0, 4.5, 4.0, 4.0)
    t = table(doc, widths, ("Name", "Known as", "Date of birth", "Gender", "Age at the conference"))
    tag_row(t, widths, "{%tr for c in children %}")
    data_row(
        t,
        widths,
        (
            "{{ c.name }}",
            "{% if c.known_as is not none %}{{ c.known_as }}{% endif %}",
            "{{ c.born }}",
            "{{ c.gender }}",
            "{{ c.age }}",
        ),
    )
    tag_row(t, widths, "{%tr endfor %}")


def _reports(doc: DocxDocument) -> None:
    heading(doc, "Where the reports stand", 1)
    widths = (3.6, 5.0, 3.6, 4.2, 5.3, 4.0)
    t = table(
        doc,
        widths,
        (
            "Agency",
            "Author",
            "Report",
            "Reached the chair",
            "Shared with the family",
            "Confidential information sent to the chair separately",
        ),
    )
    tag_row(t, widths, "{%tr for a in agencies %}")
    row = data_row(t, widths, ("{{ a.label }}", "", "", "", "", "{{ a.confidential_sent }}"))
    cell_paragraphs(row.cells[1], ["{{ a.author }}", ("{{ a.role }}", "i"), "{{ a.base }}"])
    cell_paragraphs(row.cells[2], ["{{ a.kind }}", "Written {{ a.report_date }}"])
    cell_paragraphs(
        row.cells[3],
        [
            "{% if a.sent is not none %}{{ a.sent }}{% else %}Not recorded{% endif %}",
            "{%p if a.late is not none %}",
            ("{{ a.late }}", "b"),
            "{%p endif %}",
        ],
    )
    cell_paragraphs(
        row.cells[4],
        [
            "{{ a.shared }}",
            "{%p if a.shared_late is not none %}",
            ("{{ a.shared_late }}", "b"),
            "{%p endif %}",
            "{%p if a.shared_people is not none %}",
            "{{ a.shared_people }}",
            "{%p endif %}",
        ],
    )
    tag_row(t, widths, "{%tr endfor %}")


def _three_questions(doc: DocxDocument) -> None:
    heading(doc, "The three questions", 1)
    intro = para(
        doc,
        "Each agency's answers side by side, as on the meeting's whiteboard. The danger "
        "statements (D) and safety goals (G) follow, numbered; all the next steps are in one "
        "table after the scaling.",
        style="Small",
    )
    intro.paragraph_format.keep_with_next = True
    # A table for each agency, its name and the three questions repeated on every page its
    # answers run on to: the answers flow on from the page before rather than move whole, so
    # no page is left half empty, and no page shows answers without whose they are.
    widths = (WIDTH / 3,) * 3
    tag(doc, "{%p for a in agencies %}")
    t = table(doc, widths)
    header_row(t, widths, ("{{ a.label }}: {{ a.author }}, {{ a.role }}",))
    header_row(
        t, widths, ("What are we worried about?", "What's working well?", "What needs to happen?")
    )
    row = data_row(t, widths, ("", "", ""), flows=True)
    worried: list[Line] = [
        [("Danger statements: ", "b"), "{{ a.danger_numbers }}"],
        ("Harm", "b"),
        "{{ a.harm }}",
        *_optional("Complicating factors", "a.complicating_factors"),
        *_optional("Remaining concerns", "a.remaining_concerns"),
        *_optional("New concerns", "a.new_concerns"),
    ]
    well: list[Line] = [
        ("Strengths", "b"),
        "{{ a.strengths }}",
        *_optional("Existing safety", "a.existing_safety"),
        *_optional("Progress towards the safety goals", "a.progress"),
    ]
    needs: list[Line] = [
        [("Safety goals: ", "b"), "{{ a.goal_numbers }}"],
        [("Next steps: ", "b"), "{{ a.step_count }}, in the table of next steps"],
        *_optional("Information gaps", "a.information_gaps"),
    ]
    for cell, lines in zip(row.cells, (worried, well, needs), strict=True):
        cell_paragraphs(cell, lines)
    para(doc, "", style="Small")  # two tables side by side would be read as one
    tag(doc, "{%p endfor %}")


def _optional(title: str, value: str) -> list[Line]:
    return [f"{{%p if {value} is not none %}}", (title, "b"), f"{{{{ {value} }}}}", "{%p endif %}"]


def _dangers_and_goals(doc: DocxDocument) -> None:
    heading(doc, "Danger statements and safety goals", 1)
    heading(doc, "Danger statements", 2)
    widths: tuple[float, ...] = (1.3, 16.4, 4.2, 3.8)
    t = table(doc, widths, ("No.", "Danger statement", "Children", "From"))
    tag_row(t, widths, "{%tr for d in dangers %}")
    data_row(t, widths, ("{{ d.number }}", "{{ d.text }}", "{{ d.children }}", "{{ d.source }}"))
    tag_row(t, widths, "{%tr endfor %}")
    heading(doc, "Safety goals", 2)
    widths = (1.3, 20.6, 3.8)
    t = table(doc, widths, ("No.", "Safety goal", "From"))
    tag_row(t, widths, "{%tr for g in goals %}")
    data_row(t, widths, ("{{ g.number }}", "{{ g.text }}", "{{ g.source }}"))
    tag_row(t, widths, "{%tr endfor %}")


SCALE_CELL = 1.0  # cm: one of the eleven cells of the 0..10 scale, the kit's narrowest column


def _scaling(doc: DocxDocument) -> None:
    heading(doc, "Scaling", 1)
    question = para(doc, ("{{ scaling.question }}", "i"))
    question.paragraph_format.keep_with_next = True  # the question goes with its meanings
    legend = para(
        doc,
        ("0: ", "b"),
        "{{ scaling.zero_means }}. ",
        ("10: ", "b"),
        "{{ scaling.ten_means }}.",
        style="Small",
    )
    legend.paragraph_format.keep_with_next = True
    tag(doc, "{%p if not scaling.same_wording %}")
    para(
        doc,
        "The agencies worded the question differently; each agency's wording is under its reason.",
        style="Small",
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for c in scaling.children %}")
    heading(doc, "{{ c.name }}", 2)
    tag(doc, "{%p if c.has_previous %}")
    _score_table(doc, previous=True)
    tag(doc, "{%p else %}")
    _score_table(doc, previous=False)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def _score_table(doc: DocxDocument, *, previous: bool) -> None:
    """One child's scores, an agency a row: its score marked on a 0..10 scale, so the spread
    shows at a glance, and written as a number beside it, so colour never carries it alone."""
    scale = [SCALE_CELL] * 11
    fixed = 3.6 + sum(scale) + 1.5 + (2.6 if previous else 0)
    widths = [3.6, *scale, 1.5, *([2.6] if previous else []), round(WIDTH - fixed, 2)]
    header = [
        "Agency",
        *(str(i) for i in range(11)),
        "Score",
        *(["Previous"] if previous else []),
        "Reason",
    ]
    t = table(doc, widths, header)
    for cell in t.rows[0].cells[1:12]:
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    tag_row(t, widths, "{%tr for r in c.rows %}")
    texts = [
        "{{ r.agency }}",
        *([""] * 11),
        "{{ r.score_text }}",
        *(["{{ r.previous_text }}"] if previous else []),
        "",
    ]
    row = data_row(t, widths, texts)
    for i, cell in enumerate(row.cells[1:12]):
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(f"{{% cellbg '{ACCENT}' if r.score == {i} else 'FFFFFF' %}}")
        p.add_run(f"{{%r if r.score == {i} %}}")
        marked = p.add_run(str(i))
        marked.bold = True
        marked.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        p.add_run("{%r endif %}")
    cell_paragraphs(
        row.cells[-1],
        [
            "{{ r.reason }}",
            "{%p if r.wording is not none %}",
            ("{{ r.wording }}", "i"),
            "{%p endif %}",
        ],
    )
    tag_row(t, widths, "{%tr endfor %}")
    # The spread closes the table, as a row of it: it cannot drift to another page.
    summary = spanning_row(t, widths)
    cell_paragraphs(
        summary,
        [
            "{{ c.summary }}",
            "{%p if c.difference %}",
            (
                "A difference of view to discuss: the agencies' scores for {{ c.name }} are "
                "{{ c.spread }} points apart.",
                "b",
            ),
            "{%p endif %}",
        ],
    )
    _shade(summary, LABEL_FILL)
    keep_together(t)  # a child's scores are read together, on one page where they fit


def _next_steps(doc: DocxDocument) -> None:
    heading(doc, "Next steps", 1)
    para(
        doc,
        "Every agency's next steps, in order of when they are due; the steps with no date "
        "(such as ongoing ones) come last.",
        style="Small",
    )
    widths = (4.0, 5.2, 12.7, 3.8)
    t = table(doc, widths, ("By when", "Who", "Action", "From"))
    tag_row(t, widths, "{%tr for s in next_steps %}")
    row = data_row(t, widths, ("", "{{ s.who }}", "{{ s.action }}", "{{ s.source }}"))
    cell_paragraphs(
        row.cells[0],
        [
            "{{ s.by }}",
            "{%p if s.before_conference %}",
            ("Before the conference: has it happened?", "i"),
            "{%p endif %}",
        ],
    )
    tag_row(t, widths, "{%tr endfor %}")


def _plan_progress(doc: DocxDocument) -> None:
    """A review's reports side by side on each action of the plan: the same actions, as the
    conference record set them, judged by each agency."""
    tag(doc, "{%p if progress %}")
    heading(doc, "Progress against the plan", 1)
    para(
        doc,
        "Each action of the plan once, and beside it what each agency's review report says of it.",
        style="Small",
    )
    widths = (9.0, 4.8, 11.9)
    t = table(doc, widths, ("Action", "Responsible", "Each agency's view of its progress"))
    tag_row(t, widths, "{%tr for a in progress %}")
    row = data_row(t, widths, ("{{ a.action }}", "{{ a.responsible }}", ""))
    cell_paragraphs(
        row.cells[2],
        [
            "{%p for r in a.reports %}",
            [("{{ r.source }}: ", "b"), "{{ r.status }}"],
            "{%p if r.comment is not none %}",
            "{{ r.comment }}",
            "{%p endif %}",
            "{%p endfor %}",
        ],
    )
    tag_row(t, widths, "{%tr endfor %}")
    tag(doc, "{%p endif %}")


def _plan_views(doc: DocxDocument) -> None:
    """What each agency would have the conference decide for each child, side by side: a
    review's recommendations, or an initial report's views on a plan."""
    tag(doc, "{%p if plan_views is not none %}")
    heading(doc, "{{ plan_views.title }}", 1)
    para(
        doc,
        "The conference decides; this is each agency's {{ plan_views.what }} for each child, "
        "with its reason. Where the agencies differ, it is marked.",
        style="Small",
    )
    tag(doc, "{%p for c in plan_views.children %}")
    heading(doc, "{{ c.name }}", 2)
    widths = (4.5, 6.0, 15.2)
    t = table(doc, widths, ("Agency", "{{ plan_views.heading }}", "Reason"))
    tag_row(t, widths, "{%tr for r in c.rows %}")
    row = data_row(t, widths, ("{{ r.agency }}", "{{ r.value }}", ""))
    cell_paragraphs(
        row.cells[2],
        [
            "{{ r.reason }}",
            "{%p if r.note is not none %}",
            [("Category change: ", "b"), "{{ r.note }}"],
            "{%p endif %}",
        ],
    )
    tag_row(t, widths, "{%tr endfor %}")
    # Whether the agencies agree closes the table, as a row of it, as a child's spread does.
    summary = spanning_row(t, widths)
    cell_paragraphs(
        summary,
        [
            "{%p if c.difference %}",
            (
                "A difference of view to discuss: {{ c.summary }}",
                "b",
            ),
            "{%p else %}",
            "{{ c.summary }}",
            "{%p endif %}",
        ],
    )
    _shade(summary, LABEL_FILL)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def _chairs_view(doc: DocxDocument) -> None:
    heading(doc, "For the chair: where the agencies' views differ", 1)
    prompts = para(
        doc,
        (
            "Prompts for the chair, found by simple rules; they are not a judgement of "
            "the reports or of the family.",
            "i",
        ),
    )
    prompts.paragraph_format.keep_with_next = True
    heading(doc, "Scores", 2)
    para(
        doc,
        "Where the scores that agencies gave one child are 3 or more points apart, the "
        "difference is worth bringing into the open at the conference.",
        style="Small",
    )
    tag(doc, "{%p for line in view.scores %}")
    para(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if plan_views is not none %}")
    heading(doc, "{{ plan_views.title }}", 2)
    para(
        doc,
        "Where agencies give a child different {{ plan_views.whats }}, the difference is "
        "worth bringing into the open at the conference, as a spread of scores is.",
        style="Small",
    )
    tag(doc, "{%p for line in view.plan %}")
    para(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    heading(doc, "Worries only one agency names", 2)
    para(
        doc,
        "A danger statement is listed here when it shares fewer than two of its main words "
        "(leaving out the children's and agencies' names and the words every danger statement "
        "uses) with each danger statement of every other agency. Agencies can name the same "
        "worry in different words, and share words while meaning different things: read the "
        "statements themselves.",
        style="Small",
    )
    tag(doc, "{%p if view.single_agency %}")
    para(doc, "There is only one agency's report, so there is nothing to compare.")
    tag(doc, "{%p elif view.lone_dangers %}")
    tag(doc, "{%p for d in view.lone_dangers %}")
    para(doc, ("{{ d.number }}, from {{ d.source }}: ", "b"), "{{ d.text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Each danger statement shares its main words with one from another agency.")
    tag(doc, "{%p endif %}")
