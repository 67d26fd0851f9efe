"""The video-call slots and bookings' SQL.

Who holds a slot is decided by the database: ``call_bookings.slot_id`` is UNIQUE, and a
booking takes its slot with a plain UPDATE/INSERT that the second of two simultaneous
patients fails (``SlotTaken``), on SQLite and PostgreSQL alike, with no read-then-write gap.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.storage.models import CallBooking, CaseState, VideoSlot


class SlotTaken(Exception):
    """The slot was given to someone else a moment ago (or was withdrawn)."""


@dataclass(frozen=True)
class NewSlot:
    starts_at: datetime
    minutes: int
    clinician: str
    video_link: str


def add_slots(tx: Session, slots: list[NewSlot], *, now: datetime, by: int) -> list[int]:
    """New slots; a clinician's slot already published at the same start is skipped (the pattern can be re-run)."""
    ids = []
    for slot in slots:
        taken = select(VideoSlot.id).where(VideoSlot.clinician == slot.clinician, VideoSlot.starts_at == slot.starts_at)
        if tx.scalar(taken) is not None:
            continue
        row = VideoSlot(**vars(slot), created_at=now, created_by=by)
        tx.add(row)
        tx.flush()
        ids.append(row.id)
    return ids


def slot(tx: Session, slot_id: int) -> VideoSlot | None:
    return tx.get(VideoSlot, slot_id)


def open_slots(tx: Session, *, after: datetime, limit: int) -> list[VideoSlot]:
    """Slots nobody holds, not withdrawn, starting after ``after``; soonest first."""
    held = exists().where(CallBooking.slot_id == VideoSlot.id)
    query = (
        select(VideoSlot)
        .where(VideoSlot.starts_at > after, VideoSlot.withdrawn_at.is_(None), ~held)
        .order_by(VideoSlot.starts_at, VideoSlot.id)
        .limit(limit)
    )
    return list(tx.scalars(query))


def slot_board(tx: Session, *, after: datetime, limit: int) -> list[Row[Any]]:
    """Every slot from ``after`` on with its holder's reference and booking state (None when open)."""
    query = (
        select(VideoSlot, CaseState.reference, CallBooking.state)
        .outerjoin(CallBooking, CallBooking.slot_id == VideoSlot.id)
        .outerjoin(CaseState, CaseState.submission_id == CallBooking.submission_id)
        .where(VideoSlot.starts_at > after)
        .order_by(VideoSlot.starts_at, VideoSlot.id)
        .limit(limit)
    )
    return list(tx.execute(query).all())


def withdraw(tx: Session, slot_id: int, now: datetime) -> bool:
    """Withdraw an open slot; False when it is held (cancel or move that booking first) or already withdrawn."""
    held = exists().where(CallBooking.slot_id == VideoSlot.id)
    open_slot = (VideoSlot.id == slot_id) & VideoSlot.withdrawn_at.is_(None) & ~held
    done = tx.execute(update(VideoSlot).where(open_slot).values(withdrawn_at=now))
    return done.rowcount == 1


def booking_for_update(tx: Session, submission_id: int) -> CallBooking | None:
    return tx.scalar(select(CallBooking).where(CallBooking.submission_id == submission_id).with_for_update())


def hold(tx: Session, booking: CallBooking, slot_id: int | None, *, now: datetime) -> None:
    """Point the booking at a slot (or none); the UNIQUE slot_id makes a second holder fail here.

    A slot withdrawn, or whose start has passed while the patient's page stood open, is refused too.
    """
    if slot_id is not None:
        bookable = (VideoSlot.id == slot_id) & VideoSlot.withdrawn_at.is_(None) & (VideoSlot.starts_at > now)
        if tx.scalar(select(VideoSlot).where(bookable).with_for_update()) is None:
            raise SlotTaken
    booking.slot_id = slot_id
    try:
        with tx.begin_nested():
            tx.flush()
    except IntegrityError as exc:
        raise SlotTaken from exc


def add_booking(tx: Session, booking: CallBooking, *, now: datetime) -> None:
    """A new booking; raises SlotTaken if its slot is held already (the loser of a race), withdrawn or past."""
    slot_id, booking.slot_id = booking.slot_id, None
    tx.add(booking)
    tx.flush()
    hold(tx, booking, slot_id, now=now)


def show_on_queue(tx: Session, submission_id: int, state: str | None, at: datetime | None) -> None:
    tx.execute(update(CaseState).where(CaseState.submission_id == submission_id).values(call_state=state, call_at=at))
