"""The patient's side of the free video call: choosing a time at the end of the questionnaire.

Called once, from the confirmation. A patient given warning-sign advice is offered nothing here;
everyone else is offered the same open slots (their answers and triage play no part). The time
is a request: the page says so, and that the clinic confirms it.
"""

from datetime import datetime
from typing import Any

import streamlit as st

from screening.booking import calls, slots
from screening.messaging.messages import CALL_PATH, clinic_time
from screening.messaging.outbox import mail_on
from screening.storage import StorageError
from screening.ui import resources

REQUESTED = "call_request"
CALL_ME = 0
"""The choice "please call me to arrange a time" (slot ids start at 1)."""
TRY_AGAIN = "Sorry, we could not send your request just now. Please try again."


def when(at: datetime) -> str:
    return clinic_time(resources.database().config, at)


def offer_call(receipt: dict[str, Any]) -> None:
    """The booking box under "What happens next"."""
    if receipt.get("advice"):  # told to get help, or that the clinic calls first about a warning sign
        return
    st.header("Your free video call", anchor=False)
    if REQUESTED in st.session_state:
        _requested(st.session_state[REQUESTED])
        return
    choices = {slot.id: f"{when(slot.starts_at)} ({slot.minutes} minutes)" for slot in _open()}
    choices[CALL_ME] = "None of these: please call me to arrange a time"
    st.write("Choose a time that suits you. The clinic confirms it after reading your answers.")
    with st.form("request_call"):
        chosen = st.radio("Times we can offer", list(choices), format_func=choices.__getitem__, index=None)
        email_me = _email_choice(receipt)
        if st.form_submit_button("Ask for this time", type="primary"):
            _request(receipt, chosen, email_me)


def _open() -> list[slots.OpenSlot]:
    try:
        return slots.open_slots(resources.database())
    except StorageError:
        return []


def _email_choice(receipt: dict[str, Any]) -> bool:
    if not receipt.get("email") or not mail_on(resources.database().config):
        return False
    return st.checkbox("Email me the confirmation (it holds the date, time and link only)")


def _request(receipt: dict[str, Any], chosen: int | None, email_me: bool) -> None:
    if chosen is None:
        st.error("Please choose a time, or ask us to call you.", icon=":material/error:")
        return
    try:
        call = calls.request(
            resources.database(), receipt["submission_id"], None if chosen == CALL_ME else chosen, email_me=email_me
        )
    except ValueError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    except StorageError:
        st.error(TRY_AGAIN, icon=":material/error:")
        return
    st.session_state[REQUESTED] = {"starts_at": call.starts_at, "email": call.email_requested}
    st.rerun()


def _requested(request: dict[str, Any]) -> None:
    if request["starts_at"] is None:
        st.success("Thank you: we will call you to arrange a time for your video call.", icon=":material/call:")
    else:
        st.success(f"You asked for {when(request['starts_at'])}.", icon=":material/event:")
        st.write(
            "This time is held for you until the clinic confirms it, usually within 2 working days"
            + (", and we will email you the confirmation." if request["email"] else ".")
        )
    # A constant link, relative to this page's address (so it also works under a path prefix).
    st.markdown(
        f"To see your video call later, or add it to your calendar once it is confirmed: [Your video call]({CALL_PATH})"
    )
