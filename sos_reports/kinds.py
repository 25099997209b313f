"""The three report kinds: their names, titles and where their model and template live."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sos_reports.model.common import CommonInput


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    summary: str
    _model: str

    @property
    def model(self) -> type[CommonInput]:
        module, _, cls = self._model.rpartition(".")
        model: type[CommonInput] = getattr(importlib.import_module(module), cls)
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


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "icpc",
            "Agency report to an Initial Child Protection Conference",
            "an agency's report to an initial (or pre-birth, transfer-in) conference",
            "sos_reports.model.icpc.IcpcInput",
        ),
        Kind(
            "rcpc",
            "Agency report to a Review Child Protection Conference",
            "an agency's report to a review conference, with progress against the plan",
            "sos_reports.model.rcpc.RcpcInput",
        ),
        Kind(
            "medical",
            "Conference report for medical practitioners",
            "a GP's report on the health of the children and their carers",
            "sos_reports.model.medical.MedicalInput",
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
