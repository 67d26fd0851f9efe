"""Bulk actions on the queue's ticked rows: assign them all, or move them all on.

Each case gets its own event and audit row (the service does that); a case the workflow
cannot move is named with the reason, and the others still move. The outcome holds
stored names, so ``show_outcome`` shows it escaped.
"""

from typing import Any

import streamlit as st

from screening import casework
from screening.casework import BulkOutcome, QueueRow
from screening.staff import StaffInfo, StaffSession
from screening.ui import resources
from screening.ui.queue_table import clear_selection
from screening.ui.staff_common import FLASH, PROBLEM
from screening.wording import count
from screening.workflow import MOVE_TARGETS, STATUS_LABELS, Status

NOBODY = 0
ASSIGNEE, STATUS = "bulk_assignee", "bulk_status"


def _report(outcome: BulkOutcome, done: str) -> None:
    if outcome.done:
        st.session_state[FLASH] = f"{count(len(outcome.done), 'submission')} {done}."
    if outcome.refused:
        st.session_state[PROBLEM] = "Not changed: " + "; ".join(f"{ref} ({why})" for ref, why in outcome.refused)


def _run(action: str, me: StaffSession, ids: list[int], labels: dict[Any, str]) -> None:
    """A button callback: the service call, its outcome kept for the next run, the ticks cleared.

    The choice is read from its widget now, not bound when the button was drawn, so it is the one on screen.
    """
    db = resources.database()
    try:
        if action == "assign":
            who = int(st.session_state[ASSIGNEE])
            outcome = casework.bulk_assign(db, me, ids, who or None)
            _report(outcome, f"assigned to {labels[who]}" if who else "unassigned")
        else:
            where = Status(st.session_state[STATUS])
            outcome = casework.bulk_move(db, me, ids, where)
            _report(outcome, f"moved to {labels[where.value]}")
    except (PermissionError, ValueError, LookupError) as exc:
        st.session_state[PROBLEM] = str(exc)
    clear_selection()


def bar(me: StaffSession, ticked: list[QueueRow], people: list[StaffInfo]) -> None:
    """Shown once a row is ticked: who to give them to, or which status to move them to."""
    if not ticked:
        st.text("Tick rows to assign or move several at once; click a reference to open it.")
        return
    ids = [row.submission_id for row in ticked]
    st.text(f"{count(len(ticked), 'submission')} ticked: {', '.join(row.reference for row in ticked)}")
    names = {NOBODY: "Nobody", **{p.id: p.display_name for p in people if p.active}}
    statuses = {s.value: STATUS_LABELS[s] for s in MOVE_TARGETS}
    with st.container(horizontal=True, vertical_alignment="bottom", key="bulk_bar"):
        st.selectbox("Assign ticked to", list(names), format_func=lambda k: names[k], key=ASSIGNEE, width=240)
        st.button(
            "Assign ticked",
            key="bulk_assign",
            on_click=_run,
            args=("assign", me, ids, names),
            icon=":material/person_add:",
        )
        st.selectbox("Move ticked to", list(statuses), format_func=lambda k: statuses[k], key=STATUS, width=240)
        st.button(
            "Move ticked",
            key="bulk_move",
            on_click=_run,
            args=("move", me, ids, statuses),
            icon=":material/trending_flat:",
        )
