"""A patient's chain of visits, and the chains whose last treatment is due for a return.

A chain is a first screening and every return visit that points at it: its root is
``coalesce(first_submission_id, submission_id)``. Both read only ``case_state`` (the narrow
rows, indexed on ``first_submission_id`` and ``treated_at``) and the flags.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased

from screening.storage.cases import flags_of
from screening.storage.models import CaseState, SubmissionRow


def _root() -> ColumnElement[int]:
    return func.coalesce(CaseState.first_submission_id, CaseState.submission_id)


def root_of(tx: Session, submission_id: int) -> int | None:
    """The first screening of the patient this submission belongs to (itself for a first screening)."""
    return tx.scalar(
        select(func.coalesce(SubmissionRow.first_submission_id, SubmissionRow.id)).where(
            SubmissionRow.id == submission_id
        )
    )


@dataclass(frozen=True)
class ChainCase:
    submission_id: int
    reference: str
    created_at: datetime
    visit_kind: str
    headache_days: int | None
    triage_rank: int
    status: str
    treated_at: date | None
    flags: tuple[str, ...]


def chain(tx: Session, root: int) -> list[ChainCase]:
    """Every visit of the chain, oldest first."""
    query = (
        select(
            CaseState.submission_id,
            CaseState.reference,
            CaseState.created_at,
            CaseState.visit_kind,
            CaseState.headache_days,
            CaseState.triage_rank,
            CaseState.status,
            CaseState.treated_at,
        )
        .where(or_(CaseState.submission_id == root, CaseState.first_submission_id == root))
        .order_by(CaseState.created_at, CaseState.submission_id)
    )
    rows = tx.execute(query).all()
    flags = flags_of(tx, [row.submission_id for row in rows])
    return [ChainCase(*row, flags=flags.get(row.submission_id, ())) for row in rows]


@dataclass(frozen=True)
class TreatedChain:
    """A chain whose last treatment was on or before the cutoff, with what intake needs to call."""

    root: int
    treated_at: date
    last_seen: datetime
    """When the chain's newest visit arrived: after the treatment means the patient has returned."""
    treatments: int
    visits: int
    submission_id: int
    """The case that holds the last treatment (the link)."""
    reference: str
    patient_name: str
    """The queue's display name ("" once erased)."""
    pathway: str


def treated_by(tx: Session, cutoff: date, since: date | None = None) -> list[TreatedChain]:
    """Chains whose latest treatment is on or before ``cutoff`` (and on or after ``since``), oldest treatment first.

    Whether the patient came back after it is for the caller to judge from ``last_seen`` in the clinic's
    time zone (a visit's date is a clinic date, ``created_at`` a UTC time).
    """
    root = _root().label("root")
    last = func.max(CaseState.treated_at)
    chains = (
        select(
            root,
            last.label("treated_at"),
            func.max(CaseState.created_at).label("last_seen"),
            func.count(CaseState.treated_at).label("treatments"),
            func.count().label("visits"),
        )
        .group_by(root)
        .having(last <= cutoff, *([last >= since] if since else []))
        .subquery()
    )
    visit = aliased(CaseState)
    holder = (
        select(visit.submission_id)
        .where(
            func.coalesce(visit.first_submission_id, visit.submission_id) == chains.c.root,
            visit.treated_at == chains.c.treated_at,
        )
        .order_by(visit.created_at.desc(), visit.submission_id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            chains.c.root,
            chains.c.treated_at,
            chains.c.last_seen,
            chains.c.treatments,
            chains.c.visits,
            CaseState.submission_id,
            CaseState.reference,
            CaseState.patient_name,
            CaseState.pathway,
        )
        .join(CaseState, CaseState.submission_id == holder)
        .order_by(chains.c.treated_at, chains.c.root)
    )
    return [TreatedChain(*row) for row in tx.execute(query)]
