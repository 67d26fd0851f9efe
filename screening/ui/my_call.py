"""The patient's page for their video call (``/video_call``): found by reference and phone or email.

Shows whether the call is requested or confirmed; a confirmed call's date, time and link, and its
calendar file. The same words whether the reference or the contact detail did not match.
"""

import streamlit as st

from screening.booking import calendar, calls
from screening.booking.calls import CallState
from screening.i18n import N_
from screening.storage import StorageError
from screening.storage.cases import Erased
from screening.ui import resources
from screening.ui.booking import when
from screening.ui.language import t
from screening.ui.widgets import language_switch

FOUND = "my_call"
NOT_FOUND = N_("We could not find a video call for that reference and phone number or email address.")


def page() -> None:
    language_switch()
    st.title(t("Your video call"), anchor=False)
    with st.form("find_call"):
        reference = st.text_input(t("Your reference code"), max_chars=20, placeholder="BT-XXXX-XXXX")
        contact = st.text_input(t("The phone number or email address you gave us"), max_chars=320)
        if st.form_submit_button(t("Show my video call"), type="primary"):
            _find(reference, contact)
    found = st.session_state.get(FOUND)
    if found is not None:
        _show(found)


def _find(reference: str, contact: str) -> None:
    st.session_state.pop(FOUND, None)
    try:
        found = calls.for_patient(resources.database(), reference, contact)
    except StorageError:
        st.error(t("Sorry, we cannot look this up right now. Please try again later."), icon=":material/error:")
        return
    except Erased as gone:
        st.info(str(gone), icon=":material/delete:")
        return
    if found is None:
        st.error(t(NOT_FOUND), icon=":material/error:")
        return
    st.session_state[FOUND] = found


def _show(call: calls.Call) -> None:
    if call.state == CallState.confirmed and call.starts_at is not None:
        _confirmed(call)
    elif call.state in (CallState.requested, CallState.offered) and call.starts_at is not None:
        st.info(
            t("Asked for {when}. The clinic has not confirmed it yet; we will contact you.").format(
                when=when(call.starts_at)
            ),
            icon=":material/schedule:",
        )
    elif call.state == CallState.call_me:
        st.info(t("We will call you to arrange a time."), icon=":material/call:")
    else:
        st.info(t("This video call was cancelled. The clinic will contact you about another time."))


def _confirmed(call: calls.Call) -> None:
    db = resources.database()
    st.success(t("Your video call is confirmed."), icon=":material/event_available:")
    lines = t("When: {when}\nHow long: {minutes} minutes\nLink: {link}")
    st.text(lines.format(when=when(call.starts_at), minutes=call.minutes, link=call.video_link))
    st.link_button(t("Join the video call"), call.video_link, icon=":material/video_call:")
    ics = calendar.call_ics(
        uid=f"{call.reference}-{call.slot_id}@{db.config.base_url.split('//')[-1]}",
        starts_at=call.starts_at,
        minutes=call.minutes or 0,
        video_link=call.video_link or "",
        clinic=db.config.clinic_name,
        stamp=db.now(),
    )
    st.download_button(t("Add to my calendar (.ics)"), ics, file_name="video-call.ics", mime="text/calendar")


if __name__ == "__main__":
    page()
