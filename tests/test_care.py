"""Ongoing care: the treated step of the workflow, the stored treatment, the patient's chain of visits,
returns due and the queue's visit filter, on SQLite and PostgreSQL."""

import csv
import io
from datetime import date, timedelta

import pytest
from care_support import at, first_visit, return_visit
from pydantic import ValidationError
from sqlalchemy import select
from storage_support import login_as

from screening import analytics, casework
from screening.care import returns_due
from screening.care.treatment import Treatment
from screening.casework import ChangedMeanwhile, clinic_date
from screening.choices import VisitKind
from screening.roles import Role
from screening.storage import Database
from screening.storage.models import AuditRow, CaseState
from screening.workflow import (
    MOVE_TARGETS,
    STATUS_LABELS,
    Status,
    TransitionError,
    allowed_next,
    manual_next,
)

pytest_plugins = ["db_fixtures"]
MIGRAINE = {"units": 155, "sites": 31, "areas": "7 head and neck areas"}


def given_on(day: date, **changes) -> dict:
    return {**MIGRAINE, "treated_on": day.isoformat(), **changes}


# --- the workflow -----------------------------------------------------------------------------


def test_a_first_screening_is_treated_only_after_its_consultation():
    first = VisitKind.first
    for status in Status:
        reaches = Status.treated in allowed_next(status, urgent=False, visit=first)
        assert reaches == (status in (Status.consultation_booked, Status.treated)), status
    assert allowed_next(Status.consultation_booked, urgent=False) == {
        Status.treated,
        Status.declined,
        Status.referred_elsewhere,
    }


def test_a_return_visit_is_reviewed_then_treated_without_a_video_call():
    back = VisitKind.return_
    assert allowed_next(Status.new, urgent=False, visit=back) == {Status.in_review}
    assert allowed_next(Status.in_review, urgent=False, visit=back) == {
        Status.contact_attempted,
        Status.treated,
        Status.declined,
        Status.referred_elsewhere,
    }
    assert Status.treated in allowed_next(Status.contact_attempted, urgent=False, visit=back)
    assert not any(Status.consultation_booked in allowed_next(s, urgent=u, visit=back) for s in Status for u in (0, 1))
    urgent = allowed_next(Status.in_review, urgent=True, visit=back)
    assert {Status.urgent_advice_given, Status.urgent_referred, Status.treated} <= urgent


def test_treated_is_never_a_bare_button_nor_a_bulk_move():
    assert Status.treated not in MOVE_TARGETS
    for status in Status:
        for visit in VisitKind:
            assert Status.treated not in manual_next(status, urgent=False, visit=visit)
    assert STATUS_LABELS[Status.treated] == "Treated"


# --- recording a treatment --------------------------------------------------------------------


@pytest.fixture
def reviewed_return(db: Database, ruleset) -> tuple[int, int]:
    """A patient first screened 14 weeks ago, back 2 weeks ago, the return in review: (root, return)."""
    now = db.now()
    at(db, now - timedelta(weeks=14))
    root = first_visit(db, ruleset, headache_days=22)
    at(db, now - timedelta(weeks=2))
    back = return_visit(db, ruleset, root, headache_days=10)
    at(db, now)
    casework.change_status(db, login_as(db, "rhea"), back, Status.in_review)
    return root, back


def test_a_treatment_is_stored_with_its_event_audit_and_date(db: Database, reviewed_return):
    _, back = reviewed_return
    nurse = login_as(db, "nell", Role.clinician)
    day = clinic_date(db, db.now()) - timedelta(days=1)
    stored = casework.record_treatment(db, nurse, back, given_on(day), note="Tolerated well", expected=Status.in_review)
    assert stored == Treatment(treated_on=day, units=155, sites=31, areas="7 head and neck areas")
    found = casework.detail(db, nurse, back)
    assert found.status == Status.treated
    last = found.timeline[-1]
    assert (last.kind, last.actor, last.data["from"], last.data["to"]) == ("status", "Nell", "in_review", "treated")
    assert last.data["treatment"] == {**MIGRAINE, "treated_on": day.isoformat()}
    assert last.data["note"] == "Tolerated well"
    with db.session() as tx:
        assert tx.scalar(select(CaseState.treated_at).where(CaseState.submission_id == back)) == day
        row = tx.scalars(select(AuditRow).where(AuditRow.action == "status").order_by(AuditRow.id.desc())).first()
    assert row.username == "nell"
    assert row.detail["treated_on"] == day.isoformat()
    assert "units" not in row.detail  # the dose stays with the case, not in the audit log


