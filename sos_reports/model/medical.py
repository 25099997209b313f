"""The conference report for medical practitioners (medical), written by a GP."""

from __future__ import annotations

from sos_reports.model.common import (
    Block,
    ChildVoice,
    CommonInput,
    Conference,
    Person,
    Scaling,
    ScoreEntry,
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
    OptCount,
    OptDate,
    OptDateOrText,
    OptGmcNumber,
    OptMText,
    OptNhsNumber,
    OptReviewNumber,
    OptScore,
    OptText,
    Text,
    choice,
    opt_choice,
)


class MedicalConference(Conference):
    review_number: OptReviewNumber = optional_field("Review number", "for a review conference")
    previous_date: OptDate = optional_field("Previous conference date", "for a review conference")


class MedicalScoreEntry(ScoreEntry):
    score: OptScore = optional_field(
        "Score", "0 (unsafe) to 10 (safe); may be left blank when the reason says why"
    )
    previous: OptScore = optional_field("Previous score", "for a review conference")


class MedicalScaling(Scaling):
    scores: list[MedicalScoreEntry] = field("Scores", "one per child")


ATTENDANCE = (
    "attending in person",
    "attending virtually",
    "written report only",
    "information via health visitor or school nurse",
)


class Practice(Block):
    name: Text = field("Practice name")
    address: MText = field("Practice address")
    gmc_number: OptGmcNumber = optional_field("GMC number", "exactly 7 digits")
    attendance: choice(*ATTENDANCE) = field("GP attendance", ", ".join(ATTENDANCE))
    usual_gp: OptText = optional_field("Usual GP")


class RegisteredPerson(Block):
    name: Text = field("Name")
    dob: OptDate = optional_field("Date of birth")
    relationship: Text = field("Relationship")
    registered: Bool = field("Registered at the practice", "yes or no")
    registered_since: OptDate = optional_field("Registered since")
    nhs_number: OptNhsNumber = optional_field("NHS number", "10 digits, spaces allowed")


class HealthLastSeen(Block):
    date: Date = field("Date last seen")
    by: OptText = optional_field("Seen by")
    accompanied_by: OptText = optional_field("Accompanied by")


class DevelopmentCheck(Block):
    check: OptText = optional_field("Check")
    date: OptDateOrText = optional_field("Date")
    outcome: OptMText = optional_field("Outcome")


class MissedAppointment(Block):
    date: Date = field("Date")
    service: Text = field("Service")
    kind: OptText = optional_field("Kind of appointment")
    follow_up: OptMText = optional_field("Follow-up")


class UrgentCare(Block):
    date: Date = field("Date")
    setting: Text = field("Setting", "A&E, urgent care, out of hours")
    reason: MText = field("Reason")
    outcome: OptMText = optional_field("Outcome")


class Admission(Block):
    date: OptDate = optional_field("Date")
    hospital: OptText = optional_field("Hospital")
    reason: OptMText = optional_field("Reason")


class Referral(Block):
    date: OptDate = optional_field("Date")
    service: OptText = optional_field("Service")
    outcome: OptMText = optional_field("Outcome")


IMMUNISATIONS = ("up to date", "incomplete or delayed", "declined", "not known")


class ChildHealth(Block):
    child: Child = field("Child")
    registered: OptBool = optional_field("Registered at the practice", "yes or no (blank: yes)")
    registered_since: OptDate = optional_field("Registered since")
    last_seen: HealthLastSeen | None = optional_field("Last seen")
    consultations_12_months: OptCount = optional_field("Consultations in the last 12 months")
    conditions: MText = field(
        "Health conditions", "conditions, treatment, taken as prescribed; 'none known' allowed"
    )
    immunisations: opt_choice(*IMMUNISATIONS) = optional_field(
        "Immunisations", ", ".join(IMMUNISATIONS)
    )
    immunisation_details: OptMText = optional_field("Immunisation details")
    development_checks: list[DevelopmentCheck] = list_field("Development checks")
    missed_appointments: list[MissedAppointment] = list_field("Was not brought")
    urgent_care: list[UrgentCare] = list_field("Urgent care", "A&E, urgent care, out of hours")
    admissions: list[Admission] = list_field("Hospital admissions")
    injuries: OptMText = optional_field("Injuries")
    referrals: list[Referral] = list_field("Referrals")
    emotional_behavioural: OptMText = optional_field("Emotional and behavioural health")
    safeguarding_alerts: OptMText = optional_field("Safeguarding alerts")


HEALTH_STATUS = ("no concerns known", "current", "past", "not known")


class HealthConcern(Block):
    status: choice(*HEALTH_STATUS) = field("Status", ", ".join(HEALTH_STATUS))
    impact: OptMText = optional_field("Impact on parenting", "when current or past")


class CarerHealth(Block):
    name: Text = field("Name", "as in the registered household")
    mental_health: HealthConcern = field("Mental health")
    substance_use: HealthConcern = field("Substance use")
    domestic_abuse: HealthConcern = field("Domestic abuse")
    physical_health: OptMText = optional_field("Physical health")
    engagement: OptMText = optional_field("Engagement with health services")
    pregnancy_edd: OptDate = optional_field("Pregnancy: expected date of delivery")
    withhold_from_family: OptBool = optional_field(
        "Withhold from the family's copy",
        "yes: this entry goes only into the confidential annex",
    )


SHARING_BASIS = (
    "parents informed and agree",
    "parents informed, not agreed",
    "not informed: would increase risk",
)


class InformationSharing(Block):
    basis: choice(*SHARING_BASIS) = field("Basis for sharing", ", ".join(SHARING_BASIS))
    note: OptMText = optional_field("Note")


class MedicalInput(CommonInput):
    conference: MedicalConference = field("Conference")
    household: list[Person] = list_field(
        "Household", "parents, carers and other significant adults (optional)"
    )
    child_voice: list[ChildVoice] = list_field("The child's voice", "optional for a GP")
    family_views: OptMText = optional_field("Family's views", "optional for a GP")
    scaling: MedicalScaling = field("Scaling")
    practice: Practice = field("Practice")
    registered_household: list[RegisteredPerson] = field(
        "Registered household", "the household's adults and other members (may be empty)"
    )
    child_health: list[ChildHealth] = field("Children's health", "one per child")
    carer_health: list[CarerHealth] = field(
        "Parents' and carers' health", "one per registered parent or carer (may be empty)"
    )
    information_sharing: InformationSharing = field("Information sharing")
