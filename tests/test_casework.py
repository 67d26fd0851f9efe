"""Casework: the queue (order, filters, search, pages, counts), detail, workflow, notes, assignment, audit."""

import csv
import io
import threading
import uuid
from collections import Counter, deque
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from storage_support import login_as, patient

from screening import casework, intake, staff
from screening.storage import Database, cases
from screening.storage.models import AuditRow, Event
from screening.triage import PRECEDENCE, RANK, Flag, Result, RulesetRef, Severity, Triage
from screening.workflow import CLOSED, Status, TransitionError, manual_next

pytest_plugins = ["db_fixtures"]


def audit_actions(db: Database) -> list[tuple[str, str | None]]:
    with db.session() as tx:
        return [(r.action, r.target) for r in tx.scalars(select(AuditRow).order_by(AuditRow.id))]


@pytest.fixture
def mixed(db: Database, ruleset) -> list[intake.Receipt]:
    """Ten submissions: two of each triage, created in an order unlike the queue's."""
    plan = [
        (Triage.likely_candidate, 0, "Lena Likely"),
        (Triage.urgent, 5, "Uma Urgent"),
        (Triage.unlikely, 1, "Ulf Unlikely"),
        (Triage.needs_review, 9, "Nina Review"),
        (Triage.not_suitable, 3, "Nora Notsuitable"),
        (Triage.urgent, 2, "Otto O'Urgent"),
        (Triage.likely_candidate, 7, "Liam Likely"),
        (Triage.needs_review, 4, "Ned Review"),
        (Triage.not_suitable, 8, "Nils Notsuitable"),
        (Triage.unlikely, 6, "Ulla Unlikely"),
    ]
    start = db.now()
    receipts = []
    for triage, minutes, name in plan:
        db.clock = lambda minutes=minutes: start + timedelta(minutes=minutes)
        receipts.append(intake.submit(db, patient(ruleset, triage, name=name), ruleset))
    db.clock = lambda: start + timedelta(days=1)
    return receipts


def test_queue_is_urgent_first_then_oldest_first(db: Database, mixed):
    actor = login_as(db, "ivy")
    page = casework.queue(db, actor)
    keys = [(PRECEDENCE.index(row.triage), row.created_at) for row in page.rows]
    assert keys == sorted(keys)
    assert [row.name for row in page.rows[:2]] == ["Otto O'Urgent", "Uma Urgent"]
    assert page.total == 10
    assert page.counts_by_triage == dict.fromkeys(Triage, 2)
    assert page.counts_by_status == {Status.new: 10}


def test_rows_carry_what_the_queue_shows(db: Database, ruleset, mixed):
    actor = login_as(db, "ivy")
    urgent = casework.queue(db, actor).rows[0]
    assert urgent.reference == mixed[5].reference
    assert urgent.submission_id == mixed[5].submission_id
    assert (urgent.pathway, urgent.status, urgent.assignee, urgent.contact_attempts) == (
        "headache",
        Status.new,
        None,
        0,
    )
    assert "RF-THUNDERCLAP" in urgent.flags
    assert urgent.time_in_status == db.now() - urgent.created_at


def test_pages_are_cut_by_the_database_and_cover_everything_once(db: Database, mixed):
    actor = login_as(db, "ivy")
    whole = [row.reference for row in casework.queue(db, actor).rows]
    pages = [casework.queue(db, actor, page=n, page_size=3) for n in (1, 2, 3, 4, 5)]
    assert [len(p.rows) for p in pages] == [3, 3, 3, 1, 0]
    assert [row.reference for p in pages for row in p.rows] == whole
    assert {p.total for p in pages} == {10}
    assert pages[0].pages == 4


