"""Intake operations on SQLite and PostgreSQL: possible repeats, overdue targets, time-in-status order,
bulk actions, first contact, and the analytics figures."""

import copy
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from booking_support import book_by_call
from sqlalchemy import select
from storage_support import PASSWORD, login_as, patient

from screening import analytics, casework, intake, overdue, staff
from screening.answers import Submission
from screening.ruleset import RuleSet
from screening.staff import Role, StaffSession
from screening.storage import MIGRATIONS, Database
from screening.storage.models import AuditRow, CaseState, Event, MatchKey
from screening.triage import Triage
from screening.workflow import MOVE_TARGETS, Status

pytest_plugins = ["db_fixtures"]

MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def person(ruleset: RuleSet, triage: Triage = Triage.likely_candidate, **contact: object) -> Submission:
    answers = patient(ruleset, triage).model_dump(mode="json")
    born = contact.pop("date_of_birth", None)
    if born is not None:
        answers["about"]["date_of_birth"] = born
        answers["about"]["age"] = None
    answers["contact"].update(contact)
    return Submission.model_validate(answers)


def submit_at(db: Database, ruleset: RuleSet, at: datetime, submission: Submission | None = None) -> int:
    db.clock = lambda: at
    return intake.submit(db, submission or patient(ruleset), ruleset).submission_id


def at(db: Database, when: datetime, me: StaffSession) -> StaffSession:
    """Moves the clock and logs in again (a session from another time would have ended)."""
    db.clock = lambda: when
    session = staff.authenticate(db, me.username, PASSWORD)
    assert session is not None
    return session


# --- possible repeats -------------------------------------------------------------------------------


def test_repeats_match_name_and_birth_date_or_phone_or_email_however_typed(db: Database, ruleset) -> None:
    me = login_as(db, "ivy")
    first = intake.submit(
        db, person(ruleset, name="Ada Lovelace", date_of_birth="1980-12-10", phone="+1 (555) 010-2030"), ruleset
    )
    same_name = intake.submit(
        db, person(ruleset, name="  ada   LOVELACE ", date_of_birth="1980-12-10", phone="555 999 0000"), ruleset
    )
    same_phone = intake.submit(db, person(ruleset, name="Someone Else", phone="555.010.2030"), ruleset)
    stranger = intake.submit(
        db, person(ruleset, name="Ada Lovelace", date_of_birth="1981-01-01", phone="555 123 4567"), ruleset
    )
    rows = {row.reference: row for row in casework.queue(db, me).rows}
    assert set(rows[first.reference].repeat_of) == {same_name.reference, same_phone.reference}
    assert rows[same_name.reference].repeat_of == (first.reference,)
    assert rows[same_phone.reference].repeat_of == (first.reference,)
    assert rows[stranger.reference].repeat_of == ()
    found = casework.detail(db, me, same_phone.submission_id)
    assert [m.reference for m in found.repeats] == [first.reference]


def test_email_matches_regardless_of_case_and_only_hashes_are_stored(db: Database, ruleset) -> None:
    me = login_as(db, "ivy")
    one = intake.submit(db, person(ruleset, email="Ada@Example.org", preferred_method="email", phone=None), ruleset)
    two = intake.submit(db, person(ruleset, email="ada@example.org ", preferred_method="email", phone=None), ruleset)
    assert casework.detail(db, me, two.submission_id).repeats[0].reference == one.reference
    with db.session() as tx:
        stored = list(tx.scalars(select(MatchKey.key_hash)))
    assert stored and all(len(key) == 64 and "example" not in key for key in stored)


# --- overdue targets and time in status ---------------------------------------------------------------


def test_targets_start_with_the_clinics_defaults_and_only_an_admin_changes_them(db: Database) -> None:
    intake_staff, admin = login_as(db, "ivy"), login_as(db, "ada", Role.admin)
    targets = overdue.current_targets(db, intake_staff)
    assert str(targets[Triage.urgent]) == "within 1 working hour"
    assert str(targets[Triage.likely_candidate]) == "within 2 working days"
    with pytest.raises(PermissionError):
        overdue.set_target(db, intake_staff, Triage.urgent, 2, "hours")
    with pytest.raises(ValueError, match="between 1 and"):
        overdue.set_target(db, admin, Triage.urgent, 0, "hours")
    overdue.set_target(db, admin, Triage.urgent, 3, "hours")
    assert str(overdue.current_targets(db, admin)[Triage.urgent]) == "within 3 working hours"
    with db.session() as tx:
        row = tx.scalars(select(AuditRow).where(AuditRow.action == "set_target")).one()
    assert (row.username, row.target, row.detail) == ("ada", "Urgent", {"from": [1, "hours"], "to": [3, "hours"]})


