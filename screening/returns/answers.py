"""The return questionnaire: one pydantic model in sections, each question defined once (as in ``answers``).

Two sections are never asked: ``seeking`` is copied from the patient's first screening (the
pathway decides which questions follow, as it does there), and ``linked`` holds what the
clinic's records give the visit (the baseline, the day it was answered). Both travel with the
stored answers, so a return visit is re-screened from its answers alone, like a first one.
"""

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from screening.answers import STORED, HeadachePattern, Section, Seeking, Submission, question, read_stored, upgrade
from screening.choices import Change, GoalsMet, LastTreatment, Pathway, YesNoUnsure
from screening.i18n import N_

EARLIEST_INJECTION = date(2000, 1, 1)


class Linked(Section):
    """Filled when the patient links to their record, never asked."""

    first_reference: str = question(
        "Reference code of the first screening", "The visit this return is compared with.", max_length=16
    )
    baseline_headache_days: int | None = question(
        "Headache days a month at the first screening (baseline)",
        "The first screening's answer: the baseline a return visit is compared with.",
        unit="days a month",
        ge=0,
        le=31,
        default=None,
    )
    answered_on: date = question(
        "Day the return questions were answered", "Weeks since the last injection are counted to this day."
    )
    age: int | None = question(
        "Age when the return questions were started (from the date of birth at the first screening)",
        "A child treated for spasticity carries the boxed-warning flag at every visit, not only the first.",
        unit="years",
        ge=0,
        le=120,
        default=None,
    )


class Course(Section):
    cycles: int | None = question(
        "How many Botox treatment sessions have you had for this so far, counting the last one?",
        "The doctor judges how well it works only after at least two sessions.",
        unit="sessions",
        ge=0,
        le=100,
        default=None,
    )
    last_injection: date = question(
        "On what date was your last injection? (If you are not sure of the day, give your best guess.)",
        "Injections need a gap of about 12 weeks between them. The clinic checks the date in its records too.",
    )
    last_outcome: LastTreatment = question(
        "How did the last treatment go?", "Helps the doctor decide the dose and when to repeat."
    )

    @field_validator("last_injection")
    @classmethod
    def _in_the_past(cls, day: date) -> date:
        if day > date.today():
            raise ValueError(N_("The date of the last injection cannot be in the future."))
        if day < EARLIEST_INJECTION:
            raise ValueError(N_("Please check the year of the last injection."))
        return day


_KIND_FIELDS = {name: info for name, info in HeadachePattern.model_fields.items() if name.startswith("days_")}


class MigraineNow(Section):
    headache_days: int | None = question(
        "In the last month, on how many days did you have a headache?",
        "This is compared with the number you gave before treatment, to see how much it has helped.",
        unit="days a month",
        ge=0,
        le=31,
        default=None,
    )
    migraine_days: int | None = question(
        "On how many of those days was it a migraine? (Often throbbing or on one side; you may feel sick, "
        "or find light and noise hard to bear.)",
        "Migraine days and other headache days are counted apart.",
        unit="days a month",
        ge=0,
        le=31,
        default=None,
        validate_default=True,
    )
    month_2_days: int | None = question(
        "And in the month before that, on how many days did you have a headache?",
        "A headache diary helps here. Fewer than 15 days a month for three months in a row is something "
        "the doctor talks through with you.",
        unit="days a month",
        ge=0,
        le=31,
        default=None,
    )
    month_3_days: int | None = question(
        "And in the month before that one?",
        "Three months together show whether the change lasts.",
        unit="days a month",
        ge=0,
        le=31,
        default=None,
    )
    acute_days: int | None = question(
        "In the last month, on how many days did you take any medicine for a headache attack?",
        "Taking pain medicine very often can itself keep headaches going.",
        unit="days a month",
        ge=0,
        le=31,
        default=None,
    )
    days_simple_analgesic: int | None = _KIND_FIELDS["days_simple_analgesic"]
    days_triptan: int | None = _KIND_FIELDS["days_triptan"]
    days_combination: int | None = _KIND_FIELDS["days_combination"]
    days_opioid: int | None = _KIND_FIELDS["days_opioid"]
    days_ergot: int | None = _KIND_FIELDS["days_ergot"]
    days_gepant: int | None = _KIND_FIELDS["days_gepant"]

    @field_validator("migraine_days")
    @classmethod
    def _migraine_within_headache_days(cls, days: int | None, info: ValidationInfo) -> int | None:
        return HeadachePattern._migraine_within_headache_days(days, info)

    @field_validator(*_KIND_FIELDS)
    @classmethod
    def _kind_within_acute_days(cls, days: int | None, info: ValidationInfo) -> int | None:
        return HeadachePattern._kind_within_acute_days(days, info)