def test_filters_by_triage_status_flag_and_assignee(db: Database, mixed):
    actor = login_as(db, "ivy")
    other = login_as(db, "oli")
    casework.change_status(db, actor, mixed[0].submission_id, Status.in_review)
    casework.assign(db, actor, mixed[0].submission_id, other.staff_id)
    casework.assign(db, actor, mixed[1].submission_id, actor.staff_id)

    urgent = casework.queue(db, actor, triage=Triage.urgent)
    assert {row.triage for row in urgent.rows} == {Triage.urgent}
    assert urgent.total == 2
    assert urgent.counts_by_triage == dict.fromkeys(Triage, 2), "triage counts ignore the triage filter"
    several = casework.queue(db, actor, triage=[Triage.urgent, Triage.unlikely])
    assert several.total == 4

    reviewing = casework.queue(db, actor, status=Status.in_review)
    assert [row.reference for row in reviewing.rows] == [mixed[0].reference]
    assert reviewing.counts_by_status == {Status.new: 9, Status.in_review: 1}
    assert reviewing.counts_by_triage == {Triage.likely_candidate: 1}

    flagged = casework.queue(db, actor, flag="RF-THUNDERCLAP")
    assert {row.reference for row in flagged.rows} == {mixed[1].reference, mixed[5].reference}

    mine = casework.queue(db, actor, assignee=actor.staff_id)
    assert [row.reference for row in mine.rows] == [mixed[1].reference]
    assert mine.rows[0].assignee == "Ivy"
    assert casework.queue(db, actor, assignee=casework.UNASSIGNED).total == 8


def test_filter_by_date_range_is_inclusive(db: Database, ruleset):
    actor = login_as(db, "ivy")
    day = db.now().date()
    start = db.now()
    receipts = []
    for offset in (-2, -1, 0):
        db.clock = lambda offset=offset: start + timedelta(days=offset)
        receipts.append(intake.submit(db, patient(ruleset), ruleset))
    db.clock = lambda: start
    yesterday = day - timedelta(days=1)
    assert casework.queue(db, actor, date_from=yesterday).total == 2
    assert casework.queue(db, actor, date_to=yesterday).total == 2
    only = casework.queue(db, actor, date_from=yesterday, date_to=yesterday)
    assert [row.reference for row in only.rows] == [receipts[1].reference]


@pytest.mark.parametrize(
    ("search", "expected"),
    [("uma", ["Uma Urgent"]), ("UNLIKELY", ["Ulf Unlikely", "Ulla Unlikely"]), ("o'urg", ["Otto O'Urgent"]), ("%", [])],
)
def test_search_by_name_ignores_case_and_treats_wildcards_literally(db: Database, mixed, search, expected):
    actor = login_as(db, "ivy")
    assert [row.name for row in casework.queue(db, actor, search=search).rows] == expected


def test_search_by_reference_code_however_typed(db: Database, mixed):
    actor = login_as(db, "ivy")
    reference = mixed[3].reference
    for typed in (reference, reference.lower(), reference[3:], reference.replace("-", " ")):
        assert [row.reference for row in casework.queue(db, actor, search=typed).rows] == [reference]


def test_the_queue_refuses_without_a_live_session(db: Database, mixed):
    actor = login_as(db, "ivy")
    with pytest.raises(PermissionError):
        casework.queue(db, None)
    staff.logout(db, actor.token)
    with pytest.raises(PermissionError):
        casework.queue(db, actor)


def test_detail_has_answers_result_and_timeline_and_is_audited_as_a_view(db: Database, ruleset, mixed):
    actor = login_as(db, "cal")
    receipt = mixed[1]
    detail = casework.detail(db, actor, receipt.submission_id)
    assert (detail.reference, detail.triage, detail.status, detail.urgent) == (
        receipt.reference,
        Triage.urgent,
        Status.new,
        True,
    )
    assert detail.answers["contact"]["name"] == "Uma Urgent"
    assert {flag["id"] for flag in detail.result["flags"]} >= {"RF-THUNDERCLAP"}
    assert detail.result["trace"]
    assert (detail.ruleset_version, detail.ruleset_hash) == (ruleset.ref.version, ruleset.ref.hash)
    assert [(e.kind, e.actor, e.data) for e in detail.timeline] == [("status", None, {"from": None, "to": "new"})]
    assert set(detail.allowed_next) == manual_next(Status.new, urgent=True)
    assert audit_actions(db)[-1] == ("view", receipt.reference)


def test_a_redraw_of_an_open_submission_can_skip_the_view_row(db: Database, mixed):
    actor = login_as(db, "cal")
    sid = mixed[0].submission_id
    casework.detail(db, actor, sid)
    again = casework.detail(db, actor, sid, record_view=False)
    assert again.reference == mixed[0].reference
    assert [a for a in audit_actions(db) if a[0] == "view"] == [("view", mixed[0].reference)]
    casework.detail(db, actor, sid)
    assert [a for a in audit_actions(db) if a[0] == "view"] == [("view", mixed[0].reference)] * 2