def test_a_treatment_can_be_corrected_and_both_stay_on_the_timeline(db: Database, reviewed_return):
    _, back = reviewed_return
    nurse = login_as(db, "nell")
    today = clinic_date(db, db.now())
    casework.record_treatment(db, nurse, back, given_on(today))
    casework.record_treatment(db, nurse, back, given_on(today - timedelta(days=2), units=195, sites=39))
    found = casework.detail(db, nurse, back)
    treatments = [e.data["treatment"]["units"] for e in found.timeline if "treatment" in e.data]
    assert treatments == [155, 195]
    assert found.visits[-1].treated_on == today - timedelta(days=2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"units": 0}, "units"),
        ({"units": 401}, "units"),
        ({"sites": 0}, "sites"),
        ({"sites": 101}, "sites"),
        ({"units": 20, "sites": 31}, "sites"),
        ({"areas": "neck\x1b[31m"}, "areas"),
        ({"areas": "x" * 301}, "areas"),
        ({"dose": 5}, "dose"),
    ],
)
def test_a_wrong_treatment_is_refused_at_its_field_and_nothing_is_stored(db: Database, reviewed_return, changes, field):
    _, back = reviewed_return
    nurse = login_as(db, "nell")
    with pytest.raises(ValidationError) as refused:
        casework.record_treatment(db, nurse, back, given_on(clinic_date(db, db.now()), **changes))
    assert {error["loc"][0] for error in refused.value.errors()} == {field}
    assert casework.detail(db, nurse, back).status == Status.in_review


def test_the_date_lies_between_the_case_arriving_and_today(db: Database, reviewed_return):
    _, back = reviewed_return
    nurse = login_as(db, "nell")
    today = clinic_date(db, db.now())
    received = casework.detail(db, nurse, back).received_on
    for day, words in ((today + timedelta(days=1), "in the future"), (received - timedelta(days=1), "received on")):
        with pytest.raises(ValidationError, match=words):
            casework.record_treatment(db, nurse, back, given_on(day))
    casework.record_treatment(db, nurse, back, given_on(received))
    assert casework.detail(db, nurse, back).status == Status.treated


def test_a_first_screening_in_review_cannot_be_treated_and_no_button_moves_to_treated(db: Database, reviewed_return):
    root, back = reviewed_return
    nurse = login_as(db, "nell")
    casework.change_status(db, nurse, root, Status.in_review)
    with pytest.raises(TransitionError):
        casework.record_treatment(db, nurse, root, given_on(clinic_date(db, db.now())))
    with pytest.raises(TransitionError, match="date, Units and sites"):
        casework.change_status(db, nurse, back, Status.treated)
    assert not casework.detail(db, nurse, root).can_treat
    assert casework.detail(db, nurse, back).can_treat


def test_a_treatment_after_someone_else_moved_the_case_is_refused(db: Database, reviewed_return):
    _, back = reviewed_return
    nurse = login_as(db, "nell")
    casework.change_status(db, nurse, back, Status.contact_attempted)
    with pytest.raises(ChangedMeanwhile):
        casework.record_treatment(db, nurse, back, given_on(clinic_date(db, db.now())), expected=Status.in_review)


def test_a_first_screening_is_treated_after_its_booked_consultation(db: Database, ruleset):
    from booking_support import confirmed_case

    clinician, nurse = login_as(db, "cleo", Role.clinician), login_as(db, "ida")
    sid = confirmed_case(db, ruleset, clinician, nurse)
    assert casework.detail(db, nurse, sid).can_treat
    at(db, db.now() + timedelta(days=3))
    nurse = login_as(db, "ida2")  # the first session ended while the days passed
    casework.record_treatment(db, nurse, sid, given_on(clinic_date(db, db.now())), expected=Status.consultation_booked)
    found = casework.detail(db, nurse, sid)
    assert (found.status, found.visits[0].treated_on) == (Status.treated, clinic_date(db, db.now()))
    today = clinic_date(db, db.now())
    assert analytics.summary(db, nurse, today - timedelta(days=7), today).booked == 1, "treated after its booking"


# --- the patient's chain ------------------------------------------------------------------------


