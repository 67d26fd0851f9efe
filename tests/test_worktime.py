"""Working time (overdue targets), the "for the call" wording, and counts in English."""

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from core_support import RULES
from hypothesis import given
from hypothesis import strategies as st

from screening.call_notes import ASK, NOTHING_FLAGGED, TOLD, for_the_call
from screening.ruleset import Advice
from screening.wording import count
from screening.worktime import Unit, WorkingWeek

WEEK = WorkingWeek("UTC", 9, 17)


def test_a_working_hour_before_monday_morning_reaches_back_to_friday() -> None:
    monday_9_30 = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert WEEK.cutoff(monday_9_30, timedelta(hours=1)) == datetime(2026, 11, 27, 16, 30, tzinfo=UTC)
    assert WEEK.cutoff(monday_9_30, WEEK.span(2, Unit.days)) == datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def test_the_clinics_time_zone_and_daylight_saving_are_respected() -> None:
    new_york = WorkingWeek("America/New_York", 9, 17)
    # Monday 2026-11-02 after the clocks went back: 9:00 in New York is 14:00 UTC
    assert new_york.cutoff(datetime(2026, 11, 2, 15, 0, tzinfo=UTC), timedelta(hours=1)) == datetime(
        2026, 11, 2, 14, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="start before"):
        WorkingWeek("UTC", 17, 9)


@given(
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    minutes=st.integers(min_value=0, max_value=60 * 8 * 30),
    zone=st.sampled_from(["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney"]),
)
def test_the_cutoff_leaves_exactly_the_target_in_working_time(now: datetime, minutes: int, zone: str) -> None:
    week = WorkingWeek(zone, 8, 18)
    span = timedelta(minutes=minutes)
    cutoff = week.cutoff(now, span)
    assert cutoff <= now
    assert week.worked(cutoff, now) == span


def test_every_rule_has_its_line_for_the_call_and_no_line_is_left_over() -> None:
    rule_ids = {
        rule["id"]
        for path in RULES.glob("*.yaml")
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", [])
    }
    assert rule_ids == set(ASK)


def test_every_advice_grade_has_its_line_for_the_call() -> None:
    """A grade a rule may give (a return's same-day advice too) must say on the call what the patient was told."""
    assert set(TOLD) == set(Advice)


def test_the_call_summary_follows_the_flags_once_each() -> None:
    assert for_the_call(["RF-THUNDERCLAP", "CM-FEW-CLASSES", "RF-THUNDERCLAP"]) == [
        ASK["RF-THUNDERCLAP"],
        ASK["CM-FEW-CLASSES"],
    ]
    assert "side effects" in ASK["CM-FEW-CLASSES"]
    assert for_the_call([]) == [NOTHING_FLAGGED]


@pytest.mark.parametrize(
    ("n", "expected"), [(0, "0 entries"), (1, "1 entry"), (2, "2 entries"), (1200, "1,200 entries")]
)
def test_counts_read_as_english(n: int, expected: str) -> None:
    assert count(n, "entry", "entries") == expected
    assert count(1, "submission") == "1 submission" and count(3, "submission") == "3 submissions"
