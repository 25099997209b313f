"""The blocks every report kind shares, as input-format.md defines them.

A kind's own variants (an RCPC adds `remaining_concerns` to worries, a GP's author has no
`attending`) subclass these; the kind modules add the blocks that only they have.
Field titles are the plain-words labels practitioners see; descriptions say what to write.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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


def F(title: str, description: str | None = None, **kw: Any) -> Any:
    """A field with the label a practitioner reads and a line on what to write."""
    return Field(title=title, description=description, **kw)


def O(title: str, description: str | None = None, **kw: Any) -> Any:  # noqa: E743
    """An optional field."""
    return Field(default=None, title=title, description=description, **kw)


def L(title: str, description: str | None = None, **kw: Any) -> Any:
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
    type: ConferenceType = F("Conference type", "initial, pre-birth, transfer-in or review")
    date: Date = F("Conference date")
    time: OptText = O("Time", "for example 10:00")
    venue: OptText = O("Venue", "the place, or Virtual")
    chair: OptText = O("Chair", "the conference chair")
    case_reference: OptText = O(
        "Case reference", "the local authority's case or conference reference"
    )
    social_worker: OptText = O("Social worker", "the allocated social worker")


class Author(Block):
    name: Text = F("Name")
    role: Text = F("Role", "job title")
    agency: Text = F("Agency", "for example School, Health visiting, Police, General practice")
    base: Text = F("Work base")
    phone: Text = F("Phone")
    email: Email = F("E-mail")


class AgencyAuthor(Author):
    attending: Bool = F("Attending the conference", "yes or no: a report is needed either way")
    presenting: OptText = O(
        "Presenting the report",
        "when not attending: who presents the report, or 'report only'",
    )


class Report(Block):
    date: Date = F("Report date", "the date the report was written")
    sent_to_chair: OptDate = O("Sent to the chair", "the date the report went to the chair")


SHARING_METHODS = ("in person", "phone", "video", "post", "email", "via social worker")


class SharedWith(Block):
    name: Text = F("Name")
    relationship: Text = F("Relationship to the children")
    shared: Bool = F("Given the report", "yes or no")
    method: opt_choice(*SHARING_METHODS) = O(
        "How", "in person, phone, video, post, email or via social worker"
    )
    date: OptDate = O("Date")


class Sharing(Block):
    shared: Bool = F("Shared with the family", "has the report been shared with the family?")
    date: OptDate = O("Date shared", "when shared: the date")
    planned_date: OptDate = O("Date it will be shared", "when not yet shared: the date it will be")
    with_: list[SharedWith] = L(
        "Shared with",
        "one row per parent, carer or child who was or was not given the report",
        alias="with",
    )
    not_shared_reason: OptMText = O(
        "Reason not shared", "why the report was not shared with someone, or not yet"
    )
    family_comments: OptMText = O(
        "Family's comments", "corrections and disagreements the family raised"
    )
    interpreter: OptText = O(
        "Interpreter", "the language, where an interpreter or translation is needed"
    )


Gender = choice("female", "male", "other", "not known", "unborn")


class ChildEntry(Block):
    id: ChildId = F("Id", "a short key for this child, such as maisie, used in every list")
    name: Text = F("Name")
    known_as: OptText = O("Known as")
    dob: OptDate = O("Date of birth", "required unless the child is unborn")
    edd: OptDate = O("Expected date of delivery", "for an unborn baby only")
    gender: Gender = F("Gender", "female, male, other, not known or unborn")
    ethnicity: Text = F("Ethnicity")
    first_language: Text = F("First language")
    religion: OptText = O("Religion")
    disability: OptMText = O("Disability or special educational needs")
    setting: OptText = O("School, nursery or setting")
    address: OptMText = O("Address", "only where different from the family address")
    nhs_number: OptNhsNumber = O("NHS number", "10 digits, spaces allowed")


class Person(Block):
    name: Text = F("Name")
    relationship: Text = F("Relationship", "to each child, for example Mother of Maisie and Leo")
    dob: OptDate = O("Date of birth")
    ethnicity: OptText = O("Ethnicity")
    first_language: OptText = O("First language")
    parental_responsibility: choice("yes", "no", "not known") = F(
        "Parental responsibility", "yes, no or not known"
    )
    parental_responsibility_for: list[Child] = L(
        "Parental responsibility for",
        "only where not for all the children: the ids of the children",
    )
    in_household: Bool = F("Lives with the children", "yes or no")
    address: OptMText = O("Address", "only where different from the family address")
    withhold_from_family: OptBool = O(
        "Withhold from the family's copy",
        "yes: this person's entry goes only into the confidential annex",
    )


class DangerStatement(Block):
    text: MText = F(
        "Danger statement",
        "who is worried, about what behaviour, and what could happen to the child",
    )
    children: list[Child] = L(
        "Children", "the ids of the children it concerns (leave empty for all)"
    )


class Worries(Block):
    harm: MText = F("Harm", "what has happened to the child(ren): specific, dated where possible")
    danger_statements: list[DangerStatement] = F("Danger statements", min_length=1)
    complicating_factors: OptMText = O("Complicating factors")


class WorkingWell(Block):
    strengths: MText = F(
        "Strengths", "existing strengths; 'none identified' is allowed but must be written"
    )
    existing_safety: OptMText = O("Existing safety", "protective action already shown, over time")


class NextStep(Block):
    action: MText = F("Action")
    who: Text = F("Who")
    by: DateOrText = F("By when", "a date, or words such as ongoing")


class NeedsToHappen(Block):
    safety_goals: list[MText] = F(
        "Safety goals", "what life will look like when no longer worried", min_length=1
    )
    next_steps: list[NextStep] = F("Next steps", min_length=1)
    information_gaps: OptMText = O("Information gaps", "what is not yet known or is disputed")


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
    child: Child = F("Child")
    views: MText = F(
        "The child's views", "wishes, feelings and experience, in their words where possible"
    )
    method: VoiceMethod = F("How the views were gathered")
    date: OptDate = O("Date")
    not_gathered_reason: OptMText = O(
        "Why not gathered", "when not gathered: why, and the child's daily life"
    )


DEFAULT_QUESTION = (
    "On a scale of 0 to 10, where 10 means the child is safe and 0 means the child is "
    "unsafe, where do you rate the situation?"
)
DEFAULT_TEN = "the child is safe"
DEFAULT_ZERO = "the child is unsafe"


class ScoreEntry(Block):
    child: Child = F("Child")
    score: Score = F("Score", "a whole number from 0 (unsafe) to 10 (safe)")
    reason: MText = F("Reason", "why this score, for this child")


class Scaling(Block):
    question: OptMText = O("Scaling question", "leave blank for the standard question")
    ten_means: OptText = O("10 means", f"leave blank for '{DEFAULT_TEN}'")
    zero_means: OptText = O("0 means", f"leave blank for '{DEFAULT_ZERO}'")
    scores: list[ScoreEntry] = F("Scores", "one per child")


CONFIDENTIAL_REASONS = (
    "third-party information",
    "police or criminal investigation",
    "risk of harm or reprisal",
    "whereabouts of a person at risk",
    "another adult's health information",
    "other",
)


class Confidential(Block):
    present: Bool = F(
        "Confidential information", "is there information that must not be shared with the family?"
    )
    reason: opt_choice(*CONFIDENTIAL_REASONS) = O("Reason it is confidential")
    chair_informed: OptDate = O("Date the chair was informed")
    details: OptMText = O(
        "Confidential details", "goes only into the confidential annex, never the report"
    )


class SignOff(Block):
    name: Text = F("Signed by")
    date: Date = F("Date signed")
    countersigned_by: OptText = O("Countersigned by", "manager or designated safeguarding lead")
    countersigned_date: OptDate = O("Date countersigned")


class LastSeen(Block):
    child: Child = F("Child")
    date: OptDate = O("Date last seen")
    seen_alone: OptBool = O("Seen alone", "yes or no")
    by: OptText = O("Seen by")
    not_seen_reason: OptMText = O("Why not seen", "where this agency has not seen the child")


class Involvement(Block):
    reason: MText = F("Why the agency is involved")
    since: OptDate = O("Involved since")
    contact: OptMText = O("Contact", "how often and what kind of contact")
    help_offered: MText = F(
        "Help offered", "help offered (including early help) and the difference it made"
    )
    last_seen: list[LastSeen] = F("Children last seen", "one row per child")


class CommonInput(Block):
    """The top level every kind shares; `kind` selects the subclass that reads the rest."""

    kind: choice("icpc", "rcpc", "medical") = F("Report kind")
    format_version: FormatVersion = O("Format version", "1")
    marking: OptText = O(
        "Protective marking", "printed on every page; leave blank for OFFICIAL-SENSITIVE"
    )
    family_address: OptMText = O("Family address")
    conference: Conference = F("Conference")
    author: Author = F("Author")
    report: Report = F("Report")
    sharing: Sharing = F("Sharing with the family")
    children: list[ChildEntry] = F("Children", min_length=1)
    household: list[Person] = F("Household", "parents, carers and other significant adults")
    worries: Worries = F("What are we worried about?")
    working_well: WorkingWell = F("What's working well?")
    needs_to_happen: NeedsToHappen = F("What needs to happen?")
    child_voice: list[ChildVoice] = F("The child's voice", "one entry per child")
    family_views: MText = F(
        "Family's views", "what parents and carers think is happening and needs to change"
    )
    scaling: Scaling = F("Scaling")
    confidential: Confidential = F("Confidential information")
    sign_off: SignOff = F("Sign-off")
