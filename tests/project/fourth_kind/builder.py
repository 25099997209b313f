"""The template of the core group's report: the builder a new kind adds."""

from __future__ import annotations

from docx.document import Document as DocxDocument

from sos_reports.documents.builders import sections
from sos_reports.documents.builders.kit import heading, para


def build(doc: DocxDocument) -> None:
    sections.title_block(doc)
    sections.about(doc)
    sections.family(doc)
    sections.household(doc)
    sections.summary_map(doc)
    heading(doc, "Progress since the last meeting", 1)
    para(doc, "{{ progress_since_last_meeting }}")
    sections.worries(doc)
    sections.working_well(doc)
    sections.needs_to_happen(doc)
    sections.child_voice(doc)
    sections.family_views(doc)
    sections.scaling(doc)
    sections.sharing(doc)
    sections.confidential(doc)
    sections.sign_off(doc)
