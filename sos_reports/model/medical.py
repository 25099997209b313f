"""The conference report for medical practitioners (medical), written by a GP."""

from __future__ import annotations

from sos_reports.model.common import (
    Block,
    ChildVoice,
    CommonInput,
    Conference,
    F,
    L,
    O,
    Person,
    Scaling,
    ScoreEntry,
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
    review_number: OptReviewNumber = O("Review number", "for a review conference")
    previous_date: OptDate = O("Previous conference date", "for a review conference")


class MedicalScoreEntry(ScoreEntry):
    score: OptScore = O(
        "Score", "0 (unsafe) to 10 (safe); may be left blank when the reason says why"
    )
    previous: OptScore = O("Previous score", "for a review conference")


class MedicalScaling(Scaling):
    scores: list[MedicalScoreEntry] = F("Scores", "one per child")


ATTENDANCE = (
    "attending in person",
    "attending virtually",
    "written report only",
    "information via health visitor or school nurse",
)


class Practice(Block):
    name: Text = F("Practice name")
    address: MText = F("Practice address")
    gmc_number: OptGmcNumber = O("GMC number", "exactly 7 digits")
    attendance: choice(*ATTENDANCE) = F("GP attendance", ", ".join(ATTENDANCE))
    usual_gp: OptText = O("Usual GP")


class RegisteredPerson(Block):
    name: Text = F("Name")
    dob: OptDate = O("Date of birth")
    relationship: Text = F("Relationship")
    registered: Bool = F("Registered at the practice", "yes or no")
    registered_since: OptDate = O("Registered since")
    nhs_number: OptNhsNumber = O("NHS number", "10 digits, spaces allowed")


class HealthLastSeen(Block):
    date: Date = F("Date last seen")
    by: OptText = O("Seen by")
    accompanied_by: OptText = O("Accompanied by")


class DevelopmentCheck(Block):
    check: OptText = O("Check")
    date: OptDateOrText = O("Date")
    outcome: OptMText = O("Outcome")


class MissedAppointment(Block):
    date: Date = F("Date")
    service: Text = F("Service")
    kind: OptText = O("Kind of appointment")
    follow_up: OptMText = O("Follow-up")


class UrgentCare(Block):
    date: Date = F("Date")
    setting: Text = F("Setting", "A&E, urgent care, out of hours")
    reason: MText = F("Reason")
    outcome: OptMText = O("Outcome")


class Admission(Block):
    date: OptDate = O("Date")
    hospital: OptText = O("Hospital")
    reason: OptMText = O("Reason")


class Referral(Block):
    date: OptDate = O("Date")
    service: OptText = O("Service")
    outcome: OptMText = O("Outcome")


IMMUNISATIONS = ("up to date", "incomplete or delayed", "declined", "not known")


class ChildHealth(Block):
    child: Child = F("Child")
    registered: OptBool = O("Registered at the practice", "yes or no (blank: yes)")
    registered_since: OptDate = O("Registered since")
    last_seen: HealthLastSeen | None = O("Last seen")
    consultations_12_months: OptCount = O("Consultations in the last 12 months")
    conditions: MText = F(
        "Health conditions", "conditions, treatment, taken as prescribed; 'none known' allowed"
    )
    immunisations: opt_choice(*IMMUNISATIONS) = O("Immunisations", ", ".join(IMMUNISATIONS))
    immunisation_details: OptMText = O("Immunisation details")
    development_checks: list[DevelopmentCheck] = L("Development checks")
    missed_appointments: list[MissedAppointment] = L("Was not brought")
    urgent_care: list[UrgentCare] = L("Urgent care", "A&E, urgent care, out of hours")
    admissions: list[Admission] = L("Hospital admissions")
    injuries: OptMText = O("Injuries")
    referrals: list[Referral] = L("Referrals")
    emotional_behavioural: OptMText = O("Emotional and behavioural health")
    safeguarding_alerts: OptMText = O("Safeguarding alerts")


HEALTH_STATUS = ("no concerns known", "current", "past", "not known")


class HealthConcern(Block):
    status: choice(*HEALTH_STATUS) = F("Status", ", ".join(HEALTH_STATUS))
    impact: OptMText = O("Impact on parenting", "when current or past")


class CarerHealth(Block):
    name: Text = F("Name", "as in the registered household")
    mental_health: HealthConcern = F("Mental health")
    substance_use: HealthConcern = F("Substance use")
    domestic_abuse: HealthConcern = F("Domestic abuse")
    physical_health: OptMText = O("Physical health")
    engagement: OptMText = O("Engagement with health services")
    pregnancy_edd: OptDate = O("Pregnancy: expected date of delivery")
    withhold_from_family: OptBool = O(
        "Withhold from the family's copy",
        "yes: this entry goes only into the confidential annex",
    )


SHARING_BASIS = (
    "parents informed and agree",
    "parents informed, not agreed",
    "not informed: would increase risk",
)


class InformationSharing(Block):
    basis: choice(*SHARING_BASIS) = F("Basis for sharing", ", ".join(SHARING_BASIS))
    note: OptMText = O("Note")


class MedicalInput(CommonInput):
    conference: MedicalConference = F("Conference")
    household: list[Person] = L(
        "Household", "parents, carers and other significant adults (optional)"
    )
    child_voice: list[ChildVoice] = L("The child's voice", "optional for a GP")
    family_views: OptMText = O("Family's views", "optional for a GP")
    scaling: MedicalScaling = F("Scaling")
    practice: Practice = F("Practice")
    registered_household: list[RegisteredPerson] = F(
        "Registered household", "the household's adults and other members (may be empty)"
    )
    child_health: list[ChildHealth] = F("Children's health", "one per child")
    carer_health: list[CarerHealth] = F(
        "Parents' and carers' health", "one per registered parent or carer (may be empty)"
    )
    information_sharing: InformationSharing = F("Information sharing")
