"""The intake workflow: which status a submission may move to next.

Kept in the core (no storage, no UI) so the staff pages, the services and the
tests share one definition. A move not listed here is refused.
"""

from enum import StrEnum


class Status(StrEnum):
    new = "new"
    in_review = "in_review"
    contact_attempted = "contact_attempted"
    consultation_booked = "consultation_booked"
    declined = "declined"
    referred_elsewhere = "referred_elsewhere"
    urgent_advice_given = "urgent_advice_given"
    urgent_referred = "urgent_referred"


STATUS_LABELS: dict[Status, str] = {
    Status.new: "New",
    Status.in_review: "In review",
    Status.contact_attempted: "Contact attempted",
    Status.consultation_booked: "Consultation booked",
    Status.declined: "Declined",
    Status.referred_elsewhere: "Referred elsewhere",
    Status.urgent_advice_given: "Urgent advice given",
    Status.urgent_referred: "Urgent: referred",
}

CLOSED: frozenset[Status] = frozenset(
    {Status.consultation_booked, Status.declined, Status.referred_elsewhere, Status.urgent_referred}
)

CONTACT_STATUSES: frozenset[Status] = frozenset(
    {Status.contact_attempted, Status.consultation_booked, Status.urgent_advice_given, Status.urgent_referred}
)
"""A move to one of these means staff reached, or tried to reach, the patient: the first one is "first contact"."""

_NEXT: dict[Status, frozenset[Status]] = {
    Status.new: frozenset({Status.in_review}),
    Status.in_review: frozenset(
        {Status.contact_attempted, Status.consultation_booked, Status.declined, Status.referred_elsewhere}
    ),
    Status.contact_attempted: frozenset(
        {Status.contact_attempted, Status.consultation_booked, Status.declined, Status.referred_elsewhere}
    ),
    Status.consultation_booked: frozenset(),
    Status.declined: frozenset({Status.in_review}),
    Status.referred_elsewhere: frozenset(),
    Status.urgent_advice_given: frozenset({Status.urgent_referred, Status.in_review}),
    Status.urgent_referred: frozenset(),
}
_URGENT_NEXT: dict[Status, frozenset[Status]] = {
    Status.new: frozenset({Status.in_review, Status.urgent_advice_given, Status.urgent_referred}),
    Status.in_review: _NEXT[Status.in_review] | {Status.urgent_advice_given, Status.urgent_referred},
}


BOOKED = Status.consultation_booked
"""Reached only by confirming a video call (``screening.booking``), so the status always carries its appointment;
cancelling that call takes the case back to ``REOPENED``."""
REOPENED = Status.in_review


MOVE_TARGETS: tuple[Status, ...] = tuple(
    s for s in Status if s != BOOKED and any(s in table_ for table_ in (*_NEXT.values(), *_URGENT_NEXT.values()))
)
"""Every status some case may be moved to by hand (never "new", never ``BOOKED``), in the workflow's order:
what a bulk move offers."""


class TransitionError(ValueError):
    """A status change the workflow does not allow."""


def allowed_next(current: Status, *, urgent: bool) -> frozenset[Status]:
    """Urgent submissions may also be marked as urgent advice given or referred."""
    table = {**_NEXT, **_URGENT_NEXT} if urgent else _NEXT
    return table[current]


def manual_next(current: Status, *, urgent: bool) -> frozenset[Status]:
    """The moves a person makes with the status control: all but ``BOOKED``, which confirming a call makes."""
    return allowed_next(current, urgent=urgent) - {BOOKED}


def check_transition(current: Status, target: Status, *, urgent: bool) -> None:
    if target not in allowed_next(current, urgent=urgent):
        raise TransitionError(f"Cannot move from {STATUS_LABELS[current]} to {STATUS_LABELS[target]}.")
