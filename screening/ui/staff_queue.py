"""The review queue: urgent first, then oldest first (or longest in status first), 50 at a time from the database.

Counts per triage and per status sit on top; filters narrow the list; ticked rows can be
assigned or moved together. The patient's name is shown only inside the table, where a
cell is plain text.
"""

from datetime import date

import streamlit as st

from screening import casework, staff
from screening.casework import ORDERS, QueueFilters, QueuePage
from screening.choices import VisitKind
from screening.exports import SPREADSHEETS
from screening.exports.service import call_list
from screening.staff import StaffInfo, StaffSession
from screening.triage import PRECEDENCE, TRIAGE_LABELS, Triage
from screening.ui import auth, queue_bulk, queue_table, resources
from screening.ui.staff_common import current_page, first_page, hand_over, pager, show_outcome, storage_guard
from screening.workflow import STATUS_LABELS, VISIT_LABELS, Status

PAGE_SIZE = 50
PAGE = "staff_queue_page"
ANYONE, ME = "anyone", "me"


def page() -> None:
    with storage_guard():
        _queue()


def _queue() -> None:
    me = auth.require_staff()
    st.header("Review queue")
    show_outcome()
    people = staff.list_staff(resources.database(), me)
    filters, order = _filters(me, people)
    try:
        found = casework.queue(
            resources.database(), me, **filters, order=order, page=current_page(PAGE), page_size=PAGE_SIZE
        )
    except PermissionError as exc:
        auth.refused(exc)
        return
    except ValueError as exc:  # a search with a control character in it
        st.error(f"Search: {exc}")
        return
    _counts(found)
    _table(me, found, people)
    pager(PAGE, found.page, found.pages, found.total, "submission")
    if found.total:
        _export(me, filters)


def _first_page() -> None:
    first_page(PAGE)


def _filters(me: StaffSession, people: list[StaffInfo]) -> tuple[QueueFilters, str]:
    with st.sidebar:
        st.subheader("Filter")
        order = st.selectbox(
            "Order", list(ORDERS), format_func=lambda o: ORDERS[o], key="q_order", on_change=_first_page
        )
        triage = st.multiselect(
            "Triage", list(Triage), format_func=lambda t: TRIAGE_LABELS[t], key="q_triage", on_change=_first_page
        )
        status = st.multiselect(
            "Status", list(Status), format_func=lambda s: STATUS_LABELS[s], key="q_status", on_change=_first_page
        )
        visit = st.selectbox(
            "Visit",
            [None, *VisitKind],
            format_func=lambda v: "First and return visits" if v is None else VISIT_LABELS[v] + "s only",
            key="q_visit",
            on_change=_first_page,
        )
        overdue = st.checkbox("Overdue only", key="q_overdue", on_change=_first_page)
        flag = st.selectbox(
            "Flag",
            [None, *casework.flag_ids(resources.database(), me)],
            format_func=lambda f: "Any flag" if f is None else f,
            key="q_flag",
            on_change=_first_page,
        )
        date_from = st.date_input("Received from", value=None, key="q_from", on_change=_first_page)
        date_to = st.date_input("Received until", value=None, key="q_to", on_change=_first_page)
        assignee = _assignee_filter(people)
        search = st.text_input("Search by reference or name", max_chars=100, key="q_search", on_change=_first_page)
    filters: QueueFilters = {
        "triage": triage or None,
        "status": status or None,
        "flag": flag,
        "date_from": date_from if isinstance(date_from, date) else None,
        "date_to": date_to if isinstance(date_to, date) else None,
        "assignee": me.staff_id if assignee == ME else None if assignee == ANYONE else assignee,
        "search": search,
        "overdue": overdue,
        "visit": visit,
    }
    return filters, order


def _assignee_filter(people: list[StaffInfo]) -> int | str:
    names = {ANYONE: "Anyone", casework.UNASSIGNED: "Nobody yet", ME: "Me", **{p.id: p.display_name for p in people}}
    return st.selectbox(
        "Assigned to", list(names), format_func=lambda k: names[k], key="q_assignee", on_change=_first_page
    )


def _counts(found: QueuePage) -> None:
    """Every count whole: metrics as wide as their text, wrapping onto a new line rather than cut off."""
    with st.container(horizontal=True, key="triage_counts"):
        for triage in PRECEDENCE:
            st.metric(TRIAGE_LABELS[triage], found.counts_by_triage.get(triage, 0), width="content", border=True)
    with st.container(horizontal=True, key="status_counts"):
        for status in Status:
            st.metric(STATUS_LABELS[status], found.counts_by_status.get(status, 0), width="content")


def open_submission(submission_id: int) -> None:
    st.session_state[auth.OPEN] = submission_id
    st.switch_page(auth.DETAIL_PAGE)


def _table(me: StaffSession, found: QueuePage, people: list[StaffInfo]) -> None:
    if not found.rows:
        st.info("No submissions match these filters.")
        return
    references = {row.reference: row.submission_id for row in found.rows}
    bar = st.container()
    ticked = queue_table.table(found.rows, lambda ref: open_submission(references[ref]) if ref in references else None)
    with bar:
        queue_bulk.bar(me, ticked, people)
    with st.form("open_by_reference", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        reference = st.selectbox("Or open by reference", list(references), key="q_open", width=300)
        if st.form_submit_button("Open") and reference:
            open_submission(references[reference])


EXPORTS = {
    "queue": ("Review queue (every column the queue shows)", casework.export_queue),
    "call-list": (
        "Call list (contact columns for intake and clinicians; reasons and trace for clinicians and administrators)",
        call_list,
    ),
}


def _export(me: StaffSession, filters: QueueFilters) -> None:
    """Built only when asked for, so the audit log records exports someone wanted; the file is not kept afterwards."""
    st.text("Exports list every submission these filters match, and are recorded in the audit log.")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        what = st.selectbox("Export", list(EXPORTS), format_func=lambda k: EXPORTS[k][0], key="q_export_what")
        kind = st.radio("As", list(SPREADSHEETS), format_func=str.upper, horizontal=True, key="q_export_kind")
        asked = st.button("Prepare export", key="q_export", icon=":material/table_view:")
    if asked:
        hand_over(lambda: EXPORTS[what][1](resources.database(), me, kind, **filters), kind, what, "q_download")

if __name__ == "__main__":
    page()
