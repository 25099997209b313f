"""The rows of a parent's or carer's health entry: the GP report prints them, and the
confidential annex prints those withheld from the family's copy."""

from __future__ import annotations

from sos_reports.documents.builders.kit import Row, optional


def carer_rows(carer: str) -> list[Row]:
    """One parent's or carer's health (in the report, and in the annex when withheld)."""

    def concern(key: str) -> str:
        value = f"{carer}.{key}"
        return (
            f"{{{{ {value}.status }}}}{{% if {value}.impact is not none %}}"
            f". Impact on parenting: {{{{ {value}.impact }}}}{{% endif %}}"
        )

    return [
        Row("Mental health", concern("mental_health")),
        Row("Substance use", concern("substance_use")),
        Row("Domestic abuse", concern("domestic_abuse")),
        Row(
            "Physical health",
            f"{{{{ {carer}.physical_health }}}}",
            optional(f"{carer}.physical_health"),
        ),
        Row(
            "Engagement with health services",
            f"{{{{ {carer}.engagement }}}}",
            optional(f"{carer}.engagement"),
        ),
        Row(
            "Pregnancy: expected date of delivery",
            f"{{{{ {carer}.pregnancy_edd }}}}",
            optional(f"{carer}.pregnancy_edd"),
        ),
    ]