def test_every_visit_of_the_chain_is_on_each_case_in_order(db: Database, ruleset, reviewed_return):
    root, back = reviewed_return
    nurse = login_as(db, "nell")
    first_visit(db, ruleset, name="Someone Else")
    later = return_visit(db, ruleset, root, headache_days=6)
    for sid in (root, back, later):
        visits = casework.detail(db, nurse, sid).visits
        assert [(v.submission_id, v.kind, v.headache_days) for v in visits] == [
            (root, VisitKind.first, 22),
            (back, VisitKind.return_, 10),
            (later, VisitKind.return_, 6),
        ]
    assert casework.detail(db, nurse, root).visit_kind == VisitKind.first
    assert casework.detail(db, nurse, back).visit_kind == VisitKind.return_


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_labels_return_visits_and_filters_by_visit(db: Database, ruleset, reviewed_return):
    root, back = reviewed_return
    nurse = login_as(db, "nell")
    rows = {row.submission_id: row.visit_kind for row in casework.queue(db, nurse).rows}
    assert rows == {root: VisitKind.first, back: VisitKind.return_}
    assert [r.submission_id for r in casework.queue(db, nurse, visit=VisitKind.return_).rows] == [back]
    assert [r.submission_id for r in casework.queue(db, nurse, visit="first").rows] == [root]
    assert casework.queue(db, nurse, visit=VisitKind.return_).total == 1
    exported = list(
        csv.DictReader(io.StringIO(casework.export_queue(db, nurse, visit=VisitKind.return_).decode("utf-8-sig")))
    )
    assert [(line["reference"], line["visit"]) for line in exported] == [
        (casework.detail(db, nurse, back).reference, "Return visit")
    ]


# --- returns due ------------------------------------------------------------------------------


def treated_weeks_ago(db: Database, ruleset, weeks: int, days: int = 0, *, name: str = "Ruth Return") -> int:
    """A return visit that arrived the day before it was treated ``weeks`` (and ``days``) ago."""
    now = db.now()
    nurse = login_as(db, f"n{weeks}x{days}x{abs(hash(name)) % 1000}")
    at(db, now - timedelta(weeks=weeks + 8))
    root = first_visit(db, ruleset, name=name)
    at(db, now - timedelta(weeks=weeks, days=days + 1))
    back = return_visit(db, ruleset, root, headache_days=9, name=name)
    at(db, now)
    casework.change_status(db, nurse, back, Status.in_review)
    day = clinic_date(db, now) - timedelta(weeks=weeks, days=days)
    casework.record_treatment(db, nurse, back, given_on(day))
    return root


def due_names(db: Database, who) -> list[str]:
    return [due.name for due in returns_due.returns_due(db, who)]


def test_returns_are_due_from_ten_weeks_after_the_last_treatment(db: Database, ruleset):
    treated_weeks_ago(db, ruleset, 9, 6, name="Nine Weeks Six Days")
    treated_weeks_ago(db, ruleset, 10, name="Ten Weeks")
    treated_weeks_ago(db, ruleset, 30, name="Thirty Weeks")
    nurse = login_as(db, "ivy")
    found = returns_due.returns_due(db, nurse)
    assert [(d.name, d.weeks_since, d.treatments) for d in found] == [("Thirty Weeks", 30, 1), ("Ten Weeks", 10, 1)]
    assert all(d.contact for d in found)
    assert [d.name for d in returns_due.returns_due(db, nurse, within_weeks=16)] == ["Ten Weeks"]
    with pytest.raises(ValueError, match="windows"):
        returns_due.returns_due(db, nurse, within_weeks=3)


def test_a_patient_who_came_back_is_not_due_until_ten_weeks_after_that_treatment(db: Database, ruleset):
    root = treated_weeks_ago(db, ruleset, 12, name="Came Back")
    nurse = login_as(db, "ivy")
    assert due_names(db, nurse) == ["Came Back"]
    back = return_visit(db, ruleset, root, headache_days=8, name="Came Back")
    assert due_names(db, nurse) == []
    casework.change_status(db, nurse, back, Status.in_review)
    casework.record_treatment(db, nurse, back, given_on(clinic_date(db, db.now())))
    assert due_names(db, nurse) == []
    at(db, db.now() + timedelta(weeks=10))
    found = returns_due.returns_due(db, login_as(db, "ivy2"))
    assert [(d.name, d.weeks_since, d.treatments, d.submission_id) for d in found] == [("Came Back", 10, 2, back)]


def test_returns_due_is_audited_and_its_export_is_safe_in_a_spreadsheet(db: Database, ruleset):
    treated_weeks_ago(db, ruleset, 11, name='=HYPERLINK("http://x")')
    nurse, admin = login_as(db, "ivy"), login_as(db, "ada", Role.admin)
    file = returns_due.export_returns_due(db, nurse, "csv")
    (line,) = csv.DictReader(io.StringIO(file.decode("utf-8-sig")))
    assert line["name"].startswith("'=")
    assert line["weeks since"] == "11"
    assert line["contact"]
    (admins,) = csv.DictReader(io.StringIO(returns_due.export_returns_due(db, admin, "csv").decode("utf-8-sig")))
    assert "contact" not in admins
    assert returns_due.returns_due(db, admin)[0].contact is None
    with db.session() as tx:
        actions = [(r.username, r.action, r.target, r.detail.get("rows")) for r in tx.scalars(select(AuditRow))]
    assert ("ivy", "export", "returns_due.csv", 1) in actions
    assert ("ada", "view", "returns_due", 1) in actions
