"""Why a submission was flagged, shown to staff as one card per flag.

The card is built from what storage kept with the result (the flag, the rule's
trace row and the rule-set reference), never from the rules loaded today, so a
past result is explained by the rules that produced it. Every value is shown as
plain text or a table cell: a flag's reason can quote the patient's answers.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
import streamlit as st

from screening.choices import label
from screening.facts import FACTS
from screening.triage import TRIAGE_LABELS, Severity, Triage
from screening.ui.staff_common import literal

BadgeColour = Literal["red", "orange", "yellow", "blue", "green", "gray"]

SEVERITY_LABELS: dict[Severity, str] = {
    Severity.critical: "Critical",
    Severity.high: "High",
    Severity.warning: "Warning",
    Severity.info: "Information",
}


def shown_value(value: Any) -> str:
    """Unknown is said in words: a blank cell would read as "no"."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "Not answered / not sure"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return label(value)


def condition_rows(conditions: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Each condition as written, split into the question, the rule's test and the patient's value."""
    rows = []
    for cond in conditions:
        fact, _, test = str(cond["condition"]).partition(" ")
        known = FACTS.get(fact)
        rows.append(
            {
                "Question": known.label if known else fact,
                "Rule": test,
                "Patient's value": shown_value(cond["value"]),
                "Met": "yes" if cond["held"] else "no",
            }
        )
    return pd.DataFrame(rows, columns=["Question", "Rule", "Patient's value", "Met"], dtype="string")


def trace_by_rule(trace: Sequence[Mapping[str, Any]] | None) -> dict[str, Mapping[str, Any]]:
    return {row["rule"]: row for row in trace or ()}


SEVERITY_BADGES: dict[Severity, tuple[BadgeColour, str]] = {
    Severity.critical: ("red", ":material/error:"),
    Severity.high: ("orange", ":material/warning:"),
    Severity.warning: ("yellow", ":material/report:"),
    Severity.info: ("gray", ":material/info:"),
}
TRIAGE_BADGES: dict[Triage, tuple[BadgeColour, str]] = {
    Triage.urgent: ("red", ":material/emergency:"),
    Triage.not_suitable: ("orange", ":material/block:"),
    Triage.needs_review: ("blue", ":material/rate_review:"),
    Triage.likely_candidate: ("green", ":material/check_circle:"),
    Triage.unlikely: ("gray", ":material/remove_circle:"),
}
"""Colour and icon together: urgent and critical stand out, and not by colour alone."""
CONDITION_COLUMNS = {
    "Question": st.column_config.TextColumn(width=430, help="The question (or derived fact) the rule tests"),
    "Rule": st.column_config.TextColumn(width=150),
    "Patient's value": st.column_config.TextColumn(width=160),
    "Met": st.column_config.TextColumn(width=50),
}
"""Fixed widths that fit a why-card in the wide layout, so no column is cut off; hover shows a long question."""


def severity_label(severity: str) -> str:
    return f"Severity: {SEVERITY_LABELS[Severity(severity)]}"


def outcome_label(triage: str | None) -> str:
    return f"Outcome: {TRIAGE_LABELS[Triage(triage)]}" if triage else "Outcome: flag only"


def severity_badge(severity: str) -> None:
    colour, icon = SEVERITY_BADGES[Severity(severity)]
    st.badge(severity_label(severity), color=colour, icon=icon)


def outcome_badge(triage: str | None) -> None:
    colour, icon = TRIAGE_BADGES[Triage(triage)] if triage else ("gray", ":material/flag:")
    st.badge(outcome_label(triage), color=colour, icon=icon)


def render_why_card(flag: Mapping[str, Any], rule_trace: Mapping[str, Any] | None) -> None:
    """Title first, then severity and outcome as coloured badges, the reason, the conditions, where it comes from.

    The title is stored with the result, so it is shown as written (escaped, though a heading); the reason
    is shown with ``st.text``, as it may quote the patient's answers. The rule set is named once per page.
    """
    with st.container(border=True, key=f"why_{flag['id']}"):
        st.subheader(literal(str(flag["title"])), anchor=False)
        with st.container(horizontal=True, vertical_alignment="center"):
            outcome_badge(flag.get("triage"))
            severity_badge(flag["severity"])
            st.text(str(flag["id"]))
        st.text(str(flag["reason"]))
        if rule_trace and rule_trace.get("conditions"):
            st.dataframe(condition_rows(rule_trace["conditions"]), hide_index=True, column_config=CONDITION_COLUMNS)
        st.text(f"Source: {flag['source']}")


def render_why_cards(result: Mapping[str, Any]) -> None:
    """One card per flag, in the order triage put them (most serious first)."""
    flags = result.get("flags") or []
    if not flags:
        st.info("No rule flagged this submission.")
        return
    traces = trace_by_rule(result.get("trace"))
    for flag in flags:
        render_why_card(flag, traces.get(flag["id"]))


def render_full_trace(result: Mapping[str, Any]) -> None:
    """Every rule, fired or not, with every condition: what a clinician checks a decision against."""
    rows = [
        {"Rule id": row["rule"], "Fired": "yes" if row["fired"] else "no", **cond}
        for row in result.get("trace") or ()
        for cond in condition_rows(row["conditions"]).to_dict("records")
    ]
    st.dataframe(pd.DataFrame(rows, dtype="string"), hide_index=True)
