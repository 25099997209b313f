"""The template of the conference report for medical practitioners (GP report)."""

from __future__ import annotations

from docx.document import Document as DocxDocument

from sos_reports.documents.builders import sections
from sos_reports.documents.builders.carer_health import carer_rows
from sos_reports.documents.builders.kit import (
    Row,
    heading,
    label_table,
    loop_table,
    optional,
    para,
    tag,
)


def practice(doc: DocxDocument) -> None:
    heading(doc, "The practice", 2)
    label_table(
        doc,
        [
            Row("Practice", "{{ practice.name }}"),
            Row("Address", "{{ practice.address }}"),
            Row("Usual GP", "{{ practice.usual_gp }}", optional("practice.usual_gp")),
            Row("GP attendance at the conference", "{{ practice.attendance }}"),
        ],
    )
    heading(doc, "Sharing health information", 2)
    label_table(
        doc,
        [
            Row("Basis for sharing", "{{ information_sharing.basis }}"),
            Row("Note", "{{ information_sharing.note }}", optional("information_sharing.note")),
        ],
    )


def registered_household(doc: DocxDocument) -> None:
    heading(doc, "Registered household", 2)
    tag(doc, "{%p if registered_household %}")
    loop_table(
        doc,
        ("Name", "Date of birth", "Relationship", "Registered at the practice", "NHS number"),
        (3.4, 3.5, 3.4, 4.1, 2.6),
        "r in registered_household",
        (
            "{{ r.name }}",
            "{% if r.dob is not none %}{{ r.dob }}{% endif %}",
            "{{ r.relationship }}",
            "{% if r.registered %}Yes{% if r.registered_since is not none %}, since {{ r.registered_since }}{% endif %}{% else %}Not registered: no information held{% endif %}",
            "{% if r.nhs_number is not none %}{{ r.nhs_number }}{% endif %}",
        ),
        dates=(1,),
    )
    tag(doc, "{%p else %}")
    para(doc, "No other members of the household are recorded at the practice.")
    tag(doc, "{%p endif %}")


def _list_table(
    doc: DocxDocument,
    title: str,
    items: str,
    header: tuple[str, ...],
    widths: tuple[float, ...],
    loop: str,
    cells: tuple[str, ...],
    dates: tuple[int, ...] = (0,),
) -> None:
    tag(doc, f"{{%p if {items} %}}")
    # The child's name in each heading: a table that starts a new page still says whose it is.
    heading(doc, f"{title}: {{{{ h.child }}}}", 3)
    loop_table(doc, header, widths, loop, cells, dates=dates)
    tag(doc, "{%p endif %}")


def _opt(value: str) -> str:
    return f"{{% if {value} is not none %}}{{{{ {value} }}}}{{% endif %}}"