class DystoniaNow(Section):
    weeks_of_benefit: int | None = question(
        "For about how many weeks did the last injection help?",
        "Helps the doctor plan when to repeat.",
        unit="weeks",
        ge=0,
        le=52,
        default=None,
    )
    wearing_off_sooner: YesNoUnsure = question(
        "Is each injection wearing off sooner than it used to?",
        "If injections help for less time than before, the doctor looks for the reason.",
    )


class SpasticityNow(Section):
    goals_met: GoalsMet = question(
        "Did the last treatment help with what you wanted to improve?", "Treatment is planned around your goals."
    )
    walking: Change = question("Walking, since the last treatment", "Each goal is checked on its own.")
    hygiene: Change = question("Washing and dressing, since the last treatment", "Each goal is checked on its own.")
    pain: Change = question("Pain, since the last treatment", "Each goal is checked on its own.")


EFFECT_WHY = N_("The doctor may change the dose or the places injected.")


class Effects(Section):
    """[Label] the common effects to mention, and a true allergic reaction (a contraindication), told apart."""

    injection_site_pain: YesNoUnsure = question("Pain where the injections went", EFFECT_WHY)
    neck_pain: YesNoUnsure = question("Neck pain or stiffness", EFFECT_WHY)
    eyelid_droop: YesNoUnsure = question("A drooping eyelid or eyebrow", EFFECT_WHY)
    weakness_near_site: YesNoUnsure = question("Weak muscles near where the injections went", EFFECT_WHY)
    flu_like: YesNoUnsure = question("Flu-like symptoms", EFFECT_WHY)
    allergic_reaction: YesNoUnsure = question(
        "An allergic reaction: hives, swelling of the face, lips or throat, or wheezing",
        "A true allergic reaction means a doctor must see you before any more injections.",
    )


SPREAD_WHY = N_("Rarely, the medicine spreads beyond where it was injected. This needs urgent care.")
SPREAD_SAME_DAY_WHY = N_(
    "Rarely, the medicine spreads beyond where it was injected. The clinic needs to know about this the same day."
)
"""Double vision and general weakness: the information page says call the clinic the same day, not 911 at once."""


class Spread(Section):
    """[Label] boxed warning: distant spread of toxin effect, hours to weeks after an injection."""

    swallowing: YesNoUnsure = question("Since your last injection, have you had new trouble swallowing?", SPREAD_WHY)
    speaking: YesNoUnsure = question(
        "Since your last injection, have you had new trouble speaking clearly?", SPREAD_WHY
    )
    breathing: YesNoUnsure = question("Since your last injection, have you had new trouble breathing?", SPREAD_WHY)
    double_vision: YesNoUnsure = question(
        "Since your last injection, have you had double or blurred vision?", SPREAD_SAME_DAY_WHY
    )
    general_weakness: YesNoUnsure = question(
        "Since your last injection, have you had weakness all over the body (not only near the injections)?",
        SPREAD_SAME_DAY_WHY,
    )


class Plans(Section):
    wants_continue: YesNoUnsure = question(
        "Would you like to keep having Botox treatment?",
        "The clinician talks this through with you at the visit; your wish is part of that talk.",
    )


RETURN_PATHWAY_SECTIONS: dict[str, Pathway] = {
    "migraine_now": Pathway.headache,
    "dystonia_now": Pathway.dystonia,
    "spasticity_now": Pathway.spasticity,
}
"""Each pathway's return questions are asked, and kept, only on its pathway (the first screening's)."""


class ReturnVisit(BaseModel):
    """One return visit's complete answers; sections of other pathways are dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seeking: Seeking
    linked: Linked
    spread: Spread
    course: Course
    migraine_now: MigraineNow | None = Field(default=None, validate_default=True)
    dystonia_now: DystoniaNow | None = Field(default=None, validate_default=True)
    spasticity_now: SpasticityNow | None = Field(default=None, validate_default=True)
    effects: Effects
    plans: Plans

    @field_validator("migraine_now", "dystonia_now", "spasticity_now", mode="wrap")
    @classmethod
    def _section_on_its_pathway(cls, section: Any, handler: Any, info: ValidationInfo) -> Section | None:
        seeking = info.data.get("seeking")
        assert info.field_name is not None
        if seeking is not None and seeking.pathway != RETURN_PATHWAY_SECTIONS[info.field_name]:
            return None
        validated = handler(section)
        if validated is None and seeking is not None:
            raise ValueError(N_("Please answer the questions in this part."))
        return validated

    @property
    def pathway(self) -> Pathway:
        return self.seeking.pathway


RETURN_MARK = "linked"
"""The section only a return visit has: stored answers (and a wizard draft) holding it are a return visit."""


def is_return(answers: dict[str, Any]) -> bool:
    return RETURN_MARK in answers


def read_visit(answers: dict[str, Any]) -> Submission | ReturnVisit:
    """Stored answers of either kind of visit, validated as they were given (see ``answers.read_stored``)."""
    if is_return(answers):
        return ReturnVisit.model_validate(upgrade(answers), context=STORED)
    return read_stored(answers)