def test_overdue_counts_working_time_and_never_closed_cases(db: Database, ruleset) -> None:
    me = login_as(db, "ivy")
    clinic = db.config.clinic_timezone  # working hours are the clinic's
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=clinic)
    me = at(db, friday_4pm, me)
    late = submit_at(db, ruleset, friday_4pm, patient(ruleset, Triage.urgent))
    booked = submit_at(db, ruleset, friday_4pm, patient(ruleset, Triage.urgent))
    fresh = submit_at(db, ruleset, friday_4pm + timedelta(minutes=20), patient(ruleset, Triage.urgent))
    me = at(db, friday_4pm + timedelta(minutes=20), me)
    casework.change_status(db, me, booked, Status.in_review)
    casework.change_status(db, me, booked, Status.urgent_referred)
    me = at(db, datetime(2026, 11, 30, 9, 10, tzinfo=clinic), me)  # Monday 9:10: 1 h 10 min (fresh: 50 min) worked
    rows = {row.submission_id: row for row in casework.queue(db, me).rows}
    assert rows[late].overdue and not rows[fresh].overdue and not rows[booked].overdue
    assert [row.submission_id for row in casework.queue(db, me, overdue=True).rows] == [late]
    me = at(db, datetime(2026, 11, 29, 12, 0, tzinfo=clinic), me)  # the Sunday between: one working hour only
    assert casework.queue(db, me, overdue=True).rows == []


def test_the_queue_sorts_by_time_in_status(db: Database, ruleset) -> None:
    me = login_as(db, "ivy")
    old = submit_at(db, ruleset, MONDAY_NOON - timedelta(days=3))
    urgent = submit_at(db, ruleset, MONDAY_NOON - timedelta(days=2), patient(ruleset, Triage.urgent))
    moved = submit_at(db, ruleset, MONDAY_NOON - timedelta(days=4))
    casework.change_status(db, at(db, MONDAY_NOON - timedelta(days=1), me), moved, Status.in_review)
    me = at(db, MONDAY_NOON, me)
    assert [r.submission_id for r in casework.queue(db, me, order="waiting").rows] == [old, urgent, moved]
    assert casework.queue(db, me).rows[0].submission_id == urgent
    with pytest.raises(ValueError, match="order"):
        casework.queue(db, me, order="name")


# --- bulk actions -----------------------------------------------------------------------------------------


def test_bulk_assign_writes_one_event_and_one_audit_row_per_case(db: Database, ruleset) -> None:
    me, colleague = login_as(db, "ivy"), login_as(db, "max")
    ids = [submit_at(db, ruleset, MONDAY_NOON + timedelta(minutes=n)) for n in range(3)]
    outcome = casework.bulk_assign(db, me, ids, colleague.staff_id)
    assert len(outcome.done) == 3 and outcome.refused == ()
    rows = casework.queue(db, me, assignee=colleague.staff_id).rows
    assert sorted(r.submission_id for r in rows) == ids
    with db.session() as tx:
        events = tx.scalars(select(Event).where(Event.kind == "assign")).all()
        audited = tx.scalars(select(AuditRow.target).where(AuditRow.action == "assign")).all()
    assert sorted(e.submission_id for e in events) == ids
    assert sorted(audited) == sorted(outcome.done)


def test_bulk_move_moves_what_the_workflow_allows_and_lists_the_rest(db: Database, ruleset) -> None:
    me = login_as(db, "ivy")
    ready, fresh = submit_at(db, ruleset, MONDAY_NOON), submit_at(db, ruleset, MONDAY_NOON)
    casework.change_status(db, me, ready, Status.in_review)
    outcome = casework.bulk_move(db, me, [ready, fresh], Status.declined)
    refs = {r.submission_id: r.reference for r in casework.queue(db, me).rows}
    assert outcome.done == (refs[ready],)
    assert outcome.refused == ((refs[fresh], "Cannot move from New to Declined."),)
    statuses = {r.submission_id: r.status for r in casework.queue(db, me).rows}
    assert statuses == {ready: Status.declined, fresh: Status.new}
    with pytest.raises(ValueError, match="Select between"):
        casework.bulk_move(db, me, [], Status.in_review)
    with pytest.raises(LookupError):
        casework.bulk_assign(db, me, [ready, 999_999], None)


