"""The case page's patient timeline: every screening and return of the patient, headache days against baseline.

The figures come from ``screening.care.timeline.chart_data`` (tested alone); this module only draws
them: an Altair chart (Streamlit renders it natively), a table with the same numbers for anyone who
cannot read a chart, and a button to open each other visit (a new, audited view).
"""

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from screening.care.timeline import chart_data, percent
from screening.casework import Detail
from screening.wording import count

CONTINUE_SHARE = 0.5
"""[Payer]: 50 % fewer headache days after 2 cycles is the usual continuation threshold; drawn as a guide."""
X_AXIS = alt.X(
    "date:T",
    title="Date",
    scale=alt.Scale(padding=16),
    axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month", grid=False),
)
TABLE = {
    "visit": ("Visit", 110),
    "date": ("Received", 90),
    "headache_days": ("Headache days", 105),
    "response": ("Response", 95),
    "flags": ("Flags", 160),
    "triage": ("Triage", 115),
    "treatments_before": ("Treatments before", 130),
    "weeks_since_treatment": ("Weeks since treatment", 160),
    "treated_on": ("Treated on", 90),
    "status": ("Status", 130),
    "change": ("Change", 70),
    "reference": ("Reference", 110),
}
"""Column, header and width: what staff compare across visits first (days, response, flags, triage), so it sits
beside the sidebar at 1366 px; the rest scrolls."""


def chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Headache days per visit, the baseline and the 50 % line as dashed guides, each treatment as a thin bar."""
    baseline = int(frame["baseline"].iloc[0])
    points = frame.assign(response_text=[percent(r) for r in frame["response"]]).astype(
        {"headache_days": "float", "treatments_before": "int"}
    )
    points = points[["visit", "reference", "date", "headache_days", "response_text", "treatments_before", "flags"]]
    days = alt.Chart(points.dropna(subset=["headache_days"])).encode(
        x=X_AXIS,
        y=alt.Y("headache_days:Q", title="Headache days a month", scale=alt.Scale(domain=[0, 31], nice=False)),
        tooltip=[
            alt.Tooltip("visit:N", title="Visit"),
            alt.Tooltip("reference:N", title="Reference"),
            alt.Tooltip("date:T", title="Received", format="%d %b %Y"),
            alt.Tooltip("headache_days:Q", title="Headache days"),
            alt.Tooltip("response_text:N", title="Against baseline"),
            alt.Tooltip("treatments_before:Q", title="Treatments before"),
            alt.Tooltip("flags:N", title="Flags"),
        ],
    )
    guides = pd.DataFrame(
        {
            "days": [baseline, baseline * CONTINUE_SHARE],
            "guide": [f"Baseline ({baseline} days)", f"50 % fewer ({baseline * CONTINUE_SHARE:g} days)"],
        }
    )
    lines = (
        alt.Chart(guides)
        .mark_rule(strokeDash=[6, 4], color="#5f6368")
        .encode(y="days:Q", tooltip=alt.Tooltip("guide:N", title="Guide"))
    )
    labels = (
        alt.Chart(guides)
        .mark_text(align="left", dx=4, dy=-7, color="#3c4043")
        .encode(y="days:Q", text="guide:N", x=alt.value(0))
    )
    layers: list[alt.Chart] = [lines, labels]
    treated = frame.dropna(subset=["treated_on"])
    if not treated.empty:
        given = pd.DataFrame({"date": pd.to_datetime(treated["treated_on"]), "what": "Treatment recorded"})
        layers.append(
            alt.Chart(given)
            .mark_rule(color="#1a73e8", opacity=0.35, strokeWidth=3)
            .encode(x=X_AXIS, tooltip=[alt.Tooltip("what:N", title=" "), alt.Tooltip("date:T", format="%d %b %Y")])
        )
    layers += [days.mark_line(color="#0b57d0"), days.mark_point(filled=True, size=90, color="#0b57d0")]
    return alt.layer(*layers).properties(height=280)


def _blank(values: pd.Series) -> list[str]:
    """Numbers as text, empty where unknown (a table shows a missing number as "None")."""
    return ["" if pd.isna(value) else str(value) for value in values]


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """The same figures, in words staff read (response "40 % fewer", dates without times, blanks for unknowns)."""
    shown = frame.assign(
        response=[percent(r) for r in frame["response"]],
        date=frame["date"].dt.strftime("%Y-%m-%d"),
        treated_on=["" if pd.isna(d) else f"{d:%Y-%m-%d}" for d in frame["treated_on"]],
        **{column: _blank(frame[column]) for column in ("headache_days", "change", "weeks_since_treatment")},
    )
    return shown[list(TABLE)].rename(columns={column: header for column, (header, _) in TABLE.items()})


COLUMNS = {header: st.column_config.Column(width=width) for header, width in TABLE.values()}


def timeline(found: Detail, open_submission: Callable[[int], None]) -> None:
    st.subheader("Patient timeline")
    frame = chart_data(list(found.visits))
    if len(frame) < 2:
        days = frame["headache_days"].iloc[0] if len(frame) else None
        baseline = f": {days} headache days a month, the baseline for later visits" if pd.notna(days) else ""
        st.text(f"No return visits yet{baseline}.")
        return
    st.text(
        f"{count(len(frame), 'visit')}: the first screening and every return. "
        "Response = (baseline − now) / baseline, the baseline being the first screening's headache days. "
        "Light blue bars: treatments recorded."
    )
    if frame["baseline"].notna().iloc[0] and frame["headache_days"].notna().sum() > 0:
        st.altair_chart(chart(frame), key="timeline_chart")
    else:
        st.text("No headache days at the first screening (another pathway), so there is no baseline to chart.")
    st.dataframe(table(frame), hide_index=True, column_config=COLUMNS, key="patient_timeline")
    others = [v for v in found.visits if v.submission_id != found.submission_id]
    if others:
        with st.container(horizontal=True, key="timeline_visits"):
            for other in others:
                st.button(
                    f"Open {other.reference} ({other.received_on:%Y-%m-%d})",
                    key=f"visit_{other.submission_id}",
                    on_click=open_submission,
                    args=(other.submission_id,),
                    icon=":material/open_in_new:",
                )
