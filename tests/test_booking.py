"""Video-call booking on SQLite and PostgreSQL: slots, the patient's request, intake's decisions, the races."""

import threading
from datetime import time, timedelta
from pathlib import Path

import pytest
from booking_support import LINK, OFFER, a_slot, confirmed_case, start_of, tomorrow
from icalendar import Calendar
from rules_support import regraded
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from storage_support import login_as, patient

from screening import advice, casework, intake
from screening.answers import Submission
from screening.booking import calendar, calls, slots
from screening.loader import load_ruleset
from screening.ruleset import RuleSet
from screening.staff import Role
from screening.storage import Database
from screening.storage.models import AuditRow, CallBooking, CaseState
from screening.triage import Triage
from screening.workflow import Status, TransitionError

pytest_plugins = ["db_fixtures"]


def test_a_slot_is_published_in_clinic_time_and_offered_to_every_patient_alike(db: Database, ruleset):
    clinician = login_as(db, "rivera", Role.clinician)
    slot_id = a_slot(db, clinician, time(10, 30))
    start = start_of(db, slot_id, clinician)
    local = start.astimezone(db.config.clinic_timezone)
    assert (local.hour, local.minute, local.date()) == (10, 30, tomorrow(db))
    offered = slots.open_slots(db)
    assert [s.id for s in offered] == [slot_id] and offered[0].clinician == "Dr Rivera"
    # the list is one list: it takes no patient, so no triage can shape it
    for triage in (Triage.likely_candidate, Triage.unlikely, Triage.not_suitable):
        receipt = intake.submit(db, patient(ruleset, triage), ruleset)
        assert [s.id for s in slots.open_slots(db)] == [slot_id]
        assert receipt.submission_id


def test_intake_may_not_publish_and_bad_slots_are_refused(db: Database):
    clinician = login_as(db, "rivera", Role.clinician)
    with pytest.raises(PermissionError):
        slots.publish(db, login_as(db, "ida"), tomorrow(db), time(9), OFFER)
    for offer, message in [
        (slots.SlotOffer(25, "Dr Rivera", LINK), "minutes"),
        (slots.SlotOffer(30, " ", LINK), "clinician"),
        (slots.SlotOffer(30, "Dr Rivera", "http://video.example.org/x"), "https"),
        (slots.SlotOffer(30, "Dr Rivera", "javascript:alert(1)"), "https"),
    ]:
        with pytest.raises(ValueError, match=message):
            slots.publish(db, clinician, tomorrow(db), time(9), offer)
    with pytest.raises(ValueError, match="future"):
        slots.publish(db, clinician, tomorrow(db) - timedelta(days=2), time(9), OFFER)
    assert slots.board(db, clinician) == []


def test_a_weekly_pattern_publishes_each_weekday_time_once(db: Database):
    admin = login_as(db, "ada", Role.admin)
    first = tomorrow(db)
    last = first + timedelta(days=13)
    added = slots.publish_weekly(db, admin, {0, 2}, [time(14), time(9, 15)], first, last, OFFER)
    assert added == 8  # two weeks, two weekdays, two times
    board = slots.board(db, admin)
    local = [line.starts_at.astimezone(db.config.clinic_timezone) for line in board]
    assert {d.weekday() for d in local} == {0, 2} and {(d.hour, d.minute) for d in local} == {(9, 15), (14, 0)}
    assert local == sorted(local)
    assert slots.publish_weekly(db, admin, {0, 2}, [time(14), time(9, 15)], first, last, OFFER) == 0  # re-run
    with pytest.raises(ValueError, match="at most"):
        every_hour = [time(h) for h in range(24)]
        slots.publish_weekly(db, admin, set(range(7)), every_hour, first, first + timedelta(400), OFFER)
    with db.session() as tx:
        actions = list(tx.scalars(select(AuditRow.action).where(AuditRow.action == "publish_slots")))
    assert len(actions) == 2


