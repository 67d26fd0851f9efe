"""The text of each mail the clinic sends, and nothing a reader of a mailbox should not see.

Mail crosses servers the clinic does not run and sits in inboxes others may read, so no
mail holds health information. The on-call alert carries the reference and a queue link
only; its subject says the submission "needs review today" (when to look) and never why
(no triage word, no warning sign, no pathway, no patient name). The patient's mail holds
their resume code and the clinic's name, nothing about what the questions are about.
"""

from datetime import datetime
from email.utils import make_msgid

from screening.i18n import ENGLISH, N_, formats, translate
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


def urgent_alert(settings: Settings, recipient: str, reference: str, received: datetime) -> NewMail:
    day = formats.long_date(received, ENGLISH)  # staff read English
    body = (
        f"A new submission arrived at {received:%H:%M} UTC on {day} and needs review today.\n\n"
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


def clinic_time(settings: Settings, starts_at: datetime, language: str = ENGLISH) -> str:
    """A start as a patient reads it: "Tuesday, March 3, 2026 at 10:30 New York time"."""
    return formats.clinic_time(starts_at, settings.clinic_timezone, language)


CALL_CONFIRMED_BODY = N_(
    "Hello,\n\n"
    "Your free video call with {clinic} is confirmed.\n\n"
    "When: {when}\n"
    "How long: {minutes} minutes\n"
    "Join here at that time: {link}\n\n"
    "Your reference: {reference}\n\n"
    "To add it to your calendar or see it again, open {address} and enter your "
    "reference with the phone number or email address you gave us.\n\n"
    "If you cannot make it, please call the clinic and quote your reference.\n\n"
    "{clinic}\n"
)


def call_confirmed(
    settings: Settings,
    recipient: str,
    reference: str,
    starts_at: datetime,
    minutes: int,
    link: str,
    language: str = ENGLISH,
) -> NewMail:
    """When, how long, the link and the reference; not the clinician or the reason for the call. In the
    language the patient answered in (the link to their call page opens in it too)."""
    address = f"{settings.base_url}/{CALL_PATH}" + ("" if language == ENGLISH else f"?lang={language}")
    body = translate(CALL_CONFIRMED_BODY, language).format(
        clinic=settings.clinic_name,
        when=clinic_time(settings, starts_at, language),
        minutes=minutes,
        link=link,
        reference=reference,
        address=address,
    )
    return NewMail(
        kind=CALL_CONFIRMED,
        recipient=recipient,
        subject=translate(N_("Your video call is confirmed - {clinic}"), language).format(clinic=settings.clinic_name),
        body=body,
        message_id=_message_id(settings),
        reference=reference,
    )


RESUME_CODE_BODY = N_(
    "Hello,\n\n"
    "You asked us to email you the code for the answers you saved with {clinic}.\n\n"
    "Your code: {code}\n\n"
    'To continue, open {address} , choose "Continue where I left off", and enter this code '
    "with your date of birth. Your saved answers are kept until {until}.\n\n"
    "If you did not ask for this, you can ignore this message: nobody can open the answers "
    "without the date of birth as well.\n\n"
    "{clinic}\n"
)


def resume_code(
    settings: Settings, recipient: str, code: str, expires_at: datetime, language: str = ENGLISH
) -> NewMail:
    """The code and how to use it, in the language the patient was answering in."""
    address = f"{settings.base_url}/" + ("" if language == ENGLISH else f"?lang={language}")
    body = translate(RESUME_CODE_BODY, language).format(
        clinic=settings.clinic_name, code=code, address=address, until=formats.long_date(expires_at, language)
    )
    return NewMail(
        kind=RESUME_CODE,
        recipient=recipient,
        subject=translate(N_("Your code to continue your answers - {clinic}"), language).format(
            clinic=settings.clinic_name
        ),
        body=body,
        message_id=_message_id(settings),
        expires_at=expires_at,
    )
