"""Submissions with their flags, their event timeline and the cached case state.

The queue reads only ``case_state`` (narrow rows, indexed for its order) and the flags;
the wide submission rows, with answers and trace, are read one at a time for a detail.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, exists, func, insert, literal, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from screening.storage import sealing
from screening.storage.models import (
    REASON_LENGTH,
    CaseState,
    Event,
    MatchKey,
    Staff,
    SubmissionFacts,
    SubmissionFlag,
    SubmissionRow,
)
from screening.storage.targets import overdue_clause

INITIAL_STATUS = "new"


@dataclass(frozen=True)
class NewSubmission:
    """Everything stored about one submission at the moment it arrives."""

    reference: str
    created_at: datetime
    pathway: str
    patient_name: str
    """Copied to ``case_state`` for the queue; the submissions row keeps no name in clear."""
    age: int | None
    triage: str
    triage_rank: int
    answers: dict[str, Any]
    result: dict[str, Any]
    ruleset_version: str
    ruleset_hash: str
    flags: tuple[tuple[str, str], ...]
    """(flag id, severity) pairs."""
    reason: str | None
    """Title of the flag that decided the triage (``Result.deciding_flag``); the queue shows it."""
    facts: bytes
    """The facts it was screened on, as a row (``screening.fact_rows``), and that row's version."""
    facts_version: str
    headache_days: int | None = None
    language: str = "en"
    """The language the patient filled the questionnaire in (``screening.i18n``)."""
    match_keys: tuple[str, ...] = ()
    """Keyed hashes of name + birth date, phone and email (``screening.repeats``): equal ones mark a possible repeat."""
    visit_kind: str = "first"
    first_submission_id: int | None = None
    """A return visit's patient's first screening (the root of their visits); None on a first screening."""


_OWN_TABLES = ("flags", "facts", "facts_version", "headache_days", "match_keys")
"""Fields of ``NewSubmission`` stored in other tables than submissions."""


def _sealed_row(item: NewSubmission, key: bytes) -> dict[str, Any]:
    """The submissions row: answers and result sealed under the submission's own key, no name or contact in clear.

    The plain name and contact columns stay empty (they predate sealing); the queue's copy of the
    name lives in the mutable ``case_state``, which erasure blanks.
    """
    row = {k: v for k, v in vars(item).items() if k not in _OWN_TABLES}
    row["answers"] = sealing.seal(key, item.answers, f"{item.reference}:answers")
    row["result"] = sealing.seal(key, item.result, f"{item.reference}:result")
    row["patient_name"] = row["patient_contact"] = ""  # the answers (sealed) hold both
    return row


def reference_taken(tx: Session, reference: str) -> bool:
    return tx.scalar(select(SubmissionRow.id).where(SubmissionRow.reference == reference)) is not None


