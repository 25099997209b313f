"""The template of the confidential annex: what the chair receives and the family never sees."""

from __future__ import annotations

from docx.document import Document as DocxDocument

from sos_reports.documents.builders.carer_health import carer_rows
from sos_reports.documents.builders.kit import Row, heading, label_table, para, tag


def build(doc: DocxDocument) -> None:
    para(doc, "Confidential annex", style="Title")
    warning = para(
        doc,
        ("NOT FOR SHARING WITH THE FAMILY. ", "b"),
        "This annex goes to the conference chair only, separately from the {{ document }}. "
        "The chair decides how it is used at the conference.",
    )
    warning.paragraph_format.keep_with_next = True
    heading(doc, "The {{ document }} this annex belongs to", 1)
    label_table(
        doc,
        [
            Row("Report", "{{ title }}"),
            Row("Conference", "{{ conference.type }}, {{ conference.date }}"),
            Row(
                "Case reference",
                "{{ conference.case_reference }}",
                "conference.case_reference is not none",
            ),
            Row(
                "Children",
                "{% for c in children %}{{ c.name }}{% if c.dob is not none %} (born {{ c.dob }}){% else %} (expected {{ c.edd }}){% endif %}{% if not loop.last %}\n{% endif %}{% endfor %}",
            ),
            # An agency's report has an author; the conference record, the chair's signature.
            Row(
                "Author",
                "{{ author.name }}, {{ author.role }}, {{ author.agency }}",
                "author is defined",
            ),
            Row("Phone and e-mail", "{{ author.phone }}, {{ author.email }}", "author is defined"),
            Row("Report date", "{{ report.date }}", "report is defined"),
            Row("Record signed by", "{{ sign_off.name }}, chair", "author is not defined"),
        ],
    )
    heading(doc, "Confidential information", 1)
    label_table(
        doc,
        [
            Row("Why it is confidential", "{{ confidential.reason }}"),
            Row("Chair informed on", "{{ confidential.chair_informed }}"),
        ],
    )
    heading(doc, "Details", 2)
    para(doc, "{{ confidential.details }}")
    tag(doc, "{%p if withheld_household %}")
    heading(doc, "People withheld from the family's copy", 1)
    para(
        doc,
        "These entries of the household are printed here only, not in the report.",
        style="Small",
    )
    tag(doc, "{%p for h in withheld_household %}")
    heading(doc, "{{ h.name }}", 2)
    label_table(
        doc,
        [
            Row("Relationship", "{{ h.relationship }}"),
            Row("Date of birth", "{{ h.dob }}", "h.dob is not none"),
            Row("Ethnicity", "{{ h.ethnicity }}", "h.ethnicity is not none"),
            Row("First language", "{{ h.first_language }}", "h.first_language is not none"),
            Row(
                "Parental responsibility",
                "{{ h.parental_responsibility }}{% if h.parental_responsibility_for %} (for {{ h.parental_responsibility_for|join(', ') }}){% endif %}",
            ),
            Row("Lives with the children", "{{ h.in_household }}"),
            Row("Address", "{{ h.address }}", "h.address is not none"),
        ],
    )
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if withheld_carer_health %}")
    heading(doc, "Health entries withheld from the family's copy", 1)
    tag(doc, "{%p for h in withheld_carer_health %}")
    heading(doc, "{{ h.name }}", 2)
    label_table(doc, carer_rows("h"))
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
