"""Staff services on submissions: the queue, a submission's detail, its workflow, notes and assignment.

Every call checks the caller's session again (an ended or idle session raises
PermissionError) and writes its audit row in the same transaction as its change,
so an action is never stored without its record, nor recorded without happening.
A submission itself is never changed: status, assignment and notes are events.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypedDict, Unpack

from screening import overdue
from screening.answers import upgrade
from screening.choices import label
from screening.exports import check_kind, spreadsheet
from screening.intake import REFERENCE_PREFIX, normalise_code
from screening.overdue import CLOSED_VALUES
from screening.plaintext import check_text
from screening.staff import Role, StaffSession, checked_session, require_session, write_audit
from screening.storage import Database, Tx, accounts, audit, cases
from screening.storage.models import CaseState, SubmissionRow
from screening.triage import PRECEDENCE, RANK, TRIAGE_LABELS, Triage
from screening.workflow import (
    BOOKED,
    CONTACT_STATUSES,
    REOPENED,
    STATUS_LABELS,
    Status,
    TransitionError,
    check_transition,
    manual_next,
)

MAX_NOTE = 2000
MAX_PAGE_SIZE = 200
UNASSIGNED = "unassigned"
"""Pass as ``assignee`` to list only submissions nobody has taken."""
EXPORT_COLUMNS = (
    "reference",
    "received",
    "name",
    "pathway",
    "triage",
    "reason",
    "flags",
    "status",
    "assigned to",
    "time in status",
    "contact attempts",
)
EXPORT_BATCH = 1000
BOOK_BY_CALL = "A consultation is booked by confirming its video call (below), so it carries the appointment."
NO_RULE_DECIDED = "No rule decided (the rule set's default)"


@dataclass(frozen=True)
class QueueRow:
    submission_id: int
    reference: str
    created_at: datetime
    name: str
    pathway: str
    triage: Triage
    reason: str | None
    """Title of the flag that decided the triage; None when no rule did (the rule set's default triage)."""
    flags: tuple[str, ...]
    status: Status
    assignee_id: int | None
    assignee: str | None
    status_since: datetime
    time_in_status: timedelta
    contact_attempts: int
    overdue: bool = False
    """Open, and in its status longer than its triage's target (working time)."""
    repeat_of: tuple[str, ...] = ()
    """References of other submissions with the same name and birth date, phone or email."""
    call_state: str | None = None
    """The video call: requested, offered, call_me or confirmed (``screening.booking.calls.CallState``)."""
    call_at: datetime | None = None
    """When that call starts."""
    language: str = "en"
    """The patient's language: staff call in it."""


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    counts_by_triage: dict[Triage, int]
    counts_by_status: dict[Status, int]
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    actor: str | None
    """Display name of the staff member; None when the patient (or the system) did it."""
    data: dict[str, Any]


@dataclass(frozen=True)
class Detail:
    submission_id: int
    reference: str
    created_at: datetime
    pathway: str
    triage: Triage
    answers: dict[str, Any]
    result: dict[str, Any]
    """``Result.to_dict(with_trace=True)``: flags with reasons and sources, the trace, the rule set."""
    ruleset_version: str
    ruleset_hash: str
    status: Status
    status_since: datetime
    assignee_id: int | None
    assignee: str | None
    contact_attempts: int
    allowed_next: tuple[Status, ...]
    timeline: tuple[TimelineEntry, ...]
    repeats: tuple[cases.Match, ...] = ()
    """Other submissions with the same name and birth date, phone or email, oldest first."""
    target: overdue.Target | None = None
    """Its triage's overdue target; None when the clinic set none."""
    language: str = "en"
    """The language the patient answered in: staff call in it."""
    overdue: bool = False
    working_time_in_status: timedelta = timedelta(0)

    @property
    def urgent(self) -> bool:
        return self.triage == Triage.urgent

    @property
    def notes(self) -> tuple[TimelineEntry, ...]:
        return tuple(entry for entry in self.timeline if entry.kind == "note")


def _as_tuple(value: Any, kind: type) -> tuple[str, ...] | None:
    if value is None:
        return None
    values = [value] if isinstance(value, str) else list(value)
    return tuple(kind(v).value for v in values)


def _ranks(triage: Triage | Collection[Triage] | None) -> tuple[int, ...] | None:
    values = _as_tuple(triage, Triage)
    return None if values is None else tuple(RANK[Triage(v)] for v in values)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _reference_of(search: str) -> str | None:
    """A typed reference in its stored form ("bt 7k3m q9pz", "7K3MQ9PZ" → "BT-7K3M-Q9PZ"), if it looks like one."""
    code = normalise_code(search).replace("-", "")
    code = code.removeprefix(REFERENCE_PREFIX) if len(code) == len(REFERENCE_PREFIX) + 8 else code
    return f"{REFERENCE_PREFIX}-{code[:4]}-{code[4:]}" if len(code) == 8 else None


class QueueFilters(TypedDict, total=False):
    """The queue's filters, for the list and for its export alike; one left out (or None) means "any"."""

    triage: Triage | Collection[Triage] | None
    status: Status | Collection[Status] | None
    flag: str | None
    date_from: date | None
    date_to: date | None
    """Inclusive: the whole of that day."""
    assignee: int | str | None
    """A staff id, or ``UNASSIGNED``."""
    search: str | None
    """A reference code however typed, or part of a name."""
    overdue: bool
    """Only open cases past their triage's target."""


def queue_filter(filters: QueueFilters, cutoffs: dict[int, datetime]) -> cases.QueueFilter:
    unknown = filters.keys() - QueueFilters.__annotations__.keys()
    if unknown:
        raise TypeError(f"Unknown queue filters: {', '.join(sorted(unknown))}")
    search = check_text((filters.get("search") or "").strip())
    date_from, date_to, assignee = filters.get("date_from"), filters.get("date_to"), filters.get("assignee")
    return cases.QueueFilter(
        triage_ranks=_ranks(filters.get("triage")),
        statuses=_as_tuple(filters.get("status"), Status),
        flag=filters.get("flag") or None,
        since=day_start(date_from) if date_from else None,
        before=day_start(date_to + timedelta(days=1)) if date_to else None,
        assignee_id=assignee if isinstance(assignee, int) else None,
        unassigned=assignee == UNASSIGNED,
        reference=_reference_of(search) if search else None,
        name=search or None,
        overdue=tuple(cutoffs.items()) if filters.get("overdue") else None,
        closed=CLOSED_VALUES,
    )


ORDERS = {"priority": "Priority (urgent first, then oldest)", "waiting": "Longest in its status first"}


def queue(
    db: Database,
    actor: StaffSession | None,
    *,
    page: int = 1,
    page_size: int = 50,
    order: str = "priority",
    **filters: Unpack[QueueFilters],
) -> QueuePage:
    """Urgent first, then oldest first (or longest in status first); counts per triage and status ignore their own
    filter. Each row says whether it is overdue and which other submissions it may repeat."""
    if order not in ORDERS:
        raise ValueError(f"Unknown queue order {order!r}.")
    page = max(1, page)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    checked_session(db, actor)
    with db.read() as tx:
        limits = overdue.cutoffs(tx, db)
        where = queue_filter(filters, limits)
        by_triage = {PRECEDENCE[k]: v for k, v in cases.counts(tx, where, "triage").items()}
        by_status = {Status(k): v for k, v in cases.counts(tx, where, "status").items()}
        lines = cases.queue_page(tx, where, offset=(page - 1) * page_size, limit=page_size, order=order)
        repeats = cases.matches_of(tx, [line.submission_id for line in lines])
    selected = where.triage_ranks or tuple(RANK.values())
    total = sum(count for triage_, count in by_triage.items() if RANK[triage_] in selected)
    now = db.now()
    rows = [queue_row(line, now, limits, repeats.get(line.submission_id, [])) for line in lines]
    return QueuePage(rows, total, by_triage, by_status, page, page_size)


def _is_overdue(case: cases.QueueLine | CaseState, limits: dict[int, datetime]) -> bool:
    cutoff = limits.get(case.triage_rank)
    return cutoff is not None and case.status not in CLOSED_VALUES and case.status_since < cutoff


def queue_row(
    line: cases.QueueLine,
    now: datetime,
    limits: dict[int, datetime] | None = None,
    repeats: list[cases.Match] | None = None,
) -> QueueRow:
    return QueueRow(
        line.submission_id,
        line.reference,
        line.created_at,
        line.patient_name,
        line.pathway,
        PRECEDENCE[line.triage_rank],
        line.reason,
        line.flags,
        Status(line.status),
        line.assignee_id,
        line.assignee_name,
        line.status_since,
        now - line.status_since,
        line.contact_attempts,
        _is_overdue(line, limits or {}),
        tuple(match.reference for match in repeats or ()),
        line.call_state,
        line.call_at,
        line.language,
    )


def waited(span: timedelta) -> str:
    """Time in the current status, in the largest two units a person reads at a glance."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _export_line(row: QueueRow) -> dict[str, Any]:
    """One CSV line in the words the queue shows; ``to_csv`` makes each cell safe for a spreadsheet."""
    return {
        "reference": row.reference,
        "received": row.created_at.astimezone(UTC).replace(microsecond=0),
        "name": row.name,
        "pathway": label(row.pathway),
        "triage": TRIAGE_LABELS[row.triage],
        "reason": row.reason or NO_RULE_DECIDED,
        "flags": row.flags,
        "status": STATUS_LABELS[row.status],
        "assigned to": row.assignee,
        "time in status": waited(row.time_in_status),
        "contact attempts": row.contact_attempts,
    }


def plain_filter(value: Any) -> Any:
    """A filter value as the audit log's JSON keeps it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # a Triage or Status as its plain value
    if isinstance(value, int):
        return value
    return [plain_filter(item) for item in value]


def export_queue(
    db: Database, actor: StaffSession | None, kind: str = "csv", **filters: Unpack[QueueFilters]
) -> bytes:
    """Every submission the queue's filters match, in queue order, as a spreadsheet-safe CSV (UTF-8 with BOM)
    or XLSX (``kind``).

    Takes the same filters as ``queue``. The rows are read a batch at a time in one read-only
    transaction (a snapshot: on SQLite it holds no lock a patient's submit would wait for). The
    audit row (who, which filters, how many rows) is written after the reads in a short write
    transaction that checks the session again, and the CSV is returned only once it is stored:
    an export never leaves without its record (100,000 rows beside 8 submitting patients: bench/load.py).
    """
    check_kind(kind)
    used = {name: plain_filter(value) for name, value in filters.items() if value not in (None, False, "", [], ())}
    checked_session(db, actor)
    with db.read() as tx:
        where = queue_filter(filters, overdue.cutoffs(tx, db))
        now = db.now()
        rows = [queue_row(line, now) for batch in cases.queue_batches(tx, where, size=EXPORT_BATCH) for line in batch]
    with db.session() as tx:
        live = require_session(tx, db, actor)
        write_audit(tx, db, live, "export", f"queue.{kind}", {"filters": used, "rows": len(rows)})
    return spreadsheet(kind, map(_export_line, rows), EXPORT_COLUMNS, sheet="Review queue")


def flag_ids(db: Database, actor: StaffSession | None) -> list[str]:
    """The flag ids stored so far, for the queue's flag filter."""
    with db.session() as tx:
        require_session(tx, db, actor)
        return cases.flag_ids(tx)


def _load(tx: Tx, submission_id: int) -> tuple[SubmissionRow, CaseState]:
    row = cases.submission(tx, submission_id)
    state = cases.state_for_update(tx, submission_id)
    if row is None or state is None:
        raise LookupError("No such submission.")
    return row, state


def detail(db: Database, actor: StaffSession | None, submission_id: int, *, record_view: bool = True) -> Detail:
    """Everything about one submission; opening it is audited as a view.

    A page redrawn while it stays open (after a click on it) passes ``record_view=False``,
    so the audit log holds one view per opening, not one per redraw.
    """
    with db.session() as tx:
        live = require_session(tx, db, actor)
        row, state = _load(tx, submission_id)
        events = cases.timeline(tx, submission_id)
        repeats = cases.matches_of(tx, [submission_id]).get(submission_id, [])
        target = overdue.current(tx).get(Triage(row.triage))
        limits = overdue.cutoffs(tx, db)
        person = accounts.staff_by_id(tx, state.assignee_id) if state.assignee_id is not None else None
        if record_view:
            write_audit(tx, db, live, "view", row.reference)
    triage = Triage(row.triage)
    status = Status(state.status)
    return Detail(
        submission_id=row.id,
        reference=row.reference,
        created_at=row.created_at,
        pathway=row.pathway,
        triage=triage,
        answers=upgrade(row.answers),
        result=row.result,
        ruleset_version=row.ruleset_version,
        ruleset_hash=row.ruleset_hash,
        status=status,
        status_since=state.status_since,
        assignee_id=state.assignee_id,
        assignee=person.display_name if person else None,
        contact_attempts=state.contact_attempts,
        allowed_next=tuple(s for s in Status if s in manual_next(status, urgent=triage == Triage.urgent)),
        timeline=tuple(TimelineEntry(event.at, event.kind, name, event.data) for event, name in events),
        repeats=tuple(repeats),
        target=target,
        language=row.language,
        overdue=_is_overdue(state, limits),
        working_time_in_status=db.config.working_week.worked(state.status_since, db.now()),
    )


def _record(
    tx: Tx,
    db: Database,
    live: StaffSession,
    row: SubmissionRow,
    kind: str,
    data: dict[str, Any],
    audit_detail: dict[str, Any],
) -> None:
    """The event on the submission's timeline and the audit row, in one go."""
    event = cases.add_event(tx, row.id, at=db.now(), actor_id=live.staff_id, kind=kind, data=data)
    write_audit(tx, db, live, kind, row.reference, {"event": event.id, **audit_detail})


class ChangedMeanwhile(ValueError):
    """Someone else moved the submission after this person's page showed it: their move is not made."""


def change_status(
    db: Database,
    actor: StaffSession | None,
    submission_id: int,
    target: Status | str,
    *,
    note: str = "",
    expected: Status | None = None,
) -> Status:
    """Moves a submission on, as the workflow allows; raises ``TransitionError`` (a ValueError) otherwise.

    ``expected`` is the status the person saw: if the submission is in another one by now
    (a colleague on another screen or another app instance moved it first), ``ChangedMeanwhile``.
    """
    target = Status(target)
    _move(db, actor, submission_id, target, note, expected)
    return target


def record_contact_attempt(
    db: Database, actor: StaffSession | None, submission_id: int, *, note: str = "", expected: Status | None = None
) -> int:
    """A call or message that did not reach the patient: counted, and the status shows it. Returns the count."""
    return _move(db, actor, submission_id, Status.contact_attempted, note, expected)


def _check_unchanged(current: Status, expected: Status | None) -> None:
    if expected is not None and current != Status(expected):
        raise ChangedMeanwhile(
            f"Someone else moved this submission to {STATUS_LABELS[current]} meanwhile, so your change was not "
            "made. The page now shows the latest; please check it before moving it on."
        )


def _move(
    db: Database, actor: StaffSession | None, submission_id: int, target: Status, note: str, expected: Status | None
) -> int:
    note = _clean_note(note, required=False)
    with db.session() as tx:
        live = require_session(tx, db, actor)
        return _move_one(tx, db, live, submission_id, target, note, expected)


def _move_one(
    tx: Tx,
    db: Database,
    live: StaffSession,
    submission_id: int,
    target: Status,
    note: str = "",
    expected: Status | None = None,
) -> int:
    if target == BOOKED:  # by hand or in bulk alike: only a confirmed call books, so the status has its appointment
        raise TransitionError(BOOK_BY_CALL)
    row, state = _load(tx, submission_id)  # the case row locked: a concurrent move waits, then sees this one
    current = Status(state.status)
    _check_unchanged(current, expected)
    check_transition(current, target, urgent=row.triage == Triage.urgent)
    data: dict[str, Any] = {"from": current.value, "to": target.value}
    if target == Status.contact_attempted:
        state.contact_attempts += 1
        data["attempt"] = state.contact_attempts
    if note:
        data["note"] = note
    _set_status(db, state, target)
    _record(tx, db, live, row, "status", data, {k: v for k, v in data.items() if k != "note"})
    return state.contact_attempts


def _set_status(db: Database, state: CaseState, target: Status) -> None:
    """The case's new status from now; the first move that reaches out to the patient is its first contact."""
    state.status = target.value
    state.status_since = db.now()
    if target in CONTACT_STATUSES and state.first_contact_at is None:
        state.first_contact_at = state.status_since


def book_consultation(
    tx: Tx, db: Database, live: StaffSession, submission_id: int, appointment: dict[str, Any]
) -> None:
    """The move to "Consultation booked" a confirmed video call makes, in the confirmation's transaction;
    its status event carries the appointment (slot, start, length, clinician)."""
    row, state = _load(tx, submission_id)
    current = Status(state.status)
    check_transition(current, BOOKED, urgent=row.triage == Triage.urgent)
    data: dict[str, Any] = {"from": current.value, "to": BOOKED.value, "appointment": appointment}
    _set_status(db, state, BOOKED)
    _record(tx, db, live, row, "status", data, data)


def reopen_after_cancelled_call(tx: Tx, db: Database, live: StaffSession, submission_id: int) -> None:
    """A confirmed call was cancelled: the booked case is open again, for intake to arrange another."""
    row, state = _load(tx, submission_id)
    if state.status != BOOKED:
        return
    data = {"from": BOOKED.value, "to": REOPENED.value, "because": "video call cancelled"}
    _set_status(db, state, REOPENED)
    _record(tx, db, live, row, "status", data, data)


def assign(db: Database, actor: StaffSession | None, submission_id: int, staff_id: int | None) -> None:
    """Gives the submission to an active staff member, or to nobody with ``None``."""
    with db.session() as tx:
        live = require_session(tx, db, actor)
        name = _assignee_name(tx, staff_id)
        _assign_one(tx, db, live, submission_id, staff_id, name)


def _assignee_name(tx: Tx, staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    person = accounts.staff_by_id(tx, staff_id)
    if person is None or not person.active:
        raise ValueError("That staff member does not exist or is disabled.")
    return person.display_name


def _assign_one(
    tx: Tx, db: Database, live: StaffSession, submission_id: int, staff_id: int | None, name: str | None
) -> None:
    row, state = _load(tx, submission_id)
    data = {"from": state.assignee_id, "to": staff_id, "to_name": name}
    state.assignee_id = staff_id
    _record(tx, db, live, row, "assign", data, {"from": data["from"], "to": staff_id})


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did: the references it changed, and each one it refused with the reason."""

    done: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]


MAX_BULK = MAX_PAGE_SIZE


def _references(tx: Tx, submission_ids: Collection[int]) -> dict[int, str]:
    found = {sid: row.reference for sid in submission_ids if (row := cases.submission(tx, sid)) is not None}
    missing = set(submission_ids) - found.keys()
    if missing:
        raise LookupError("No such submission.")
    return found


def bulk_assign(
    db: Database, actor: StaffSession | None, submission_ids: Collection[int], staff_id: int | None
) -> BulkOutcome:
    """Assigns each selected case, in one transaction: one event and one audit row per case."""
    if not submission_ids or len(submission_ids) > MAX_BULK:
        raise ValueError(f"Select between 1 and {MAX_BULK} submissions.")
    with db.session() as tx:
        live = require_session(tx, db, actor)
        name = _assignee_name(tx, staff_id)
        references = _references(tx, submission_ids)
        for submission_id in sorted(submission_ids):
            _assign_one(tx, db, live, submission_id, staff_id, name)
    return BulkOutcome(tuple(references[sid] for sid in sorted(submission_ids)), ())


def bulk_move(
    db: Database, actor: StaffSession | None, submission_ids: Collection[int], target: Status | str
) -> BulkOutcome:
    """Moves each selected case the workflow lets move there (one event and audit row each); the rest are
    listed with the reason, unchanged."""
    target = Status(target)
    if not submission_ids or len(submission_ids) > MAX_BULK:
        raise ValueError(f"Select between 1 and {MAX_BULK} submissions.")
    done, refused = [], []
    with db.session() as tx:
        live = require_session(tx, db, actor)
        references = _references(tx, submission_ids)
        for submission_id in sorted(submission_ids):
            try:
                _move_one(tx, db, live, submission_id, target)
            except TransitionError as exc:
                refused.append((references[submission_id], str(exc)))
            else:
                done.append(references[submission_id])
    return BulkOutcome(tuple(done), tuple(refused))


def _clean_note(text: str, *, required: bool = True) -> str:
    text = check_text(text.strip(), multiline=True)
    if required and not text:
        raise ValueError("The note is empty.")
    if len(text) > MAX_NOTE:
        raise ValueError(f"A note can be at most {MAX_NOTE} characters long ({len(text)} given).")
    return text


def add_note(db: Database, actor: StaffSession | None, submission_id: int, text: str) -> None:
    """Notes are only ever added; a correction is another note."""
    text = _clean_note(text)
    with db.session() as tx:
        live = require_session(tx, db, actor)
        row, _ = _load(tx, submission_id)
        _record(tx, db, live, row, "note", {"text": text}, {"length": len(text)})


def record_export(db: Database, actor: StaffSession | None, what: str, detail: dict[str, Any] | None = None) -> None:
    """An export of patient data (CSV, PDF, FHIR…): who took what, when."""
    with db.session() as tx:
        live = require_session(tx, db, actor)
        write_audit(tx, db, live, "export", what[:100], detail)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    staff_id: int | None
    username: str
    action: str
    target: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEntry]
    total: int
    page: int
    page_size: int
    actions: list[str]
    """Every action name in the log, for the filter."""


def audit_log(
    db: Database,
    actor: StaffSession | None,
    *,
    action: str | None = None,
    username: str | None = None,
    target: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    page_size: int = 100,
) -> AuditPage:
    """Newest first; administrators only."""
    where = audit.AuditFilter(
        action=action or None,
        username=check_text(username.strip().lower()) if username else None,
        target=check_text(target.strip()) if target else None,
        since=day_start(date_from) if date_from else None,
        before=day_start(date_to + timedelta(days=1)) if date_to else None,
    )
    page = max(1, page)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    with db.session() as tx:
        live = require_session(tx, db, actor)
        if live.role != Role.admin:
            raise PermissionError("Only an administrator can read the audit log.")
        rows, total = audit.page(tx, where, offset=(page - 1) * page_size, limit=page_size)
        actions = audit.actions(tx)
    entries = [AuditEntry(r.id, r.at, r.staff_id, r.username, r.action, r.target, r.detail) for r in rows]
    return AuditPage(entries, total, page, page_size, actions)
