"""Why a submission was flagged, shown to staff as one card per flag.

The card is built from what storage kept with the result (the flag, the rule's
trace row and the rule-set reference), never from the rules loaded today, so a
past result is explained by the rules that produced it. Every value is shown as
plain text or a table cell: a flag's reason can quote the patient's answers.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from screening.choices import label
from screening.facts import FACTS
from screening.triage import TRIAGE_LABELS, Severity, Triage

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


def flag_heading(flag: Mapping[str, Any]) -> str:
    severity = SEVERITY_LABELS.get(Severity(flag["severity"]), flag["severity"])
    outcome = TRIAGE_LABELS[Triage(flag["triage"])] if flag.get("triage") else "flag only"
    return f"{flag['id']} · severity {severity} · outcome {outcome}"


def ruleset_line(ruleset: Mapping[str, Any]) -> str:
    return f"Rule set: {ruleset.get('name', '')} version {ruleset.get('version', '?')}, hash {ruleset.get('hash', '?')}"


def render_why_card(flag: Mapping[str, Any], rule_trace: Mapping[str, Any] | None, ruleset: Mapping[str, Any]) -> None:
    with st.container(border=True, key=f"why_{flag['id']}"):
        st.text(str(flag["title"]))
        st.text(flag_heading(flag))
        st.text(str(flag["reason"]))
        if rule_trace and rule_trace.get("conditions"):
            st.dataframe(condition_rows(rule_trace["conditions"]), hide_index=True)
        st.text(f"Source: {flag['source']}")
        st.text(ruleset_line(ruleset))


def render_why_cards(result: Mapping[str, Any]) -> None:
    """One card per flag, in the order triage put them (most serious first)."""
    flags = result.get("flags") or []
    if not flags:
        st.info("No rule flagged this submission.")
        return
    traces = trace_by_rule(result.get("trace"))
    for flag in flags:
        render_why_card(flag, traces.get(flag["id"]), result.get("ruleset") or {})


def render_full_trace(result: Mapping[str, Any]) -> None:
    """Every rule, fired or not, with every condition: what a clinician checks a decision against."""
    rows = [
        {"Rule id": row["rule"], "Fired": "yes" if row["fired"] else "no", **cond}
        for row in result.get("trace") or ()
        for cond in condition_rows(row["conditions"]).to_dict("records")
    ]
    st.dataframe(pd.DataFrame(rows, dtype="string"), hide_index=True)
