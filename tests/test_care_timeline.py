"""The timeline chart's data for a patient's visits: no database, no Streamlit."""

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.care.timeline import Visit, chart_data, percent, response
from screening.choices import VisitKind
from screening.triage import Triage
from screening.workflow import Status


def visit(sid: int, day: date, kind: VisitKind, days: int | None, treated: date | None, *flags: str) -> Visit:
    return Visit(sid, f"BT-000{sid}-AAAA", day, kind, days, Triage.likely_candidate, Status.treated, treated, flags)


THREE = [
    # given out of order: the chart orders by date
    visit(3, date(2026, 6, 20), VisitKind.return_, 8, None, "RT-EPISODIC"),
    visit(1, date(2026, 1, 5), VisitKind.first, 20, date(2026, 2, 2)),
    visit(2, date(2026, 4, 20), VisitKind.return_, 12, date(2026, 4, 27), "RT-SOON", "RT-REVIEW"),
]


def test_three_visits_against_the_first_screenings_baseline():
    frame = chart_data(THREE)
    assert list(frame["reference"]) == ["BT-0001-AAAA", "BT-0002-AAAA", "BT-0003-AAAA"]
    assert list(frame["visit"]) == ["1. First visit", "2. Return visit", "3. Return visit"]
    assert list(frame["headache_days"]) == [20, 12, 8]
    assert list(frame["baseline"]) == [20, 20, 20]
    assert list(frame["change"]) == [0, -8, -12]
    assert list(frame["response"]) == [0.0, 0.4, 0.6]
    assert list(frame["treatments_before"]) == [0, 1, 2]
    assert frame["weeks_since_treatment"].tolist() == [
        pd.NA,
        11,  # 2 Feb to 20 Apr: 77 days
        7,  # 27 Apr to 20 Jun: 54 days
    ]
    assert list(frame["flags"]) == ["", "RT-SOON, RT-REVIEW", "RT-EPISODIC"]
    assert list(frame["date"]) == [pd.Timestamp(2026, 1, 5), pd.Timestamp(2026, 4, 20), pd.Timestamp(2026, 6, 20)]
    assert [percent(r) for r in frame["response"]] == ["no change", "40 % fewer", "60 % fewer"]


def test_without_a_baseline_there_is_no_response():
    frame = chart_data([visit(1, date(2026, 1, 5), VisitKind.first, None, None), THREE[0]])
    assert frame["response"].isna().all()
    assert frame["change"].isna().all()
    assert percent(None) == ""
    assert chart_data([]).empty


def test_a_treatment_on_the_visits_own_day_is_not_before_it():
    same_day = [visit(1, date(2026, 1, 5), VisitKind.first, 20, date(2026, 1, 5))]
    assert list(chart_data(same_day)["treatments_before"]) == [0]


@pytest.mark.parametrize(
    ("baseline", "now", "expected"), [(20, 10, 0.5), (20, 30, -0.5), (0, 3, None), (None, 3, None)]
)
def test_response(baseline, now, expected):
    assert response(baseline, now) == expected


@given(st.integers(1, 31), st.integers(0, 31))
def test_response_is_the_share_of_headache_days_gone(baseline, now):
    share = response(baseline, now)
    assert share is not None
    assert baseline - share * baseline == pytest.approx(now)
    assert percent(share).endswith("fewer") == (now < baseline)
