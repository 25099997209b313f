"""What the family reads: each paragraph of the report once, and what to do if they disagree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.docx_xml import docx_text
from tests.helpers.kinds import REPORTS
from tests.helpers.report_text import confidential_or_withheld, free_text, pieces


def test_no_paragraph_of_free_text_is_printed_twice(filled: tuple[Any, Path]) -> None:
    model, report = filled
    text = docx_text(report)
    shared = [v for p, v in free_text(model) if not confidential_or_withheld(model, p)]
    every_piece = [piece for value in shared for piece in pieces(value)]
    # Short values (a name, an e-mail address, "None") are rightly printed in several places,
    # as is a contact detail the family is told to use; a paragraph is not.
    long_pieces = {piece for piece in every_piece if len(piece.split()) >= 5}
    assert len(long_pieces) > 20
    repeated = {}
    for piece in long_pieces:
        typed = sum(other.count(piece) for other in every_piece)  # the same text in two fields
        if text.count(piece) != typed:
            repeated[piece[:60]] = (text.count(piece), typed)
    assert repeated == {}


def test_the_summary_map_holds_the_statements_and_the_sections_say_so(
    filled: tuple[Any, Path],
) -> None:
    model, report = filled
    text = docx_text(report)
    for statement in model.worries.danger_statements:
        assert text.count(pieces(statement.text)[0]) == 1
    for goal in model.needs_to_happen.safety_goals:
        assert text.count(pieces(goal)[0]) == 1
    for line in (
        "The danger statements are in the Signs of Safety summary near the start",
        "are in the Signs of Safety summary near the start",
        "The safety goals and the next steps are in the Signs of Safety summary",
    ):
        assert line in text


@pytest.mark.parametrize("filled", REPORTS, indirect=True)  # the record's: test_record.py
def test_the_family_is_told_what_to_do_if_they_disagree(filled: tuple[Any, Path]) -> None:
    model, report = filled
    text = docx_text(report)
    assert "\nIf you do not agree with this report\n" in text
    after = text.split("\nIf you do not agree with this report\n", 1)[1]
    author = model.author
    assert (
        f"You can talk to {author.name}, who wrote this report, before the conference: "
        f"{author.phone} or {author.email}." in after
    )
    assert "ask for your comments to be added to the report or given to the conference chair" in (
        after
    )
    assert "You can also tell the conference chair" in after
    # It belongs to the sharing section, before what stays with the chair.
    assert text.index("Sharing this report with the family") < text.index(
        "If you do not agree with this report"
    )
    assert text.index("If you do not agree with this report") < text.index(
        "\nConfidential information\n"
    )
