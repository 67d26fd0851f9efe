"""One-at-a-time steps across transactions, processes and app instances, keyed by a name."""

import hashlib

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session


def serialise(tx: Session | Connection, key: str) -> None:
    """Hold the lock named ``key`` until the transaction ends.

    A count-then-act step (login attempts, resume-code tries) must not interleave with
    another on the same key, in this process or another instance. On PostgreSQL a
    transaction-scoped advisory lock does it, with no row needed (an unknown user name
    has none); on SQLite every transaction already begins with the write lock (BEGIN IMMEDIATE).
    """
    dialect = tx.dialect if isinstance(tx, Connection) else tx.get_bind().dialect
    if dialect.name == "postgresql":
        digest = hashlib.sha256(key.encode()).digest()
        tx.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True))))
