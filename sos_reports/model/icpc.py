"""The agency report to an Initial Child Protection Conference (icpc)."""

from __future__ import annotations

from sos_reports.model.common import (
    CONFERENCE_TYPES,
    AgencyAuthor,
    Block,
    CommonInput,
    Conference,
    Involvement,
    field,
    list_field,
)
from sos_reports.model.types import Child, MText, choice

INITIAL_TYPES = {k: v for k, v in CONFERENCE_TYPES.items() if k != "review"}


class IcpcConference(Conference):
    type: choice(
        *INITIAL_TYPES,
        labels=INITIAL_TYPES,
        note="a report to a review conference is `kind: rcpc`",
    ) = field(
        "Conference type",
        "initial, pre-birth or transfer-in (a review conference has its own report)",
    )


PLAN_VIEWS = ("child protection plan", "child in need plan", "no further action", "unsure")


class ViewOnPlan(Block):
    child: Child = field("Child")
    view: choice(*PLAN_VIEWS) = field(
        "The agency's view",
        "child protection plan, child in need plan, no further action or unsure",
    )
    reason: MText = field("Reason")


class IcpcInput(CommonInput):
    conference: IcpcConference = field("Conference")
    author: AgencyAuthor = field("Author")
    involvement: Involvement = field("The agency's involvement")
    view_on_plan: list[ViewOnPlan] = list_field(
        "View on a plan", "the agency's view of the plan each child needs (optional)"
    )
