"""The blocks every report kind shares, as input-format.md defines them.

A kind's own variants (an RCPC adds `remaining_concerns` to worries, a GP's author has no
`attending`) subclass these; the kind modules add the blocks that only they have.
Field titles are the plain-words labels practitioners see; descriptions say what to write.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sos_reports.kinds import KINDS
from sos_reports.model.types import (
    Bool,
    Child,
    ChildId,
    Date,
    DateOrText,
    Email,
    FormatVersion,
    MText,
    OptBool,
    OptDate,
    OptMText,
    OptNhsNumber,
    OptText,
    Score,
    Text,
    choice,
    opt_choice,
)


def field(title: str, description: str | None = None, **kw: Any) -> Any:
    """A field with the label a practitioner reads and a line on what to write."""
    return Field(title=title, description=description, **kw)


def optional_field(title: str, description: str | None = None, **kw: Any) -> Any:
    """An optional field."""
    return Field(default=None, title=title, description=description, **kw)


def list_field(title: str, description: str | None = None, **kw: Any) -> Any:
    """An optional list, empty when not given."""
    return Field(default_factory=list, title=title, description=description, **kw)


class Block(BaseModel):
    """A block of the input: unknown keys are errors, never silently dropped."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


CONFERENCE_TYPES = {
    "initial": "Initial child protection conference",
    "pre-birth": "Pre-birth child protection conference",
    "transfer-in": "Transfer-in child protection conference",
    "review": "Review child protection conference",
}
ConferenceType = choice(*CONFERENCE_TYPES, labels=CONFERENCE_TYPES)


class Conference(Block):
    type: ConferenceType = field("Conference type", "initial, pre-birth, transfer-in or review")
    date: Date = field("Conference date")
    time: OptText = optional_field("Time", "for example 10:00")
    venue: OptText = optional_field("Venue", "the place, or Virtual")
    chair: OptText = optional_field("Chair", "the conference chair")
    case_reference: OptText = optional_field(
        "Case reference", "the local authority's case or conference reference"
    )
    social_worker: OptText = optional_field("Social worker", "the allocated social worker")


class Author(Block):
    name: Text = field("Name")
    role: Text = field("Role", "job title")
    agency: Text = field("Agency", "for example School, Health visiting, Police, General practice")
    base: Text = field("Work base")
    phone: Text = field("Phone")
    email: Email = field("E-mail")


class AgencyAuthor(Author):
    attending: Bool = field("Attending the conference", "yes or no: a report is needed either way")
    presenting: OptText = optional_field(
        "Presenting the report",
        "when not attending: who presents the report, or 'report only'",
    )


class Report(Block):
    date: Date = field("Report date", "the date the report was written")
    sent_to_chair: OptDate = optional_field(
        "Sent to the chair", "the date the report went to the chair"
    )


SHARING_METHODS = ("in person", "phone", "video", "post", "email", "via social worker")


class SharedWith(Block):
    name: Text = field("Name")
    relationship: Text = field("Relationship to the children")
    shared: Bool = field("Given the report", "yes or no")
    method: opt_choice(*SHARING_METHODS) = optional_field(
        "How", "in person, phone, video, post, email or via social worker"
    )
    date: OptDate = optional_field("Date")


class Sharing(Block):
    shared: Bool = field("Shared with the family", "has the report been shared with the family?")
    date: OptDate = optional_field("Date shared", "when shared: the date")
    planned_date: OptDate = optional_field(
        "Date it will be shared", "when not yet shared: the date it will be"
    )
    with_: list[SharedWith] = list_field(
        "Shared with",
        "one row per parent, carer or child who was or was not given the report",
        alias="with",
    )
    not_shared_reason: OptMText = optional_field(
        "Reason not shared", "why the report was not shared with someone, or not yet"
    )
    family_comments: OptMText = optional_field(
        "Family's comments", "corrections and disagreements the family raised"
    )
    interpreter: OptText = optional_field(
        "Interpreter", "the language, where an interpreter or translation is needed"
    )


Gender = choice("female", "male", "other", "not known", "unborn")


class ChildEntry(Block):
    id: ChildId = field("Id", "a short key for this child, such as maisie, used in every list")
    name: Text = field("Name")
    known_as: OptText = optional_field("Known as")
    dob: OptDate = optional_field("Date of birth", "required unless the child is unborn")
    edd: OptDate = optional_field("Expected date of delivery", "for an unborn baby only")
    gender: Gender = field("Gender", "female, male, other, not known or unborn")
    ethnicity: Text = field("Ethnicity")
    first_language: Text = field("First language")
    religion: OptText = optional_field("Religion")
    disability: OptMText = optional_field("Disability or special educational needs")
    setting: OptText = optional_field("School, nursery or setting")
    address: OptMText = optional_field("Address", "only where different from the family address")
    nhs_number: OptNhsNumber = optional_field("NHS number", "10 digits, spaces allowed")


class Person(Block):
    name: Text = field("Name")
    relationship: Text = field(
        "Relationship", "to each child, for example Mother of Maisie and Leo"
    )
    dob: OptDate = optional_field("Date of birth")
    ethnicity: OptText = optional_field("Ethnicity")
    first_language: OptText = optional_field("First language")
    parental_responsibility: choice("yes", "no", "not known") = field(
        "Parental responsibility", "yes, no or not known"
    )
    parental_responsibility_for: list[Child] = list_field(
        "Parental responsibility for",
        "only where not for all the children: the ids of the children",
    )
    in_household: Bool = field("Lives with the children", "yes or no")
    address: OptMText = optional_field("Address", "only where different from the family address")
    withhold_from_family: OptBool = optional_field(
        "Withhold from the family's copy",
        "yes: this person's entry goes only into the confidential annex",
    )


