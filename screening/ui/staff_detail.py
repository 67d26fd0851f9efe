"""One submission: why it was flagged, the answers, the workflow, assignment, notes and its timeline.

Everything the patient typed, every note and every name is shown with ``st.text``
or in a table cell, never as markdown or HTML. Buttons offer only the moves the
workflow allows from the current status; the service checks the move again, so a
button left on screen after someone else moved the submission is refused.
"""

import pandas as pd
import streamlit as st

from screening import casework, staff
from screening.booking import calls
from screening.care.treatment import Treatment
from screening.casework import Detail, TimelineEntry
from screening.staff import Role, StaffInfo, StaffSession
from screening.ui import auth, case_summary, patient_timeline, resources, treatment_form, video_call
from screening.ui.answers_view import render_answers
from screening.ui.staff_common import attempt, show_outcome, storage_guard
from screening.ui.staff_downloads import downloads
from screening.ui.whycard import render_full_trace, render_why_cards
from screening.workflow import STATUS_LABELS, Status

NOBODY = 0


def page() -> None:
    with storage_guard():
        _page()


ERASED_TEXT = "(erased with the patient's data)"


def _page() -> None:
    me = auth.require_staff()
    submission_id = st.session_state.get(auth.OPEN)
    if submission_id is None:
        st.info("Choose a submission in the review queue.")
        st.page_link(auth.QUEUE_PAGE, label="Review queue", icon=":material/list:")
        return
    newly_opened = st.session_state.get(auth.VIEWED) != submission_id
    try:
        found = casework.detail(resources.database(), me, submission_id, record_view=newly_opened)
    except PermissionError as exc:
        auth.refused(exc)
        return
    except LookupError:
        st.error("This submission does not exist.")
        return
    st.session_state[auth.VIEWED] = submission_id
    _show(me, found)


def _show(me: StaffSession, found: Detail) -> None:
    st.page_link(auth.QUEUE_PAGE, label="Back to the queue", icon=":material/arrow_back:")
    st.header(f"Submission {found.reference}")
    if found.erased_at is not None:
        _erased(me, found)
        return
    case_summary.facts(found)
    case_summary.repeats(found, _open_other)
    case_summary.call_summary(found)
    downloads(me, found)
    patient_timeline.timeline(found, _open_other)
    st.subheader("Why it was flagged")
    render_why_cards(found.result)
    if me.role in (Role.clinician, Role.admin):
        with st.expander("Full rule trace (every rule and condition)"):
            render_full_trace(found.result)
    _workflow(me, found)
    video_call.case_panel(me, found)
    _assignment(me, found, staff.list_staff(resources.database(), me))
    _notes(me, found)
    st.subheader("Answers")
    render_answers(found.answers)
    st.subheader("Timeline")
    st.dataframe(timeline_frame(found.timeline), hide_index=True, key="timeline")


def _erased(me: StaffSession, found: Detail) -> None:
    """What is left after erasure: the facts the statistics keep, the workflow and the timeline, no answers."""
    st.warning(
        f"This person's data was erased on {found.erased_at:%Y-%m-%d %H:%M} UTC. Their answers, the reasons "
        "and every note can no longer be read; the triage, pathway, dates and history remain for the records.",
        icon=":material/delete:",
    )
    case_summary.facts(found)
    _workflow(me, found)
    st.subheader("Timeline")
    st.dataframe(timeline_frame(found.timeline), hide_index=True, key="timeline")


def _open_other(submission_id: int) -> None:
    """A repeat's link: the page runs again with that submission open (a new, audited view)."""
    st.session_state[auth.OPEN] = submission_id


def _move(me: StaffSession, submission_id: int, shown: Status, target: Status) -> None:
    """A button callback: it runs even if the button is gone from the new page, so a stale click is refused aloud
    (the status the page showed goes with it: a colleague's move in between is not overwritten)."""
    attempt(
        lambda: casework.change_status(resources.database(), me, submission_id, target, expected=shown),
        f"Moved to {STATUS_LABELS[target]}.",
    )


def _move_label(found: Detail, target: Status) -> str:
    if target == Status.contact_attempted:
        return f"Contact attempted (attempt {found.contact_attempts + 1})"
    return STATUS_LABELS[target]


def _workflow(me: StaffSession, found: Detail) -> None:
    st.subheader("Workflow")
    show_outcome()  # here, beside the buttons just pressed: the page keeps its scroll position after a click
    treatment_form.form(me, found)
    if not found.allowed_next:
        if not found.can_treat:
            st.text(f"{STATUS_LABELS[found.status]}: no further steps.")
        return
    with st.container(horizontal=True):
        for target in found.allowed_next:
            st.button(
                _move_label(found, target),
                key=f"move_{target.value}",
                on_click=_move,
                args=(me, found.submission_id, found.status, target),
            )


def _assignment(me: StaffSession, found: Detail, people: list[StaffInfo]) -> None:
    choices = {NOBODY: "Nobody", **{p.id: p.display_name for p in people if p.active}}
    current = found.assignee_id if found.assignee_id in choices else NOBODY
    with st.form("assign", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        chosen = st.selectbox(
            "Assigned to",
            list(choices),
            index=list(choices).index(current),
            format_func=lambda k: choices[k],
            key="assignee",
        )
        if st.form_submit_button("Assign"):
            attempt(
                lambda: casework.assign(resources.database(), me, found.submission_id, chosen or None),
                f"Assigned to {choices[chosen]}.",
            )
            st.rerun()


def _notes(me: StaffSession, found: Detail) -> None:
    st.subheader("Notes")
    for note in found.notes:
        with st.container(border=True):
            st.text(f"{note.at:%Y-%m-%d %H:%M} UTC · {note.actor or 'system'}")
            st.text(str(note.data.get("text") or ERASED_TEXT))
    with st.form("add_note", clear_on_submit=True):
        text = st.text_area("Add a note (notes cannot be changed later)", max_chars=casework.MAX_NOTE)
        if st.form_submit_button("Add note"):
            attempt(lambda: casework.add_note(resources.database(), me, found.submission_id, text), "Note added.")
            st.rerun()


def describe(entry: TimelineEntry) -> str:
    data = entry.data
    if entry.kind == "status":
        before = STATUS_LABELS[Status(data["from"])] if data.get("from") else "Received"
        attempt = f" (attempt {data['attempt']})" if data.get("attempt") else ""
        note = f": {data['note']}" if data.get("note") else ""
        booked = video_call.appointment_suffix(data)
        treated = f": {Treatment.model_validate(data['treatment']).summary()}" if data.get("treatment") else ""
        return f"{before} → {STATUS_LABELS[Status(data['to'])]}{booked}{treated}{attempt}{note}"
    if entry.kind == "assign":
        return f"Assigned to {data.get('to_name') or 'nobody'}"
    if entry.kind == "note":
        return f"Note: {data.get('text') or ERASED_TEXT}"
    if entry.kind == calls.EVENT:
        return video_call.describe(data)
    return entry.kind


def timeline_frame(timeline: tuple[TimelineEntry, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"When": f"{e.at:%Y-%m-%d %H:%M:%S} UTC", "Who": e.actor or "patient / system", "What": describe(e)}
            for e in timeline
        ],
        columns=["When", "Who", "What"],
        dtype="string",
    )


if __name__ == "__main__":
    page()
