"""The returning patient's parts of the wizard: linking to their record, and the thank-you page after a return.

The questions themselves are drawn by the wizard like the first questionnaire's
(``screening.ui.draft.RETURN_STEPS``); linking and storing live in ``screening.intake``.
The patient is never told "continue" or "stop": only the same neutral "what happens next".
"""

from datetime import date
from typing import Any

import streamlit as st

from screening import intake
from screening.booking import calls
from screening.i18n import N_
from screening.ruleset import Advice
from screening.storage import StorageError
from screening.ui import resources
from screening.ui.draft import steps_for
from screening.ui.language import t
from screening.ui.navigation import CODE, DRAFT, browser_key, go_to
from screening.ui.warning_signs import confirmation_advice, next_steps_after_return
from screening.ui.widgets import birth_date_input

LINK_TITLE = N_("I have been treated here before")
LINK_FAILED = N_(
    "We could not find your record with this code and date of birth. Please check both: the code is on the "
    "confirmation of any earlier visit, or the clinic can give it to you. To protect your record, after "
    "{tries} wrong tries a code can only be used again once the clinic has unlocked it."
)
LINK_LOCKED = N_(
    "This code is locked, because a wrong date of birth was given too many times. To protect your record, only "
    "the clinic can unlock it: please call the clinic and tell them your code."
)
TOO_MANY = N_(
    "There have been too many tries from this browser, so you cannot try again here. Please call the clinic."
)
UNAVAILABLE = N_("Sorry, we cannot look up your record right now. Please try again later or call the clinic.")


def link_form() -> None:
    """A returning patient's code and date of birth; on a match the return questions start."""
    st.write(
        t(
            "Coming back after a Botox treatment at the clinic? Enter the reference code of any earlier visit "
            "(your first questions or a later return) and your date of birth. We then ask how the treatment has "
            "gone."
        )
    )
    code = st.text_input(t("Your reference code"), key="link-code", max_chars=24, placeholder="BT-XXXX-XXXX")
    born = birth_date_input(N_("Your date of birth"), "link-dob")
    if not st.button(t("Continue with my record"), key="link-go"):
        return
    found = None
    if code.strip() and born is not None:
        try:
            found = intake.link_return(resources.database(), code, born, browser=browser_key())
        except StorageError:
            st.error(t(UNAVAILABLE), icon=":material/error:")
            return
        except intake.LinkLocked:
            st.error(t(LINK_LOCKED), icon=":material/lock:")
            return
        except intake.LinkErased:
            st.info(t(calls.ERASED), icon=":material/delete:")
            return
        except intake.TooManyTries:
            st.error(t(TOO_MANY), icon=":material/error:")
            return
    if found is None:
        st.error(t(LINK_FAILED).format(tries=intake.TRIES_PER_CODE), icon=":material/error:")
        return
    draft = found.answers
    st.session_state[DRAFT] = draft
    st.session_state.pop(CODE, None)  # a saved first questionnaire's code does not carry over
    go_to(steps_for(draft)[0])


def dated_today(draft: dict[str, Any]) -> None:
    """The day the answers are sent is the day weeks since the last injection are counted to."""
    draft["linked"]["answered_on"] = date.today().isoformat()


def confirmation(receipt: dict[str, Any]) -> None:
    advice = [Advice(grade) for grade in receipt.get("advice", [])]
    confirmation_advice(advice)
    st.write(t("Your reference code for this visit:"))
    st.code(receipt["reference"], language=None)
    st.header(t("What happens next"), anchor=False)
    st.write(next_steps_after_return(advice))
