"""Returns due: the patients to call about their next treatment (last one 10 or more weeks ago, not back since).

Names and contact details are stored text, so they appear only in table cells. Each opening
(and each other window chosen) is an audited reading; the export is built and audited only
when asked for.
"""

import pandas as pd
import streamlit as st

from screening.care import returns_due
from screening.care.returns_due import DUE_AFTER_WEEKS, WINDOWS, ReturnDue
from screening.choices import label
from screening.exports import SPREADSHEETS
from screening.staff import StaffSession
from screening.ui import auth, resources
from screening.ui.staff_common import hand_over, storage_guard
from screening.wording import count

OPEN_CLICK = "staff_returns_open_click"
# Widths that sum to 868 px: the whole table beside the sidebar at 1366 x 900, no sideways scroll. (A comment, not a
# docstring: this file runs as a page script, and Streamlit would show a bare string.)
COLUMNS = {
    "Reference": st.column_config.ButtonColumn(
        width=116, type="tertiary", alignment="left", key=OPEN_CLICK, help="Open the case with the last treatment"
    ),
    "Name": st.column_config.TextColumn(width=150),
    "Contact": st.column_config.TextColumn(width=200),
    "Pathway": st.column_config.TextColumn(width=100),
    "Last treatment": st.column_config.TextColumn(width=110),
    "Weeks since": st.column_config.NumberColumn(width=96),
    "Treatments": st.column_config.NumberColumn(width=96, help="Treatments recorded here on this patient's visits"),
}


def page() -> None:
    with storage_guard():
        _page()


def frame(found: list[ReturnDue]) -> pd.DataFrame:
    columns = [c for c in COLUMNS if c != "Contact" or any(due.contact is not None for due in found)]
    rows = [
        {
            "Reference": due.reference,
            "Name": due.name,
            "Contact": due.contact or "",
            "Pathway": label(due.pathway),
            "Last treatment": f"{due.treated_on:%Y-%m-%d}",
            "Weeks since": due.weeks_since,
            "Treatments": due.treatments,
        }
        for due in found
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))[columns]


def _open(submission_id: int) -> None:
    st.session_state[auth.OPEN] = submission_id
    st.switch_page(auth.DETAIL_PAGE)


def _page() -> None:
    me = auth.require_staff()
    st.header("Returns due")
    st.text(
        f"Patients whose last treatment here was {DUE_AFTER_WEEKS} or more weeks ago and who have not sent a "
        "return visit since: call them to arrange the return questionnaire and their next treatment "
        "(about every 12 weeks). Longest since treatment first."
    )
    window = st.selectbox("Treated", list(WINDOWS), format_func=lambda w: WINDOWS[w], key="returns_window", width=360)
    newly = st.session_state.get(auth.RETURNS_VIEWED, "none") != window
    try:
        found = returns_due.returns_due(resources.database(), me, within_weeks=window, record_view=newly)
    except PermissionError as exc:
        auth.refused(exc)
        return
    st.session_state[auth.RETURNS_VIEWED] = window
    if not found:
        st.info("Nobody is due back for a treatment in this window.")
        return
    st.text(f"{count(len(found), 'patient')} due back.")
    with st.container(key="returns_table"):
        st.dataframe(frame(found), hide_index=True, column_config=COLUMNS, key="returns_rows")
    click = st.session_state.get(OPEN_CLICK)
    references = {due.reference: due.submission_id for due in found}
    if click and str(click["label"]) in references:
        _open(references[str(click["label"])])
    _export(me, window)


def _export(me: StaffSession, window: int | None) -> None:
    st.text("The export lists everyone shown here, and is recorded in the audit log.")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        kind = st.radio("As", list(SPREADSHEETS), format_func=str.upper, horizontal=True, key="returns_export_kind")
        asked = st.button("Prepare export", key="returns_export", icon=":material/table_view:")
    if asked:
        hand_over(
            lambda: returns_due.export_returns_due(resources.database(), me, kind, within_weeks=window),
            kind,
            "returns-due",
            "returns_download",
        )


if __name__ == "__main__":
    page()
