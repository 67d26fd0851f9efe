"""Overdue targets per triage (one row each), and the WHERE clause that finds overdue cases with them."""

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from screening.storage.models import CaseState, TriageTarget


def all_targets(tx: Session) -> list[TriageTarget]:
    return list(tx.scalars(select(TriageTarget)))


def set_target(tx: Session, triage: str, amount: int, unit: str, *, at: datetime, by: int | None) -> None:
    """Creates or replaces one triage's target (the row locked first, so two admins' changes queue up)."""
    row = tx.get(TriageTarget, triage, with_for_update=True)
    if row is None:
        row = TriageTarget(triage=triage)
        tx.add(row)
    row.amount, row.unit, row.updated_at, row.updated_by = amount, unit, at, by
    tx.flush()


def overdue_clause(cutoffs: Mapping[int, datetime], closed: Collection[str]) -> ColumnElement[bool]:
    """Open cases whose triage rank has a cutoff and that entered their status before it."""
    if not cutoffs:
        return false()
    return and_(
        CaseState.status.not_in(closed),
        or_(*(and_(CaseState.triage_rank == rank, CaseState.status_since < at) for rank, at in cutoffs.items())),
    )
