"""A treatment as staff record it when they move a case to "Treated": the date, the units and the sites.

One form for every pathway: 155 Units at 31 sites for chronic migraine, fewer sites and other
areas for cervical dystonia or spasticity. The bounds are what a real record can hold, so a
typing slip (1550 Units, 0 sites, a date next month) is refused next to its field before
anything is stored. No Streamlit, no database: the staff form and the service both use it.
"""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from screening.plaintext import OneLine

MAX_UNITS = 400
"""[Label]: in adults the cumulative dose for all indications should generally not exceed 400 Units in 3 months."""
MAX_SITES = 100
MAX_AREAS = 300
MIGRAINE_DOSE = (155, 31)
"""[Label] chronic migraine: 155 Units as 0.1 mL (5 Units) injections at 31 sites; the form's starting values."""

TODAY, RECEIVED = "today", "received"
"""Validation context: the clinic's date today, and the date the case was received (no treatment before it)."""


def _field(label: str, help_text: str, **constraints: Any) -> Any:
    return Field(title=label, description=help_text, **constraints)


class Treatment(BaseModel):
    """What was given; checked against the case's dates through the validation context (``TODAY``, ``RECEIVED``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    treated_on: date = _field("Date of treatment", "The day the injections were given (clinic date).")
    units: int = _field(
        "Units given",
        f"onabotulinumtoxinA Units in total (chronic migraine: {MIGRAINE_DOSE[0]}). "
        f"At most {MAX_UNITS}: the label's 3-month maximum for an adult.",
        ge=1,
        le=MAX_UNITS,
    )
    sites: int = _field(
        "Injection sites",
        f"How many injections (chronic migraine: {MIGRAINE_DOSE[1]}).",
        ge=1,
        le=MAX_SITES,
    )
    areas: Annotated[OneLine, StringConstraints(max_length=MAX_AREAS)] = _field(
        "Muscles or areas (optional)",
        "For example: the 7 head and neck areas; or left sternocleidomastoid and splenius capitis.",
        default="",
    )

    @field_validator("treated_on")
    @classmethod
    def _within_the_case(cls, value: date, info: ValidationInfo) -> date:
        context = info.context or {}
        today, received = context.get(TODAY), context.get(RECEIVED)
        if today is not None and value > today:
            raise ValueError(f"The date is in the future (today is {today:%d %b %Y}).")
        if received is not None and value < received:
            raise ValueError(f"This case was received on {received:%d %b %Y}; a treatment on it cannot be earlier.")
        return value

    @field_validator("sites")
    @classmethod
    def _no_more_sites_than_units(cls, value: int, info: ValidationInfo) -> int:
        units = info.data.get("units")
        if units is not None and value > units:
            raise ValueError(f"More sites ({value}) than Units ({units}): each site gets at least 1 Unit.")
        return value

    def summary(self) -> str:
        """As the case timeline shows it: "155 Units at 31 sites on 02 Dec 2026 (head and neck)"."""
        where = f" ({self.areas})" if self.areas else ""
        return f"{self.units} Units at {self.sites} sites on {self.treated_on:%d %b %Y}{where}"
