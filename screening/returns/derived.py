"""What the return rules read on top of a return visit's answers [Payer], [NICE TA260], [Label].

Computed here once; ``screening.facts`` names them as ``derived.*`` facts. Every value comes
from the stored answers alone (the baseline and the day answered travel with them), so a
re-screen years later gives the same facts.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from screening.choices import YesNoUnsure
from screening.returns.answers import ReturnVisit

EPISODIC_BELOW = 15
"""[NICE TA260] episodic migraine: fewer than 15 headache days a month."""
EFFECTS = ("injection_site_pain", "neck_pain", "eyelid_droop", "weakness_near_site", "flu_like")
"""[Label] the common effects; an allergic reaction is asked beside them but is not one of them."""


RETURN_DERIVED = (
    "derived.response_percent",
    "derived.days_fewer",
    "derived.weeks_since_injection",
    "derived.episodic_months",
    "derived.effects_yes",
    "derived.effects_names",
    "derived.spread_names",
    "derived.spread_unsure_names",
)
"""The derived facts only a return visit has (``return_values`` gives exactly these)."""


def response(baseline: int | None, now: int | None) -> float | None:
    """(baseline - now) / baseline: 0.5 is half as many headache days. Unknown when either number is, or when
    the baseline is 0 (nothing to reduce). The one definition: the rules' percentage and the staff timeline."""
    if baseline is None or now is None or baseline == 0:
        return None
    return (baseline - now) / baseline


def response_percent(baseline: int | None, now: int | None) -> float | None:
    """The response as a percentage, to one decimal (what the clinician is shown is what the rules test)."""
    share = response(baseline, now)
    return None if share is None else round(100 * share, 1)


def weeks_between(earlier: date, later: date) -> int:
    """Whole weeks, as a patient counts them: 11 weeks and 6 days is 11 weeks."""
    return (later - earlier).days // 7


def episodic_months(months: Sequence[int | None]) -> int:
    """Months in a row, from the last one back, with fewer than 15 headache days; an unknown month ends the run."""
    run = 0
    for days in months:
        if days is None or days >= EPISODIC_BELOW:
            break
        run += 1
    return run


def _names(section: Any, fields: Sequence[str], answer: YesNoUnsure) -> str:
    found = [name.replace("_", " ") for name in fields if getattr(section, name) is answer]
    return ", ".join(found) or "none"


def return_values(visit: ReturnVisit) -> dict[str, Any]:
    """The return visit's derived facts, by fact name."""
    now = visit.migraine_now
    baseline = visit.linked.baseline_headache_days
    days_now = now.headache_days if now else None
    spread_fields = tuple(type(visit.spread).model_fields)
    return {
        "derived.response_percent": response_percent(baseline, days_now),
        "derived.days_fewer": None if baseline is None or days_now is None else baseline - days_now,
        "derived.weeks_since_injection": weeks_between(visit.course.last_injection, visit.linked.answered_on),
        "derived.episodic_months": (
            episodic_months((now.headache_days, now.month_2_days, now.month_3_days)) if now else None
        ),
        "derived.effects_yes": sum(getattr(visit.effects, name) is YesNoUnsure.yes for name in EFFECTS),
        "derived.effects_names": _names(visit.effects, EFFECTS, YesNoUnsure.yes),
        "derived.spread_names": _names(visit.spread, spread_fields, YesNoUnsure.yes),
        "derived.spread_unsure_names": _names(visit.spread, spread_fields, YesNoUnsure.not_sure),
    }