def test_request_confirm_books_the_consultation_with_its_appointment(db: Database, ruleset):
    clinician, ida = login_as(db, "rivera", Role.clinician), login_as(db, "ida")
    slot_id = a_slot(db, clinician)
    receipt = intake.submit(db, patient(ruleset), ruleset)
    call = calls.request(db, ruleset, receipt.submission_id, slot_id)
    assert call.state == calls.CallState.requested and slot_id not in [s.id for s in slots.open_slots(db)]
    row = casework.queue(db, ida).rows[0]
    assert (row.call_state, row.call_at) == ("requested", start_of(db, slot_id, ida))
    with pytest.raises(TransitionError, match="New to Consultation booked"):
        calls.confirm(db, ida, receipt.submission_id)  # reviewed first
    casework.change_status(db, ida, receipt.submission_id, Status.in_review)
    assert Status.consultation_booked not in casework.detail(db, ida, receipt.submission_id).allowed_next
    with pytest.raises(TransitionError, match="video call"):
        casework.change_status(db, ida, receipt.submission_id, Status.consultation_booked)
    confirmed = calls.confirm(db, ida, receipt.submission_id)
    assert confirmed.confirmed and confirmed.video_link == LINK
    detail = casework.detail(db, ida, receipt.submission_id)
    assert detail.status == Status.consultation_booked
    booked = [e for e in detail.timeline if e.kind == "status" and e.data["to"] == "consultation_booked"]
    assert booked[0].data["appointment"]["starts_at"] == start_of(db, slot_id, ida).isoformat()
    actions = [(e.kind, e.data.get("action"), e.actor) for e in detail.timeline if e.kind == "video_call"]
    assert actions == [("video_call", "requested", None), ("video_call", "confirmed", "Ida")]
    assert casework.queue(db, ida).rows[0].call_state == "confirmed"
    with db.session() as tx:
        audited = set(tx.scalars(select(AuditRow.action).where(AuditRow.target == receipt.reference)))
        first_contact = tx.get(CaseState, receipt.submission_id).first_contact_at
    assert {"call_confirmed", "status"} <= audited
    assert first_contact == detail.status_since, "the booking is the first contact analytics measures"


def test_offer_another_then_cancel_frees_the_slots_and_reopens_the_case(db: Database, ruleset):
    clinician, ida = login_as(db, "rivera", Role.clinician), login_as(db, "ida")
    first, second = a_slot(db, clinician, time(9)), a_slot(db, clinician, time(11))
    submission_id = intake.submit(db, patient(ruleset), ruleset).submission_id
    calls.request(db, ruleset, submission_id, first)
    moved = calls.offer(db, ida, submission_id, second)
    assert moved.state == calls.CallState.offered and moved.slot_id == second
    assert [s.id for s in slots.open_slots(db)] == [first]
    casework.change_status(db, ida, submission_id, Status.in_review)
    calls.confirm(db, ida, submission_id)
    with pytest.raises(ValueError, match="cancel it first"):
        calls.offer(db, ida, submission_id, first)
    calls.cancel(db, ida, submission_id)
    assert [s.id for s in slots.open_slots(db)] == [first, second]
    detail = casework.detail(db, ida, submission_id)
    assert detail.status == Status.in_review
    assert [e.data["action"] for e in detail.timeline if e.kind == "video_call"] == [
        "requested",
        "offered",
        "confirmed",
        "cancelled",
    ]
    row = casework.queue(db, ida).rows[0]
    assert (row.call_state, row.call_at) == (None, None)
    with pytest.raises(ValueError, match="no video call"):
        calls.cancel(db, ida, submission_id)


def test_please_call_me_and_emergency_advice(db: Database, ruleset):
    clinician, ida = login_as(db, "rivera", Role.clinician), login_as(db, "ida")
    slot_id = a_slot(db, clinician)
    calm = intake.submit(db, patient(ruleset), ruleset).submission_id
    assert calls.request(db, ruleset, calm, None).state == calls.CallState.call_me
    assert casework.queue(db, ida).rows[0].call_state == "call_me"
    with pytest.raises(ValueError, match="already"):
        calls.request(db, ruleset, calm, slot_id)
    urgent = intake.submit(db, patient(ruleset, Triage.urgent), ruleset).submission_id  # thunderclap: emergency
    with pytest.raises(ValueError, match="urgent"):
        calls.request(db, ruleset, urgent, slot_id)
    assert [s.id for s in slots.open_slots(db)] == [slot_id]
    # once they have been seen, intake may still offer one (confirming is the only way to a booked consultation)
    assert calls.offer(db, ida, urgent, slot_id).state == calls.CallState.offered


def test_a_slot_whose_start_has_passed_cannot_be_asked_for_or_offered(db: Database, ruleset):
    rivera = login_as(db, "rivera", Role.clinician)
    slot_id = a_slot(db, rivera)
    submission_id = intake.submit(db, patient(ruleset), ruleset).submission_id
    start = start_of(db, slot_id, rivera)
    db.clock = lambda: start + timedelta(minutes=1)  # the patient's page stood open past the slot's start
    ida = login_as(db, "ida")
    with pytest.raises(ValueError, match="someone has just taken"):
        calls.request(db, ruleset, submission_id, slot_id)
    with pytest.raises(ValueError, match="no longer open"):
        calls.offer(db, ida, submission_id, slot_id)
    assert calls.request(db, ruleset, submission_id, None).state == calls.CallState.call_me


def _with_signs(ruleset: RuleSet, **signs: str) -> Submission:
    answers = patient(ruleset).model_dump(mode="json")
    answers["red_flags"] |= signs
    return Submission.model_validate(answers)


