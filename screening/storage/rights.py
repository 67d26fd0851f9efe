"""The SQL of patient data rights: a person's visits, their history, erasure's blanking, retention's policy."""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from screening.storage import sealing
from screening.storage.models import (
    AuditRow,
    CallBooking,
    CaseState,
    Event,
    MatchKey,
    OutboxRow,
    RetentionPolicy,
)

POLICY_ID = 1


def ids_with_key(tx: Session, key_hash: str) -> set[int]:
    """Submissions carrying one match key (the keyed hash of a name and birth date, say)."""
    return set(tx.scalars(select(MatchKey.submission_id).where(MatchKey.key_hash == key_hash)))


def ids_by_reference(tx: Session, reference: str) -> set[int]:
    return set(tx.scalars(select(CaseState.submission_id).where(CaseState.reference == reference)))


def chains(tx: Session, submission_ids: Collection[int]) -> set[int]:
    """The submissions plus every visit of their chains: the first screening each hangs from and its return visits."""
    if not submission_ids:
        return set()
    roots = set(
        tx.scalars(
            select(func.coalesce(CaseState.first_submission_id, CaseState.submission_id)).where(
                CaseState.submission_id.in_(submission_ids)
            )
        )
    )
    return {state.submission_id for state in chain_members(tx, roots)} | set(submission_ids)


def chain_members(tx: Session, roots: Collection[int]) -> list[CaseState]:
    """The first screenings ``roots`` and every return visit hanging from them."""
    query = select(CaseState).where(or_(CaseState.submission_id.in_(roots), CaseState.first_submission_id.in_(roots)))
    return list(tx.scalars(query))


def states(tx: Session, submission_ids: Collection[int]) -> list[CaseState]:
    query = select(CaseState).where(CaseState.submission_id.in_(submission_ids)).order_by(CaseState.submission_id)
    return list(tx.scalars(query))


def audit_rows(tx: Session, targets: Collection[str]) -> list[AuditRow]:
    """Every audit row about these references (views, exports, moves...), oldest first."""
    if not targets:
        return []
    return list(tx.scalars(select(AuditRow).where(AuditRow.target.in_(targets)).order_by(AuditRow.id)))


def blank(tx: Session, submission_ids: Collection[int], emails: Collection[str], now: datetime) -> None:
    """Everything erasure changes besides the keys: the queue's name, match keys, addresses kept for mail."""
    tx.execute(
        update(CaseState)
        .where(CaseState.submission_id.in_(submission_ids))
        .values(patient_name="", erased_at=func.coalesce(CaseState.erased_at, now))
    )
    tx.execute(delete(MatchKey).where(MatchKey.submission_id.in_(submission_ids)))
    tx.execute(update(CallBooking).where(CallBooking.submission_id.in_(submission_ids)).values(email=None))
    if emails:  # the patient's own mail (a call confirmation, a resume code); staff alerts keep their address
        to_them = func.lower(OutboxRow.recipient).in_([e.lower() for e in emails])
        tx.execute(update(OutboxRow).where(to_them).values(recipient="", body=None))


def erase(tx: Session, submission_ids: Collection[int], emails: Collection[str], now: datetime) -> int:
    """Shred the data keys and blank the mutable copies, in the caller's transaction; returns keys shredded."""
    blank(tx, submission_ids, emails, now)
    return sealing.shred(tx, submission_ids)


def policy(tx: Session) -> RetentionPolicy:
    found = tx.get(RetentionPolicy, POLICY_ID)
    if found is None:
        raise LookupError("The retention policy row is missing: run the migrations.")
    return found


def claim_run(tx: Session, now: datetime, not_since: datetime) -> bool:
    """Mark retention as run now, unless it ran after ``not_since``: at most one app start a day wins the claim."""
    query = (
        update(RetentionPolicy)
        .where(
            RetentionPolicy.id == POLICY_ID,
            or_(RetentionPolicy.last_run_at.is_(None), RetentionPolicy.last_run_at < not_since),
        )
        .values(last_run_at=now)
    )
    return tx.execute(query).rowcount == 1


def expiry_candidates(tx: Session, cutoff: datetime, size: int, after: int) -> list[CaseState]:
    """Not yet erased, received before the cutoff, by id: retention then checks each one's chain for a booking."""
    query = (
        select(CaseState)
        .where(CaseState.created_at < cutoff, CaseState.erased_at.is_(None), CaseState.submission_id > after)
        .order_by(CaseState.submission_id)
        .limit(size)
    )
    return list(tx.scalars(query))


def reached_status(tx: Session, submission_ids: Sequence[int], statuses: Collection[str]) -> set[int]:
    """Which of the submissions ever moved to one of ``statuses`` (their timelines, not only where they are now)."""
    if not submission_ids:
        return set()
    query = select(Event.submission_id, Event.data).where(
        Event.submission_id.in_(submission_ids), Event.kind == "status"
    )
    return {sid for sid, data in tx.execute(query) if (data or {}).get("to") in statuses}
