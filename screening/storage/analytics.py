"""Aggregates for the analytics page, each one GROUP BY or ORDER BY ... LIMIT 1 on the narrow case table.

Nothing here reads the answers or returns a row per submission: 100,000 submissions come
back as a few dozen numbers (see bench/analytics.py). The two dialects differ only in how
a week is truncated and a time difference is taken in seconds.
"""

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Float, cast, func, literal, select
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


def count(tx: Session, where: Sequence[ColumnElement[bool]]) -> int:
    return int(tx.scalar(select(func.count()).select_from(CaseState).where(*where)) or 0)


def first_contact_percentiles(
    tx: Session, where: Sequence[ColumnElement[bool]], fractions: Sequence[float]
) -> tuple[int, list[float | None]]:
    """How many were contacted, and the nearest-rank percentiles of seconds from submission to first contact.

    Nearest rank (the value at position ceil(p x n)) is read with ORDER BY ... OFFSET, the same on both
    databases (SQLite has no percentile function); the first-contact index narrows the rows to sort.
    """
    contacted = [*where, CaseState.first_contact_at.is_not(None)]
    n = count(tx, contacted)
    seconds = _seconds_to_first_contact(tx)
    ordered = select(seconds).where(*contacted).order_by(seconds)
    values = [tx.scalar(ordered.offset(max(0, math.ceil(p * n) - 1)).limit(1)) if n else None for p in fractions]
    return n, [None if v is None else float(v) for v in values]