def test_detail_of_an_unknown_submission(db: Database):
    actor = login_as(db, "cal")
    with pytest.raises(LookupError):
        casework.detail(db, actor, 12345)


def path_to(target: Status, *, urgent: bool) -> list[Status]:
    """The shortest way from New to a status, by the workflow's own table."""
    paths: dict[Status, list[Status]] = {Status.new: []}
    todo = deque([Status.new])
    while todo:
        current = todo.popleft()
        for nxt in sorted(manual_next(current, urgent=urgent)):
            if nxt not in paths:
                paths[nxt] = [*paths[current], nxt]
                todo.append(nxt)
    return paths[target]


def reachable(*, urgent: bool) -> list[Status]:
    return [status for status in Status if _reachable(status, urgent=urgent)]


def _reachable(status: Status, *, urgent: bool) -> bool:
    try:
        path_to(status, urgent=urgent)
    except KeyError:
        return False
    return True


STARTS = [(urgent, current) for urgent in (False, True) for current in reachable(urgent=urgent)]


@pytest.mark.parametrize(("urgent", "current"), STARTS)
def test_each_transition_is_allowed_or_refused_as_the_workflow_says(db: Database, ruleset, urgent, current):
    """From each reachable status, every target: a fresh submission is walked there, then moved (or not)."""
    actor = login_as(db, "ivy")
    for target in Status:
        receipt = intake.submit(db, patient(ruleset, Triage.urgent if urgent else Triage.likely_candidate), ruleset)
        for step in path_to(current, urgent=urgent):
            casework.change_status(db, actor, receipt.submission_id, step)
        before = audit_actions(db)
        if target in manual_next(current, urgent=urgent):
            assert casework.change_status(db, actor, receipt.submission_id, target) == target
            assert audit_actions(db)[len(before)] == ("status", receipt.reference)
            detail = casework.detail(db, actor, receipt.submission_id)
            assert detail.status == target
            assert (detail.timeline[-1].data["from"], detail.timeline[-1].data["to"]) == (current, target)
        else:
            with pytest.raises(TransitionError):
                casework.change_status(db, actor, receipt.submission_id, target)
            assert audit_actions(db) == before
            assert casework.detail(db, actor, receipt.submission_id).status == current


def test_urgent_states_are_only_for_urgent_submissions(db: Database, ruleset):
    actor = login_as(db, "ivy")
    receipt = intake.submit(db, patient(ruleset), ruleset)
    with pytest.raises(TransitionError):
        casework.change_status(db, actor, receipt.submission_id, Status.urgent_referred)
    urgent = intake.submit(db, patient(ruleset, Triage.urgent), ruleset)
    casework.change_status(db, actor, urgent.submission_id, Status.urgent_referred)
    assert Status.urgent_referred in CLOSED


def test_contact_attempts_are_counted_and_time_in_status_restarts(db: Database, ruleset):
    actor = login_as(db, "ivy")
    receipt = intake.submit(db, patient(ruleset), ruleset)
    with pytest.raises(TransitionError):
        casework.record_contact_attempt(db, actor, receipt.submission_id)
    casework.change_status(db, actor, receipt.submission_id, Status.in_review)
    start = db.now()
    for attempt in (1, 2, 3):
        db.clock = lambda attempt=attempt: start + timedelta(minutes=20 * attempt)
        note = "No answer, left a message." if attempt == 2 else ""
        assert casework.record_contact_attempt(db, actor, receipt.submission_id, note=note) == attempt
    db.clock = lambda: start + timedelta(minutes=80)
    row = casework.queue(db, actor).rows[0]
    assert (row.status, row.contact_attempts, row.time_in_status) == (
        Status.contact_attempted,
        3,
        timedelta(minutes=20),
    )
    timeline = casework.detail(db, actor, receipt.submission_id).timeline
    assert [e.data.get("attempt") for e in timeline] == [None, None, 1, 2, 3]
    assert timeline[3].data["note"] == "No answer, left a message."


