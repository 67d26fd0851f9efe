"""The video call on the staff pages: how a call reads in the queue and timeline, and the case page's panel.

Times are shown in the clinic's time zone. The link and the clinician's name are shown with
``st.text`` (staff typed them, so they are never markdown).
"""

from datetime import datetime
from typing import Any

import streamlit as st

from screening.advice import emergency_advised
from screening.booking import calls, slots
from screening.booking.calls import STATE_LABELS, CallState
from screening.casework import Detail
from screening.staff import StaffSession
from screening.triage import Triage
from screening.ui import resources
from screening.ui.staff_common import attempt
from screening.workflow import BOOKED, REOPENED, STATUS_LABELS, allowed_next

OFFER_KEY = "staff_offer_slot"


def short_time(at: datetime) -> str:
    """A start as intake reads it in a table: "Tue 03 Mar 10:30" in the clinic's time."""
    return f"{at.astimezone(resources.database().config.clinic_timezone):%a %d %b %Y %H:%M}"


def queue_cell(state: str | None, at: datetime | None) -> str:
    """The queue's narrow "Video call" cell: "Requested 03 Mar 10:30", "Call to arrange", or nothing."""
    if state is None:
        return ""
    label = STATE_LABELS[CallState(state)]
    return f"{label} {at.astimezone(resources.database().config.clinic_timezone):%d %b %H:%M}" if at else label


def describe(data: dict[str, Any]) -> str:
    """A ``video_call`` timeline event in words."""
    action = CallState(data["action"])
    slot = (
        f": {short_time(datetime.fromisoformat(data['starts_at']))} with {data['clinician']}" if "slot" in data else ""
    )
    return f"Video call {STATE_LABELS[action].lower()}{slot}"


def appointment_suffix(data: dict[str, Any]) -> str:
    """What a status event that booked the consultation adds: its appointment."""
    appointment = data.get("appointment")
    return f" ({short_time(datetime.fromisoformat(appointment['starts_at']))})" if appointment else ""


def case_panel(me: StaffSession, found: Detail) -> None:
    """The case's video call and intake's three decisions: confirm, offer another slot, cancel."""
    db = resources.database()
    st.subheader("Video call")
    call = calls.of_case(db, me, found.submission_id)
    if call is None or call.state == CallState.cancelled:
        st.text("No video call requested." if call is None else "The video call was cancelled.")
    else:
        _current(call)
    live = call is not None and call.state != CallState.cancelled
    with st.container(horizontal=True):
        if live and call.slot_id is not None and call.state in (CallState.requested, CallState.offered):
            ready = BOOKED in allowed_next(found.status, urgent=found.triage == Triage.urgent, visit=found.visit_kind)
            st.button(
                "Confirm this call",
                key="call_confirm",
                type="primary",
                on_click=_confirm,
                args=(me, found),
                disabled=not ready,  # a click that can only fail is no button to offer
                help=None if ready else f"Move the case to {STATUS_LABELS[REOPENED]} first: confirming books it.",
            )
        if live:
            st.button("Cancel the call", key="call_cancel", on_click=_cancel, args=(me, found))
    if call is None or call.state != CallState.confirmed:
        another = live and call.slot_id is not None
        told = emergency_advised(resources.ruleset(), found.answers, found.pathway)
        _offer(me, found, urgent_advice=told, another=another)


def _current(call: calls.Call) -> None:
    lines = [f"{STATE_LABELS[call.state]}" + (" (the patient asked to be called)" if call.slot_id is None else "")]
    if call.starts_at is not None:
        lines.append(f"{short_time(call.starts_at)}, {call.minutes} minutes, with {call.clinician}")
        lines.append(f"Link: {call.video_link}")
    if call.email_requested:
        lines.append("The patient asked for the confirmation by email.")
    st.text("\n".join(lines))


def _offer(me: StaffSession, found: Detail, *, urgent_advice: bool, another: bool) -> None:
    if urgent_advice:  # they could not ask for a time themselves; intake offers one once they have been seen
        st.warning(
            "This patient was told to get emergency care and was offered no time: offer a call only once they "
            "have been seen.",
            icon=":material/emergency:",
        )
    choices = slots.open_slots(resources.database())
    if not choices:
        st.text("No open slots to offer: publish some on the Video calls page.")
        return
    by_id = {slot.id: f"{short_time(slot.starts_at)}, {slot.minutes} min, {slot.clinician}" for slot in choices}
    with st.form("offer_slot", border=False):
        offer = "Offer another slot" if another else "Offer a slot"
        chosen = st.selectbox(offer, list(by_id), format_func=by_id.__getitem__, key=OFFER_KEY)
        if st.form_submit_button("Offer this slot"):
            attempt(lambda: calls.offer(resources.database(), me, found.submission_id, chosen), "Slot offered.")
            st.rerun()


def _confirm(me: StaffSession, found: Detail) -> None:
    attempt(
        lambda: calls.confirm(resources.database(), me, found.submission_id),
        "Video call confirmed: the consultation is booked.",
    )


def _cancel(me: StaffSession, found: Detail) -> None:
    attempt(lambda: calls.cancel(resources.database(), me, found.submission_id), "Video call cancelled.")
