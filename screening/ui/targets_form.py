"""The administrators' overdue targets: per triage, how long a case may wait in one status (working time).

Only a changed target is saved (and audited, with its old and new value); the queue
highlights cases past their target from the next page load.
"""

import streamlit as st

from screening import overdue
from screening.staff import StaffSession
from screening.triage import TRIAGE_LABELS, Triage
from screening.ui import resources
from screening.ui.staff_common import FLASH, PROBLEM
from screening.worktime import MAX_TARGET, UNIT_LABELS, Unit


def section(me: StaffSession) -> None:
    st.subheader("Overdue targets")
    week = resources.database().config.working_week
    st.text(
        f"Working time is Monday to Friday, {week.start}:00 to {week.end}:00 ({week.timezone}); "
        "a working day is one day's working hours. A case with no target is never shown overdue."
    )
    current = overdue.current_targets(resources.database(), me)
    with st.form("targets", border=True):
        chosen: dict[Triage, tuple[int, Unit]] = {}
        for triage in Triage:
            target = current.get(triage)
            with st.container(horizontal=True, vertical_alignment="bottom"):
                amount = st.number_input(
                    f"{TRIAGE_LABELS[triage]}: within",
                    min_value=1,
                    max_value=max(MAX_TARGET.values()),
                    value=target.amount if target else 2,
                    step=1,
                    key=f"target_amount_{triage.value}",
                    width=220,
                )
                unit = st.selectbox(
                    "Unit",
                    list(Unit),
                    index=list(Unit).index(target.unit if target else Unit.days),
                    format_func=lambda u: UNIT_LABELS[u],
                    key=f"target_unit_{triage.value}",
                    width=200,
                    label_visibility="collapsed",
                )
            chosen[triage] = (int(amount), Unit(unit))
        if st.form_submit_button("Save targets"):
            _save(me, current, chosen)
            st.rerun()


def _save(me: StaffSession, current: dict[Triage, overdue.Target], chosen: dict[Triage, tuple[int, Unit]]) -> None:
    changed = [
        t
        for t, (amount, unit) in chosen.items()
        if t not in current or (current[t].amount, current[t].unit) != (amount, unit)
    ]
    try:
        for triage in changed:
            overdue.set_target(resources.database(), me, triage, *chosen[triage])
    except (PermissionError, ValueError) as exc:
        st.session_state[PROBLEM] = str(exc)
        return
    st.session_state[FLASH] = f"Targets saved ({len(changed)} changed)." if changed else "No target changed."
