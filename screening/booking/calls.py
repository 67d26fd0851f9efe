"""A submission's video call: the patient's provisional request, and intake's confirm / offer another / cancel.

Each change is an event (kind ``video_call``) on the case's timeline, written in the same
transaction as the booking and the queue's copy of its time; staff changes are audited too.
Confirming moves the case to "Consultation booked", whose status event carries the appointment,
and queues the confirmation mail when the patient asked for one (sent after commit).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from screening.advice import emergency_advised
from screening.casework import _reference_of, book_consultation, reopen_after_cancelled_call
from screening.i18n import N_
from screening.messaging import courier, messages
from screening.messaging.outbox import queue
from screening.ruleset import RuleSet
from screening.staff import StaffSession, require_session, write_audit
from screening.storage import Database, Tx, booking, cases
from screening.storage.booking import SlotTaken
from screening.storage.cases import Stored
from screening.storage.models import CallBooking, VideoSlot

EVENT = "video_call"
SLOT_TAKEN = N_("Sorry, someone has just taken that time. Please choose another.")
ERASED = N_(
    "The clinic no longer holds the answers sent with this reference: they were deleted, at the patient's "
    "request or because the time the clinic keeps them ran out. To ask for help again, please fill in the "
    "questionnaire again."
)


class CallState(StrEnum):
    requested = "requested"
    """The patient chose a slot; provisional until intake confirms it."""
    call_me = "call_me"
    """The patient asked to be called to arrange a time."""
    offered = "offered"
    """Intake put the booking on another slot, to confirm once the patient agrees."""
    confirmed = "confirmed"
    cancelled = "cancelled"


STATE_LABELS = {
    CallState.requested: "Requested",
    CallState.call_me: "Call to arrange",
    CallState.offered: "Offered",
    CallState.confirmed: "Confirmed",
    CallState.cancelled: "Cancelled",
}


@dataclass(frozen=True)
class Call:
    """What staff see of a case's video call, and what its patient sees once it is confirmed."""

    reference: str
    state: CallState
    slot_id: int | None
    starts_at: datetime | None
    minutes: int | None
    clinician: str | None
    video_link: str | None
    email_requested: bool

    @property
    def confirmed(self) -> bool:
        return self.state == CallState.confirmed


def _slot_data(slot: VideoSlot | None) -> dict[str, Any]:
    if slot is None:
        return {}
    return {
        "slot": slot.id,
        "starts_at": slot.starts_at.isoformat(),
        "minutes": slot.minutes,
        "clinician": slot.clinician,
    }


def _show(tx: Tx, call: CallBooking, slot: VideoSlot | None) -> None:
    live = call.state != CallState.cancelled
    booking.show_on_queue(
        tx, call.submission_id, call.state if live else None, slot.starts_at if slot and live else None
    )


def _event(tx: Tx, db: Database, submission_id: int, actor_id: int | None, action: str, slot: VideoSlot | None) -> int:
    data = {"action": action, **_slot_data(slot)}
    return cases.add_event(tx, submission_id, at=db.now(), actor_id=actor_id, kind=EVENT, data=data).id


def _told_emergency(ruleset: RuleSet, row: Stored) -> bool:
    """The wizard's own decision, from the rule set's advice grades (``screening.advice``)."""
    return row.answers is not None and emergency_advised(ruleset, row.answers, row.pathway)


def request(db: Database, ruleset: RuleSet, submission_id: int, slot_id: int | None, *, email_me: bool = False) -> Call:
    """The patient's request at the end of the questionnaire: a slot (provisional) or "please call me".

    Raises ``ValueError`` with a sentence for the patient: emergency advice given (by ``ruleset``'s
    graded urgent rules; "see a doctor soon" does not withhold the call), already requested, or the
    slot taken a moment ago by someone else (the database's UNIQUE decides).
    """
    with db.session() as tx:
        row = cases.submission(tx, submission_id)
        if row is None:
            raise LookupError("No such submission.")
        if row.answers is None:
            raise cases.Erased(ERASED)
        if _told_emergency(ruleset, row):
            raise ValueError(N_("Please get urgent medical help first; the clinic will contact you."))
        if booking.booking_for_update(tx, submission_id) is not None:
            raise ValueError(N_("You have already asked for a video call."))
        email = (row.answers.get("contact") or {}).get("email") if email_me else None
        state = CallState.requested if slot_id is not None else CallState.call_me
        call = CallBooking(submission_id=submission_id, slot_id=slot_id, state=state, email=email, updated_at=db.now())
        try:
            booking.add_booking(tx, call, now=db.now())
        except SlotTaken as exc:
            raise ValueError(SLOT_TAKEN) from exc
        slot = booking.slot(tx, slot_id) if slot_id is not None else None
        _show(tx, call, slot)
        _event(tx, db, submission_id, None, state.value, slot)
        return _call(row, call, slot)


def _call(row: Stored, call: CallBooking, slot: VideoSlot | None) -> Call:
    return Call(
        row.reference,
        CallState(call.state),
        slot.id if slot else None,
        slot.starts_at if slot else None,
        slot.minutes if slot else None,
        slot.clinician if slot else None,
        slot.video_link if slot else None,
        call.email is not None,
    )


