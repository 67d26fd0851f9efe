"""Staff services on submissions: the queue, a submission's detail, its workflow, notes and assignment.

Every call checks the caller's session again (an ended or idle session raises
PermissionError) and writes its audit row in the same transaction as its change,
so an action is never stored without its record, nor recorded without happening.
A submission itself is never changed: status, assignment and notes are events.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypedDict, Unpack

from screening import overdue
from screening.answers import upgrade
from screening.care.timeline import Visit
from screening.care.treatment import RECEIVED, TODAY, Treatment
from screening.choices import VisitKind, label
from screening.exports import check_kind, spreadsheet
from screening.exports.worker import in_worker
from screening.intake import REFERENCE_PREFIX, normalise_code
from screening.overdue import CLOSED_VALUES
from screening.plaintext import check_text
from screening.settings import Settings
from screening.staff import Role, StaffSession, checked_session, require_session, write_audit
from screening.storage import Database, Tx, accounts, audit, care, cases
from screening.storage.cases import Stored
from screening.storage.models import CaseState, SubmissionRow
from screening.triage import PRECEDENCE, RANK, TRIAGE_LABELS, Triage
from screening.workflow import (
    BOOKED,
    CONTACT_STATUSES,
    REOPENED,
    STATUS_LABELS,
    TREATED,
    VISIT_LABELS,
    Status,
    TransitionError,
    allowed_next,
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
    "visit",
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
TREAT_BY_FORM = "A treatment is recorded with its date, Units and sites (the form on the case page)."
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
    visit_kind: VisitKind = VisitKind.first
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
    visit_kind: VisitKind = VisitKind.first
    can_treat: bool = False
    """The workflow lets a treatment be recorded now (``TREATED`` is next; a correction when already treated)."""
    received_on: date | None = None
    """The clinic's date the case arrived: no treatment on it can be earlier."""
    visits: tuple[Visit, ...] = ()
    """The patient's chain: the first screening and every return visit, oldest first (this one among them)."""
    erased_at: datetime | None = None
    """When the patient's data was erased: answers and result are then empty, notes unreadable."""
    age: int | None = None
    """As stored beside the answers (kept after erasure, for the statistics)."""
    contact: dict[str, Any] = field(default_factory=dict)
    """The patient's contact answers (the first screening's on a return visit); empty once erased."""

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
    visit: VisitKind | None
    """First screenings only, or return visits only."""


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
        visit_kind=VisitKind(visit).value if (visit := filters.get("visit")) else None,
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


ERASED_NAME = "(erased)"


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
        line.patient_name or ERASED_NAME,  # a name is required at submit: only erasure leaves it blank
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
        VisitKind(line.visit_kind),
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
        "visit": VISIT_LABELS[row.visit_kind],
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


NAME_SEARCH = "a name (not recorded: the audit log outlives erasure)"


def audited_filters(filters: QueueFilters) -> dict[str, Any]:
    """The filters an export used, as the audit log keeps them: a typed name is not kept (the audit log is
    append-only and would keep it after the person's erasure); a reference code is."""
    used = {name: plain_filter(value) for name, value in filters.items() if value not in (None, False, "", [], ())}
    if "search" in used:
        used["search"] = _reference_of(used["search"]) or NAME_SEARCH
    return used


def export_queue(
    db: Database, actor: StaffSession | None, kind: str = "csv", **filters: Unpack[QueueFilters]
) -> bytes:
    """Every submission the queue's filters match, in queue order, as a spreadsheet-safe CSV (UTF-8 with BOM)
    or XLSX (``kind``).

    Takes the same filters as ``queue``. The file is built in the export worker process, so a
    patient's submit never waits behind it (``exports.worker``), from rows read a batch at a time in
    one read-only transaction (a snapshot: on SQLite it holds no lock a submit would wait for). The
    audit row (who, which filters, how many rows) is written after the reads in a short write
    transaction that checks the session again, and the file is returned only once it is stored:
    an export never leaves without its record (100,000 rows beside 8 submitting patients: bench/load.py).
    """
    check_kind(kind)
    used = audited_filters(filters)
    checked_session(db, actor)
    content, count = in_worker(queue_file, db.url, db.config, db.now(), kind, filters)
    with db.session() as tx:
        live = require_session(tx, db, actor)
        write_audit(tx, db, live, "export", f"queue.{kind}", {"filters": used, "rows": count})
    return content


def queue_file(url: str, settings: Settings, now: datetime, kind: str, filters: QueueFilters) -> tuple[bytes, int]:
    """The export's reads and formatting, in the export worker (``exports.worker``): the file and its row count."""
    db = Database(url, settings=settings)
    db.clock = lambda: now
    try:
        with db.read() as tx:
            where = queue_filter(filters, overdue.cutoffs(tx, db))
            rows = [
                queue_row(line, now) for batch in cases.queue_batches(tx, where, size=EXPORT_BATCH) for line in batch
            ]
    finally:
        db.dispose()
    return spreadsheet(kind, map(_export_line, rows), EXPORT_COLUMNS, sheet="Review queue"), len(rows)


