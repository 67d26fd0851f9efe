"""The top of a case page: the facts intake needs first, possible repeats, and what to confirm on the call.

Every value here can be stored text (a display name, a patient's contact details), so each
is shown with ``st.text``, which wraps and never renders Markdown: a long status or name is
never cut off. The rule set that screened the case is named here once, not on every card.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import streamlit as st

from screening.advice import advice_given
from screening.call_notes import for_the_call
from screening.casework import Detail, waited
from screening.choices import label
from screening.i18n import ENGLISH, STAFF_NAMES
from screening.triage import TRIAGE_LABELS
from screening.ui import resources
from screening.wording import count
from screening.workflow import STATUS_LABELS, VISIT_LABELS, Status


def _fact(name: str, value: str, *, overdue: bool = False) -> None:
    with st.container(border=True, width="content", gap="small", key=f"fact_{name.lower().replace(' ', '_')}"):
        st.markdown(f"**{name}**")
        st.text(value)
        if overdue:
            st.badge("Overdue", color="orange", icon=":material/schedule:")


def working_hours(span: timedelta) -> str:
    """Working time in hours (a working "day" of 24 hours would mislead)."""
    hours, minutes = divmod(int(span.total_seconds() // 60), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def facts(found: Detail) -> None:
    in_status = (
        f"{waited(datetime.now(UTC) - found.status_since)} ({working_hours(found.working_time_in_status)} working)"
    )
    if found.target is not None:
        in_status += f"; target {found.target}"
    with st.container(horizontal=True, key="case_facts"):
        _fact("Triage", TRIAGE_LABELS[found.triage])
        _fact("Status", STATUS_LABELS[found.status])
        _fact("Visit", VISIT_LABELS[found.visit_kind])
        if found.status == Status.treated and found.visits:
            treated = next((v.treated_on for v in found.visits if v.submission_id == found.submission_id), None)
            _fact("Treated on", f"{treated:%Y-%m-%d}" if treated else "")
        _fact("Assigned to", found.assignee or "Nobody")
        _fact("Contact attempts", str(found.contact_attempts))
        _fact("Language", STAFF_NAMES[found.language] + ("" if found.language == ENGLISH else ": call in it"))
        _fact("In this status", in_status, overdue=found.overdue)
    age = found.age
    named = [(found.result.get("ruleset") or {}).get("name"), found.ruleset_version, f"({found.ruleset_hash[:12]})"]
    st.text(
        f"Age {age if age is not None else 'not given'} · received {found.created_at:%Y-%m-%d %H:%M} UTC · "
        f"screened by rule set {' '.join(part for part in named if part)}"  # no name once the result was erased
    )
    if found.contact:  # empty once the patient's data was erased
        st.text(contact_line(found.contact))


def contact_line(contact: dict[str, Any]) -> str:
    """Who to call and how, on one line: the first thing intake staff need (patient text, so plain text only)."""
    ways = [f"{label(contact.get('preferred_method'))} preferred"]
    ways += [str(contact[key]) for key in ("phone", "email") if contact.get(key)]
    times = ", ".join(label(t) for t in contact.get("preferred_times") or [])
    return f"Contact: {contact.get('name', '')} · {' · '.join(ways)}" + (
        f" · free in the {times.lower()}" if times else ""
    )


SHOWN_REPEATS = 6
"""Links to the newest repeats only: a shared number (a care home's, a family's) must not push "For the call"
screens down the page."""


def repeats(found: Detail, open_submission: Callable[[int], None]) -> None:
    """Links to the other submissions that share the name and birth date, the phone or the email (the newest)."""
    if not found.repeats:
        return
    shown, older = found.repeats[-SHOWN_REPEATS:], len(found.repeats) - SHOWN_REPEATS
    with st.container(border=True, key="possible_repeat"):
        st.badge("Possible repeat", color="violet", icon=":material/content_copy:")
        st.text("Same name and birth date, phone or email as:")
        with st.container(horizontal=True):
            for match in shown:
                st.button(
                    f"{match.reference} ({match.created_at:%Y-%m-%d})",
                    key=f"repeat_{match.submission_id}",
                    on_click=open_submission,
                    args=(match.submission_id,),
                    icon=":material/open_in_new:",
                )
        if older > 0:
            st.text(f"and {count(older, 'older submission')} with the same details.")


def call_summary(found: Detail) -> None:
    """What intake should confirm with the patient, from the flags (the wording lives in ``call_notes``)."""
    st.subheader("For the call")
    told = advice_given(resources.ruleset(), found.answers, found.pathway) if found.answers else []
    lines = for_the_call((flag["id"] for flag in found.result.get("flags") or ()), told)
    with st.container(key="for_the_call"):
        for line in lines:
            st.text(f"• {line}")
