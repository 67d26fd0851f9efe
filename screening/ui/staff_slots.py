"""Video calls: the slots on offer and who holds each; clinicians and admins publish and withdraw them.

A slot is published one at a time or as a weekly pattern (weekdays x times between two dates),
in the clinic's time zone. Every cell is shown literally (a dataframe), links included.
"""

from datetime import date, time, timedelta

import pandas as pd
import streamlit as st

from screening.booking import slots
from screening.booking.calls import STATE_LABELS, CallState
from screening.staff import StaffSession
from screening.ui import auth, resources
from screening.ui.staff_common import attempt, show_outcome, storage_guard
from screening.ui.video_call import short_time
from screening.wording import count

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TIMES = [time(hour, minute) for hour in range(7, 21) for minute in (0, 15, 30, 45)]
COLUMNS = ["Starts", "Minutes", "Clinician", "Held by", "State", "Video link"]


def page() -> None:
    with storage_guard():
        _slots()


def _slots() -> None:
    me = auth.require_staff()
    st.header("Video calls")
    show_outcome()
    zone = resources.database().config.clinic_timezone.key
    st.text(f"Times are the clinic's ({zone}).")
    try:
        board = slots.board(resources.database(), me)
    except PermissionError as exc:
        auth.refused(exc)
        return
    st.dataframe(board_frame(board), hide_index=True, key="slot_board")
    if me.role not in slots.PUBLISHERS:
        st.text("Clinicians and administrators publish slots.")
        return
    one, weekly = st.columns(2)
    with one:
        _publish_one(me)
    with weekly:
        _publish_weekly(me)
    _withdraw(me, [line for line in board if line.reference is None and not line.withdrawn])


def board_frame(board: list[slots.SlotLine]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Starts": short_time(line.starts_at),
                "Minutes": str(line.minutes),
                "Clinician": line.clinician,
                "Held by": line.reference or "",
                "State": "Withdrawn"
                if line.withdrawn
                else STATE_LABELS[CallState(line.state)]
                if line.state
                else "Open",
                "Video link": line.video_link,
            }
            for line in board
        ],
        columns=COLUMNS,
        dtype="string",
    )


def _offer_fields(prefix: str) -> slots.SlotOffer:
    minutes = st.selectbox("Length (minutes)", slots.LENGTHS, index=2, key=f"{prefix}_minutes")
    clinician = st.text_input("Clinician", max_chars=100, key=f"{prefix}_clinician")
    link = st.text_input("Video link (https://...)", max_chars=500, key=f"{prefix}_link")
    return slots.SlotOffer(minutes, clinician, link)


def _publish_one(me: StaffSession) -> None:
    st.subheader("Publish one slot")
    with st.form("publish_one"):
        day = st.date_input("Day", value=date.today() + timedelta(days=1), min_value=date.today(), key="one_day")
        at = st.selectbox("Time", TIMES, index=12, format_func=lambda t: f"{t:%H:%M}", key="one_time")
        offer = _offer_fields("one")
        if st.form_submit_button("Publish slot", type="primary"):
            attempt(lambda: _one(me, day, at, offer), "Slot published.")
            st.rerun()


def _one(me: StaffSession, day: date, at: time, offer: slots.SlotOffer) -> None:
    if slots.publish(resources.database(), me, day, at, offer) == 0:
        raise ValueError("That clinician already has a slot at that time.")


def _publish_weekly(me: StaffSession) -> None:
    st.subheader("Publish a weekly pattern")
    with st.form("publish_weekly"):
        days = st.multiselect("Weekdays", range(7), format_func=WEEKDAYS.__getitem__, key="week_days")
        times = st.multiselect("Times", TIMES, format_func=lambda t: f"{t:%H:%M}", key="week_times")
        first = st.date_input("From", value=date.today() + timedelta(days=1), min_value=date.today(), key="week_from")
        last = st.date_input("Until", value=date.today() + timedelta(weeks=4), min_value=date.today(), key="week_until")
        offer = _offer_fields("week")
        if st.form_submit_button("Publish pattern", type="primary"):
            _weekly(me, set(days), times, first, last, offer)
            st.rerun()


def _weekly(
    me: StaffSession, days: set[int], times: list[time], first: date, last: date, offer: slots.SlotOffer
) -> None:
    attempt(
        lambda: slots.publish_weekly(resources.database(), me, days, times, first, last, offer),
        lambda added: f"{count(added, 'slot')} published.",
    )


def _withdraw(me: StaffSession, open_lines: list[slots.SlotLine]) -> None:
    if not open_lines:
        return
    st.subheader("Withdraw an open slot")
    by_id = {line.id: f"{short_time(line.starts_at)}, {line.clinician}" for line in open_lines}
    with st.form("withdraw"):
        chosen = st.selectbox("Slot", list(by_id), format_func=by_id.__getitem__, key="withdraw_slot")
        if st.form_submit_button("Withdraw slot"):
            attempt(lambda: slots.withdraw(resources.database(), me, chosen), "Slot withdrawn.")
            st.rerun()


if __name__ == "__main__":
    page()
