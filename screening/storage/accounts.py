"""Staff accounts, their login attempts and their sessions."""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from screening.storage import locks
from screening.storage.models import LoginAttempt, Staff, StaffSessionRow


def staff_by_username(tx: Session, username: str) -> Staff | None:
    return tx.scalar(select(Staff).where(Staff.username == username))


def staff_by_id(tx: Session, staff_id: int) -> Staff | None:
    return tx.get(Staff, staff_id)


def all_staff(tx: Session) -> list[Staff]:
    return list(tx.scalars(select(Staff).order_by(Staff.username)))


def add_staff(tx: Session, staff: Staff) -> Staff:
    tx.add(staff)
    tx.flush()
    return staff


def serialise_logins(tx: Session, username: str) -> None:
    """Counting a name's failures and reserving its next attempt is one step, whichever instance serves it."""
    locks.serialise(tx, "login:" + username)


def failures_since(tx: Session, username: str, since: datetime) -> int:
    """Failed logins in the window that came after the last successful one."""
    last_success = tx.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.username == username, LoginAttempt.success)
    )
    start = max(since, last_success) if last_success is not None else since
    return (
        tx.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.username == username, LoginAttempt.at > start, ~LoginAttempt.success)
        )
        or 0
    )


def clear_failures(tx: Session, username: str) -> None:
    """Forget one person's failed logins, which ends a lockout (an administrator has just reset the password)."""
    tx.execute(delete(LoginAttempt).where(LoginAttempt.username == username, ~LoginAttempt.success))


def purge(tx: Session, *, attempts_before: datetime, sessions_ended_before: datetime, idle: timedelta) -> None:
    """Drop login attempts too old to count towards a lockout and sessions that ended before a moment.

    A session ended when it was revoked, reached its lifetime, or sat idle too long after its last use.
    """
    tx.execute(delete(LoginAttempt).where(LoginAttempt.at < attempts_before))
    tx.execute(
        delete(StaffSessionRow).where(
            or_(
                StaffSessionRow.revoked_at < sessions_ended_before,
                StaffSessionRow.expires_at < sessions_ended_before,
                StaffSessionRow.last_seen < sessions_ended_before - idle,
            )
        )
    )


def reserve_attempt(tx: Session, username: str, at: datetime) -> int:
    """An attempt counted as failed until its password proves right (``mark_success``): a crash between counts too."""
    attempt = LoginAttempt(username=username, at=at, success=False)
    tx.add(attempt)
    tx.flush()
    return attempt.id


def mark_success(tx: Session, attempt_id: int) -> None:
    tx.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(success=True))


def open_session(tx: Session, *, token_hash: str, staff_id: int, now: datetime, expires_at: datetime) -> None:
    tx.add(
        StaffSessionRow(token_hash=token_hash, staff_id=staff_id, created_at=now, last_seen=now, expires_at=expires_at)
    )


def session_by_hash(tx: Session, token_hash: str) -> tuple[StaffSessionRow, Staff] | None:
    found = tx.execute(
        select(StaffSessionRow, Staff)
        .join(Staff, Staff.id == StaffSessionRow.staff_id)
        .where(StaffSessionRow.token_hash == token_hash)
    ).first()
    return (found[0], found[1]) if found else None


def revoke_sessions(tx: Session, staff_id: int, now: datetime, *, keep: str | None = None) -> None:
    """End every open session of one person, except (on a password change) the one making the change."""
    query = update(StaffSessionRow).where(StaffSessionRow.staff_id == staff_id, StaffSessionRow.revoked_at.is_(None))
    if keep is not None:
        query = query.where(StaffSessionRow.token_hash != keep)
    tx.execute(query.values(revoked_at=now))


def revoke_token(tx: Session, token_hash: str, now: datetime) -> None:
    tx.execute(update(StaffSessionRow).where(StaffSessionRow.token_hash == token_hash).values(revoked_at=now))
