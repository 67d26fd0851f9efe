"""What the wizard tells a patient about warning signs: one box per grade, and the next steps after sending.

Which answer gets which grade is not decided here: ``screening.advice`` reads it from the
rule set's urgent rules. This module only holds the words and draws them.
"""

from collections.abc import Callable
from typing import Any

import streamlit as st

from screening.care.information import SAME_DAY_AFTER as CANNOT_REACH
from screening.i18n import N_
from screening.ruleset import Advice
from screening.ui.language import t

EMERGENCY = N_(
    "Please get urgent medical help now: call 911 or go to the nearest emergency department. "
    "Do not wait for the clinic to contact you. You can finish these questions afterwards."
)
SOON = N_(
    "Please see a doctor about this within the next few days (your own doctor or an urgent care clinic). "
    "If you also have jaw pain when chewing, a tender scalp or changes in your sight, see a doctor today. "
    "The clinic will also contact you first about this answer."
)
SOON_AFTER = N_(
    "Because of your answers to the warning-sign questions, please see a doctor within the next few days "
    "(your own doctor or an urgent care clinic). "
    "If you also have jaw pain when chewing, a tender scalp or changes in your sight, see a doctor today."
)
SAME_DAY = N_("Please call the clinic today about this (or your own doctor).")
SAME_DAY_SENT = N_("Because of your answers, please call the clinic today (or your own doctor).")
"""With the information page's own next sentence (``CANNOT_REACH``): the same advice it gives for double or blurred
vision and general weakness after an injection, in the same words."""
SAME_DAY_NEXT = N_(
    "Please call the clinic today (or your own doctor), as it says above: do not wait for the clinic to contact "
    "you. A member of the clinic team will also look at your answers first."
)
UNSURE_NOW = N_(
    "If this is happening now, call 911 or go to the nearest emergency department. "
    "If not, a clinician will check this with you."
)
ADVICE_BOXES: dict[Advice, tuple[Callable[..., Any], str, str]] = {
    Advice.emergency: (st.error, EMERGENCY, ":material/emergency:"),
    Advice.same_day: (st.warning, SAME_DAY, ":material/call:"),
    Advice.soon: (st.warning, SOON, ":material/medical_services:"),
    Advice.unsure: (st.info, UNSURE_NOW, ":material/info:"),
}
"""What each grade of warning sign tells the patient at once; which answers get which grade is the rule set's."""
EMERGENCY_AFTER = N_(
    "If you have not done so already, please get urgent medical help now: call 911 or go to the nearest "
    "emergency department."
)


HELP_FIRST = N_(
    "Please get help first. The clinic has your answers and will follow up with you after you have been seen."
)
"""What happens next after emergency advice, first visit or return: help first, never a routine call to wait for."""
KEEP_CODE = N_("Please keep your reference code: quote it if you call us.")

AFTER_SENDING = {
    Advice.emergency: EMERGENCY_AFTER,
    Advice.same_day: SAME_DAY_SENT,
    Advice.soon: SOON_AFTER,
    Advice.unsure: UNSURE_NOW,
}
"""The same advice on the thank-you page, where "this answer" would no longer be beside its question."""
THEN: dict[Advice, str] = {Advice.same_day: CANNOT_REACH}
"""A grade's last sentence, beside the question and after sending alike."""


def advice_text(advice: Advice, *, sent: bool = False) -> str:
    """What a grade's box says, in the patient's language."""
    first = t(AFTER_SENDING[advice] if sent else ADVICE_BOXES[advice][1])
    return f"{first} {t(THEN[advice])}" if advice in THEN else first


def advice_box(advice: Advice | None, *, sent: bool = False) -> None:
    if advice is not None:
        box, _, icon = ADVICE_BOXES[advice]
        box(advice_text(advice, sent=sent), icon=icon)


def confirmation_advice(advice: list[Advice]) -> None:
    for grade in advice:
        advice_box(grade, sent=True)


def next_steps(advice: list[Advice], method: str, *, call_asked: bool = False) -> str:
    """In the patient's language; ``method`` is one of ``CONTACT_BY``'s English phrases. Once the patient has
    asked for a call (``call_asked``), the box below says what happens with it, so no choosing is offered here."""
    keep = t(KEEP_CODE)
    if Advice.emergency in advice:
        return f"{t(HELP_FIRST)} {keep}"
    if Advice.same_day in advice:
        first = _same_day_steps()
    elif Advice.soon in advice:
        first = t("A member of the clinic team will contact you first about your answer to the warning-sign questions.")
    else:
        first = t("A member of the clinic team will read your answers, usually within 2 working days.")
    if call_asked:
        return f"{first} {keep}"
    call = t(  # the booking box follows on this page: the patient chooses a time there, or asks to be called
        "Below you can choose a time for a free video call with a clinician, who will talk through your options "
        "with you. If none suits you, we will contact you by {method} to arrange one."
    ).format(method=t(method))
    return f"{first} {call} {keep}"


def next_steps_after_return(advice: list[Advice]) -> str:
    """The same neutral next steps after a return visit: never "continue" or "stop"; the clinician decides with them.

    After same-day advice they repeat it (never "within 2 working days", which would contradict it)."""
    keep = t(KEEP_CODE)
    if Advice.emergency in advice:
        return f"{t(HELP_FIRST)} {keep}"
    if Advice.same_day in advice:
        return f"{_same_day_steps()} {keep}"
    return (
        t(
            "A member of the clinic team will read your answers, usually within 2 working days, and contact you the "
            "way you chose before. At your next visit the clinician talks through with you how the treatment is "
            "going and what to do next."
        )
        + " "
        + keep
    )


def _same_day_steps() -> str:
    """The same-day advice again in "what happens next", so nothing there says to wait (e.g. 2 working days)."""
    return f"{t(SAME_DAY_NEXT)} {t(CANNOT_REACH)}"
