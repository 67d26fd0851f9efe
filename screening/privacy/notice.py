"""What the patient is told about their data: what is kept, for how long, and how to ask to see or erase it.

Built from the settings that decide it (the retention months an administrator set, the draft and
autosave lifetimes, the contact the clinic configured), so the text can never promise other
figures than the ones the code enforces.
"""

from dataclasses import dataclass

from screening.i18n import ENGLISH, N_, translate
from screening.i18n.formats import amount


@dataclass(frozen=True)
class Terms:
    months: int
    """Retention of identifying data for submissions that never reached a booked consultation."""
    draft_days: int
    autosave_minutes: int
    contact: str
    """Who to ask (``SCREENING_PRIVACY_CONTACT``): an address, a phone number, a desk."""


KEPT = N_(
    "What the clinic keeps: your answers to these questions (including your name, date of birth and how to "
    "reach you), the result the clinic's rules give them, and the notes the clinic team writes while handling "
    "your request. They are stored encrypted and read only by the clinic team caring for your request. "
    "Nothing is shared for advertising."
)
HOW_LONG = N_(
    "For how long: if you do not go on to a booked consultation, your name, date of birth, contact details, "
    "answers and notes are erased {months} months after you finish the questions; if you become a "
    "patient of the clinic, they are kept with your records. Answers you save to finish later are deleted after "
    "{draft_days} days, and the copy that lets this page survive a reload {autosave} after your last change. "
    "After erasure the clinic keeps only counts (for example, how many people asked for help each month), with "
    "nothing that identifies you."
)
HOW_TO_ASK = N_(
    "How to ask: you can ask to see everything the clinic holds about you, or to have it erased, at any "
    "time. Contact {contact} and give your reference code (shown when you finish the questions), "
    "or your name and date of birth."
)


def _duration(minutes: int, language: str) -> str:
    if minutes % 60:
        return amount(minutes, "minutes", language)
    return amount(minutes // 60, "hours", language)


def privacy_paragraphs(terms: Terms, language: str = ENGLISH) -> list[str]:
    """Plain sentences, one paragraph each, in the order a patient would ask, in the patient's language."""
    return [
        translate(KEPT, language),
        translate(HOW_LONG, language).format(
            months=terms.months,
            draft_days=terms.draft_days,
            autosave=_duration(terms.autosave_minutes, language),
        ),
        translate(HOW_TO_ASK, language).format(contact=translate(terms.contact, language)),
    ]
