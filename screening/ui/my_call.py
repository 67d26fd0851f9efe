"""The patient's page for their video call (``/video_call``): found by reference and phone or email.

Shows whether the call is requested or confirmed; a confirmed call's date, time and link, and its
calendar file. The same words whether the reference or the contact detail did not match.
"""

import streamlit as st

from screening.booking import calendar, calls
from screening.booking.calls import CallState
from screening.storage import StorageError
from screening.storage.cases import Erased
from screening.ui import resources
from screening.ui.booking import when

FOUND = "my_call"
NOT_FOUND = "We could not find a video call for that reference and phone number or email address."


def page() -> None:
    st.title("Your video call", anchor=False)
    with st.form("find_call"):
        reference = st.text_input("Your reference code", max_chars=20, placeholder="BT-XXXX-XXXX")
        contact = st.text_input("The phone number or email address you gave us", max_chars=320)
        if st.form_submit_button("Show my video call", type="primary"):
            _find(reference, contact)
    found = st.session_state.get(FOUND)
    if found is not None:
        _show(found)


def _find(reference: str, contact: str) -> None:
    st.session_state.pop(FOUND, None)
    try:
        found = calls.for_patient(resources.database(), reference, contact)
    except StorageError:
        st.error("Sorry, we cannot look this up right now. Please try again later.", icon=":material/error:")
        return
    except Erased as gone:
        st.info(str(gone), icon=":material/delete:")
        return
    if found is None:
        st.error(NOT_FOUND, icon=":material/error:")
        return
    st.session_state[FOUND] = found


def _show(call: calls.Call) -> None:
    if call.state == CallState.confirmed and call.starts_at is not None:
        _confirmed(call)
    elif call.state in (CallState.requested, CallState.offered) and call.starts_at is not None:
        st.info(
            f"Asked for {when(call.starts_at)}. The clinic has not confirmed it yet; we will contact you.",
            icon=":material/schedule:",
        )
    elif call.state == CallState.call_me:
        st.info("We will call you to arrange a time.", icon=":material/call:")
    else:
        st.info("This video call was cancelled. The clinic will contact you about another time.")


def _confirmed(call: calls.Call) -> None:
    db = resources.database()
    st.success("Your video call is confirmed.", icon=":material/event_available:")
    st.text(f"When: {when(call.starts_at)}\nHow long: {call.minutes} minutes\nLink: {call.video_link}")
    st.link_button("Join the video call", call.video_link, icon=":material/video_call:")
    ics = calendar.call_ics(
        uid=f"{call.reference}-{call.slot_id}@{db.config.base_url.split('//')[-1]}",
        starts_at=call.starts_at,
        minutes=call.minutes or 0,
        video_link=call.video_link or "",
        clinic=db.config.clinic_name,
        stamp=db.now(),
    )
    st.download_button("Add to my calendar (.ics)", ics, file_name="video-call.ics", mime="text/calendar")


if __name__ == "__main__":
    page()