def test_bulk_move_never_books_a_consultation(db: Database, ruleset) -> None:
    """Only confirming a video call books, so the status always carries its appointment; bulk moves cannot."""
    assert Status.consultation_booked not in MOVE_TARGETS
    me = login_as(db, "ivy")
    ready = submit_at(db, ruleset, MONDAY_NOON)
    casework.change_status(db, me, ready, Status.in_review)
    outcome = casework.bulk_move(db, me, [ready], Status.consultation_booked)
    reference = casework.queue(db, me).rows[0].reference
    assert outcome.done == () and outcome.refused == ((reference, casework.BOOK_BY_CALL),)
    assert casework.queue(db, me).rows[0].status == Status.in_review


def test_first_contact_is_the_first_move_that_reaches_out(db: Database, ruleset) -> None:
    me = login_as(db, "ivy")
    sid = submit_at(db, ruleset, MONDAY_NOON)
    for hours, target in ((1, Status.in_review), (2, Status.contact_attempted), (5, Status.contact_attempted)):
        casework.change_status(db, at(db, MONDAY_NOON + timedelta(hours=hours), me), sid, target)
    with db.session() as tx:
        assert tx.get(CaseState, sid).first_contact_at == MONDAY_NOON + timedelta(hours=2)


# --- migration 0008 on rows stored before it --------------------------------------------------------------


def test_migration_0008_fills_keys_first_contact_and_headache_days_of_stored_rows(db: Database, ruleset) -> None:
    me = login_as(db, "ivy")
    one = submit_at(db, ruleset, MONDAY_NOON, person(ruleset, phone="555 010 2030"))
    two = submit_at(db, ruleset, MONDAY_NOON, person(ruleset, phone="(555) 010-2030"))
    me = at(db, MONDAY_NOON + timedelta(hours=3), me)
    casework.change_status(db, me, one, Status.in_review)
    casework.change_status(db, me, one, Status.contact_attempted)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as connection:
        cfg.attributes.update(connection=connection, keyed_hash=db.config.keyed_hash, keyring=db.keyring)
        command.downgrade(cfg, "0003")
    db.migrate()
    assert [m.reference for m in casework.detail(db, me, two).repeats] == [casework.detail(db, me, one).reference]
    with db.session() as tx:
        state = tx.get(CaseState, one)
        assert state.first_contact_at == MONDAY_NOON + timedelta(hours=3)
        assert state.headache_days == ruleset.case_defaults["headache"]["headache_days"]


# --- analytics -------------------------------------------------------------------------------------------


def test_analytics_figures_over_a_date_range(db: Database, ruleset) -> None:
    me = login_as(db, "ivy")
    week1, week2 = datetime(2026, 11, 16, 10, tzinfo=UTC), datetime(2026, 11, 24, 10, tzinfo=UTC)
    few_days = copy.deepcopy(ruleset.case_defaults)
    few_days["headache"]["headache_days"] = 20
    a = submit_at(db, ruleset, week1)
    b = submit_at(db, ruleset, week1 + timedelta(days=1), patient(ruleset, Triage.urgent))
    c = submit_at(db, ruleset, week2, Submission.model_validate(few_days))
    submit_at(db, ruleset, datetime(2026, 10, 1, tzinfo=UTC))  # outside the range
    for sid, received, hours in ((a, week1, 2), (b, week1 + timedelta(days=1), 1), (c, week2, 10)):
        me = at(db, received + timedelta(hours=hours), me)
        casework.change_status(db, me, sid, Status.in_review)
        if sid == a:
            book_by_call(db, ruleset, login_as(db, "rivera", Role.clinician), me, sid)
        else:
            casework.change_status(db, me, sid, Status.contact_attempted)
    me = at(db, datetime(2026, 11, 30, 16, tzinfo=UTC), me)
    found = analytics.summary(db, me, date(2026, 11, 16), date(2026, 11, 29))
    assert found.total == 3
    assert found.weekly == [
        (date(2026, 11, 16), Triage.urgent, 1),
        (date(2026, 11, 16), Triage.likely_candidate, 1),
        (date(2026, 11, 23), Triage.likely_candidate, 1),
    ]
    assert found.pathways == [("headache", 3)]
    default_days = ruleset.case_defaults["headache"]["headache_days"]
    assert dict(found.headache_days) == ({default_days: 1, 20: 1} if default_days != 20 else {20: 2})
    assert found.contacted == 3
    assert found.median_to_contact == timedelta(hours=2)
    assert found.p90_to_contact == timedelta(hours=10)
    assert found.booked == 1 and found.booked_share == pytest.approx(1 / 3)
    assert found.overdue_now == 2  # b (urgent, 1 working hour) and c (likely, 2 working days) in contact attempted
    with pytest.raises(ValueError, match="before its start"):
        analytics.summary(db, me, date(2026, 11, 29), date(2026, 11, 16))
    assert casework.audit_log(db, login_as(db, "ada", Role.admin), action="view", target="analytics").total == 1