def test_assignment_is_an_event_and_refuses_disabled_or_unknown_staff(db: Database, ruleset):
    admin = login_as(db, "ada", staff.Role.admin)
    worker = login_as(db, "ivy")
    receipt = intake.submit(db, patient(ruleset), ruleset)
    casework.assign(db, admin, receipt.submission_id, worker.staff_id)
    casework.assign(db, admin, receipt.submission_id, None)
    staff.set_active(db, admin, "ivy", False)
    for nobody in (worker.staff_id, 999):
        with pytest.raises(ValueError, match="disabled"):
            casework.assign(db, admin, receipt.submission_id, nobody)
    casework.assign(db, admin, receipt.submission_id, admin.staff_id)
    detail = casework.detail(db, admin, receipt.submission_id)
    assert (detail.assignee_id, detail.assignee) == (admin.staff_id, "Ada")
    assigns = [e for e in detail.timeline if e.kind == "assign"]
    assert [(e.data["from"], e.data["to"], e.actor) for e in assigns] == [
        (None, worker.staff_id, "Ada"),
        (worker.staff_id, None, "Ada"),
        (None, admin.staff_id, "Ada"),
    ]
    assert [a for a in audit_actions(db) if a[0] == "assign"] == [("assign", receipt.reference)] * 3


def test_notes_are_appended_limited_and_kept_verbatim(db: Database, ruleset):
    actor = login_as(db, "ivy")
    receipt = intake.submit(db, patient(ruleset), ruleset)
    text = "**bold** <script>alert(1)</script> [link](http://x)"
    casework.add_note(db, actor, receipt.submission_id, text)
    casework.add_note(db, actor, receipt.submission_id, "x" * casework.MAX_NOTE)
    with pytest.raises(ValueError, match="at most"):
        casework.add_note(db, actor, receipt.submission_id, "x" * (casework.MAX_NOTE + 1))
    with pytest.raises(ValueError, match="empty"):
        casework.add_note(db, actor, receipt.submission_id, "   ")
    notes = casework.detail(db, actor, receipt.submission_id).notes
    assert [n.data["text"] for n in notes] == [text, "x" * casework.MAX_NOTE]
    assert notes[0].actor == "Ivy"
    with db.session() as tx:
        assert tx.scalar(select(func.count()).select_from(Event).where(Event.kind == "note")) == 2
    note_audits = [a for a in audit_actions(db) if a[0] == "note"]
    assert note_audits == [("note", receipt.reference)] * 2


def test_every_action_needs_a_live_session(db: Database, ruleset):
    actor = login_as(db, "ivy")
    receipt = intake.submit(db, patient(ruleset), ruleset)
    db.clock = lambda: actor.expires_at + timedelta(minutes=1)
    sid = receipt.submission_id
    calls = [
        lambda a: casework.detail(db, a, sid),
        lambda a: casework.change_status(db, a, sid, Status.in_review),
        lambda a: casework.record_contact_attempt(db, a, sid),
        lambda a: casework.assign(db, a, sid, None),
        lambda a: casework.add_note(db, a, sid, "hello"),
        lambda a: casework.record_export(db, a, "queue.csv"),
        lambda a: casework.export_queue(db, a),
        lambda a: casework.audit_log(db, a),
        lambda a: casework.flag_ids(db, a),
    ]
    before = audit_actions(db)
    for call in calls:
        for who in (None, actor):
            with pytest.raises(PermissionError):
                call(who)
    assert audit_actions(db) == before


def test_exports_are_audited(db: Database):
    actor = login_as(db, "ivy")
    casework.record_export(db, actor, "queue.csv", {"rows": 10})
    with db.session() as tx:
        row = tx.scalars(select(AuditRow).order_by(AuditRow.id.desc())).first()
        assert row is not None
        assert (row.action, row.target, row.detail, row.username) == ("export", "queue.csv", {"rows": 10}, "ivy")


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def last_audit(db: Database) -> AuditRow:
    with db.session() as tx:
        row = tx.scalars(select(AuditRow).order_by(AuditRow.id.desc())).first()
        assert row is not None
        return row


