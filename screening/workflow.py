"""The intake workflow: which status a submission may move to next.

Kept in the core (no storage, no UI) so the staff pages, the services and the
tests share one definition. A move not listed here is refused.

Two kinds of visit follow different paths. A first screening is reviewed, the patient is
called, a video consultation is booked, and only then treated (or, after the consultation,
declined or referred). A return visit comes from a patient the clinic already treats: it is
reviewed and then treated, declined or referred at the clinic, without a video call.
"""

from enum import StrEnum

from screening.choices import VisitKind


class Status(StrEnum):
    new = "new"
    in_review = "in_review"
    contact_attempted = "contact_attempted"
    consultation_booked = "consultation_booked"
    declined = "declined"
    referred_elsewhere = "referred_elsewhere"
    urgent_advice_given = "urgent_advice_given"
    urgent_referred = "urgent_referred"
    treated = "treated"


VISIT_LABELS: dict[VisitKind, str] = {VisitKind.first: "First visit", VisitKind.return_: "Return visit"}


STATUS_LABELS: dict[Status, str] = {
    Status.new: "New",
    Status.in_review: "In review",
    Status.contact_attempted: "Contact attempted",
    Status.consultation_booked: "Consultation booked",
    Status.declined: "Declined",
    Status.referred_elsewhere: "Referred elsewhere",
    Status.urgent_advice_given: "Urgent advice given",
    Status.urgent_referred: "Urgent: referred",
    Status.treated: "Treated",
}

CLOSED: frozenset[Status] = frozenset(
    {Status.consultation_booked, Status.declined, Status.referred_elsewhere, Status.urgent_referred, Status.treated}
)

CONTACT_STATUSES: frozenset[Status] = frozenset(
    {
        Status.contact_attempted,
        Status.consultation_booked,
        Status.urgent_advice_given,
        Status.urgent_referred,
        Status.treated,
    }
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
    Status.consultation_booked: frozenset({Status.treated, Status.declined, Status.referred_elsewhere}),
    Status.declined: frozenset({Status.in_review}),
    Status.referred_elsewhere: frozenset(),
    Status.urgent_advice_given: frozenset({Status.urgent_referred, Status.in_review}),
    Status.urgent_referred: frozenset(),
    Status.treated: frozenset({Status.treated}),
}
"""A first screening. After the consultation the clinician treats, or decides against it (declined, referred).
Treated to treated is a correction of the recorded treatment (a new event; the first one stays)."""
_RETURN_NEXT: dict[Status, frozenset[Status]] = {
    **_NEXT,
    Status.in_review: frozenset({Status.contact_attempted, Status.treated, Status.declined, Status.referred_elsewhere}),
    Status.contact_attempted: frozenset(
        {Status.contact_attempted, Status.treated, Status.declined, Status.referred_elsewhere}
    ),
    Status.consultation_booked: frozenset(),
}
"""A return visit: no video consultation, the clinician sees the patient at the treatment appointment."""
_URGENT = frozenset({Status.urgent_advice_given, Status.urgent_referred})
_URGENT_FROM = frozenset({Status.new, Status.in_review})
"""Urgent submissions, first or return, may also be marked as urgent advice given or referred from these."""


BOOKED = Status.consultation_booked
"""Reached only by confirming a video call (``screening.booking``), so the status always carries its appointment;
cancelling that call takes the case back to ``REOPENED``."""
REOPENED = Status.in_review
TREATED = Status.treated
"""Reached only by recording a treatment (``casework.record_treatment``): its date, Units and sites go with it."""
BOOKED_OR_LATER = frozenset({BOOKED, TREATED})
"""Statuses of a case that has had its consultation booked (treatment comes only after it): analytics counts these."""
BY_FORM = frozenset({BOOKED, TREATED})
"""Statuses that carry details (an appointment, a treatment): never a bare button or a bulk move."""

_REACHED = _URGENT.union(*_NEXT.values(), *_RETURN_NEXT.values())
MOVE_TARGETS: tuple[Status, ...] = tuple(s for s in Status if s in _REACHED and s not in BY_FORM)
"""Every status some case may be moved to by hand (never "new", never one ``BY_FORM``), in the workflow's order:
what a bulk move offers."""


class TransitionError(ValueError):
    """A status change the workflow does not allow."""


def allowed_next(current: Status, *, urgent: bool, visit: VisitKind = VisitKind.first) -> frozenset[Status]:
    following = (_RETURN_NEXT if visit == VisitKind.return_ else _NEXT)[current]
    return following | _URGENT if urgent and current in _URGENT_FROM else following


def manual_next(current: Status, *, urgent: bool, visit: VisitKind = VisitKind.first) -> frozenset[Status]:
    """The moves a person makes with the status buttons: all but those ``BY_FORM`` (a confirmed call, a treatment)."""
    return allowed_next(current, urgent=urgent, visit=visit) - BY_FORM


def check_transition(current: Status, target: Status, *, urgent: bool, visit: VisitKind = VisitKind.first) -> None:
    if target not in allowed_next(current, urgent=urgent, visit=visit):
        raise TransitionError(f"Cannot move from {STATUS_LABELS[current]} to {STATUS_LABELS[target]}.")
