"""The text of each mail the clinic sends, and nothing a reader of a mailbox should not see.

Mail crosses servers the clinic does not run and sits in inboxes others may read, so no
mail holds health information. The on-call alert carries the reference and a queue link
only; its subject says the submission "needs review today" (when to look) and never why
(no triage word, no warning sign, no pathway, no patient name). The patient's mail holds
their resume code and the clinic's name, nothing about what the questions are about.
"""

from datetime import datetime
from email.utils import make_msgid

from screening.settings import Settings
from screening.storage.outbox import NewMail

ONCALL_ALERT, RESUME_CODE, CALL_CONFIRMED = "oncall_alert", "resume_code", "call_confirmed"
KIND_LABELS = {
    ONCALL_ALERT: "On-call alert",
    RESUME_CODE: "Resume code to a patient",
    CALL_CONFIRMED: "Video call confirmation to a patient",
}
QUEUE_PATH = "staff_queue"
CALL_PATH = "video_call"


def _message_id(settings: Settings) -> str:
    sender = settings.smtp_from or "screening@localhost"
    return make_msgid(domain=sender.rpartition("@")[2])


def _day(when: datetime) -> str:
    return f"{when:%B} {when.day}, {when.year}"


def urgent_alert(settings: Settings, recipient: str, reference: str, received: datetime) -> NewMail:
    body = (
        f"A new submission arrived at {received:%H:%M} UTC on {_day(received)} and needs review today.\n\n"
        f"Reference: {reference}\n\n"
        f"Open the review queue (log in first) and search for the reference:\n"
        f"{settings.base_url}/{QUEUE_PATH}\n\n"
        "This message holds no patient details on purpose: read them in the queue.\n\n"
        f"{settings.clinic_name} pre-screening\n"
    )
    return NewMail(
        kind=ONCALL_ALERT,
        recipient=recipient,
        subject=f"A new submission needs review today: {reference}",
        body=body,
        message_id=_message_id(settings),
        reference=reference,
    )


def clinic_time(settings: Settings, starts_at: datetime) -> str:
    """A start as a patient reads it: "Tuesday, March 3, 2026 at 10:30 New York time"."""
    local = starts_at.astimezone(settings.clinic_timezone)
    place = settings.clinic_timezone.key.rpartition("/")[2].replace("_", " ")
    return f"{local:%A}, {_day(local)} at {local:%H:%M} {place} time"


def call_confirmed(
    settings: Settings, recipient: str, reference: str, starts_at: datetime, minutes: int, link: str
) -> NewMail:
    """When, how long, the link and the reference; not the clinician or the reason for the call."""
    body = (
        "Hello,\n\n"
        f"Your free video call with {settings.clinic_name} is confirmed.\n\n"
        f"When: {clinic_time(settings, starts_at)}\n"
        f"How long: {minutes} minutes\n"
        f"Join here at that time: {link}\n\n"
        f"Your reference: {reference}\n\n"
        f"To add it to your calendar or see it again, open {settings.base_url}/{CALL_PATH} and enter your "
        "reference with the phone number or email address you gave us.\n\n"
        "If you cannot make it, please call the clinic and quote your reference.\n\n"
        f"{settings.clinic_name}\n"
    )
    return NewMail(
        kind=CALL_CONFIRMED,
        recipient=recipient,
        subject=f"Your video call is confirmed - {settings.clinic_name}",
        body=body,
        message_id=_message_id(settings),
        reference=reference,
    )


def resume_code(settings: Settings, recipient: str, code: str, expires_at: datetime) -> NewMail:
    body = (
        "Hello,\n\n"
        f"You asked us to email you the code for the answers you saved with {settings.clinic_name}.\n\n"
        f"Your code: {code}\n\n"
        f'To continue, open {settings.base_url}/ , choose "Continue where I left off", and enter this code '
        f"with your date of birth. Your saved answers are kept until {_day(expires_at)}.\n\n"
        "If you did not ask for this, you can ignore this message: nobody can open the answers "
        "without the date of birth as well.\n\n"
        f"{settings.clinic_name}\n"
    )
    return NewMail(
        kind=RESUME_CODE,
        recipient=recipient,
        subject=f"Your code to continue your answers - {settings.clinic_name}",
        body=body,
        message_id=_message_id(settings),
        expires_at=expires_at,
    )
