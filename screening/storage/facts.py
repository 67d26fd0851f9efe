"""Each submission's stored facts row: the SQL to find stale rows, write rows and read them in bulk.

Submissions are listed through ``case_state`` (one narrow row per submission, same ids),
never by scanning the wide submissions table; answers are read only for the rows rebuilt.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from screening.storage import sealing
from screening.storage.models import CaseState, SubmissionFacts, SubmissionRow

_FACTS = SubmissionFacts.__table__


def _stale(version: str) -> Any:
    return or_(SubmissionFacts.submission_id.is_(None), SubmissionFacts.version != version)


def count_stale(tx: Session, version: str) -> int:
    """Submissions with no facts row, or one of another version."""
    query = (
        select(func.count())
        .select_from(CaseState)
        .outerjoin(SubmissionFacts, SubmissionFacts.submission_id == CaseState.submission_id)
        .where(_stale(version))
    )
    return tx.scalar(query) or 0


def stale_answers(tx: Session, version: str, *, after: int, size: int) -> list[tuple[int, dict[str, Any] | None]]:
    """Up to ``size`` stale submissions with an id above ``after``, by id, with their stored answers opened
    (None once erased). Plain answers (before migration 0013 sealed them) are read as they are."""
    ids = list(
        tx.scalars(
            select(CaseState.submission_id)
            .outerjoin(SubmissionFacts, SubmissionFacts.submission_id == CaseState.submission_id)
            .where(CaseState.submission_id > after, _stale(version))
            .order_by(CaseState.submission_id)
            .limit(size)
        )
    )
    if not ids:
        return []
    query = select(SubmissionRow.id, SubmissionRow.reference, SubmissionRow.answers)
    rows = tx.execute(query.where(SubmissionRow.id.in_(ids)).order_by(SubmissionRow.id)).all()
    keys = sealing.keys_of(tx, [row.id for row in rows if sealing.is_sealed(row.answers)])
    return [(row.id, sealing.open_or_plain(keys.get(row.id), row.answers, f"{row.reference}:answers")) for row in rows]


def write(tx: Session, version: str, rows: Sequence[tuple[int, bytes | None]]) -> None:
    """Insert or replace facts rows; two rebuilds racing over the same rows both end with the same row."""
    if not rows:
        return
    dialect = postgresql if tx.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_FACTS)
    statement = statement.on_conflict_do_update(
        index_elements=[_FACTS.c.submission_id],
        set_={"version": statement.excluded.version, "facts": statement.excluded.facts},
    )
    tx.execute(statement, [{"submission_id": sid, "version": version, "facts": facts} for sid, facts in rows])


def total(tx: Session) -> int:
    return tx.scalar(select(func.count()).select_from(CaseState)) or 0


def batch(tx: Session, version: str, *, after: int, size: int) -> list[tuple[int, int, bytes | None]]:
    """(submission id, triage rank it was given, facts row) of rows of ``version`` above ``after``, by id."""
    query = (
        select(SubmissionFacts.submission_id, CaseState.triage_rank, SubmissionFacts.facts)
        .join(CaseState, CaseState.submission_id == SubmissionFacts.submission_id)
        .where(SubmissionFacts.submission_id > after, SubmissionFacts.version == version)
        .order_by(SubmissionFacts.submission_id)
        .limit(size)
    )
    return [tuple(row) for row in tx.execute(query)]  # type: ignore[misc]


def references(tx: Session, submission_ids: Sequence[int]) -> dict[int, str]:
    query = select(CaseState.submission_id, CaseState.reference).where(CaseState.submission_id.in_(submission_ids))
    return {sid: reference for sid, reference in tx.execute(query)}
