"""The patient's side of the free video call: choosing a time at the end of the questionnaire.

Called once, from the confirmation. A patient told to get emergency care is offered nothing here
(``screening.advice`` decides, from the rule set's grades); everyone else, including a patient told
to see a doctor soon, is offered the same open slots (their answers and triage play no part). The time
is a request: the page says so, and that the clinic confirms it.
"""

from datetime import datetime
from typing import Any

import streamlit as st

from screening.advice import emergency_given
from screening.booking import calls, slots
from screening.i18n import N_
from screening.i18n.formats import clinic_time
from screening.messaging.messages import CALL_PATH
from screening.messaging.outbox import mail_on
from screening.ruleset import Advice
from screening.storage import StorageError
from screening.ui import resources
from screening.ui.language import current, link_suffix, t

REQUESTED = "call_request"
CALL_ME = 0
"""The choice "please call me to arrange a time" (slot ids start at 1)."""
TRY_AGAIN = N_("Sorry, we could not send your request just now. Please try again.")


def when(at: datetime) -> str:
    """A call's start in the clinic's time zone, in the patient's language."""
    return clinic_time(at, resources.database().config.clinic_timezone, current())


def offer_call(receipt: dict[str, Any]) -> None:
    """The booking box under "What happens next"."""
    if emergency_given(Advice(grade) for grade in receipt.get("advice", [])):
        return
    st.header(t("Your free video call"), anchor=False)
    if REQUESTED in st.session_state:
        _requested(st.session_state[REQUESTED])
        return
    length = t("{when} ({minutes} minutes)")
    choices = {slot.id: length.format(when=when(slot.starts_at), minutes=slot.minutes) for slot in _open()}
    if choices:
        choices[CALL_ME] = t("None of these: please call me to arrange a time")
        st.write(t("Choose a time that suits you. The clinic confirms it after reading your answers."))
    else:  # "None of these" under no times at all would puzzle the patient
        choices[CALL_ME] = t("Please call me to arrange a time")
        st.write(t("There are no times to choose from just now. Ask us to call you and we will arrange one with you."))
    with st.form("request_call"):
        chosen = st.radio(t("Times we can offer"), list(choices), format_func=choices.__getitem__, index=None)
        email_me = _email_choice(receipt)
        if st.form_submit_button(t("Ask for this time"), type="primary"):
            _request(receipt, chosen, email_me)


def _open() -> list[slots.OpenSlot]:
    try:
        return slots.open_slots(resources.database())
    except StorageError:
        return []


def _email_choice(receipt: dict[str, Any]) -> bool:
    if not receipt.get("email") or not mail_on(resources.database().config):
        return False
    return st.checkbox(t("Email me the confirmation (it holds the date, time and link only)"))


def _request(receipt: dict[str, Any], chosen: int | None, email_me: bool) -> None:
    if chosen is None:
        st.error(t("Please choose a time, or ask us to call you."), icon=":material/error:")
        return
    try:
        call = calls.request(
            resources.database(),
            resources.ruleset(),
            receipt["submission_id"],
            None if chosen == CALL_ME else chosen,
            email_me=email_me,
        )
    except ValueError as exc:
        st.error(t(str(exc)), icon=":material/error:")
        return
    except StorageError:
        st.error(t(TRY_AGAIN), icon=":material/error:")
        return
    st.session_state[REQUESTED] = {"starts_at": call.starts_at, "email": call.email_requested}
    st.rerun()


def _requested(request: dict[str, Any]) -> None:
    if request["starts_at"] is None:
        st.success(t("Thank you: we will call you to arrange a time for your video call."), icon=":material/call:")
    else:
        st.success(t("You asked for {when}.").format(when=when(request["starts_at"])), icon=":material/event:")
        held = N_(
            "This time is held for you until the clinic confirms it, usually within 2 working days, and we will "
            "email you the confirmation."
        )
        only_held = N_("This time is held for you until the clinic confirms it, usually within 2 working days.")
        st.write(t(held if request["email"] else only_held))
    # A constant link, relative to this page's address (so it also works under a path prefix).
    later = t("To see your video call later, or add it to your calendar once it is confirmed:")
    st.markdown(f"{later} [{t('Your video call')}]({CALL_PATH}{link_suffix()})")