def of_case(db: Database, actor: StaffSession | None, submission_id: int) -> Call | None:
    """The case's video call for its detail page (the page's opening is audited by the detail itself)."""
    with db.session() as tx:
        require_session(tx, db, actor)
        row = cases.submission(tx, submission_id)
        call = booking.booking_for_update(tx, submission_id)
        if row is None or call is None:
            return None
        return _call(row, call, booking.slot(tx, call.slot_id) if call.slot_id else None)


def _staff_change(tx: Tx, submission_id: int) -> tuple[Stored, CallBooking | None]:
    row = cases.submission(tx, submission_id)
    if row is None:
        raise LookupError("No such submission.")
    return row, booking.booking_for_update(tx, submission_id)


def _record(tx: Tx, db: Database, live: StaffSession, row: Stored, action: str, slot: VideoSlot | None) -> None:
    event_id = _event(tx, db, row.id, live.staff_id, action, slot)
    write_audit(tx, db, live, f"call_{action}", row.reference, {"event": event_id, **_slot_data(slot)})


def offer(db: Database, actor: StaffSession | None, submission_id: int, slot_id: int) -> Call:
    """Put the case's call on another open slot (or on one at all, after "please call me" or a cancellation);
    provisional until confirmed. Raises ``ValueError`` when the slot is taken, withdrawn or past.

    Intake may offer a call to a patient who was told to get emergency care (the case page says so
    beside the offer): once they have been seen, the clinic follows up, and confirming a call is the
    only way to "Consultation booked". Only the patient's own request is refused for them.
    """
    with db.session() as tx:
        live = require_session(tx, db, actor)
        row, call = _staff_change(tx, submission_id)
        try:
            if call is None:
                call = CallBooking(submission_id=submission_id, slot_id=slot_id, state="", updated_at=db.now())
                booking.add_booking(tx, call, now=db.now())
            else:
                if call.state == CallState.confirmed:
                    raise ValueError("The call is confirmed: cancel it first to move it.")
                booking.hold(tx, call, slot_id, now=db.now())
        except SlotTaken as exc:
            raise ValueError("That slot is no longer open.") from exc
        call.state, call.updated_at = CallState.offered, db.now()
        slot = booking.slot(tx, slot_id)
        _show(tx, call, slot)
        _record(tx, db, live, row, "offered", slot)
        return _call(row, call, slot)


def confirm(db: Database, actor: StaffSession | None, submission_id: int) -> Call:
    """Confirm the requested or offered slot: the case moves to "Consultation booked" with the appointment,
    and the confirmation mail is queued when the patient asked for it. Raises ``ValueError`` (or the
    workflow's ``TransitionError``) when there is no slot to confirm or the case cannot be booked yet."""
    with db.session() as tx:
        live = require_session(tx, db, actor)
        row, call = _staff_change(tx, submission_id)
        if call is None or call.slot_id is None or call.state not in (CallState.requested, CallState.offered):
            raise ValueError("There is no requested or offered slot to confirm.")
        slot = booking.slot(tx, call.slot_id)
        assert slot is not None  # the foreign key
        call.state, call.updated_at = CallState.confirmed, db.now()
        _show(tx, call, slot)
        _record(tx, db, live, row, "confirmed", slot)
        book_consultation(tx, db, live, submission_id, _slot_data(slot))
        mailed = call.email is not None and queue(
            tx,
            db,
            messages.call_confirmed(
                db.config, call.email, row.reference, slot.starts_at, slot.minutes, slot.video_link, row.language
            ),
        )
        result = _call(row, call, slot)
    if mailed:
        courier.wake(db)
    return result


def cancel(db: Database, actor: StaffSession | None, submission_id: int) -> None:
    """Cancel the call and free its slot; a confirmed call's case goes back to "In review"."""
    with db.session() as tx:
        live = require_session(tx, db, actor)
        row, call = _staff_change(tx, submission_id)
        if call is None or call.state == CallState.cancelled:
            raise ValueError("There is no video call to cancel.")
        slot = booking.slot(tx, call.slot_id) if call.slot_id else None
        was_confirmed = call.state == CallState.confirmed
        booking.hold(tx, call, None, now=db.now())
        call.state, call.updated_at = CallState.cancelled, db.now()
        _show(tx, call, None)
        _record(tx, db, live, row, "cancelled", slot)
        if was_confirmed:
            reopen_after_cancelled_call(tx, db, live, submission_id)


def for_patient(db: Database, reference: str, contact: str) -> Call | None:
    """A patient's own call, found by their reference and the phone number or email address they gave;
    None when either does not match (the same answer whichever was wrong)."""
    wanted = _reference_of(reference)
    if wanted is None:
        return None
    with db.session() as tx:
        row = cases.by_reference(tx, wanted)
        call = booking.booking_for_update(tx, row.id) if row is not None else None
        if row is not None and row.answers is None:
            raise cases.Erased(ERASED)
        if row is None or call is None or not _same_contact(row.answers.get("contact") or {}, contact):
            return None
        return _call(row, call, booking.slot(tx, call.slot_id) if call.slot_id else None)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _same_contact(given: dict[str, Any], typed: str) -> bool:
    typed = typed.strip()
    if not typed:
        return False
    email = given.get("email")
    if email and typed.lower() == str(email).lower():
        return True
    phone = given.get("phone")
    return bool(phone) and len(_digits(typed)) >= 7 and _digits(typed) == _digits(str(phone))
