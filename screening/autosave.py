"""Autosave of the patient's tab: a reload or pull-to-refresh finds the answers again.

The tab holds a random token in its address (``?d=...``); the answers live on the server
under the keyed hash of that token, so neither the address nor a stolen database row tells
anyone the other half. The token carries no health data, cannot be guessed (192 random
bits) and stops working ``autosave_minutes`` after the last change, when the row is
deleted; a sent questionnaire deletes it at once.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic_core import to_jsonable_python

from screening.i18n import ENGLISH, known
from screening.storage import Database, autosaves

TOKEN_BYTES = 24
"""192 bits from the OS's secure source, URL-safe: 32 characters."""


@dataclass(frozen=True)
class Autosaved:
    answers: dict[str, Any]
    step: str
    language: str = ENGLISH


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _token_hash(db: Database, token: str) -> str:
    return db.config.keyed_hash("autosave:" + token)


def keep(db: Database, token: str, answers: dict[str, Any], step: str, language: str = ENGLISH) -> None:
    """Store the tab's answers (and purge expired ones on the way, so none outlive their lifetime)."""
    now = db.now()
    with db.session() as tx:
        autosaves.save(
            tx,
            token_hash=_token_hash(db, token),
            answers=to_jsonable_python(answers),
            step=step,
            now=now,
            expires_at=now + timedelta(minutes=db.config.autosave_minutes),
            language=known(language),
        )
        autosaves.purge(tx, now)


def restore(db: Database, token: str) -> Autosaved | None:
    """The tab's answers, or ``None`` for an unknown, malformed or expired token."""
    if not token or len(token) > 2 * TOKEN_BYTES:
        return None
    with db.session() as tx:
        row = autosaves.find(tx, _token_hash(db, token), db.now())
        return Autosaved(autosaves.answers_of(tx, row), row.step, known(row.language)) if row else None


def forget(db: Database, token: str) -> None:
    with db.session() as tx:
        autosaves.remove(tx, _token_hash(db, token))
