"""Aggregates for the analytics page, each one GROUP BY or ORDER BY ... LIMIT 1 on the narrow case table.

Nothing here reads the answers or returns a row per submission: 100,000 submissions come
back as a few dozen numbers (see bench/analytics.py). The two dialects differ only in how
a week is truncated and a time difference is taken in seconds.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Float, Integer, case, cast, func, literal, select
from sqlalchemy.orm import Session

from screening.storage.models import CaseState

MONDAY_2000 = date(2000, 1, 3)
MONDAY_2000_JULIAN = 2451546.5
"""Julian day number of 2000-01-03 00:00 (a Monday): SQLite counts weeks from it with plain arithmetic,
several times faster than date() with modifiers on every row."""


def _week(tx: Session) -> ColumnElement[Any]:
    """The week each submission arrived in (UTC, weeks starting on Monday)."""
    if tx.get_bind().dialect.name == "sqlite":
        return cast((func.julianday(CaseState.created_at) - MONDAY_2000_JULIAN) / 7, Integer)
    return cast(func.date_trunc("week", func.timezone("UTC", CaseState.created_at)), Date)


def _monday(value: Any) -> date:
    """SQLite gives the week's number since 2000-01-03, PostgreSQL the Monday itself."""
    return MONDAY_2000 + timedelta(weeks=value) if isinstance(value, int) else value


def _seconds_to_first_contact(tx: Session) -> ColumnElement[float]:
    if tx.get_bind().dialect.name == "sqlite":
        days = func.julianday(CaseState.first_contact_at) - func.julianday(CaseState.created_at)
        return cast(days * literal(86400.0), Float)
    return cast(func.extract("epoch", CaseState.first_contact_at - CaseState.created_at), Float)


@dataclass(frozen=True)
class Group:
    """Submissions of one week, triage and pathway: how many, how many contacted, booked and overdue now."""

    week: date
    triage_rank: int
    pathway: str
    submissions: int
    contacted: int
    booked: int
    overdue: int


def groups(
    tx: Session, where: Sequence[ColumnElement[bool]], *, booked: ColumnElement[bool], overdue: ColumnElement[bool]
) -> list[Group]:
    """One pass over the range, grouped by week, triage and pathway (at most a few thousand groups):
    every total, the weekly chart and the pathway mix are sums of these."""
    week = _week(tx).label("week")
    query = (
        select(
            week,
            CaseState.triage_rank,
            CaseState.pathway,
            func.count(),
            func.count(CaseState.first_contact_at),
            func.sum(case((booked, 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .where(*where)
        .group_by(week, CaseState.triage_rank, CaseState.pathway)
    )
    return [Group(_monday(w), rank, path, *(int(n) for n in counts)) for w, rank, path, *counts in tx.execute(query)]


def count_by(tx: Session, column: Any, where: Sequence[ColumnElement[bool]]) -> list[tuple[Any, int]]:
    query = select(column, func.count()).where(*where).group_by(column).order_by(column)
    return [(value, n) for value, n in tx.execute(query)]


def first_contact_percentiles(
    tx: Session, where: Sequence[ColumnElement[bool]], contacted: int, fractions: Sequence[float]
) -> list[float | None]:
    """Nearest-rank percentiles (the value at position ceil(p x n)) of seconds from submission to first contact.

    One sort, read with a window function (SQLite has no percentile function; the same SQL runs on both).
    """
    if not contacted:
        return [None for _ in fractions]
    ranks = [max(1, math.ceil(p * contacted)) for p in fractions]
    seconds = _seconds_to_first_contact(tx).label("seconds")
    waits = select(seconds).where(*where, CaseState.first_contact_at.is_not(None)).subquery()
    ranked = select(waits.c.seconds, func.row_number().over(order_by=waits.c.seconds).label("rank")).subquery()
    found = dict(tx.execute(select(ranked.c.rank, ranked.c.seconds).where(ranked.c["rank"].in_(set(ranks)))).all())
    return [float(found[rank]) for rank in ranks]