def test_the_queue_export_lists_every_match_in_queue_order_and_is_audited(db: Database, ruleset, mixed):
    actor = login_as(db, "ivy")
    formula = '=HYPERLINK("x")'
    intake.submit(db, patient(ruleset, Triage.urgent, name=formula), ruleset)
    casework.assign(db, actor, mixed[5].submission_id, actor.staff_id)
    casework.change_status(db, actor, mixed[5].submission_id, Status.in_review)
    rows = read_csv(casework.export_queue(db, actor))
    assert list(rows[0]) == list(casework.EXPORT_COLUMNS)
    queue = casework.queue(db, actor).rows
    assert [r["reference"] for r in rows] == [q.reference for q in queue]
    assert len(rows) == 11
    names = [r["name"] for r in rows]
    assert "'" + formula in names and formula not in names
    first = next(r for r in rows if r["reference"] == mixed[5].reference)
    assert first == {
        "reference": mixed[5].reference,
        "received": queue[0].created_at.isoformat(timespec="seconds"),
        "name": "Otto O'Urgent",
        "pathway": "Headache",
        "visit": "First visit",
        "triage": "Urgent",
        "reason": queue[0].reason,
        "flags": "; ".join(queue[0].flags),
        "status": "In review",
        "assigned to": "Ivy",
        "time in status": "0 min",
        "contact attempts": "0",
    }
    assert datetime.fromisoformat(first["received"]).utcoffset() == timedelta(0)
    row = last_audit(db)
    assert (row.action, row.target, row.username, row.detail) == (
        "export",
        "queue.csv",
        "ivy",
        {"filters": {}, "rows": 11},
    )


def test_the_queue_export_keeps_to_the_filters_and_records_them(db: Database, ruleset, mixed):
    actor = login_as(db, "ivy")
    day = mixed[1].created_at.date()
    urgent = read_csv(casework.export_queue(db, actor, triage=[Triage.urgent], search="uma", date_from=day))
    assert [r["name"] for r in urgent] == ["Uma Urgent"]
    assert last_audit(db).detail == {
        "filters": {"triage": ["urgent"], "search": casework.NAME_SEARCH, "date_from": day.isoformat()},
        "rows": 1,
    }  # a typed name is not kept in the append-only audit log: it would outlive the person's erasure
    casework.export_queue(db, actor, search=mixed[1].reference.lower().replace("-", " "))
    assert last_audit(db).detail["filters"] == {"search": mixed[1].reference}
    flagged = read_csv(casework.export_queue(db, actor, flag="RF-THUNDERCLAP", status=Status.new, assignee=None))
    assert {r["reference"] for r in flagged} == {mixed[1].reference, mixed[5].reference}
    assert last_audit(db).detail == {"filters": {"flag": "RF-THUNDERCLAP", "status": "new"}, "rows": 2}
    assert read_csv(casework.export_queue(db, actor, assignee=actor.staff_id)) == []
    assert last_audit(db).detail == {"filters": {"assignee": actor.staff_id}, "rows": 0}
    with pytest.raises(TypeError, match="triag"):
        casework.export_queue(db, actor, triag=Triage.urgent)  # type: ignore[call-arg]
    assert last_audit(db).detail["rows"] == 0, "a refused export is not recorded"


def test_the_audit_log_is_for_admins_and_filters(db: Database, ruleset):
    worker = login_as(db, "ivy")
    admin = login_as(db, "ada", staff.Role.admin)
    receipt = intake.submit(db, patient(ruleset), ruleset)
    casework.detail(db, worker, receipt.submission_id)
    casework.add_note(db, worker, receipt.submission_id, "note")
    staff.authenticate(db, "ivy", "Wrong password 1")
    with pytest.raises(PermissionError):
        casework.audit_log(db, worker)
    log = casework.audit_log(db, admin)
    assert [r.action for r in log.rows][:4] == ["login_failed", "note", "view", "login"]
    assert log.total == len(log.rows) == 7
    assert {"login", "login_failed", "staff_add", "view", "note"} <= set(log.actions)
    assert [r.action for r in casework.audit_log(db, admin, username="IVY").rows] == [
        "login_failed",
        "note",
        "view",
        "login",
    ]
    assert casework.audit_log(db, admin, action="view").rows[0].target == receipt.reference
    assert casework.audit_log(db, admin, target=receipt.reference).total == 2
    today = db.now().date()
    assert casework.audit_log(db, admin, date_from=today + timedelta(days=1)).total == 0
    assert casework.audit_log(db, admin, date_to=today).total == 7
    paged = casework.audit_log(db, admin, page=2, page_size=5)
    assert (len(paged.rows), paged.total) == (2, 7)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.lists(st.tuples(st.sampled_from(list(Triage)), st.integers(0, 5)), min_size=1, max_size=12),
    page_size=st.integers(1, 5),
)
def test_pages_in_any_size_list_every_match_once_in_priority_order(db: Database, ruleset, plan, page_size):
    """Each example tags its patients' names and searches for the tag, so examples sharing the database do not mix.

    Few distinct times, so many share one: the export's batches (a keyset on triage, time and id)
    must still step past each submission exactly once, like the pages.
    """
    tag = f"hyp{uuid.uuid4().hex[:10]}"
    actor = login_as(db, tag)
    start = db.now()
    for n, (triage, minutes) in enumerate(plan):
        db.clock = lambda minutes=minutes: start - timedelta(minutes=minutes)
        intake.submit(db, patient(ruleset, triage, name=f"{tag} {n}"), ruleset)
    db.clock = lambda: start
    pages = [casework.queue(db, actor, search=tag, page=n, page_size=page_size) for n in range(1, len(plan) + 2)]
    rows = [row for page in pages for row in page.rows]
    assert len(rows) == len({row.submission_id for row in rows}) == len(plan) == pages[0].total
    keys = [(RANK[row.triage], row.created_at, row.submission_id) for row in rows]
    assert keys == sorted(keys)
    assert pages[0].counts_by_triage == Counter(triage for triage, _ in plan)
    with db.session() as tx:
        batches = list(cases.queue_batches(tx, cases.QueueFilter(name=tag), size=page_size))
    assert [line.submission_id for batch in batches for line in batch] == [row.submission_id for row in rows]
    assert all(len(batch) == page_size for batch in batches[:-1])


