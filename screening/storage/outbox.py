"""The mail outbox's SQL: queue, claim what is due, record each attempt, list for staff.

A mail is claimed with a conditional UPDATE (status and lease checked in the WHERE), so
the app's background sender and ``python -m screening mail send`` from cron never send
the same mail at once, on SQLite and PostgreSQL alike.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from screening.storage.models import OutboxRow

QUEUED, SENDING, SENT, FAILED, EXPIRED = "queued", "sending", "sent", "failed", "expired"
STATUSES = (QUEUED, SENDING, SENT, FAILED, EXPIRED)
FINISHED = (SENT, EXPIRED)
"""No body is kept for these: nothing more will be sent."""


@dataclass(frozen=True)
class NewMail:
    kind: str
    recipient: str
    subject: str
    body: str
    message_id: str
    reference: str | None = None
    expires_at: datetime | None = None


def add(tx: Session, mail: NewMail, now: datetime) -> int:
    row = OutboxRow(**vars(mail), created_at=now, status=QUEUED, attempts=0, next_attempt_at=now)
    tx.add(row)
    tx.flush()
    return row.id


def due_ids(tx: Session, now: datetime, limit: int) -> list[int]:
    """Queued mail whose time has come, and mail a crashed sender held past its lease; oldest first."""
    waiting = (OutboxRow.status == QUEUED) & (OutboxRow.next_attempt_at <= now)
    abandoned = (OutboxRow.status == SENDING) & (OutboxRow.claimed_until <= now)
    query = select(OutboxRow.id).where(or_(waiting, abandoned)).order_by(OutboxRow.next_attempt_at, OutboxRow.id)
    return list(tx.scalars(query.limit(limit)))


def claim(tx: Session, mail_id: int, now: datetime, lease: timedelta) -> OutboxRow | None:
    """The mail, now held by this sender until the lease ends; None when another sender took it first."""
    waiting = (OutboxRow.status == QUEUED) & (OutboxRow.next_attempt_at <= now)
    abandoned = (OutboxRow.status == SENDING) & (OutboxRow.claimed_until <= now)
    taken = tx.execute(
        update(OutboxRow)
        .where(OutboxRow.id == mail_id, or_(waiting, abandoned))
        .values(status=SENDING, claimed_until=now + lease, attempts=OutboxRow.attempts + 1)
    ).rowcount
    return tx.get(OutboxRow, mail_id, populate_existing=True) if taken == 1 else None


def finish(tx: Session, mail_id: int, *, status: str, now: datetime, error: str | None = None) -> None:
    """Sent, expired or given up: out of the queue; the body goes unless a person may still try again."""
    values: dict[str, object] = {"status": status, "claimed_until": None, "last_error": error}
    if status == SENT:
        values["sent_at"] = now
    if status in FINISHED:
        values["body"] = None
    tx.execute(update(OutboxRow).where(OutboxRow.id == mail_id).values(**values))


def retry_later(tx: Session, mail_id: int, *, at: datetime, error: str) -> None:
    tx.execute(
        update(OutboxRow)
        .where(OutboxRow.id == mail_id)
        .values(status=QUEUED, claimed_until=None, next_attempt_at=at, last_error=error)
    )


def expire(tx: Session, now: datetime, forget: Callable[[str], str]) -> int:
    """Past its ``expires_at`` (a resume code whose draft is gone) a mail is no use: unsent, it never goes and its
    body is erased; sent or not, its address is kept only as ``forget`` leaves it. Returns how many were unsent."""
    unsent = tx.execute(
        update(OutboxRow)
        .where(OutboxRow.expires_at <= now, OutboxRow.status.in_((QUEUED, FAILED)))
        .values(status=EXPIRED, body=None, claimed_until=None)
    ).rowcount
    for row in tx.scalars(select(OutboxRow).where(OutboxRow.expires_at <= now, OutboxRow.status != SENDING)):
        row.recipient, row.expires_at = forget(row.recipient), None
    return unsent


def requeue(tx: Session, mail_id: int, now: datetime) -> OutboxRow | None:
    """A given-up mail back in the queue, due now; None unless it had failed (and still has its body)."""
    changed = tx.execute(
        update(OutboxRow)
        .where(OutboxRow.id == mail_id, OutboxRow.status == FAILED, OutboxRow.body.is_not(None))
        .values(status=QUEUED, next_attempt_at=now)
    ).rowcount
    return tx.get(OutboxRow, mail_id, populate_existing=True) if changed == 1 else None


def recent_count(tx: Session, kind: str, recipient: str, since: datetime) -> int:
    query = select(func.count()).where(
        OutboxRow.kind == kind, OutboxRow.recipient == recipient, OutboxRow.created_at >= since
    )
    return tx.scalar(query) or 0


def page(tx: Session, statuses: tuple[str, ...], *, offset: int, limit: int) -> tuple[list[OutboxRow], int]:
    """Newest first, and how many match in all."""
    where = OutboxRow.status.in_(statuses)
    total = tx.scalar(select(func.count()).select_from(OutboxRow).where(where)) or 0
    rows = tx.scalars(select(OutboxRow).where(where).order_by(OutboxRow.id.desc()).offset(offset).limit(limit))
    return list(rows), total


def counts(tx: Session) -> dict[str, int]:
    found = {status: n for status, n in tx.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))}
    return {status: found.get(status, 0) for status in STATUSES}
