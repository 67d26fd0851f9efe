"""The review queue: urgent first, then oldest first, one page of 50 at a time from the database.

Counts per triage and per status sit on top; filters narrow the list. The patient's
name is shown only inside the table, where a cell is plain text.
"""

from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from screening import casework, staff
from screening.casework import QueueFilters, QueuePage, QueueRow, waited
from screening.choices import label
from screening.staff import StaffSession
from screening.triage import PRECEDENCE, TRIAGE_LABELS, Triage
from screening.ui import auth, resources, video_call
from screening.ui.staff_common import current_page, first_page, pager
from screening.workflow import STATUS_LABELS, Status

PAGE_SIZE = 50
PAGE = "staff_queue_page"
ANYONE, ME = "anyone", "me"


def page() -> None:
    me = auth.require_staff()
    st.header("Review queue")
    filters = _filters(me)
    try:
        found = casework.queue(resources.database(), me, **filters, page=current_page(PAGE), page_size=PAGE_SIZE)
    except PermissionError as exc:
        auth.refused(exc)
        return
    _counts(found)
    _table(found)
    pager(PAGE, found.page, found.pages, found.total, "submissions")
    if found.total:
        _export(me, filters)


def _first_page() -> None:
    first_page(PAGE)


def _filters(me: StaffSession) -> QueueFilters:
    with st.sidebar:
        st.subheader("Filter")
        triage = st.multiselect(
            "Triage", list(Triage), format_func=lambda t: TRIAGE_LABELS[t], key="q_triage", on_change=_first_page
        )
        status = st.multiselect(
            "Status", list(Status), format_func=lambda s: STATUS_LABELS[s], key="q_status", on_change=_first_page
        )
        flag = st.selectbox(
            "Flag",
            [None, *casework.flag_ids(resources.database(), me)],
            format_func=lambda f: "Any flag" if f is None else f,
            key="q_flag",
            on_change=_first_page,
        )
        date_from = st.date_input("Received from", value=None, key="q_from", on_change=_first_page)
        date_to = st.date_input("Received until", value=None, key="q_to", on_change=_first_page)
        assignee = _assignee_filter(me)
        search = st.text_input("Search by reference or name", max_chars=100, key="q_search", on_change=_first_page)
    return {
        "triage": triage or None,
        "status": status or None,
        "flag": flag,
        "date_from": date_from if isinstance(date_from, date) else None,
        "date_to": date_to if isinstance(date_to, date) else None,
        "assignee": me.staff_id if assignee == ME else None if assignee == ANYONE else assignee,
        "search": search,
    }


def _assignee_filter(me: StaffSession) -> int | str:
    people = {person.id: person.display_name for person in staff.list_staff(resources.database(), me)}
    names = {ANYONE: "Anyone", casework.UNASSIGNED: "Nobody yet", ME: "Me", **people}
    return st.selectbox(
        "Assigned to", list(names), format_func=lambda k: names[k], key="q_assignee", on_change=_first_page
    )


def _counts(found: QueuePage) -> None:
    columns = st.columns(len(PRECEDENCE))
    for column, triage in zip(columns, PRECEDENCE, strict=True):
        column.metric(TRIAGE_LABELS[triage], found.counts_by_triage.get(triage, 0))
    by_status = {STATUS_LABELS[s]: [found.counts_by_status.get(s, 0)] for s in Status}
    st.dataframe(pd.DataFrame(by_status, index=["Submissions"]), key="status_counts")


def queue_frame(rows: list[QueueRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Reference": row.reference,
                "Triage": TRIAGE_LABELS[row.triage],
                "Reason": row.reason or casework.NO_RULE_DECIDED,
                "Flags": ", ".join(row.flags),
                "Status": STATUS_LABELS[row.status],
                "Video call": video_call.queue_cell(row.call_state, row.call_at),
                "In status for": waited(row.time_in_status),
                "Contact attempts": row.contact_attempts,
                "Assigned to": row.assignee or "",
                "Name": row.name,
                "Pathway": label(row.pathway),
                "Received": row.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            }
            for row in rows
        ],
        columns=[
            "Reference",
            "Triage",
            "Reason",
            "Flags",
            "Status",
            "Video call",
            "In status for",
            "Contact attempts",
            "Assigned to",
            "Name",
            "Pathway",
            "Received",
        ],
    )


# Urgent rows must stand out in a long list: a dark red cell with white text (contrast 6.6:1).
# (A comment, not a docstring: a page file runs as a script, and Streamlit would show a bare string.)
URGENT_CELL = "background-color: #b71c1c; color: #ffffff; font-weight: bold"
QUEUE_COLUMNS = {
    "Triage": st.column_config.TextColumn(width=125),
    "Reason": st.column_config.TextColumn(width="large", help="The rule that decided the triage"),
}


def triage_cell(text: str) -> str:
    return URGENT_CELL if text == TRIAGE_LABELS[Triage.urgent] else ""


def styled(frame: pd.DataFrame) -> Styler:
    return frame.style.map(triage_cell, subset=["Triage"])


def open_submission(submission_id: int) -> None:
    st.session_state[auth.OPEN] = submission_id
    st.switch_page(auth.DETAIL_PAGE)


def _table(found: QueuePage) -> None:
    if not found.rows:
        st.info("No submissions match these filters.")
        return
    st.text("Select a row to open the submission.")
    event = st.dataframe(
        styled(queue_frame(found.rows)),
        hide_index=True,
        column_config=QUEUE_COLUMNS,
        on_select="rerun",
        selection_mode="single-row",
        key="queue_table",
    )
    chosen = event.selection.rows if event else []
    if chosen:
        open_submission(found.rows[chosen[0]].submission_id)
    references = {row.reference: row.submission_id for row in found.rows}
    with st.form("open_by_reference", border=False):
        reference = st.selectbox("Or open by reference", list(references), key="q_open")
        if st.form_submit_button("Open") and reference:
            open_submission(references[reference])


def _export(me: StaffSession, filters: QueueFilters) -> None:
    """Built only when asked for, so the audit log records exports someone wanted; the file is not kept afterwards."""
    st.text("The CSV export lists every submission these filters match, and is recorded in the audit log.")
    if not st.button("Prepare CSV export", key="q_export", icon=":material/table_view:"):
        return
    try:
        data = casework.export_queue(resources.database(), me, **filters)
    except PermissionError as exc:
        auth.refused(exc)
        return
    st.download_button(
        "Download CSV",
        data,
        file_name=f"review-queue-{datetime.now(UTC):%Y-%m-%d-%H%M}.csv",
        mime="text/csv",
        on_click="ignore",
        key="q_download",
        type="primary",
        icon=":material/download:",
    )


if __name__ == "__main__":
    page()