def test_two_people_moving_the_same_submission_at_once_cannot_both_succeed(db: Database, ruleset):
    """A pauses inside its transaction (in the clock, after reading the status); B tries the same move meanwhile."""
    first = login_as(db, "ann")
    second = login_as(db, "bob")
    receipt = intake.submit(db, patient(ruleset), ruleset)
    paused, release = threading.Event(), threading.Event()
    calls = {"A": 0}
    real_clock = db.clock

    def clock():
        if threading.current_thread().name == "A":
            calls["A"] += 1
            if calls["A"] == 2:  # the first call checks the session; the second stamps the new status
                paused.set()
                release.wait(10)
        return real_clock()

    db.clock = clock
    outcomes: dict[str, object] = {}

    def move(who: str, actor) -> None:
        try:
            outcomes[who] = casework.change_status(db, actor, receipt.submission_id, Status.in_review)
        except Exception as exc:
            outcomes[who] = exc

    a = threading.Thread(target=move, args=("A", first), name="A")
    b = threading.Thread(target=move, args=("B", second), name="B")
    a.start()
    assert paused.wait(10)
    b.start()
    b.join(0.5)  # B is now waiting for A's lock (or, if slow to start, will run after A)
    release.set()
    a.join(10)
    b.join(10)
    assert outcomes["A"] == Status.in_review
    assert isinstance(outcomes["B"], TransitionError)
    moves = [e for e in casework.detail(db, first, receipt.submission_id).timeline if e.data.get("to") == "in_review"]
    assert len(moves) == 1


def test_each_row_says_which_rule_decided_its_triage(db: Database, ruleset, mixed):
    """The reason column is the deciding flag's title: the first stored flag that carries a triage."""
    actor = login_as(db, "ivy")
    rows = casework.queue(db, actor).rows
    for row in rows:
        result = casework.detail(db, actor, row.submission_id, record_view=False).result
        deciding = next(flag for flag in result["flags"] if flag["triage"])
        assert deciding["triage"] == row.triage.value
        assert row.reason == deciding["title"]
    assert rows[0].reason == next(r.title for r in ruleset.rules if r.id == "RF-THUNDERCLAP")
    exported = list(csv.DictReader(io.StringIO(casework.export_queue(db, actor).decode("utf-8-sig"))))
    assert [line["reason"] for line in exported] == [row.reason for row in rows]


def test_no_deciding_flag_means_no_reason():
    ref = RulesetRef("r", "1", "h")
    only_flags = Result(Triage.needs_review, (Flag("X", "A flag only", Severity.info, "", "", None),), ref, ())
    assert only_flags.deciding_flag is None
    assert Result(Triage.needs_review, (), ref, ()).deciding_flag is None


def test_the_migration_fills_the_reason_of_submissions_stored_before_it(db: Database, ruleset, mixed):
    actor = login_as(db, "ivy")
    before = {row.reference: row.reason for row in casework.queue(db, actor).rows}
    db.migrate("0002")
    db.migrate()
    after = {row.reference: row.reason for row in casework.queue(db, actor).rows}
    assert after == before
    assert all(after.values())
