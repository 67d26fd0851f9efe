"""Analytics for intake: arrivals by week and triage, pathways, headache days of likely candidates,
time to first contact, bookings and overdue cases, over a date range (the last 12 weeks at first).

Every figure comes aggregated from the database (``screening.analytics``); the page only
lays out numbers and charts.
"""

from datetime import date, timedelta

import streamlit as st

from screening import analytics
from screening.analytics import Analytics
from screening.casework import waited
from screening.ui import analytics_charts, auth, resources
from screening.wording import count

DEFAULT_WEEKS = 12


def page() -> None:
    me = auth.require_staff()
    st.header("Analytics")
    today = date.today()
    chosen = st.date_input(
        "Received between", value=(today - timedelta(weeks=DEFAULT_WEEKS), today), max_value=today, key="a_range"
    )
    if not isinstance(chosen, tuple) or len(chosen) != 2:
        st.info("Choose the first and the last day of the range.")
        return
    try:
        found = analytics.summary(resources.database(), me, *chosen)
    except PermissionError as exc:
        auth.refused(exc)
        return
    except ValueError as exc:
        st.error(str(exc))
        return
    _figures(found)
    _charts(found)


def _duration(span: timedelta | None) -> str:
    return "no contact yet" if span is None else waited(span)


def _figures(found: Analytics) -> None:
    share = "no submissions" if found.booked_share is None else f"{found.booked_share:.0%}"
    with st.container(horizontal=True, key="analytics_figures"):
        st.metric("Submissions", f"{found.total:,}", border=True, width="content")
        st.metric("Median to first contact", _duration(found.median_to_contact), border=True, width="content")
        st.metric("90% contacted within", _duration(found.p90_to_contact), border=True, width="content")
        st.metric("Reached a booked consultation", share, border=True, width="content")
        st.metric("Overdue now", f"{found.overdue_now:,}", border=True, width="content")
    st.text(
        f"{count(found.contacted, 'submission')} contacted so far; {count(found.booked, 'submission')} booked. "
        "First contact is the first move to contact attempted, booked or urgent advice. "
        "Overdue now counts open cases received in this range that are past their triage's target."
    )


def _charts(found: Analytics) -> None:
    if not found.total:
        st.info("No submissions were received in this range.")
        return
    top = st.container()
    left, right = st.columns(2)
    for column, title, build in (
        (top, "Submissions per week, by triage", analytics_charts.weekly),
        (left, "Pathways", analytics_charts.pathways),
        (right, "Likely candidates by headache days a month", analytics_charts.headache_days),
    ):
        chart, alt_text = build(found)
        with column:
            st.subheader(title)
            st.altair_chart(chart, width="stretch", alt=alt_text)
            st.text(alt_text)


if __name__ == "__main__":
    page()
