"""The registry of report kinds: everything the rest of the package knows about each kind.

Adding a kind is an entry here, a model module (model/<name>.py), a template builder
(documents/builders/<name>.py, which writes templates/<name>/report.docx) and an example; the
readers, forms, rules, builders, merge and command line read the rest from this entry.
Imports nothing heavy: the command line reads the names for its `--help`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # pydantic's base, not model/common.py's CommonInput: the models import this registry
    # for the kind names, and the registry must not import them back.
    from pydantic import BaseModel


@dataclass(frozen=True)
class Kind:
    name: str  # as the input's `kind:` says it, and the command line takes it
    title: str  # the report's title, printed on it and on its forms
    summary: str  # what it is, after "an input for" / "this workbook collects"
    model_path: str  # the dotted path of its pydantic model
    footer: str  # the report template's footer (a template, like its text)
    short_name: str  # how the conference map names a report of this kind
    article: str = "a"  # "a medical report", "an icpc report": as the name is read aloud
    # The kind's own rules, by name: functions of checks/rules.py, which looks them up (the
    # registry imports nothing of the checks). They run after the shared ones.
    rule_names: tuple[str, ...] = ()
    # How the next report of this kind is pre-filled from an earlier input (a function in
    # inputs/forms/carry.py); by default the shared blocks only.
    carry: str = "into_any_report"
    # The lists whose entries may be marked `withhold_from_family`: left out of the family's
    # copy, and given to the chair in the annex as `withheld_<list>`.
    withheld: tuple[str, ...] = ("household",)
    # The lists of meetings whose attendance the report counts, as `<list>_attended`.
    counted: tuple[str, ...] = ()
    # The example input of the kind, in examples/: the one the documentation and the tests
    # fill (by default `<name>.yaml`).
    example: str = ""
    # An agency's report (an author, a report date, sharing with the family, a due date), or
    # a record of the conference itself, which has none of these.
    agency_report: bool = True
    # What the document calls itself in its own text ("near the start of this report").
    document: str = "report"
    # A function of documents/context.py that adds what the kind's template prints beyond
    # its fields (the record's decisions in words, its scores gathered by child).
    context: str = ""

    @property
    def example_name(self) -> str:
        return self.example or f"{self.name}.yaml"

    @property
    def model(self) -> type[BaseModel]:
        """The kind's input model, a subclass of model/common.py's CommonInput."""
        module, _, cls = self.model_path.rpartition(".")
        model: type[BaseModel] = getattr(importlib.import_module(module), cls)
        return model

    @property
    def conference_types(self) -> tuple[str, ...]:
        """The types of conference this kind of report is for, as its model allows them."""
        conference = self.model.model_fields["conference"].annotation
        assert isinstance(conference, type)
        field = conference.model_json_schema(by_alias=True)["properties"]["type"]
        return tuple(field.get("enum", ()))

    @property
    def template(self) -> str:
        """The packaged report template, relative to the templates folder."""
        return f"{self.name}/report.docx"

    @property
    def builder(self) -> str:
        """The module that builds the report template."""
        return f"sos_reports.documents.builders.{self.name}"

    @property
    def a_report(self) -> str:
        """'an icpc report', 'a medical report'."""
        return f"{self.article} {self.name} report"


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "icpc",
            "Agency report to an Initial Child Protection Conference",
            "an agency's report to an initial (or pre-birth, transfer-in) conference",
            "sos_reports.model.icpc.IcpcInput",
            footer="Agency report: initial conference, {{ conference.date }}",
            short_name="Agency report, initial conference",
            article="an",
            rule_names=("family_household_rules", "involvement_rules", "view_on_plan_rules"),
            carry="into_agency_report",
            example="icpc-school.yaml",
        ),
        Kind(
            "rcpc",
            "Agency report to a Review Child Protection Conference",
            "an agency's report to a review conference, with progress against the plan",
            "sos_reports.model.rcpc.RcpcInput",
            footer="Agency report: review conference, {{ conference.date }}",
            short_name="Agency report, review conference",
            article="an",
            rule_names=(
                "family_household_rules",
                "involvement_rules",
                "review_dates_rules",
                "plan_rules",
                "core_group_rules",
                "recommendation_rules",
            ),
            carry="into_review",
            counted=("core_group",),
            example="rcpc-school.yaml",
        ),
        Kind(
            "medical",
            "Conference report for medical practitioners",
            "a GP's report on the health of the children and their carers",
            "sos_reports.model.medical.MedicalInput",
            footer="GP report: child protection conference, {{ conference.date }}",
            short_name="GP report",
            rule_names=(
                "medical_conference_rules",
                "review_dates_rules",  # a GP's report to a review conference has a previous_date too
                "child_health_rules",
                "carer_health_rules",
                "information_sharing_rules",
            ),
            carry="into_gp_report",
            withheld=("household", "carer_health"),
            example="medical-gp.yaml",
        ),
        Kind(
            "record",
            "Record of the child protection conference",
            "the chair's record of what a conference decided, with the plan and its dates, "
            "for everyone who attended",
            "sos_reports.model.record.RecordInput",
            footer="Conference record: {{ conference.type }}, {{ conference.date }}",
            short_name="Conference record",
            rule_names=(
                "record_conference_rules",
                "attendance_rules",
                "record_scaling_rules",
                "decision_rules",
                "outline_plan_rules",
                "record_dates_rules",
            ),
            example="record-conference.yaml",
            agency_report=False,
            document="record",
            context="record_context",
        ),
    )
}


def get_kind(name: str) -> Kind:
    from sos_reports.errors import SosError

    try:
        return KINDS[name.strip().lower()]
    except KeyError:
        raise SosError(
            f"there is no report kind {name!r}: the kinds are {', '.join(KINDS)}"
        ) from None
