"""The case page's "Record treatment" form: the date, Units and sites given, and a note.

Shown only when the workflow lets the case be treated (after the consultation for a first
screening, after review for a return visit; on a treated case it records a correction). The
service validates the treatment against the case; each refusal is shown under its own field,
and every value typed stays in the form.
"""

from datetime import date

import streamlit as st
from pydantic import ValidationError

from screening import casework
from screening.answers import field_errors
from screening.care.treatment import MAX_AREAS, MAX_SITES, MAX_UNITS, MIGRAINE_DOSE, Treatment
from screening.casework import ChangedMeanwhile, Detail, clinic_date
from screening.staff import StaffSession
from screening.storage import StorageError
from screening.ui import resources
from screening.ui.staff_common import FLASH, PROBLEM, STORAGE_PROBLEM
from screening.workflow import Status, TransitionError

ERRORS = "staff_treatment_errors"
KEYS = {name: f"treatment_{name}" for name in ("treated_on", "units", "sites", "areas", "note")}
FIELDS = Treatment.model_fields


def _problem(name: str) -> None:
    message = st.session_state.get(ERRORS, {}).get(name)
    if message:
        st.error(message, icon=":material/error:")


def _seed(found: Detail) -> None:
    """Starting values once per case: today, and the chronic-migraine dose on the headache pathway."""
    if st.session_state.get(KEYS["treated_on"] + "_case") == found.submission_id:
        return
    st.session_state[KEYS["treated_on"] + "_case"] = found.submission_id
    st.session_state[KEYS["treated_on"]] = clinic_date(resources.database(), resources.database().now())
    migraine = found.pathway == "headache"
    st.session_state[KEYS["units"]] = MIGRAINE_DOSE[0] if migraine else None
    st.session_state[KEYS["sites"]] = MIGRAINE_DOSE[1] if migraine else None
    st.session_state[KEYS["areas"]] = ""
    st.session_state[KEYS["note"]] = ""
    st.session_state.pop(ERRORS, None)


def form(me: StaffSession, found: Detail) -> None:
    if not found.can_treat:
        return
    _seed(found)
    correcting = found.status == Status.treated
    title = "Correct the recorded treatment" if correcting else "Record treatment"
    with st.form("treatment", border=True):
        st.markdown(f"**{title}**")
        if correcting:
            st.text("The earlier record stays on the timeline; this one replaces its date for returns due.")
        st.date_input(
            FIELDS["treated_on"].title or "",
            key=KEYS["treated_on"],
            min_value=found.received_on,
            max_value=clinic_date(resources.database(), resources.database().now()),
            format="YYYY-MM-DD",
            help=FIELDS["treated_on"].description,
        )
        _problem("treated_on")
        with st.container(horizontal=True):
            for name, most, step in (("units", MAX_UNITS, 5), ("sites", MAX_SITES, 1)):
                with st.container():
                    st.number_input(
                        FIELDS[name].title or "",
                        min_value=1,
                        max_value=most,
                        step=step,
                        key=KEYS[name],
                        help=FIELDS[name].description,
                    )
                    _problem(name)
        st.text_input(
            FIELDS["areas"].title or "", key=KEYS["areas"], max_chars=MAX_AREAS, help=FIELDS["areas"].description
        )
        _problem("areas")
        st.text_area("Note (optional; notes cannot be changed later)", key=KEYS["note"], max_chars=casework.MAX_NOTE)
        _problem("note")
        if st.form_submit_button("Record treatment", type="primary", icon=":material/vaccines:"):
            _record(me, found)


def _record(me: StaffSession, found: Detail) -> None:
    state = st.session_state
    given = {name: state.get(KEYS[name]) for name in ("treated_on", "units", "sites", "areas")}
    state[ERRORS] = {name: "Please fill this in." for name in ("treated_on", "units", "sites") if given[name] is None}
    if state[ERRORS]:
        st.rerun()
    if isinstance(given["treated_on"], date):
        given["treated_on"] = given["treated_on"].isoformat()
    try:
        done = casework.record_treatment(
            resources.database(),
            me,
            found.submission_id,
            given,
            note=state.get(KEYS["note"], ""),
            expected=found.status,
        )
    except ValidationError as exc:
        state[ERRORS] = {error["field"].split(".")[0]: error["message"] for error in field_errors(exc)}
    except (ChangedMeanwhile, TransitionError, PermissionError) as exc:
        state[PROBLEM] = str(exc)
    except ValueError as exc:  # the note: too long, or a control character in it
        state[ERRORS] = {"note": str(exc)}
    except StorageError:
        state[PROBLEM] = STORAGE_PROBLEM
    else:
        state[FLASH] = f"Treatment recorded: {done.summary()}."
        state.pop(KEYS["treated_on"] + "_case", None)
    st.rerun()
