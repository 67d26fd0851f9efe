"""Analytics for intake: how many arrive, of which kind, how fast they are reached and how many are booked.

Every figure is aggregated by the database over the date range (the day the submission
arrived, inclusive); the page gets a few dozen numbers, never the submissions themselves.
Each reading is audited with its range.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from screening import overdue
from screening.casework import day_start
from screening.choices import VisitKind
from screening.overdue import CLOSED_VALUES
from screening.staff import StaffSession, require_session, write_audit
from screening.storage import Database, analytics, cases
from screening.storage.models import CaseState
from screening.storage.targets import overdue_clause
from screening.triage import PRECEDENCE, RANK, Triage
from screening.workflow import BOOKED_OR_LATER

PERCENTILES = (0.5, 0.9)
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Analytics:
    date_from: date
    date_to: date
    total: int
    weekly: list[tuple[date, Triage, int]]
    """(Monday of the week, triage, submissions), weeks with none left out."""
    pathways: list[tuple[str, int]]
    headache_days: list[tuple[int | None, int]]
    """Likely candidates per answered headache days a month (None: not answered)."""
    contacted: int
    median_to_contact: timedelta | None
    p90_to_contact: timedelta | None
    booked: int
    overdue_now: int

    @property
    def booked_share(self) -> float | None:
        return self.booked / self.total if self.total else None


def summary(db: Database, actor: StaffSession | None, date_from: date, date_to: date) -> Analytics:
    """The page's figures for submissions received from ``date_from`` to ``date_to`` (both whole days)."""
    if date_to < date_from:
        raise ValueError("The end of the range is before its start.")
    if (date_to - date_from).days > MAX_DAYS:
        raise ValueError("Choose a range of at most three years.")
    clauses = cases.QueueFilter(since=day_start(date_from), before=day_start(date_to + timedelta(days=1))).clauses()
    with db.session() as tx:
        live = require_session(tx, db, actor)
        late = overdue_clause(overdue.cutoffs(tx, db), CLOSED_VALUES)
        booked = CaseState.status.in_([status.value for status in BOOKED_OR_LATER])
        groups = analytics.groups(tx, clauses, booked=booked, overdue=late)
        contacted = sum(g.contacted for g in groups)
        likely = [  # first screenings: a return visit's days are after treatment, not what brought them
            *clauses,
            CaseState.triage_rank == RANK[Triage.likely_candidate],
            CaseState.visit_kind == VisitKind.first.value,
        ]
        days = analytics.count_by(tx, CaseState.headache_days, likely)
        median, p90 = analytics.first_contact_percentiles(tx, clauses, contacted, PERCENTILES)
        write_audit(tx, db, live, "view", "analytics", {"from": date_from.isoformat(), "to": date_to.isoformat()})
    weekly: Counter[tuple[date, int]] = Counter()
    pathways: Counter[str] = Counter()
    for group in groups:
        weekly[group.week, group.triage_rank] += group.submissions
        pathways[group.pathway] += group.submissions
    return Analytics(
        date_from,
        date_to,
        sum(g.submissions for g in groups),
        [(week, PRECEDENCE[rank], n) for (week, rank), n in sorted(weekly.items())],
        sorted(pathways.items()),
        sorted(days, key=lambda pair: (pair[0] is None, pair[0] or 0)),
        contacted,
        _seconds(median),
        _seconds(p90),
        sum(g.booked for g in groups),
        sum(g.overdue for g in groups),
    )


def _seconds(value: float | None) -> timedelta | None:
    """Whole seconds: SQLite's julianday arithmetic is off by microseconds."""
    return None if value is None else timedelta(seconds=round(value))
