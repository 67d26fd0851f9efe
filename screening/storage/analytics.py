"""Aggregates for the analytics page, each one GROUP BY or ORDER BY ... LIMIT 1 on the narrow case table.

Nothing here reads the answers or returns a row per submission: 100,000 submissions come
back as a few dozen numbers (see bench/analytics.py). The two dialects differ only in how
a week is truncated and a time difference is taken in seconds.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Float, case, cast, func, literal, select
from sqlalchemy.orm import Session

from screening.storage.models import CaseState


def _week(tx: Session) -> ColumnElement[Any]:
    """The Monday starting each submission's week (UTC)."""
    if tx.get_bind().dialect.name == "sqlite":
        return func.date(CaseState.created_at, "weekday 0", "-6 days")
    return cast(func.date_trunc("week", func.timezone("UTC", CaseState.created_at)), Date)


def _seconds_to_first_contact(tx: Session) -> ColumnElement[float]:
    if tx.get_bind().dialect.name == "sqlite":
        days = func.julianday(CaseState.first_contact_at) - func.julianday(CaseState.created_at)
        return cast(days * literal(86400.0), Float)
    return cast(func.extract("epoch", CaseState.first_contact_at - CaseState.created_at), Float)


def weekly_by_triage(tx: Session, where: Sequence[ColumnElement[bool]]) -> list[tuple[date, int, int]]:
    """(week's Monday, triage rank, submissions) for every week and triage with any."""
    week = _week(tx).label("week")
    query = (
        select(week, CaseState.triage_rank, func.count())
        .where(*where)
        .group_by(week, CaseState.triage_rank)
        .order_by(week, CaseState.triage_rank)
    )
    return [(_as_date(w), rank, n) for w, rank, n in tx.execute(query)]


def _as_date(value: Any) -> date:
    """SQLite's date() gives text, PostgreSQL a date."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def count_by(tx: Session, column: Any, where: Sequence[ColumnElement[bool]]) -> list[tuple[Any, int]]:
    query = select(column, func.count()).where(*where).group_by(column).order_by(column)
    return [(value, n) for value, n in tx.execute(query)]


@dataclass(frozen=True)
class Totals:
    total: int
    contacted: int
    booked: int
    overdue: int


def totals(
    tx: Session, where: Sequence[ColumnElement[bool]], *, booked: ColumnElement[bool], overdue: ColumnElement[bool]
) -> Totals:
    """Every count of the range in one pass over it."""
    query = select(
        func.count(),
        func.count(CaseState.first_contact_at),
        func.coalesce(func.sum(case((booked, 1), else_=0)), 0),
        func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
    ).where(*where)
    return Totals(*(int(value) for value in tx.execute(query).one()))


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
