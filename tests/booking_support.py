"""Helpers for the booking tests: a published slot, and a case taken as far as a confirmed call."""

from datetime import date, datetime, time, timedelta

from storage_support import patient

from screening import casework, intake
from screening.booking import calls, slots
from screening.ruleset import RuleSet
from screening.staff import StaffSession
from screening.storage import Database
from screening.workflow import Status

LINK = "https://video.example.org/room/42"
OFFER = slots.SlotOffer(30, "Dr Rivera", LINK)


def tomorrow(db: Database) -> date:
    return (db.now() + timedelta(days=1)).astimezone(db.config.clinic_timezone).date()


def a_slot(db: Database, publisher: StaffSession, at: time = time(10, 30), day: date | None = None) -> int:
    """A published slot (tomorrow by default), by id."""
    slots.publish(db, publisher, day or tomorrow(db), at, OFFER)
    start = slots.local_start(db, day or tomorrow(db), at)
    return next(line.id for line in slots.board(db, publisher) if line.starts_at == start)


def confirmed_case(db: Database, ruleset: RuleSet, publisher: StaffSession, intake_person: StaffSession) -> int:
    """A patient who requested a slot, reviewed and confirmed by intake; the submission id."""
    slot_id = a_slot(db, publisher)
    receipt = intake.submit(db, patient(ruleset), ruleset)
    calls.request(db, ruleset, receipt.submission_id, slot_id)
    casework.change_status(db, intake_person, receipt.submission_id, Status.in_review)
    calls.confirm(db, intake_person, receipt.submission_id)
    return receipt.submission_id


def book_by_call(
    db: Database, ruleset: RuleSet, publisher: StaffSession, intake_person: StaffSession, submission_id: int
) -> None:
    """A reviewed case booked the only way there is: the patient asks for a slot and intake confirms it."""
    calls.request(db, ruleset, submission_id, a_slot(db, publisher))
    calls.confirm(db, intake_person, submission_id)


def start_of(db: Database, slot_id: int, who: StaffSession) -> datetime:
    return next(line.starts_at for line in slots.board(db, who) if line.id == slot_id)
