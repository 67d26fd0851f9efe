"""A patient's visits in order (their chain: the first screening and every return), and the figures staff read
across them: headache days against the baseline, the response, the treatments before each visit.

The baseline is the first screening's headache days; response = (baseline − now) / baseline
[Payer], [NICE TA260]. This is for the staff timeline only; the rules judge a return visit on
their own derived facts. No Streamlit and no database here, so the chart's data is tested alone.
"""

from dataclasses import dataclass
from datetime import date

import pandas as pd

from screening.choices import VisitKind
from screening.returns.derived import response, weeks_between
from screening.triage import TRIAGE_LABELS, Triage
from screening.workflow import STATUS_LABELS, VISIT_LABELS, Status

COLUMNS = (
    "visit",
    "reference",
    "date",
    "kind",
    "headache_days",
    "baseline",
    "change",
    "response",
    "treatments_before",
    "weeks_since_treatment",
    "treated_on",
    "triage",
    "status",
    "flags",
)


@dataclass(frozen=True)
class Visit:
    """One submission of the patient's chain, as ``case_state`` and its flags keep it."""

    submission_id: int
    reference: str
    received_on: date
    """The clinic's date it arrived."""
    kind: VisitKind
    headache_days: int | None
    triage: Triage
    status: Status
    treated_on: date | None
    """The treatment recorded on this visit's case, if any."""
    flags: tuple[str, ...] = ()


def _last_treatment_before(visit: Visit, visits: list[Visit]) -> list[date]:
    return sorted(
        other.treated_on
        for other in visits
        if other.treated_on is not None and other is not visit and other.treated_on < visit.received_on
    )


def chart_data(visits: list[Visit]) -> pd.DataFrame:
    """One row per visit, oldest first: what the timeline's chart plots and its table lists.

    ``treatments_before`` counts the treatments recorded here on the patient's other visits before
    this one arrived (treatments given elsewhere are not known to it); ``weeks_since_treatment`` is
    whole weeks from the last of them. ``response`` is a fraction (None without a baseline).
    """
    ordered = sorted(visits, key=lambda v: (v.received_on, v.submission_id))
    baseline = ordered[0].headache_days if ordered else None
    rows = []
    for number, visit in enumerate(ordered, start=1):
        before = _last_treatment_before(visit, ordered)
        change = None if baseline is None or visit.headache_days is None else visit.headache_days - baseline
        rows.append(
            {
                "visit": f"{number}. {VISIT_LABELS[visit.kind]}",
                "reference": visit.reference,
                "date": pd.Timestamp(visit.received_on),
                "kind": VISIT_LABELS[visit.kind],
                "headache_days": visit.headache_days,
                "baseline": baseline,
                "change": change,
                "response": response(baseline, visit.headache_days),
                "treatments_before": len(before),
                "weeks_since_treatment": weeks_between(before[-1], visit.received_on) if before else None,
                "treated_on": visit.treated_on,
                "triage": TRIAGE_LABELS[visit.triage],
                "status": STATUS_LABELS[visit.status],
                "flags": ", ".join(visit.flags),
            }
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("headache_days", "baseline", "change", "weeks_since_treatment"):
        frame[column] = frame[column].astype("Int64")
    frame["response"] = frame["response"].astype("Float64")
    return frame


def percent(fraction: float | None) -> str:
    """A response as staff read it: "52 % fewer", "10 % more", "no change"; empty when unknown."""
    if fraction is None or pd.isna(fraction):
        return ""
    whole = round(fraction * 100)
    if whole == 0:
        return "no change"
    return f"{abs(whole)} % {'fewer' if whole > 0 else 'more'}"
