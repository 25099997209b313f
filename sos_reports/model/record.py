"""The conference record (record): what the conference itself decided, for everyone who
attended, the family included.

Written by the chair or the minute taker, not by an agency: there is no author, report or
sharing block. It shares the conference, the children, the household, the three columns, the
child's voice and the confidential block with the reports; its own are the attendance, each
participant's scores, the decisions, the plan and the dates (input-format.md, Record only).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sos_reports.model.common import (
    SHARING_METHODS,
    Block,
    ChildEntry,
    ChildVoice,
    Conference,
    Confidential,
    NeedsToHappen,
    Person,
    WorkingWell,
    Worries,
    field,
    list_field,
    optional_field,
)
from sos_reports.model.rcpc import CATEGORIES
from sos_reports.model.types import (
    Bool,
    Child,
    Date,
    DateOrText,
    FormatVersion,
    MText,
    OptBool,
    OptDate,
    OptMText,
    OptReviewNumber,
    OptText,
    Score,
    Text,
    choice,
    opt_choice,
)


class RecordConference(Conference):
    minute_taker: OptText = optional_field("Minute taker")
    review_number: OptReviewNumber = optional_field(
        "Review number", "for a review conference: 1 for the first review"
    )
    previous_date: OptDate = optional_field("Previous conference date", "for a review conference")
    initial_date: OptDate = optional_field("Initial conference date", "for a review conference")


class RecordWorries(Worries):
    remaining_concerns: OptMText = optional_field(
        "Remaining concerns", "for a review: what worries about significant harm remain"
    )
    new_concerns: OptMText = optional_field("New concerns", "for a review")


class RecordWorkingWell(WorkingWell):
    progress: OptMText = optional_field(
        "Progress", "for a review: what is going well towards the safety goals in the plan"
    )


ATTENDED = {
    "attended": "Attended",
    "part": "Attended part",
    "apologies": "Sent apologies",
    "report only": "Sent a report only",
    "not invited": "Not invited",
}


class Attendee(Block):
    form_rows: ClassVar[int] = 14  # a Word form's room: a conference is many people

    name: Text = field("Name")
    role: Text = field("Role", "for example Chair, Mother, Class teacher")
    agency: OptText = optional_field("Agency", "leave blank for a family member")
    attended: choice(*ATTENDED, labels=ATTENDED) = field(
        "Attendance", "attended, part, apologies, report only or not invited"
    )
    report_received: OptBool = optional_field(
        "Report received", "yes or no: did the agency's report reach the chair?"
    )


class RecordScore(Block):
    form_rows: ClassVar[int] = 12  # everyone's score for each child

    child: Child = field("Child")
    by: Text = field("Said by", "a name in the attendance, the family's and the child's included")
    score: Score = field("Score", "a whole number from 0 (unsafe) to 10 (safe)")
    reason: OptMText = optional_field("Reason", "why this score, in the person's words")


class RecordScaling(Block):
    question: OptMText = optional_field("Scaling question", "leave blank for the standard question")
    ten_means: OptText = optional_field("10 means", "leave blank for 'the child is safe'")
    zero_means: OptText = optional_field("0 means", "leave blank for 'the child is unsafe'")
    scores: list[RecordScore] = field(
        "Scores", "everyone's score for each child, as it was said; at least one per child"
    )


ENDED_TO = {
    "child in need": "a child in need plan",
    "universal or early help": "universal or early help services",
    "child looked after": "the child being looked after",
}


class Dissent(Block):
    name: Text = field("Name")
    view: MText = field("Their view", "what they disagreed with, and why")


class Decision(Block):
    child: Child = field("Child")
    plan: Bool = field("Child protection plan", "yes or no: does the child need a plan?")
    categories: list[choice(*CATEGORIES)] = list_field(
        "Categories", "when there is a plan: neglect, physical abuse, emotional abuse, sexual abuse"
    )
    ended_to: opt_choice(*ENDED_TO, labels=ENDED_TO) = optional_field(
        "The plan ends, to",
        "for a review that ends the plan: child in need, universal or "
        "early help, or child looked after",
    )
    reason: MText = field("Reason", "why, in words the family understands")
    dissent: list[Dissent] = list_field("Dissent", "anyone who disagreed, and their view")


class PlanAction(Block):
    form_rows: ClassVar[int] = 8

    action: MText = field("Action", "what will be done")
    responsible: Text = field("Responsible", "who will do it")
    agency: OptText = optional_field("Agency", "the agency responsible, where there is one")
    by: DateOrText = field("By when", "a date, or words such as ongoing")
    children: list[Child] = list_field("Children", "the ids of the children (leave empty for all)")


class CoreGroup(Block):
    members: list[Text] = list_field(
        "Members", "the names of its members; required when a child has a plan"
    )
    first_meeting: OptDate = optional_field(
        "First meeting", "within 10 working days of the conference"
    )


class Distribution(Block):
    form_rows: ClassVar[int] = 14

    name: Text = field("Name")
    sent: OptDate = optional_field("Sent", "the date the record was sent")
    method: opt_choice(*SHARING_METHODS) = optional_field(
        "How", "in person, phone, video, post, email or via social worker"
    )


class RecordSignOff(Block):
    name: Text = field("Signed by", "the chair")
    date: Date = field("Date signed")


class RecordInput(Block):
    """The conference record: the shared top level without the agency's own blocks."""

    kind: choice("record") = field("Report kind")
    format_version: FormatVersion = optional_field("Format version", "1")
    marking: OptText = optional_field(
        "Protective marking", "printed on every page; leave blank for OFFICIAL-SENSITIVE"
    )
    family_address: OptMText = optional_field("Family address")
    conference: RecordConference = field("Conference")
    children: list[ChildEntry] = field("Children", min_length=1)
    household: list[Person] = list_field(
        "Household", "parents, carers and other significant adults"
    )
    attendance: list[Attendee] = field(
        "Attendance",
        "everyone invited, the chair and the family members who came included",
        min_length=1,
    )
    worries: RecordWorries = field("What are we worried about?")
    working_well: RecordWorkingWell = field("What's working well?")
    needs_to_happen: NeedsToHappen = field("What needs to happen?")
    child_voice: list[ChildVoice] = field("The child's voice", "one entry per child")
    family_views: MText = field(
        "Family's views", "the parents' views, as they said them in the meeting"
    )
    scaling: RecordScaling = field("Scaling")
    decisions: list[Decision] = field("Decisions", "one per child")
    plan: list[PlanAction] = list_field(
        "The outline plan", "what, who and by when; required when a child has a plan"
    )
    family_goals: OptMText = optional_field(
        "The family's goals", "what the family wants to achieve, in their words"
    )
    agency_goals: OptMText = optional_field("The agencies' goals")
    core_group: CoreGroup = Field(
        default_factory=CoreGroup, title="Core group", description="when a child has a plan"
    )
    review_date: OptDate = optional_field(
        "Review conference date", "required when a child has a plan"
    )
    distribution: list[Distribution] = list_field(
        "Distribution", "who is given the record, and when"
    )
    confidential: Confidential = field("Confidential information")
    sign_off: RecordSignOff = field("Sign-off")
