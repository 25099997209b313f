"""The agency report to a Review Child Protection Conference (rcpc)."""

from __future__ import annotations

from sos_reports.model.common import (
    CONFERENCE_TYPES,
    AgencyAuthor,
    Block,
    CommonInput,
    Conference,
    Involvement,
    NeedsToHappen,
    Scaling,
    ScoreEntry,
    WorkingWell,
    Worries,
    field,
    list_field,
    optional_field,
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
    type: choice("review", labels=CONFERENCE_TYPES) = field("Conference type", "review")
    review_number: ReviewNumber = field("Review number", "1 for the first review")
    previous_date: Date = field("Previous conference date")
    initial_date: Date = field("Initial conference date")


class RcpcWorries(Worries):
    remaining_concerns: MText = field(
        "Remaining concerns", "what worries about significant harm remain"
    )
    new_concerns: OptMText = optional_field("New concerns")


class RcpcWorkingWell(WorkingWell):
    progress: MText = field("Progress", "what is going well towards the safety goals in the plan")


class ReviewScoreEntry(ScoreEntry):
    previous: OptScore = optional_field("Previous score", "the score at the last conference")


class ReviewScaling(Scaling):
    scores: list[ReviewScoreEntry] = field("Scores", "one per child")


CATEGORIES = ("neglect", "physical abuse", "emotional abuse", "sexual abuse")


class PlanEntry(Block):
    child: Child = field("Child")
    start_date: Date = field("Plan start date")
    categories: list[choice(*CATEGORIES)] = field(
        "Categories", "neglect, physical abuse, emotional abuse, sexual abuse", min_length=1
    )


class CoreGroupMeeting(Block):
    date: Date = field("Date")
    attended: Bool = field("Attended", "yes or no")
    update_sent: OptBool = optional_field("Update sent", "yes or no")
    comment: OptMText = optional_field("Comment")


PROGRESS = ("achieved", "partly achieved", "not achieved", "not yet due", "no longer relevant")


class PlanProgress(Block):
    action: MText = field("Action in the plan")
    responsible: Text = field("Responsible")
    status: choice(*PROGRESS) = field("Status", ", ".join(PROGRESS))
    comment: OptMText = optional_field("Comment")
    children: list[Child] = list_field("Children", "the ids of the children (leave empty for all)")


RECOMMENDATIONS = {
    "continue plan": "Continue the plan",
    "end plan - child in need": "End the plan: child in need plan",
    "end plan - universal or early help": "End the plan: universal or early help services",
    "end plan - child looked after": "End the plan: the child is looked after",
    "unsure": "Unsure",
}


class Recommendation(Block):
    child: Child = field("Child")
    recommendation: choice(*RECOMMENDATIONS, labels=RECOMMENDATIONS) = field("Recommendation")
    reason: MText = field("Reason")
    category_change: OptMText = optional_field("Category change")


class RcpcInput(CommonInput):
    conference: RcpcConference = field("Conference")
    author: AgencyAuthor = field("Author")
    worries: RcpcWorries = field("What are we worried about?")
    working_well: RcpcWorkingWell = field("What's working well?")
    needs_to_happen: NeedsToHappen = field("What needs to happen?")
    scaling: ReviewScaling = field("Scaling")
    involvement: Involvement = field(
        "The agency's involvement", "contact since the previous conference"
    )
    plan: list[PlanEntry] = field("The child protection plan", "one row per child")
    core_group: list[CoreGroupMeeting] = field("Core group meetings", "may be empty")
    plan_progress: list[PlanProgress] = field("Progress against the plan", min_length=1)
    changes_since_last: MText = field(
        "What has changed", "since the last conference, regarding risk"
    )
    recommendations: list[Recommendation] = field("Recommendations", "one per child")
