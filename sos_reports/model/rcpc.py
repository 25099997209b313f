"""The agency report to a Review Child Protection Conference (rcpc)."""

from __future__ import annotations

from sos_reports.model.common import (
    CONFERENCE_TYPES,
    AgencyAuthor,
    Block,
    CommonInput,
    Conference,
    F,
    Involvement,
    L,
    NeedsToHappen,
    O,
    Scaling,
    ScoreEntry,
    WorkingWell,
    Worries,
)
from sos_reports.model.types import (
    Bool,
    Child,
    Date,
    MText,
    OptBool,
    OptMText,
    OptScore,
    ReviewNumber,
    Text,
    choice,
)


class RcpcConference(Conference):
    type: choice("review", labels=CONFERENCE_TYPES) = F("Conference type", "review")
    review_number: ReviewNumber = F("Review number", "1 for the first review")
    previous_date: Date = F("Previous conference date")
    initial_date: Date = F("Initial conference date")


class RcpcWorries(Worries):
    remaining_concerns: MText = F(
        "Remaining concerns", "what worries about significant harm remain"
    )
    new_concerns: OptMText = O("New concerns")


class RcpcWorkingWell(WorkingWell):
    progress: MText = F("Progress", "what is going well towards the safety goals in the plan")


class ReviewScoreEntry(ScoreEntry):
    previous: OptScore = O("Previous score", "the score at the last conference")


class ReviewScaling(Scaling):
    scores: list[ReviewScoreEntry] = F("Scores", "one per child")


CATEGORIES = ("neglect", "physical abuse", "emotional abuse", "sexual abuse")


class PlanEntry(Block):
    child: Child = F("Child")
    start_date: Date = F("Plan start date")
    categories: list[choice(*CATEGORIES)] = F(
        "Categories", "neglect, physical abuse, emotional abuse, sexual abuse", min_length=1
    )


class CoreGroupMeeting(Block):
    date: Date = F("Date")
    attended: Bool = F("Attended", "yes or no")
    update_sent: OptBool = O("Update sent", "yes or no")
    comment: OptMText = O("Comment")


PROGRESS = ("achieved", "partly achieved", "not achieved", "not yet due", "no longer relevant")


class PlanProgress(Block):
    action: MText = F("Action in the plan")
    responsible: Text = F("Responsible")
    status: choice(*PROGRESS) = F("Status", ", ".join(PROGRESS))
    comment: OptMText = O("Comment")
    children: list[Child] = L("Children", "the ids of the children (leave empty for all)")


RECOMMENDATIONS = {
    "continue plan": "Continue the plan",
    "end plan - child in need": "End the plan: child in need plan",
    "end plan - universal or early help": "End the plan: universal or early help services",
    "end plan - child looked after": "End the plan: the child is looked after",
    "unsure": "Unsure",
}


class Recommendation(Block):
    child: Child = F("Child")
    recommendation: choice(*RECOMMENDATIONS, labels=RECOMMENDATIONS) = F("Recommendation")
    reason: MText = F("Reason")
    category_change: OptMText = O("Category change")


class RcpcInput(CommonInput):
    conference: RcpcConference = F("Conference")
    author: AgencyAuthor = F("Author")
    worries: RcpcWorries = F("What are we worried about?")
    working_well: RcpcWorkingWell = F("What's working well?")
    needs_to_happen: NeedsToHappen = F("What needs to happen?")
    scaling: ReviewScaling = F("Scaling")
    involvement: Involvement = F(
        "The agency's involvement", "contact since the previous conference"
    )
    plan: list[PlanEntry] = F("The child protection plan", "one row per child")
    core_group: list[CoreGroupMeeting] = F("Core group meetings", "may be empty")
    plan_progress: list[PlanProgress] = F("Progress against the plan", min_length=1)
    changes_since_last: MText = F("What has changed", "since the last conference, regarding risk")
    recommendations: list[Recommendation] = F("Recommendations", "one per child")