def insert_submissions(tx: Session, items: Sequence[NewSubmission]) -> list[int]:
    """Bulk insert (one statement per table), used for one patient and for the benchmark's 100,000 alike.

    Core inserts on the tables, not the ORM's bulk path: a patient's submit holds SQLite's write
    lock for these statements, and the ORM's bookkeeping was most of that time.
    """
    keys = [sealing.new_key() for _ in items]
    rows = [_sealed_row(item, key) for item, key in zip(items, keys, strict=True)]
    submissions = SubmissionRow.__table__
    ids = list(tx.scalars(insert(submissions).returning(submissions.c.id, sort_by_parameter_order=True), rows))
    sealing.store_keys(tx, dict(zip(ids, keys, strict=True)))
    flags = [
        {"submission_id": sid, "flag_id": flag_id, "severity": severity}
        for sid, item in zip(ids, items, strict=True)
        for flag_id, severity in item.flags
    ]
    if flags:
        tx.execute(insert(SubmissionFlag.__table__), flags)
    keys = [
        {"submission_id": sid, "key_hash": key}
        for sid, item in zip(ids, items, strict=True)
        for key in sorted(set(item.match_keys))
    ]
    if keys:
        tx.execute(insert(MatchKey.__table__), keys)
    tx.execute(
        insert(Event.__table__),
        [
            {
                "submission_id": sid,
                "at": item.created_at,
                "actor_id": None,
                "kind": "status",
                "data": {"from": None, "to": INITIAL_STATUS},
            }
            for sid, item in zip(ids, items, strict=True)
        ],
    )
    tx.execute(
        insert(CaseState.__table__),
        [
            {
                "submission_id": sid,
                "reference": item.reference,
                "created_at": item.created_at,
                "patient_name": item.patient_name,
                "pathway": item.pathway,
                "triage_rank": item.triage_rank,
                "status": INITIAL_STATUS,
                "assignee_id": None,
                "status_since": item.created_at,
                "contact_attempts": 0,
                "reason": item.reason[:REASON_LENGTH] if item.reason else None,
                "headache_days": item.headache_days,
                "visit_kind": item.visit_kind,
                "first_submission_id": item.first_submission_id,
                "language": item.language,
            }
            for sid, item in zip(ids, items, strict=True)
        ],
    )
    tx.execute(
        insert(SubmissionFacts.__table__),
        [
            {"submission_id": sid, "version": item.facts_version, "facts": item.facts}
            for sid, item in zip(ids, items, strict=True)
        ],
    )
    return ids


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters; ``None`` means "any"."""

    triage_ranks: tuple[int, ...] | None = None
    statuses: tuple[str, ...] | None = None
    flag: str | None = None
    since: datetime | None = None
    before: datetime | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    reference: str | None = None
    name: str | None = None
    overdue: tuple[tuple[int, datetime], ...] | None = None
    """(triage rank, cutoff) pairs: only open cases that entered their status before their triage's cutoff."""
    closed: tuple[str, ...] = ()
    """The statuses that end a case (never overdue)."""
    visit_kind: str | None = None
    """"first" or "return" (``workflow.VisitKind``)."""

    def clauses(self, *, facet: str | None = None) -> list[ColumnElement[bool]]:
        """Every filter as a WHERE clause, except the facet being counted (so its counts show every choice)."""
        out: list[ColumnElement[bool]] = []
        if self.triage_ranks is not None and facet != "triage":
            out.append(CaseState.triage_rank.in_(self.triage_ranks))
        if self.statuses is not None and facet != "status":
            out.append(CaseState.status.in_(self.statuses))
        if self.flag:
            out.append(
                exists().where(
                    SubmissionFlag.submission_id == CaseState.submission_id, SubmissionFlag.flag_id == self.flag
                )
            )
        if self.since:
            out.append(CaseState.created_at >= self.since)
        if self.before:
            out.append(CaseState.created_at < self.before)
        if self.unassigned:
            out.append(CaseState.assignee_id.is_(None))
        elif self.assignee_id is not None:
            out.append(CaseState.assignee_id == self.assignee_id)
        if search := self._search():
            out.append(or_(*search))
        if self.overdue is not None:
            out.append(overdue_clause(dict(self.overdue), self.closed))
        if self.visit_kind is not None:
            out.append(CaseState.visit_kind == self.visit_kind)
        return out

    def _search(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.reference:
            found.append(CaseState.reference == self.reference)
        if self.name:
            found.append(CaseState.patient_name.icontains(self.name, autoescape=True))
        return found


@dataclass(frozen=True)
class QueueLine:
    submission_id: int
    reference: str
    created_at: datetime
    patient_name: str
    pathway: str
    triage_rank: int
    status: str
    assignee_id: int | None
    assignee_name: str | None
    status_since: datetime
    contact_attempts: int
    reason: str | None
    call_state: str | None
    call_at: datetime | None
    visit_kind: str
    language: str
    flags: tuple[str, ...]


QUEUE_ORDER = (CaseState.triage_rank, CaseState.created_at, CaseState.submission_id)
"""Triage precedence, then oldest first; the id makes the order total (and the queue index covers all three)."""
WAITING_ORDER = (CaseState.status_since, CaseState.submission_id)
"""Longest in its current status first (its own index)."""
ORDERS = {"priority": QUEUE_ORDER, "waiting": WAITING_ORDER}


def _queue_select(where: QueueFilter, order: str = "priority") -> Select[Any]:
    return (
        select(
            CaseState.submission_id,
            CaseState.reference,
            CaseState.created_at,
            CaseState.patient_name,
            CaseState.pathway,
            CaseState.triage_rank,
            CaseState.status,
            CaseState.assignee_id,
            Staff.display_name,
            CaseState.status_since,
            CaseState.contact_attempts,
            CaseState.reason,
            CaseState.call_state,
            CaseState.call_at,
            CaseState.visit_kind,
            CaseState.language,
        )
        .outerjoin(Staff, Staff.id == CaseState.assignee_id)
        .where(*where.clauses())
        .order_by(*ORDERS[order])
    )


def _lines(tx: Session, rows: Sequence[Row[Any]]) -> list[QueueLine]:
    flags = flags_of(tx, [row[0] for row in rows])
    return [QueueLine(*row, flags=flags.get(row[0], ())) for row in rows]


def queue_page(tx: Session, where: QueueFilter, *, offset: int, limit: int, order: str = "priority") -> list[QueueLine]:
    """One page in ``ORDERS[order]``, sorted and cut by the database."""
    return _lines(tx, tx.execute(_queue_select(where, order).offset(offset).limit(limit)).all())


def queue_batches(tx: Session, where: QueueFilter, *, size: int) -> Iterator[list[QueueLine]]:
    """Every matching line in queue order, ``size`` at a time, for an export.

    Each batch is one query that starts after the last line of the batch before (a keyset,
    not an offset), so a long list is neither read at once nor rescanned from its start.
    """
    query = _queue_select(where).limit(size)
    rows = tx.execute(query).all()
    while rows:
        yield _lines(tx, rows)
        if len(rows) < size:
            return
        last = rows[-1]
        keys = (last.triage_rank, last.created_at, last.submission_id)
        after = tuple_(*(literal(key, column.type) for key, column in zip(keys, QUEUE_ORDER, strict=True)))
        rows = tx.execute(query.where(tuple_(*QUEUE_ORDER) > after)).all()


@dataclass(frozen=True)
class Stored:
    """A submission as read back: answers and result opened with its data key.

    Both are None once the key was shredded (erasure): the row still says when, which pathway,
    which triage and which rule set, and nothing about who.
    """

    id: int
    reference: str
    created_at: datetime
    pathway: str
    age: int | None
    triage: str
    triage_rank: int
    answers: dict[str, Any] | None
    result: dict[str, Any] | None
    ruleset_version: str
    ruleset_hash: str
    visit_kind: str
    first_submission_id: int | None
    language: str
    """The language the patient answered in: mails to them and staff calls use it."""

    @property
    def erased(self) -> bool:
        return self.answers is None


_STORED_COLUMNS = tuple(getattr(SubmissionRow, name) for name in Stored.__dataclass_fields__)


def stored(tx: Session, where: ColumnElement[bool]) -> list[Stored]:
    """The one way submissions are read back: every reader of answers goes through here, oldest first."""
    rows = tx.execute(select(*_STORED_COLUMNS).where(where).order_by(SubmissionRow.id)).all()
    keys = sealing.keys_of(tx, [row.id for row in rows])
    out = []
    for row in rows:
        values = row._asdict()
        key = keys.get(row.id)
        for name in ("answers", "result"):
            values[name] = sealing.open_or_plain(key, values[name], f"{row.reference}:{name}")
        out.append(Stored(**values))
    return out


def by_reference(tx: Session, reference: str) -> Stored | None:
    found = stored(tx, SubmissionRow.reference == reference)
    return found[0] if found else None


def answers_and_results(
    tx: Session, submission_ids: Sequence[int]
) -> dict[int, tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """The wide columns (answers, result) of some submissions: what a call list needs beyond the queue's row."""
    if not submission_ids:
        return {}
    return {row.id: (row.answers, row.result) for row in stored(tx, SubmissionRow.id.in_(submission_ids))}


def flags_of(tx: Session, submission_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    if not submission_ids:
        return {}
    found: dict[int, list[str]] = {}
    query = select(SubmissionFlag.submission_id, SubmissionFlag.flag_id).where(
        SubmissionFlag.submission_id.in_(submission_ids)
    )
    for submission_id, flag_id in tx.execute(query.order_by(SubmissionFlag.submission_id, SubmissionFlag.flag_id)):
        found.setdefault(submission_id, []).append(flag_id)
    return {sid: tuple(ids) for sid, ids in found.items()}


@dataclass(frozen=True)
class Match:
    """An earlier or later submission that shares a match key with one of ours."""

    of: int
    submission_id: int
    reference: str
    created_at: datetime


def matches_of(tx: Session, submission_ids: Sequence[int]) -> dict[int, list[Match]]:
    """Every other submission sharing a keyed hash with each of ``submission_ids``, oldest first (one indexed join)."""
    if not submission_ids:
        return {}
    ours, theirs = aliased(MatchKey), aliased(MatchKey)
    query = (
        select(ours.submission_id, CaseState.submission_id, CaseState.reference, CaseState.created_at)
        .join(theirs, and_(theirs.key_hash == ours.key_hash, theirs.submission_id != ours.submission_id))
        .join(CaseState, CaseState.submission_id == theirs.submission_id)
        .where(ours.submission_id.in_(submission_ids))
        .distinct()
        .order_by(ours.submission_id, CaseState.created_at, CaseState.submission_id)
    )
    found: dict[int, list[Match]] = {}
    for row in tx.execute(query):
        found.setdefault(row[0], []).append(Match(*row))
    return found


def counts(tx: Session, where: QueueFilter, facet: str) -> dict[Any, int]:
    """How many match the filters per triage rank or per status."""
    column = CaseState.triage_rank if facet == "triage" else CaseState.status
    query = select(column, func.count()).where(*where.clauses(facet=facet)).group_by(column)
    return {value: count for value, count in tx.execute(query)}


def flag_ids(tx: Session) -> list[str]:
    return list(tx.scalars(select(SubmissionFlag.flag_id).distinct().order_by(SubmissionFlag.flag_id)))


def submission(tx: Session, submission_id: int) -> Stored | None:
    found = stored(tx, SubmissionRow.id == submission_id)
    return found[0] if found else None


def patient_answers(tx: Session, row: Stored) -> dict[str, Any]:
    """The answers that say who the patient is and how to reach them: a return visit asks none of it, so they are
    its first screening's (empty once erased)."""
    holder = submission(tx, row.first_submission_id) if row.first_submission_id else row
    return (holder.answers if holder else None) or {}


def state_for_update(tx: Session, submission_id: int) -> CaseState | None:
    """The case state, locked until the transaction ends (PostgreSQL), so two staff cannot both move it."""
    return tx.scalar(select(CaseState).where(CaseState.submission_id == submission_id).with_for_update())


def add_event(
    tx: Session, submission_id: int, *, at: datetime, actor_id: int | None, kind: str, data: dict[str, Any]
) -> Event:
    """Text staff typed about the patient (a note) is sealed under the submission's key: erasure makes it unreadable."""
    if any(name in data for name in sealing.SEALED_EVENT_FIELDS):
        key = sealing.keys_of(tx, [submission_id]).get(submission_id)
        if key is None:
            raise Erased("This person's data was erased: nothing can be written about them any more.")
        data = sealing.seal_event(key, data, f"event:{submission_id}")
    row = Event(submission_id=submission_id, at=at, actor_id=actor_id, kind=kind, data=data)
    tx.add(row)
    tx.flush()
    return row


class Erased(ValueError):
    """The submission's data key was shredded: its answers and notes cannot be read or added to."""


@dataclass(frozen=True)
class TimelineEvent:
    id: int
    at: datetime
    actor_id: int | None
    kind: str
    data: dict[str, Any]
    """Sealed fields opened; None where the key was shredded."""


def timeline(tx: Session, submission_id: int) -> list[tuple[TimelineEvent, str | None]]:
    """Every event, oldest first, with the display name of who did it (None for the patient)."""
    query = (
        select(Event.id, Event.at, Event.actor_id, Event.kind, Event.data, Staff.display_name)
        .outerjoin(Staff, Staff.id == Event.actor_id)
        .where(Event.submission_id == submission_id)
        .order_by(Event.at, Event.id)
    )
    key = sealing.keys_of(tx, [submission_id]).get(submission_id)
    aad = f"event:{submission_id}"
    out = []
    for row in tx.execute(query):
        data = sealing.open_event(key, row.data, aad)
        out.append((TimelineEvent(row.id, row.at, row.actor_id, row.kind, data), row.display_name))
    return out
