"""Saved, unfinished wizard answers, found by the hash of their resume code."""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from screening.storage import sealing
from screening.storage.models import DraftRow


def find(tx: Session, code_hash: str) -> DraftRow | None:
    return tx.scalar(select(DraftRow).where(DraftRow.code_hash == code_hash))


def find_for_update(tx: Session, code_hash: str) -> DraftRow | None:
    """Locked until the transaction ends (PostgreSQL), so parallel tries on one code are counted one by one."""
    return tx.scalar(select(DraftRow).where(DraftRow.code_hash == code_hash).with_for_update())


def save(
    tx: Session,
    *,
    code_hash: str,
    dob_hash: str,
    answers: dict[str, Any],
    step: str,
    now: datetime,
    expires_at: datetime,
    language: str = "en",
) -> None:
    row = find(tx, code_hash)
    if row is None:
        row = DraftRow(code_hash=code_hash, created_at=now)
        tx.add(row)
    row.dob_hash = dob_hash
    row.answers = sealing.seal(sealing.keyring(tx).draft_key, answers, code_hash)
    row.erased_at = None
    row.step = step
    row.updated_at = now
    row.expires_at = expires_at
    row.language = language


def answers_of(tx: Session, row: DraftRow) -> dict[str, Any]:
    """The draft's answers opened (sealed under the drafts key, bound to the draft's code hash)."""
    return sealing.open_or_plain(sealing.keyring(tx).draft_key, row.answers, row.code_hash)


def of_birth_date(tx: Session, dob_hash: str) -> list[DraftRow]:
    """The live-or-not drafts saved with one birth date (its keyed hash), oldest first: an access request's drafts."""
    query = select(DraftRow).where(DraftRow.dob_hash == dob_hash, DraftRow.erased_at.is_(None))
    return list(tx.scalars(query.order_by(DraftRow.id)))


def erase(tx: Session, row: DraftRow, now: datetime) -> None:
    """The answers gone, the row kept (until it expires) so the patient's code is told they were erased."""
    row.answers = {}
    row.step = ""
    row.erased_at = now


def remove(tx: Session, code_hash: str) -> None:
    tx.execute(delete(DraftRow).where(DraftRow.code_hash == code_hash))


def purge(tx: Session, now: datetime) -> int:
    return tx.execute(delete(DraftRow).where(DraftRow.expires_at <= now)).rowcount
