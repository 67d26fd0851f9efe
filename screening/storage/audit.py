"""The audit log: append-only rows of who did what, when, to which submission or account."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from screening.storage.models import AuditRow


def write(
    tx: Session,
    *,
    at: datetime,
    staff_id: int | None,
    username: str,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    tx.add(AuditRow(at=at, staff_id=staff_id, username=username, action=action, target=target, detail=detail or {}))


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    username: str | None = None
    target: str | None = None
    since: datetime | None = None
    before: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.action:
            out.append(AuditRow.action == self.action)
        if self.username:
            out.append(AuditRow.username == self.username)
        if self.target:
            out.append(AuditRow.target == self.target)
        if self.since:
            out.append(AuditRow.at >= self.since)
        if self.before:
            out.append(AuditRow.at < self.before)
        return out


def page(tx: Session, where: AuditFilter, *, offset: int, limit: int) -> tuple[list[AuditRow], int]:
    """Newest first, one page, and how many rows match in all."""
    clauses = where.clauses()
    total = tx.scalar(select(func.count()).select_from(AuditRow).where(*clauses)) or 0
    rows = tx.scalars(select(AuditRow).where(*clauses).order_by(AuditRow.id.desc()).offset(offset).limit(limit))
    return list(rows), total


def count(tx: Session, *, action: str, target: str, since_action: str | None = None) -> int:
    """How many rows record one action on one target (an indexed lookup: the per-browser resume tries);
    with ``since_action``, only those after the last row of that action on the target (e.g. an unlock)."""
    clauses = [AuditRow.action == action, AuditRow.target == target]
    if since_action is not None:
        last = select(func.max(AuditRow.id)).where(AuditRow.action == since_action, AuditRow.target == target)
        clauses.append(AuditRow.id > func.coalesce(last.scalar_subquery(), 0))
    return tx.scalar(select(func.count()).where(*clauses)) or 0


def actions(tx: Session) -> list[str]:
    return list(tx.scalars(select(AuditRow.action).distinct().order_by(AuditRow.action)))