def flag_ids(db: Database, actor: StaffSession | None) -> list[str]:
    """The flag ids stored so far, for the queue's flag filter."""
    with db.session() as tx:
        require_session(tx, db, actor)
        return cases.flag_ids(tx)


def _load(tx: Tx, submission_id: int) -> tuple[Stored, CaseState]:
    row = cases.submission(tx, submission_id)
    state = cases.state_for_update(tx, submission_id)
    if row is None or state is None:
        raise LookupError("No such submission.")
    return row, state


def _contact_of(tx: Tx, row: Stored) -> dict[str, Any]:
    """How to reach the patient: a return visit asks nothing of it, so it is the first screening's."""
    return dict(cases.patient_answers(tx, row).get("contact") or {})


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
        visits = care.chain(tx, care.root_of(tx, submission_id) or submission_id)
        contact = _contact_of(tx, row)
        if record_view:
            write_audit(tx, db, live, "view", row.reference)
    triage = Triage(row.triage)
    status = Status(state.status)
    visit = VisitKind(row.visit_kind)
    urgent = triage == Triage.urgent
    return Detail(
        submission_id=row.id,
        reference=row.reference,
        created_at=row.created_at,
        pathway=row.pathway,
        triage=triage,
        answers={} if row.answers is None else upgrade(row.answers),
        result=row.result or {},
        ruleset_version=row.ruleset_version,
        ruleset_hash=row.ruleset_hash,
        status=status,
        status_since=state.status_since,
        assignee_id=state.assignee_id,
        assignee=person.display_name if person else None,
        contact_attempts=state.contact_attempts,
        allowed_next=tuple(s for s in Status if s in manual_next(status, urgent=urgent, visit=visit)),
        timeline=tuple(TimelineEntry(event.at, event.kind, name, event.data) for event, name in events),
        repeats=tuple(repeats),
        target=target,
        language=row.language,
        overdue=_is_overdue(state, limits),
        working_time_in_status=db.config.working_week.worked(state.status_since, db.now()),
        visit_kind=visit,
        can_treat=TREATED in allowed_next(status, urgent=urgent, visit=visit),
        received_on=clinic_date(db, row.created_at),
        visits=tuple(_visit(db, case) for case in visits),
        erased_at=state.erased_at,
        age=row.age,
        contact=contact,
    )


def clinic_date(db: Database, at: datetime) -> date:
    """The day it is (or was) at the clinic: treatment dates and "weeks since" are counted in clinic days."""
    return at.astimezone(db.config.clinic_timezone).date()


def _visit(db: Database, case: care.ChainCase) -> Visit:
    return Visit(
        case.submission_id,
        case.reference,
        clinic_date(db, case.created_at),
        VisitKind(case.visit_kind),
        case.headache_days,
        PRECEDENCE[case.triage_rank],
        Status(case.status),
        case.treated_at,
        case.flags,
    )


def _record(
    tx: Tx,
    db: Database,
    live: StaffSession,
    row: Stored,
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
    if target == TREATED:
        raise TransitionError(TREAT_BY_FORM)
    row, state = _load(tx, submission_id)  # the case row locked: a concurrent move waits, then sees this one
    current = Status(state.status)
    _check_unchanged(current, expected)
    _check_move(row, current, target)
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
    _check_move(row, current, BOOKED)
    data: dict[str, Any] = {"from": current.value, "to": BOOKED.value, "appointment": appointment}
    _set_status(db, state, BOOKED)
    _record(tx, db, live, row, "status", data, data)


def _check_move(row: SubmissionRow, current: Status, target: Status) -> None:
    check_transition(current, target, urgent=row.triage == Triage.urgent, visit=VisitKind(row.visit_kind))


def record_treatment(
    db: Database,
    actor: StaffSession | None,
    submission_id: int,
    given: Treatment | dict[str, Any],
    *,
    note: str = "",
    expected: Status | None = None,
) -> Treatment:
    """Moves the case to "Treated" with what was given; its date becomes the case's ``treated_at``.

    The treatment is validated here against the case (not before it arrived, not in the future, in
    the clinic's time zone): a ``pydantic.ValidationError`` names the field. Recording it again on
    a treated case corrects it: a new event, the first one stays on the timeline.
    """
    note = _clean_note(note, required=False)
    data = given.model_dump() if isinstance(given, Treatment) else given
    with db.session() as tx:
        live = require_session(tx, db, actor)
        row, state = _load(tx, submission_id)
        current = Status(state.status)
        _check_unchanged(current, expected)
        _check_move(row, current, TREATED)
        context = {TODAY: clinic_date(db, db.now()), RECEIVED: clinic_date(db, row.created_at)}
        treatment = Treatment.model_validate(data, context=context)
        event: dict[str, Any] = {
            "from": current.value,
            "to": TREATED.value,
            "treatment": treatment.model_dump(mode="json"),
        }
        if note:
            event["note"] = note
        _set_status(db, state, TREATED)
        state.treated_at = treatment.treated_on
        audit_detail = {"from": current.value, "to": TREATED.value, "treated_on": treatment.treated_on.isoformat()}
        _record(tx, db, live, row, "status", event, audit_detail)
    return treatment


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
