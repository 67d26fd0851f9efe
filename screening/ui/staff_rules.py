"""The rule set in use, rule by rule, and a preview of what a candidate rule set would change.

For clinicians and administrators only. Everything here comes from the rule files
(a clinician's words) except the preview's folder path, which is shown as plain text.
Each opening of the page and each preview run is audited by the service.
"""

from collections import defaultdict

import pandas as pd
import streamlit as st

from screening import rules_preview
from screening.rules_preview import Preview
from screening.ruleset import Advice, Rule, RuleSet
from screening.staff import StaffSession
from screening.triage import PRECEDENCE, TRIAGE_LABELS
from screening.ui import auth, resources
from screening.ui.staff_common import storage_guard
from screening.ui.whycard import outcome_badge, severity_badge
from screening.wording import count

RESULT = "staff_rules_preview"


def page() -> None:
    with storage_guard():
        _page()


def _page() -> None:
    me = auth.require_staff(*rules_preview.RULE_READERS)
    ruleset = resources.ruleset()
    if st.session_state.get(auth.RULES_VIEWED) is None:
        try:
            rules_preview.record_rules_view(resources.database(), me, ruleset)
        except PermissionError as exc:
            auth.refused(exc)
            return
        st.session_state[auth.RULES_VIEWED] = True
    st.header("Rules")
    _overview(ruleset)
    _changelog(ruleset)
    _preview(me)
    for file, rules in _by_file(ruleset).items():
        st.subheader(file, anchor=False)
        for rule in rules:
            _rule(rule)
        _cases(ruleset, file)


def _overview(ruleset: RuleSet) -> None:
    ref = ruleset.ref
    st.text(f"{ref.name} · version {ref.version} · hash {ref.hash}")
    st.text(f"When no rule decides: {TRIAGE_LABELS[ruleset.default_triage]}")
    st.text("Precedence (the most serious outcome wins): " + " > ".join(TRIAGE_LABELS[t] for t in PRECEDENCE))


ADVICE_WORDS = {
    Advice.emergency: "emergency now (call 911 / emergency department)",
    Advice.same_day: "call the clinic (or their own doctor) the same day; 911 if no one answers and they feel worse",
    Advice.soon: "see a doctor within a few days; the clinic contacts them first",
}


def _changelog(ruleset: RuleSet) -> None:
    """Each version with its date and what changed, newest first (kept in rules/CHANGELOG.yaml); literal text."""
    with st.expander(f"Changelog ({count(len(ruleset.changelog), 'version')})", key="changelog"):
        for note in ruleset.changelog:
            st.text(f"Version {note.version} · {note.day:%B} {note.day.day}, {note.day.year}")
            st.text("\n".join(f"- {change}" for change in note.changes))


def _by_file(ruleset: RuleSet) -> dict[str, list[Rule]]:
    grouped: dict[str, list[Rule]] = defaultdict(list)
    for rule in ruleset.rules:
        grouped[rule.file].append(rule)
    return grouped


def _rule(rule: Rule) -> None:
    with st.container(border=True, key=f"rule_{rule.id}"):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.text(f"{rule.id} · {rule.title}")
            outcome_badge(rule.triage.value if rule.triage else None)
            severity_badge(rule.severity.value)
        st.code("\n".join(rule.when.describe()), language=None)
        st.text(f"Source: {rule.source}")
        st.text(f"Explanation: {rule.explain}")
        if rule.advice is not None:
            st.text(f"Patient is told at once: {ADVICE_WORDS[rule.advice]}")


def _cases(ruleset: RuleSet, file: str) -> None:
    rows = [
        {
            "Example": case.name,
            "Expected triage": TRIAGE_LABELS[case.triage],
            "Expected flags": ", ".join(sorted(case.flags)),
        }
        for case in ruleset.cases
        if case.file == file
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows, dtype="string"), hide_index=True, key=f"cases_{file}")


def _preview(me: StaffSession) -> None:
    st.subheader("Preview a rule change", anchor=False)
    root = rules_preview.candidate_root(resources.database())
    st.text(
        f"Re-screens every stored submission with a candidate rule folder on the server (inside {root}) "
        "and lists whose triage would change. Nothing is stored; the run is recorded in the audit log."
    )
    with st.form("rules_preview"):
        typed = st.text_input("Candidate rules folder", max_chars=500, key="rules_candidate")
        if st.form_submit_button("Preview the change", type="primary"):
            try:
                bar = st.progress(0.0, text="Loading the candidate rule set…")
                st.session_state[RESULT] = rules_preview.preview_candidate(
                    resources.database(), me, typed, lambda share, line: bar.progress(share, text=line)
                )
                bar.empty()
            except PermissionError as exc:
                auth.refused(exc)
                return
    found = st.session_state.get(RESULT)
    if found is not None:
        _show_preview(found)


def _show_refusal(found: Preview) -> None:
    """One line per problem, whole (a table cell would cut a long one short): file, rule or case, what is wrong."""
    st.error("The candidate rule set was refused; nothing was re-screened.")
    with st.container(border=True, key="preview_problems"):
        for problem in found.problems:
            st.text(f"• {problem}")


def _show_preview(found: Preview) -> None:
    if found.candidate is None:
        _show_refusal(found)
        return
    ref = found.candidate.ref
    st.text(f"Candidate: {ref.name} · version {ref.version} · hash {ref.hash[:12]} · {found.screened} re-screened")
    if found.unreadable:
        st.warning(f"{found.unreadable} stored submissions no longer fit the answer model and were left out.")
    counts = pd.DataFrame(
        {
            "Triage": [TRIAGE_LABELS[t] for t in PRECEDENCE],
            "Before": [found.before.get(t, 0) for t in PRECEDENCE],
            "After": [found.after.get(t, 0) for t in PRECEDENCE],
        }
    )
    st.dataframe(counts, hide_index=True, key="preview_counts")
    if not found.changes:
        st.success("No submission's triage would change.")
        return
    st.text(f"{count(len(found.changes), 'submission')} would change triage:")
    changes = pd.DataFrame(
        [
            {
                "Reference": change.reference,
                "Before": TRIAGE_LABELS[change.before],
                "After": TRIAGE_LABELS[change.after],
                "Flags added": ", ".join(change.added),
                "Flags removed": ", ".join(change.removed),
            }
            for change in found.changes
        ],
        dtype="string",
    )
    st.dataframe(changes, hide_index=True, key="preview_changes")


if __name__ == "__main__":
    page()
