"""Saved, unfinished wizard answers, found by the hash of their resume code."""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

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
    row.answers = answers
    row.step = step
    row.updated_at = now
    row.expires_at = expires_at
    row.language = language


def remove(tx: Session, code_hash: str) -> None:
    tx.execute(delete(DraftRow).where(DraftRow.code_hash == code_hash))


def purge(tx: Session, now: datetime) -> int:
    return tx.execute(delete(DraftRow).where(DraftRow.expires_at <= now)).rowcount
