"""One submission: why it was flagged, the answers, the workflow, assignment, notes and its timeline.

Everything the patient typed, every note and every name is shown with ``st.text``
or in a table cell, never as markdown or HTML. Buttons offer only the moves the
workflow allows from the current status; the service checks the move again, so a
button left on screen after someone else moved the submission is refused.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from screening import casework, staff
from screening.answers import PreventiveTried
from screening.booking import calls
from screening.casework import Detail, TimelineEntry, waited
from screening.catalogue import OTHER_DRUG, drug_label
from screening.choices import label
from screening.staff import Role, StaffInfo, StaffSession
from screening.triage import TRIAGE_LABELS
from screening.ui import auth, resources, video_call
from screening.ui.draft import REVIEW, WELCOME, section_model, shown, steps_for
from screening.ui.patient import shown_answer
from screening.ui.staff_common import attempt, show_outcome
from screening.ui.whycard import render_full_trace, render_why_cards
from screening.workflow import STATUS_LABELS, Status

NOBODY = 0


def page() -> None:
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
    show_outcome()
    _summary(found)
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


def _summary(found: Detail) -> None:
    triage, status, attempts, assigned = st.columns(4)
    triage.metric("Triage", TRIAGE_LABELS[found.triage])
    status.metric("Status", STATUS_LABELS[found.status])
    attempts.metric("Contact attempts", found.contact_attempts)
    assigned.metric("Assigned to", found.assignee or "Nobody")
    age = (found.answers.get("about") or {}).get("age")
    st.text(
        f"Age {age if age is not None else 'not given'} · received {found.created_at:%Y-%m-%d %H:%M} UTC · "
        f"in this status for {waited(_since(found))} · "
        f"rule set {found.ruleset_version} ({found.ruleset_hash[:12]})"
    )
    st.text(contact_line(found.answers.get("contact") or {}))


def contact_line(contact: dict[str, Any]) -> str:
    """Who to call and how, on one line: the first thing intake staff need (patient text, so plain text only)."""
    ways = [f"{label(contact.get('preferred_method'))} preferred"]
    ways += [str(contact[key]) for key in ("phone", "email") if contact.get(key)]
    times = ", ".join(label(t) for t in contact.get("preferred_times") or [])
    return f"Contact: {contact.get('name', '')} · {' · '.join(ways)}" + (
        f" · free in the {times.lower()}" if times else ""
    )


def _since(found: Detail) -> timedelta:
    return datetime.now(UTC) - found.status_since


def _move(me: StaffSession, submission_id: int, target: Status) -> None:
    """A button callback: it runs even if the button is gone from the new page, so a stale click is refused aloud."""
    attempt(
        lambda: casework.change_status(resources.database(), me, submission_id, target),
        f"Moved to {STATUS_LABELS[target]}.",
    )


def _move_label(found: Detail, target: Status) -> str:
    if target == Status.contact_attempted:
        return f"Contact attempted (attempt {found.contact_attempts + 1})"
    return STATUS_LABELS[target]


def _workflow(me: StaffSession, found: Detail) -> None:
    st.subheader("Workflow")
    if not found.allowed_next:
        st.text(f"{STATUS_LABELS[found.status]}: no further steps.")
        return
    with st.container(horizontal=True):
        for target in found.allowed_next:
            st.button(
                _move_label(found, target),
                key=f"move_{target.value}",
                on_click=_move,
                args=(me, found.submission_id, target),
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
            st.text(str(note.data.get("text", "")))
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
        return f"{before} → {STATUS_LABELS[Status(data['to'])]}{booked}{attempt}{note}"
    if entry.kind == "assign":
        return f"Assigned to {data.get('to_name') or 'nobody'}"
    if entry.kind == "note":
        return f"Note: {data.get('text', '')}"
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


def answer_rows(answers: dict[str, Any], section: str, fields: list[str]) -> pd.DataFrame:
    """Question titles from the model, answers in the plain words the patient chose them by."""
    model = section_model(section)
    rows = []
    for name in fields:
        info = model.model_fields[name]
        given = answers.get(section) or {}
        value = given.get(name)
        text = f"{value:g}" if isinstance(value, float) else shown_answer(given, name)
        unit = info.json_schema_extra.get("unit") if isinstance(info.json_schema_extra, dict) else None
        if unit and value is not None:
            text = f"{text} {unit}"
        rows.append({"Question": info.title or name, "Answer": text})
    return pd.DataFrame(rows, columns=["Question", "Answer"], dtype="string")


def preventive_rows(items: list[dict[str, Any]]) -> pd.DataFrame:
    titles = PreventiveTried.model_fields
    rows = [
        {
            titles["drug"].title: item["other_name"] if item["drug"] == OTHER_DRUG else drug_label(item["drug"]),
            titles["other_class"].title: label(item["other_class"]) if item.get("other_class") else "",
            titles["weeks"].title: "Not sure" if item.get("weeks") is None else f"{item['weeks']:g}",
            titles["outcome"].title: label(item.get("outcome")),
        }
        for item in items
    ]
    columns = [titles[name].title for name in ("drug", "other_class", "weeks", "outcome")]
    return pd.DataFrame(rows, columns=columns, dtype="string")


def render_answers(answers: dict[str, Any]) -> None:
    """The answers in the steps the patient walked, each question once; hidden questions left out."""
    for step in steps_for(answers):
        if step in (WELCOME, REVIEW):
            continue
        st.markdown(f"**{step.title}**")
        for section in step.sections:
            if answers.get(section) is None:
                continue
            fields = [field for sec, field in step.fields if sec == section and shown(answers, (sec, field))]
            plain = [field for field in fields if field != "preventives"]
            if plain:
                st.dataframe(answer_rows(answers, section, plain), hide_index=True, key=f"answers_{section}")
            if "preventives" in fields:
                st.dataframe(
                    preventive_rows(answers[section].get("preventives") or []),
                    hide_index=True,
                    key="answers_preventives",
                )


if __name__ == "__main__":
    page()
