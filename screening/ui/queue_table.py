"""The review queue's table: the columns intake reads at a glance, sized to fit a 1366-pixel laptop.

Reference, visit (a return visit's label), triage, reason, status, name, assigned to and received
come first, in widths that sum (with the tick box) to 876 px, less than the 906 px main area beside the sidebar
at 1366 x 900, so none needs a sideways scroll (the browser test measures it). Time in
status (a real duration, so its header sorts it), the video call, overdue, possible repeat and pathway follow.
The table is as tall as its 50 rows: the page scrolls, not a box.
"""

from collections.abc import Callable

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from screening import casework
from screening.casework import QueueRow, waited
from screening.choices import VisitKind, label
from screening.i18n import STAFF_NAMES
from screening.triage import TRIAGE_LABELS, Triage
from screening.ui import video_call
from screening.workflow import STATUS_LABELS

OPEN_CLICK = "staff_queue_open_click"
GENERATION = "staff_queue_generation"
"""Bumped after a bulk action, so the table starts again with nothing selected."""
OVERDUE = "Overdue"
REPEAT = "Possible repeat"
RETURN = "Return"
WIDTHS = {
    "Reference": 112,
    "Visit": 64,
    "Triage": 112,
    "Reason": 120,
    "Status": 132,
    "Name": 116,
    "Assigned to": 84,
    "Received (UTC)": 104,
    "Language": 80,
    "In status for": 95,
    "Video call": 150,
    "Overdue": 70,
    "Repeat": 120,
    "Pathway": 120,
}
AT_A_GLANCE = ("Reference", "Visit", "Triage", "Reason", "Status", "Name", "Assigned to", "Received (UTC)")
"""The columns that must fit beside the sidebar at 1366 px without a sideways scroll; the patient's language is
the first column after them (and a fact on the case page)."""
COLUMNS = {
    "Reference": st.column_config.ButtonColumn(
        width=WIDTHS["Reference"], type="tertiary", alignment="left", key=OPEN_CLICK, help="Open the submission"
    ),
    "Visit": st.column_config.TextColumn(
        width=WIDTHS["Visit"], help="Return: a patient back after treatment (empty for a first screening)"
    ),
    "Triage": st.column_config.TextColumn(width=WIDTHS["Triage"]),
    "Reason": st.column_config.TextColumn(
        width=WIDTHS["Reason"], help="The rule that decided the triage (hover to read it all)"
    ),
    "Status": st.column_config.TextColumn(
        width=WIDTHS["Status"], help="Amber: longer in this status than its triage's target (overdue)"
    ),
    "Name": st.column_config.TextColumn(width=WIDTHS["Name"]),
    "Assigned to": st.column_config.TextColumn(width=WIDTHS["Assigned to"]),
    "Received (UTC)": st.column_config.TextColumn(width=WIDTHS["Received (UTC)"]),
    "Language": st.column_config.TextColumn(
        width=WIDTHS["Language"], help="The language the patient answered in: call them in it"
    ),
    "In status for": st.column_config.NumberColumn(width=WIDTHS["In status for"], help="Sort by it with the header"),
    "Video call": st.column_config.TextColumn(
        width=WIDTHS["Video call"], help="Requested or confirmed (clinic time), or a call to arrange by phone"
    ),
    "Overdue": st.column_config.TextColumn(
        width=WIDTHS["Overdue"], help="Longer in its status than its triage's target"
    ),
    "Repeat": st.column_config.TextColumn(
        width=WIDTHS["Repeat"], help="Same name and birth date, phone or email as another"
    ),
    "Pathway": st.column_config.TextColumn(width=WIDTHS["Pathway"]),
}
# Urgent rows must stand out in a long list: a dark red cell with white text (contrast 6.6:1); overdue ones
# get an amber cell with dark text (contrast 9:1). (Comments, not docstrings: Streamlit would show a bare string.)
URGENT_CELL = "background-color: #b71c1c; color: #ffffff; font-weight: bold"
RETURN_CELL = "background-color: #d3e3fd; color: #041e49; font-weight: bold"
# A return visit's label: light blue with dark text (contrast 13:1), unlike the urgent red and the overdue amber.
OVERDUE_CELL = "background-color: #ffd54f; color: #3e2723; font-weight: bold"


def queue_frame(rows: list[QueueRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Reference": row.reference,
                "Visit": RETURN if row.visit_kind == VisitKind.return_ else "",
                "Triage": TRIAGE_LABELS[row.triage],
                "Reason": row.reason or casework.NO_RULE_DECIDED,
                "Status": STATUS_LABELS[row.status],
                "Name": row.name,
                "Assigned to": row.assignee or "",
                "Received (UTC)": row.created_at.strftime("%d %b %H:%M"),
                "Language": STAFF_NAMES[row.language],
                "In status for": pd.Timedelta(row.time_in_status).floor("min"),
                "Video call": video_call.queue_cell(row.call_state, row.call_at),
                "Overdue": OVERDUE if row.overdue else "",
                "Repeat": REPEAT if row.repeat_of else "",
                "Pathway": label(row.pathway),
            }
            for row in rows
        ],
        columns=list(COLUMNS),
    )


def triage_cell(text: str) -> str:
    return URGENT_CELL if text == TRIAGE_LABELS[Triage.urgent] else ""


OVERDUE_MARKED = ["Status", "In status for", "Overdue"]
"""An overdue row's amber cells: its status too, so the mark is seen among the at-a-glance columns at 1366 px
(time in status and the Overdue column come after them)."""


def overdue_cells(row: pd.Series) -> list[str]:
    """The status, the time in status and the overdue mark of an overdue row, together."""
    return [OVERDUE_CELL if row["Overdue"] == OVERDUE else ""] * len(row)


def styled(frame: pd.DataFrame) -> Styler:
    """Colours, and time in status in the queue's words ("2 d 3 h"); the cell keeps its duration, so it sorts."""
    return (
        frame.style.map(triage_cell, subset=["Triage"])
        .map(lambda text: RETURN_CELL if text == RETURN else "", subset=["Visit"])
        .apply(overdue_cells, axis=1, subset=OVERDUE_MARKED)
        .format(lambda span: waited(span.to_pytimedelta()), subset=["In status for"])
    )


def row_height_total(rows: int) -> int:
    """Header plus every row (35 px each) plus the border: the whole page of rows, no inner scroll."""
    return 35 * (rows + 1) + 3


def table(rows: list[QueueRow], open_reference: Callable[[str], None]) -> list[QueueRow]:
    """The page's rows with a tick box each (for bulk actions); a click on a reference opens it. Returns the ticked."""
    generation = st.session_state.get(GENERATION, 0)
    with st.container(key="queue_table"):
        event = st.dataframe(
            styled(queue_frame(rows)),
            hide_index=True,
            column_config=COLUMNS,
            on_select="rerun",
            selection_mode="multi-row",
            height=row_height_total(len(rows)),
            key=f"queue_rows_{generation}",
        )
    click = st.session_state.get(OPEN_CLICK)
    if click:
        open_reference(str(click["label"]))
    return [rows[i] for i in (event.selection.rows if event else []) if i < len(rows)]


def clear_selection() -> None:
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1
