"""Working time: the clinic's hours, and how far back "N working hours ago" reaches.

Overdue targets are counted in working time ("urgent within 1 working hour, likely
candidate within 2 working days"), so a case received on Friday evening is not overdue
on Saturday. A case is overdue when it entered its status before ``cutoff(now, target)``:
one instant per triage, so the database can count and the queue can mark overdue cases
with a plain comparison on an indexed column.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Unit(StrEnum):
    hours = "hours"
    days = "days"


UNIT_LABELS = {Unit.hours: "working hours", Unit.days: "working days"}
MAX_TARGET = {Unit.hours: 200, Unit.days: 60}


@dataclass(frozen=True)
class WorkingWeek:
    """Monday to Friday, from ``start`` to ``end`` o'clock in the clinic's time zone."""

    timezone: str = "UTC"
    start: int = 9
    end: int = 17

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= 24:
            raise ValueError("Working hours must start before they end, within one day.")
        ZoneInfo(self.timezone)  # an unknown zone is refused here, not at the first overdue check

    @property
    def day_length(self) -> timedelta:
        return timedelta(hours=self.end - self.start)

    def span(self, amount: int, unit: Unit | str) -> timedelta:
        """A target as working time: a working day is one day's working hours."""
        return self.day_length * amount if Unit(unit) == Unit.days else timedelta(hours=amount)

    def _window(self, day: datetime) -> tuple[datetime, datetime]:
        """That local day's working hours, in UTC (built from wall-clock times, so DST days come out right)."""
        zone = ZoneInfo(self.timezone)
        local = day.date()
        start = datetime.combine(local, time(self.start), zone)
        end = datetime.combine(local, time(0), zone) + timedelta(days=1) if self.end == 24 else None
        end = end or datetime.combine(local, time(self.end), zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def cutoff(self, now: datetime, span: timedelta) -> datetime:
        """The latest instant with ``span`` of working time between it and ``now``."""
        zone = ZoneInfo(self.timezone)
        left = span
        day = now.astimezone(zone)
        while True:
            if day.weekday() < 5:
                start, end = self._window(day)
                upto = min(end, now)
                have = max(timedelta(0), upto - start)
                if have >= left:
                    return upto - left
                left -= have
            day = datetime.combine(day.date() - timedelta(days=1), time(12), zone)

    def worked(self, since: datetime, now: datetime) -> timedelta:
        """Working time between two instants (for "overdue by")."""
        zone = ZoneInfo(self.timezone)
        total = timedelta(0)
        day = since.astimezone(zone)
        while day.date() <= now.astimezone(zone).date():
            if day.weekday() < 5:
                start, end = self._window(day)
                total += max(timedelta(0), min(end, now) - max(start, since))
            day = datetime.combine(day.date() + timedelta(days=1), time(12), zone)
        return total
