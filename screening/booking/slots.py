"""Publishing video-call slots: one at a time or as a weekly pattern, in the clinic's time zone."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from screening.staff import Role, StaffSession, require_session, write_audit
from screening.storage import Database, Tx, booking
from screening.storage.booking import NewSlot

PUBLISHERS = (Role.clinician, Role.admin)
LENGTHS = (15, 20, 30, 45, 60)
MAX_PATTERN_SLOTS = 500
"""A weekly pattern publishes at most this many slots at once: a typo in the dates cannot flood the calendar."""
OFFERED = 40
"""How many open slots a patient chooses from (the soonest)."""


@dataclass(frozen=True)
class SlotOffer:
    """What staff type for a slot, checked before anything is stored."""

    minutes: int
    clinician: str
    video_link: str

    def checked(self) -> "SlotOffer":
        clinician, link = self.clinician.strip(), self.video_link.strip()
        if self.minutes not in LENGTHS:
            raise ValueError(f"A call lasts one of {', '.join(map(str, LENGTHS))} minutes.")
        if not clinician or len(clinician) > 100:
            raise ValueError("Give the clinician's name (at most 100 characters).")
        parts = urlsplit(link)
        if parts.scheme != "https" or not parts.netloc or len(link) > 500:
            raise ValueError("The video link must be a full https:// address (at most 500 characters).")
        return SlotOffer(self.minutes, clinician, link)


@dataclass(frozen=True)
class SlotLine:
    id: int
    starts_at: datetime
    minutes: int
    clinician: str
    video_link: str
    withdrawn: bool
    reference: str | None
    """The submission holding it; None when open."""
    state: str | None


def _publisher(tx: Tx, db: Database, actor: StaffSession | None) -> StaffSession:
    live = require_session(tx, db, actor)
    if live.role not in PUBLISHERS:
        raise PermissionError("Only clinicians and administrators publish video-call slots.")
    return live


def _publish(db: Database, actor: StaffSession | None, starts: list[datetime], offer: SlotOffer, what: str) -> int:
    offer = offer.checked()
    now = db.now()
    if any(start <= now for start in starts):
        raise ValueError("A slot must start in the future.")
    new = [NewSlot(start, offer.minutes, offer.clinician, offer.video_link) for start in starts]
    with db.session() as tx:
        live = _publisher(tx, db, actor)
        ids = booking.add_slots(tx, new, now=now, by=live.staff_id)
        write_audit(tx, db, live, what, "video_slots", {"slots": len(ids), "clinician": offer.clinician})
    return len(ids)


def local_start(db: Database, day: date, at: time) -> datetime:
    """A wall-clock time at the clinic as an aware datetime (a time that does not exist that day moves on)."""
    return datetime.combine(day, at, db.config.clinic_timezone)


def publish(db: Database, actor: StaffSession | None, day: date, at: time, offer: SlotOffer) -> int:
    """One slot; returns 1, or 0 when the clinician already has a slot at that time."""
    return _publish(db, actor, [local_start(db, day, at)], offer, "publish_slot")


def pattern_starts(db: Database, weekdays: set[int], times: list[time], first: date, last: date) -> list[datetime]:
    """Every ``times`` on every weekday in ``weekdays`` (Monday 0) from ``first`` to ``last``, inclusive."""
    if last < first:
        raise ValueError("The last day is before the first.")
    if not weekdays or not times:
        raise ValueError("Choose at least one weekday and one time.")
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    starts = [local_start(db, day, at) for day in days if day.weekday() in weekdays for at in sorted(times)]
    if len(starts) > MAX_PATTERN_SLOTS:
        raise ValueError(f"That pattern makes {len(starts)} slots; publish at most {MAX_PATTERN_SLOTS} at once.")
    return starts


def publish_weekly(
    db: Database,
    actor: StaffSession | None,
    weekdays: set[int],
    times: list[time],
    first: date,
    last: date,
    offer: SlotOffer,
) -> int:
    """A weekly pattern; slots the clinician already has are skipped. Returns how many were added."""
    now = db.now()
    starts = [start for start in pattern_starts(db, weekdays, times, first, last) if start > now]
    if not starts:
        raise ValueError("Every time in that pattern has passed.")
    return _publish(db, actor, starts, offer, "publish_slots")


def board(db: Database, actor: StaffSession | None, *, days_back: int = 1, limit: int = 500) -> list[SlotLine]:
    """Slots from yesterday on, soonest first, with who holds each."""
    with db.session() as tx:
        require_session(tx, db, actor)
        rows = booking.slot_board(tx, after=db.now() - timedelta(days=days_back), limit=limit)
    return [
        SlotLine(s.id, s.starts_at, s.minutes, s.clinician, s.video_link, s.withdrawn_at is not None, ref, state)
        for s, ref, state in rows
    ]


def withdraw(db: Database, actor: StaffSession | None, slot_id: int) -> None:
    """Take an open slot off offer (audited); a held slot is refused: move or cancel its booking first."""
    with db.session() as tx:
        live = _publisher(tx, db, actor)
        if not booking.withdraw(tx, slot_id, db.now()):
            raise ValueError("Only an open slot can be withdrawn: move or cancel its booking first.")
        write_audit(tx, db, live, "withdraw_slot", f"slot {slot_id}")


@dataclass(frozen=True)
class OpenSlot:
    id: int
    starts_at: datetime
    minutes: int
    clinician: str


def open_slots(db: Database) -> list[OpenSlot]:
    """The soonest open slots, the same list for every patient (no triage, no answer decides it)."""
    with db.session() as tx:
        rows = booking.open_slots(tx, after=db.now(), limit=OFFERED)
    return [OpenSlot(s.id, s.starts_at, s.minutes, s.clinician) for s in rows]
