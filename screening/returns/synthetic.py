"""Synthetic return visits for tests and demo databases, through the same ``Picker`` as first screenings.

Every pathway, every option reachable (hypothesis draws through the picker), rare answers
behind a ``chance`` gate so a realistic picker still reaches every triage. Not patient data.
"""

from datetime import date, timedelta
from typing import Any

from screening.choices import Change, GoalsMet, LastTreatment, Reason, SpasticityCause, YesNoUnsure
from screening.returns.answers import Effects, ReturnVisit, Spread
from screening.synthetic import MOSTLY_NO, REASON_WEIGHTS, REASONS, YNU, Picker, RandomPicker, _yes_no_block

ANSWERED_ON = date(2026, 12, 1)


def _days(pick: Picker) -> int | None:
    return None if pick.chance(0.04) else pick.whole(0, 31)


def _migraine_now(pick: Picker) -> dict[str, Any]:
    now = _days(pick)
    acute = pick.whole(0, 12)
    return {
        "headache_days": now,
        "migraine_days": None if now is None else pick.whole(0, now),
        "month_2_days": _days(pick),
        "month_3_days": _days(pick),
        "acute_days": acute,
        "days_triptan": pick.whole(0, acute),
    }


def synthetic_return_answers(pick: Picker) -> dict[str, Any]:
    """One return visit's answers, valid for ``ReturnVisit``."""
    reason = pick.one(REASONS, REASON_WEIGHTS)
    seeking: dict[str, Any] = {"reason": reason}
    if reason == Reason.limb_spasticity:
        seeking["spasticity_cause"] = pick.one(tuple(SpasticityCause))
    weeks = pick.whole(8, 20)
    answers: dict[str, Any] = {
        "seeking": seeking,
        "linked": {
            "first_reference": "BT-0000-0000",
            "baseline_headache_days": _days(pick),
            "answered_on": ANSWERED_ON.isoformat(),
        },
        "spread": _yes_no_block(pick, tuple(Spread.model_fields), clean=0.9),
        "course": {
            "cycles": None if pick.chance(0.04) else pick.whole(1, 8),
            "last_injection": (ANSWERED_ON - timedelta(days=7 * weeks + pick.whole(0, 6))).isoformat(),
            "last_outcome": pick.one(tuple(LastTreatment), (0.6, 0.2, 0.15, 0.05)),
        },
        "effects": _yes_no_block(pick, tuple(Effects.model_fields), clean=0.7),
        "plans": {"wants_continue": pick.one(YNU, (0.85, 0.07, 0.08))},
        "migraine_now": _migraine_now(pick),
        "dystonia_now": {
            "weeks_of_benefit": _days(pick),
            "wearing_off_sooner": pick.one(YNU, MOSTLY_NO),
        },
        "spasticity_now": {
            "goals_met": pick.one(tuple(GoalsMet)),
            **{goal: pick.one(tuple(Change), (0.5, 0.3, 0.1, 0.1)) for goal in ("walking", "hygiene", "pain")},
        },
    }
    if pick.chance(0.1):
        answers["effects"]["allergic_reaction"] = pick.one((YesNoUnsure.yes, YesNoUnsure.not_sure))
    answers["linked"]["age"] = None if pick.chance(0.05) else pick.whole(1, 90)  # children and the 17/18 edge too
    return answers


def synthetic_returns(n: int, seed: int = 0) -> list[ReturnVisit]:
    """``n`` validated return visits, seeded (other pathways' sections are dropped by the model)."""
    pick = RandomPicker(seed)
    return [ReturnVisit.model_validate(synthetic_return_answers(pick)) for _ in range(n)]
