"""Administrators: a patient's data requests (see everything held, erase it) and the retention policy.

A request starts by finding the person (a reference code, or name and birth date); the page then
lists what is held before anything is exported or erased. Erasure cannot be undone, so it asks
for the word ERASE. Every step is audited by the services.
"""

from dataclasses import replace

import pandas as pd
import streamlit as st

from screening.privacy import access, erasure, retention
from screening.privacy.people import Lookup
from screening.roles import Role
from screening.staff import StaffSession
from screening.storage.cases import Erased
from screening.ui import auth, resources
from screening.ui.staff_common import attempt, show_outcome, storage_guard
from screening.ui.widgets import birth_date_input
from screening.wording import count

LOOKUP, HELD, EXPORT, FIELD_ERRORS = "rights_lookup", "rights_held", "rights_export", "rights_errors"
CONFIRM_WORD = "ERASE"


def page() -> None:
    with storage_guard():
        _page()


def _page() -> None:
    me = auth.require_staff(Role.admin)
    st.header("Data requests and retention")
    show_outcome()
    st.subheader("Find a person")
    _find_form(me)
    held: access.Held | None = st.session_state.get(HELD)
    if held is not None:
        _held(me, held)
    st.subheader("Retention")
    _retention(me)


def _error(field: str) -> None:
    if message := st.session_state.get(FIELD_ERRORS, {}).get(field):
        st.error(message, icon=":material/error:")


def _find_form(me: StaffSession) -> None:
    with st.form("find_person", border=True):
        reference = st.text_input("Reference code", placeholder="BT-7K3M-Q9PZ", key="rights_reference", width=300)
        _error("reference")
        st.text("Or, when the person has no reference code:")
        with st.container(horizontal=True):
            name = st.text_input("Name as they gave it", key="rights_name", max_chars=100)
            born = birth_date_input("Birth date", "rights_born")
        _error("name")
        _error("born")
        if st.form_submit_button("Find", type="primary"):
            _look_up(me, Lookup(reference=reference or None, name=name or None, born=born))
            st.rerun()  # the errors are shown next to their fields, which this run has drawn already


def _look_up(me: StaffSession, lookup: Lookup) -> None:
    for key in (HELD, EXPORT, FIELD_ERRORS):
        st.session_state.pop(key, None)
    try:
        held = access.look_up(resources.database(), me, lookup)
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        st.session_state[FIELD_ERRORS] = {field: message}
        return
    st.session_state[LOOKUP] = lookup
    st.session_state[HELD] = held


def held_frame(held: access.Held) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Reference": ref,
                "Received": f"{when:%Y-%m-%d %H:%M} UTC",
                "Visit": "Return visit" if kind == "return" else "First screening",
                "Data": "Erased" if gone else "Held",
            }
            for ref, when, kind, gone in zip(held.references, held.received, held.visits, held.erased, strict=True)
        ],
        columns=["Reference", "Received", "Visit", "Data"],
        dtype="string",
    )


def _held(me: StaffSession, held: access.Held) -> None:
    if held.empty:
        st.info("Nothing is held about this person. Check the reference code, or the name and birth date.")
        return
    st.text(f"{count(len(held.references), 'submission')} and {count(held.drafts, 'saved draft')} found.")
    st.dataframe(held_frame(held), hide_index=True, key="rights_held_table")
    lookup: Lookup = st.session_state[LOOKUP]
    with st.container(horizontal=True):
        if st.button("Prepare access export", key="rights_prepare"):
            attempt(lambda: _prepare(me, lookup), "The access export is ready: download both files below.")
            st.rerun()
    prepared: access.AccessExport | None = st.session_state.get(EXPORT)
    if prepared is not None:
        with st.container(horizontal=True):
            st.download_button(
                "Download readable file (HTML)",
                prepared.html,
                file_name=f"{prepared.file_stem}.html",
                mime="text/html",
                key="rights_html",
            )
            st.download_button(
                "Download data (JSON)",
                prepared.json,
                file_name=f"{prepared.file_stem}.json",
                mime="application/json",
                key="rights_json",
            )
    _erase_form(me, lookup)


def _prepare(me: StaffSession, lookup: Lookup) -> None:
    st.session_state[EXPORT] = access.export(resources.database(), me, lookup)


def _erase_form(me: StaffSession, lookup: Lookup) -> None:
    with st.expander("Erase this person's data"):
        st.text(
            "Erasure makes every answer, result and note of the submissions and drafts listed above unreadable, "
            "for good, also in backups. Their triage, pathway, dates and history stay for the records. "
            "It cannot be undone: prepare the access export first if the person asked for a copy."
        )
        with st.form("erase_person", border=False):
            word = st.text_input(f"Type {CONFIRM_WORD} to confirm", key="rights_confirm")
            if st.form_submit_button("Erase", type="primary"):
                if word.strip() != CONFIRM_WORD:
                    st.error(f"Type {CONFIRM_WORD} in capitals to confirm; nothing was erased.")
                    return
                attempt(lambda: _erase(me, lookup), lambda n: n)
                st.rerun()


def _erase(me: StaffSession, lookup: Lookup) -> str:
    try:
        done = erasure.erase(resources.database(), me, lookup)
    except (LookupError, Erased) as exc:
        raise ValueError(str(exc)) from None
    st.session_state.pop(EXPORT, None)
    held: access.Held = st.session_state[HELD]  # a new search would find nothing now: nothing identifies them
    st.session_state[HELD] = replace(held, erased=(True,) * len(held.references), drafts=0)
    return (
        f"Erased {count(len(done.references), 'submission')} and {count(done.drafts, 'saved draft')}"
        + (f" and {count(done.autosaves, 'open questionnaire')}" if done.autosaves else "")
        + "."
    )


def _retention(me: StaffSession) -> None:
    db = resources.database()
    policy = retention.policy(db)
    last = f"{policy.last_run_at:%Y-%m-%d %H:%M} UTC" if policy.last_run_at else "never"
    st.text(
        f"Submissions that never reached a booked consultation keep identifying data for {policy.months} months; "
        f"then it is erased. Unfinished saved answers are kept {db.config.draft_days} days. Retention last ran: "
        f"{last} (it runs when the app starts, at most once a day, and from cron: python -m screening retention run)."
    )
    with st.form("retention_months", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        months = st.number_input(
            "Keep identifying data (months)",
            min_value=retention.MIN_MONTHS,
            max_value=retention.MAX_MONTHS,
            value=policy.months,
            step=1,
            key="rights_months",
            width=240,
        )
        if st.form_submit_button("Save"):
            attempt(lambda: retention.set_months(db, me, int(months)), f"Retention set to {int(months)} months.")
            st.rerun()
    if st.button("Run retention now", key="rights_run"):
        attempt(lambda: _run(me), lambda report: report.describe())
        st.rerun()


def _run(me: StaffSession) -> retention.Report:
    """By hand, as the person pressing the button (the audit names them)."""
    return retention.run(resources.database(), me)


if __name__ == "__main__":
    page()