@pytest.mark.parametrize(
    "signs",
    [{"new_after_50": "yes"}, {"cancer_or_immune": "yes", "pattern_change": "yes"}, {"thunderclap": "not_sure"}],
)
def test_a_patient_told_to_see_a_doctor_soon_or_not_sure_may_still_ask_for_a_slot(db: Database, ruleset, signs):
    """[Red flags] "soon" signs (and "not sure") are urgent for staff but are not emergency advice."""
    slot_id = a_slot(db, login_as(db, "rivera", Role.clinician))
    receipt = intake.submit(db, _with_signs(ruleset, **signs), ruleset)
    assert receipt.triage in (Triage.urgent, Triage.needs_review)
    assert not advice.emergency_given(advice.patient_advice(ruleset, signs, "headache"))
    assert calls.request(db, ruleset, receipt.submission_id, slot_id).state == calls.CallState.requested


def test_a_rule_s_advice_grade_decides_whether_slots_are_offered(db: Database, ruleset, tmp_path: Path):
    """The grade is read from the rule set, not from "any warning sign answered yes"."""
    stricter = load_ruleset(regraded(tmp_path / "rules", "RF-NEW-AFTER-50", "emergency"))
    milder = load_ruleset(regraded(tmp_path / "milder", "RF-THUNDERCLAP", "soon"))
    slot_id = a_slot(db, login_as(db, "rivera", Role.clinician))
    after_50 = intake.submit(db, _with_signs(ruleset, new_after_50="yes"), ruleset).submission_id
    with pytest.raises(ValueError, match="urgent"):
        calls.request(db, stricter, after_50, slot_id)
    assert calls.request(db, ruleset, after_50, None).state == calls.CallState.call_me
    thunderclap = intake.submit(db, patient(ruleset, Triage.urgent), ruleset).submission_id
    with pytest.raises(ValueError, match="urgent"):
        calls.request(db, ruleset, thunderclap, slot_id)
    assert calls.request(db, milder, thunderclap, slot_id).state == calls.CallState.requested


def test_a_held_slot_cannot_be_withdrawn_an_open_one_can(db: Database, ruleset):
    clinician = login_as(db, "rivera", Role.clinician)
    held, spare = a_slot(db, clinician, time(9)), a_slot(db, clinician, time(11))
    calls.request(db, ruleset, intake.submit(db, patient(ruleset), ruleset).submission_id, held)
    with pytest.raises(ValueError, match="Only an open slot"):
        slots.withdraw(db, clinician, held)
    slots.withdraw(db, clinician, spare)
    assert slots.open_slots(db) == []
    assert [line.withdrawn for line in slots.board(db, clinician)] == [False, True]


def test_the_database_refuses_a_second_holder(db: Database, ruleset):
    clinician = login_as(db, "rivera", Role.clinician)
    slot_id = a_slot(db, clinician)
    first = intake.submit(db, patient(ruleset), ruleset).submission_id
    second = intake.submit(db, patient(ruleset), ruleset).submission_id
    calls.request(db, ruleset, first, slot_id)
    with pytest.raises(IntegrityError), db.session() as tx:  # past every service check: the constraint itself
        tx.add(CallBooking(submission_id=second, slot_id=slot_id, state="requested", updated_at=db.now()))
        tx.flush()


def test_two_patients_choosing_one_slot_at_once_one_wins(db: Database, ruleset):
    clinician = login_as(db, "rivera", Role.clinician)
    slot_id = a_slot(db, clinician)
    patients = [intake.submit(db, patient(ruleset), ruleset).submission_id for _ in range(6)]
    start = threading.Barrier(len(patients))
    outcomes: dict[int, str] = {}

    def choose(submission_id: int) -> None:
        start.wait()
        try:
            calls.request(db, ruleset, submission_id, slot_id)
            outcomes[submission_id] = "won"
        except ValueError as exc:
            outcomes[submission_id] = str(exc)

    threads = [threading.Thread(target=choose, args=(sid,)) for sid in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()).count("won") == 1
    assert set(outcomes.values()) == {"won", calls.SLOT_TAKEN}
    with db.session() as tx:
        holders = list(tx.scalars(select(CallBooking.submission_id).where(CallBooking.slot_id == slot_id)))
    assert [outcomes[h] for h in holders] == ["won"]


def test_the_patient_finds_the_confirmed_call_and_its_calendar_file(db: Database, ruleset):
    clinician, ida = login_as(db, "rivera", Role.clinician), login_as(db, "ida")
    submission_id = confirmed_case(db, ruleset, clinician, ida)
    reference = casework.detail(db, ida, submission_id).reference
    answers = patient(ruleset).contact
    typed_ref = reference.lower().replace("-", " ")
    found = calls.for_patient(db, typed_ref, answers.email or answers.phone or "")
    assert found is not None and found.confirmed
    assert calls.for_patient(db, reference, "someone@else.example") is None
    assert calls.for_patient(db, "BT-0000-0000", answers.email or "") is None
    ics = calendar.call_ics(
        uid=f"{reference}@clinic",
        starts_at=found.starts_at,
        minutes=found.minutes,
        video_link=found.video_link,
        clinic="Riverside Clinic",
        stamp=db.now(),
    )
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("dtstart") == found.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert str(event["location"]) == LINK and "migraine" not in ics.decode().lower()
