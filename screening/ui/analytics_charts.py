"""The analytics page's Altair charts, built from the few aggregated numbers the service returns.

Each chart comes with an ``alt`` text that states what it shows in numbers, so a screen
reader user gets the same figures; triage colours match the queue's badges.
"""

import altair as alt
import pandas as pd

from screening.analytics import Analytics
from screening.choices import label
from screening.triage import PRECEDENCE, TRIAGE_LABELS, Triage

TRIAGE_COLOURS = {
    Triage.urgent: "#b71c1c",
    Triage.not_suitable: "#e65100",
    Triage.needs_review: "#1565c0",
    Triage.likely_candidate: "#2e7d32",
    Triage.unlikely: "#757575",
}
NOT_ANSWERED = "Not answered"


def weekly(found: Analytics) -> tuple[alt.Chart, str]:
    frame = pd.DataFrame(
        [{"Week of": week, "Triage": TRIAGE_LABELS[t], "Submissions": n} for week, t, n in found.weekly],
        columns=["Week of", "Triage", "Submissions"],
    )
    labels = [TRIAGE_LABELS[t] for t in PRECEDENCE]
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(Week of):O", title="Week of (Monday)"),
            y=alt.Y("sum(Submissions):Q", title="Submissions"),
            color=alt.Color(
                "Triage:N",
                scale=alt.Scale(domain=labels, range=[TRIAGE_COLOURS[t] for t in PRECEDENCE]),
                sort=labels,
            ),
            order=alt.Order("triage_order:Q"),
            tooltip=["Week of:T", "Triage:N", "Submissions:Q"],
        )
        .transform_calculate(triage_order=f"indexof({labels!r}, datum.Triage)")
    )
    weeks = frame.groupby("Week of")["Submissions"].sum()
    text = "; ".join(f"week of {week:%d %b}: {n}" for week, n in weeks.items()) or "no submissions"
    return chart, f"Submissions per week by triage: {text}."


def pathways(found: Analytics) -> tuple[alt.Chart, str]:
    frame = pd.DataFrame(
        [{"Pathway": label(p), "Submissions": n} for p, n in found.pathways], columns=["Pathway", "Submissions"]
    )
    chart = (
        alt.Chart(frame)
        .mark_bar(color="#1565c0")
        .encode(
            y=alt.Y("Pathway:N", sort="-x", title=None),
            x=alt.X("Submissions:Q"),
            tooltip=["Pathway:N", "Submissions:Q"],
        )
    )
    text = "; ".join(f"{row.Pathway}: {row.Submissions}" for row in frame.itertuples()) or "none"
    return chart, f"Submissions per pathway: {text}."


def headache_days(found: Analytics) -> tuple[alt.Chart, str]:
    frame = pd.DataFrame(
        [
            {"Headache days a month": NOT_ANSWERED if days is None else str(days), "Likely candidates": n}
            for days, n in found.headache_days
        ],
        columns=["Headache days a month", "Likely candidates"],
    )
    order = list(frame["Headache days a month"])
    chart = (
        alt.Chart(frame)
        .mark_bar(color="#2e7d32")
        .encode(
            x=alt.X("Headache days a month:N", sort=order),
            y=alt.Y("Likely candidates:Q"),
            tooltip=["Headache days a month:N", "Likely candidates:Q"],
        )
    )
    text = "; ".join(f"{row[0]} days: {row[1]}" for row in frame.itertuples(index=False)) or "none"
    return chart, f"Likely candidates by headache days a month: {text}."
