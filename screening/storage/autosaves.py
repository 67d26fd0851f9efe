"""Autosaved answers of one browser tab, found by the keyed hash of the tab's random token."""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from screening.storage import sealing
from screening.storage.models import AutosaveRow


def find(tx: Session, token_hash: str, now: datetime) -> AutosaveRow | None:
    """Only a live one: an expired row is as good as gone even before it is purged."""
    return tx.scalar(select(AutosaveRow).where(AutosaveRow.token_hash == token_hash, AutosaveRow.expires_at > now))


def save(
    tx: Session,
    *,
    token_hash: str,
    answers: dict[str, Any],
    step: str,
    now: datetime,
    expires_at: datetime,
    language: str = "en",
) -> None:
    row = tx.scalar(select(AutosaveRow).where(AutosaveRow.token_hash == token_hash))
    if row is None:
        row = AutosaveRow(token_hash=token_hash)
        tx.add(row)
    row.answers = sealing.seal(sealing.keyring(tx).draft_key, answers, token_hash)
    row.step = step
    row.updated_at = now
    row.expires_at = expires_at
    row.language = language


def answers_of(tx: Session, row: AutosaveRow) -> dict[str, Any]:
    return sealing.open_or_plain(sealing.keyring(tx).draft_key, row.answers, row.token_hash)


def live(tx: Session, now: datetime) -> list[AutosaveRow]:
    """Every tab's answers still kept (a few at most: they last hours): erasure looks through them for a person."""
    return list(tx.scalars(select(AutosaveRow).where(AutosaveRow.expires_at > now)))


def remove(tx: Session, token_hash: str) -> None:
    tx.execute(delete(AutosaveRow).where(AutosaveRow.token_hash == token_hash))


def purge(tx: Session, now: datetime) -> int:
    return tx.execute(delete(AutosaveRow).where(AutosaveRow.expires_at <= now)).rowcount