def child_health(doc: DocxDocument) -> None:
    heading(doc, "The children's health", 1)
    tag(doc, "{%p for h in child_health %}")
    heading(doc, "{{ h.child }}", 2)
    label_table(
        doc,
        header=("Health: {{ h.child }}", "What the practice holds"),  # on every page it spans
        rows=[
            Row(
                "Registered at the practice",
                "{% if h.registered is none or h.registered %}Yes{% if h.registered_since is not none %}, since {{ h.registered_since }}{% endif %}{% else %}No{% endif %}",
            ),
            Row(
                "Last seen",
                "{{ h.last_seen.date }}{% if h.last_seen.by is not none %}, by {{ h.last_seen.by }}{% endif %}{% if h.last_seen.accompanied_by is not none %}, with {{ h.last_seen.accompanied_by }}{% endif %}",
                optional("h.last_seen"),
            ),
            Row(
                "Consultations in the last 12 months",
                "{{ h.consultations_12_months }}",
                optional("h.consultations_12_months"),
            ),
            Row("Health conditions", "{{ h.conditions }}"),
            Row(
                "Immunisations",
                "{{ h.immunisations }}{% if h.immunisation_details is not none %}: {{ h.immunisation_details }}{% endif %}",
                optional("h.immunisations"),
            ),
            Row("Injuries", "{{ h.injuries }}", optional("h.injuries")),
            Row(
                "Emotional and behavioural health",
                "{{ h.emotional_behavioural }}",
                optional("h.emotional_behavioural"),
            ),
            Row(
                "Safeguarding alerts",
                "{{ h.safeguarding_alerts }}",
                optional("h.safeguarding_alerts"),
            ),
        ],
    )
    _list_table(
        doc,
        "Development checks",
        "h.development_checks",
        ("Check", "Date", "Outcome"),
        (5.0, 3.5, 8.5),
        "c in h.development_checks",
        (_opt("c.check"), _opt("c.date"), _opt("c.outcome")),
        (),  # a date or a few words ("not recorded at the practice")
    )
    _list_table(
        doc,
        "Was not brought",
        "h.missed_appointments",
        ("Date", "Service", "Appointment", "Follow-up"),
        (3.5, 4.0, 3.5, 6.0),
        "m in h.missed_appointments",
        ("{{ m.date }}", "{{ m.service }}", _opt("m.kind"), _opt("m.follow_up")),
    )
    _list_table(
        doc,
        "Urgent care",
        "h.urgent_care",
        ("Date", "Setting", "Reason", "Outcome"),
        (3.5, 3.5, 5.3, 4.7),
        "u in h.urgent_care",
        ("{{ u.date }}", "{{ u.setting }}", "{{ u.reason }}", _opt("u.outcome")),
    )
    _list_table(
        doc,
        "Hospital admissions",
        "h.admissions",
        ("Date", "Hospital", "Reason"),
        (3.5, 5.0, 8.5),
        "a in h.admissions",
        (_opt("a.date"), _opt("a.hospital"), _opt("a.reason")),
    )
    _list_table(
        doc,
        "Referrals",
        "h.referrals",
        ("Date", "Service", "Outcome"),
        (3.5, 5.0, 8.5),
        "r in h.referrals",
        (_opt("r.date"), _opt("r.service"), _opt("r.outcome")),
    )
    tag(doc, "{%p endfor %}")


def carer_health(doc: DocxDocument) -> None:
    heading(doc, "Parents' and carers' health", 1)
    tag(doc, "{%p if carer_health %}")
    tag(doc, "{%p for c in carer_health %}")
    heading(doc, "{{ c.name }}", 2)
    label_table(doc, carer_rows("c"))
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "No health information about parents or carers is given in this report.")
    tag(doc, "{%p endif %}")


# The GMC number beside the signature, where it is looked for.
SIGNER_ROWS = (Row("GMC number", "{{ practice.gmc_number }}", optional("practice.gmc_number")),)


def build(doc: DocxDocument) -> None:
    sections.title_block(doc)
    # A GP's report may be for a review conference: its number and date, when given.
    sections.about(doc, conference_rows=sections.REVIEW_ROWS)
    practice(doc)
    sections.family(doc)
    tag(doc, "{%p if household %}")  # a GP may know of no other adult
    sections.household(doc)
    tag(doc, "{%p endif %}")
    registered_household(doc)
    sections.summary_map(doc)
    child_health(doc)
    carer_health(doc)
    sections.worries(doc)
    sections.working_well(doc)
    sections.needs_to_happen(doc)
    # A GP has rarely heard the child's or the family's views: each section is left out then.
    tag(doc, "{%p if child_voice %}")
    sections.child_voice(doc)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if family_views is not none %}")
    sections.family_views(doc)
    tag(doc, "{%p endif %}")
    sections.scaling(doc, below_score=[sections.PREVIOUS_SCORE])
    sections.sharing(doc)
    sections.confidential(doc)
    sections.sign_off(doc, signer_rows=SIGNER_ROWS)