class DangerStatement(Block):
    text: MText = field(
        "Danger statement",
        "who is worried, about what behaviour, and what could happen to the child",
    )
    children: list[Child] = list_field(
        "Children", "the ids of the children it concerns (leave empty for all)"
    )


class Worries(Block):
    harm: MText = field(
        "Harm", "what has happened to the child(ren): specific, dated where possible"
    )
    danger_statements: list[DangerStatement] = field("Danger statements", min_length=1)
    complicating_factors: OptMText = optional_field("Complicating factors")


class WorkingWell(Block):
    strengths: MText = field(
        "Strengths", "existing strengths; 'none identified' is allowed but must be written"
    )
    existing_safety: OptMText = optional_field(
        "Existing safety", "protective action already shown, over time"
    )


class NextStep(Block):
    action: MText = field("Action")
    who: Text = field("Who")
    by: DateOrText = field("By when", "a date, or words such as ongoing")


class NeedsToHappen(Block):
    safety_goals: list[MText] = field(
        "Safety goals", "what life will look like when no longer worried", min_length=1
    )
    next_steps: list[NextStep] = field("Next steps", min_length=1)
    information_gaps: OptMText = optional_field(
        "Information gaps", "what is not yet known or is disputed"
    )


VoiceMethod = choice(
    "direct conversation",
    "three houses",
    "fairies and wizards",
    "safety house",
    "observation",
    "drawing or other",
    "via parent or carer",
    "not gathered",
    labels={
        "three houses": "Three Houses",
        "fairies and wizards": "Fairies and Wizards",
        "safety house": "Safety House",
    },
)


class ChildVoice(Block):
    child: Child = field("Child")
    views: MText = field(
        "The child's views", "wishes, feelings and experience, in their words where possible"
    )
    method: VoiceMethod = field("How the views were gathered")
    date: OptDate = optional_field("Date")
    not_gathered_reason: OptMText = optional_field(
        "Why not gathered", "when not gathered: why, and the child's daily life"
    )


DEFAULT_QUESTION = (
    "On a scale of 0 to 10, where 10 means the child is safe and 0 means the child is "
    "unsafe, where do you rate the situation?"
)
DEFAULT_TEN = "the child is safe"
DEFAULT_ZERO = "the child is unsafe"
# A spread of scores for one child that the chair brings into the open (the map and the
# conference record flag it); scores are never averaged.
DIFFERENCE_OF_VIEW = 3


class ScoreEntry(Block):
    child: Child = field("Child")
    score: Score = field("Score", "a whole number from 0 (unsafe) to 10 (safe)")
    reason: MText = field("Reason", "why this score, for this child")


class Scaling(Block):
    question: OptMText = optional_field("Scaling question", "leave blank for the standard question")
    ten_means: OptText = optional_field("10 means", f"leave blank for '{DEFAULT_TEN}'")
    zero_means: OptText = optional_field("0 means", f"leave blank for '{DEFAULT_ZERO}'")
    scores: list[ScoreEntry] = field("Scores", "one per child")


CONFIDENTIAL_REASONS = (
    "third-party information",
    "police or criminal investigation",
    "risk of harm or reprisal",
    "whereabouts of a person at risk",
    "another adult's health information",
    "other",
)


class Confidential(Block):
    present: Bool = field(
        "Confidential information", "is there information that must not be shared with the family?"
    )
    reason: opt_choice(*CONFIDENTIAL_REASONS) = optional_field("Reason it is confidential")
    chair_informed: OptDate = optional_field("Date the chair was informed")
    details: OptMText = optional_field(
        "Confidential details", "goes only into the confidential annex, never the report"
    )


class SignOff(Block):
    name: Text = field("Signed by")
    date: Date = field("Date signed")
    countersigned_by: OptText = optional_field(
        "Countersigned by", "manager or designated safeguarding lead"
    )
    countersigned_date: OptDate = optional_field("Date countersigned")


class LastSeen(Block):
    child: Child = field("Child")
    date: OptDate = optional_field("Date last seen")
    seen_alone: OptBool = optional_field("Seen alone", "yes or no")
    by: OptText = optional_field("Seen by")
    not_seen_reason: OptMText = optional_field(
        "Why not seen", "where this agency has not seen the child"
    )


class Involvement(Block):
    reason: MText = field("Why the agency is involved")
    since: OptDate = optional_field("Involved since")
    contact: OptMText = optional_field("Contact", "how often and what kind of contact")
    help_offered: MText = field(
        "Help offered", "help offered (including early help) and the difference it made"
    )
    last_seen: list[LastSeen] = field("Children last seen", "one row per child")


class CommonInput(Block):
    """The top level every kind shares; `kind` selects the subclass that reads the rest."""

    kind: choice(*KINDS) = field("Report kind")
    format_version: FormatVersion = optional_field("Format version", "1")
    marking: OptText = optional_field(
        "Protective marking", "printed on every page; leave blank for OFFICIAL-SENSITIVE"
    )
    family_address: OptMText = optional_field("Family address")
    conference: Conference = field("Conference")
    author: Author = field("Author")
    report: Report = field("Report")
    sharing: Sharing = field("Sharing with the family")
    children: list[ChildEntry] = field("Children", min_length=1)
    household: list[Person] = field("Household", "parents, carers and other significant adults")
    worries: Worries = field("What are we worried about?")
    working_well: WorkingWell = field("What's working well?")
    needs_to_happen: NeedsToHappen = field("What needs to happen?")
    child_voice: list[ChildVoice] = field("The child's voice", "one entry per child")
    family_views: MText = field(
        "Family's views", "what parents and carers think is happening and needs to change"
    )
    scaling: Scaling = field("Scaling")
    confidential: Confidential = field("Confidential information")
    sign_off: SignOff = field("Sign-off")
