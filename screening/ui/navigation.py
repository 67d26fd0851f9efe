"""Moving through the wizard: the current step, the tab's address, autosave, and where the page opens.

The address holds a random token and the step key (``?d=...&s=headache``), nothing the patient
typed. Streamlit adds a browser history entry each time the address changes, so the phone's
Back and Forward buttons walk the steps like the wizard's own Back button, and a reload (or
pull-to-refresh) finds the answers the server autosaved under the token
(``screening.autosave``). Leaving the questionnaire with answers not yet sent asks first
(the browser's own "Leave site?" question).
"""

import contextlib
import json
import secrets
from typing import Any

import streamlit as st

from screening import autosave
from screening.storage import StorageError
from screening.ui import language, resources
from screening.ui.draft import REVIEW, STEP_BY_KEY, WELCOME, Draft, Errors, Step, steps_for
from screening.ui.widgets import forget_widgets

DRAFT, STEP, ERRORS, CODE, RECEIPT, ARRIVED = "draft", "step", "errors", "draft_code", "receipt", "arrived"
TOKEN, SAVED, BACK_TO_REVIEW, EXPIRED = "autosave_token", "autosaved", "back_to_review", "autosave_expired"
TOKEN_PARAM, STEP_PARAM = "d", "s"
BROWSER_KEY = "resume-browser"


def browser_key() -> str:
    """A random key for this browser session, so its failed tries (resuming or linking a return visit) are
    counted (it never leaves the server)."""
    return st.session_state.setdefault(BROWSER_KEY, secrets.token_urlsafe(16))


TO_TOP = """<script>
setTimeout(() => {
  document.querySelector('[data-testid="stMain"]')?.scrollTo(0, 0);
  const heading = document.querySelector('h1');
  if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({preventScroll: true}); }
}, 50);
</script>"""
"""A constant script, run once when a new step opens: on a phone, Next is at the bottom of a long step, and
Streamlit keeps the scroll position, so the new step would open half-way down; screen readers start at its title.
It never contains anything the patient typed."""
TO_FIRST_ERROR = """<script>
setTimeout(() => {
  const alerts = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stAlertContentError"]')]
    .filter((alert) => !alert.closest('.st-key-error_banner'));
  const first = alerts.find((alert) => alert.closest('[class*="st-key-q_"]')) || alerts[0];
  if (!first) { return; }
  const question = first.closest('[class*="st-key-q_"]') || first;
  question.scrollIntoView({block: 'start'});
  question.querySelector('input, textarea')?.focus({preventScroll: true});
}, 50);
</script>"""
"""After Next finds errors, the page moves to the first question marked (on a phone it can be screens down from the
banner) and puts the cursor in it. Constant too."""
LEAVE_GUARD = """<script>
window.botoxUnsent = ARMED;
if (!window.botoxGuard) {
  window.botoxGuard = true;
  window.addEventListener('beforeunload', (event) => {
    if (window.botoxUnsent) { event.preventDefault(); event.returnValue = ''; }
  });
}
</script>"""
"""The browser asks "Leave site?" before the tab leaves the questionnaire with answers not sent (closing it,
going back past its first page, typing another address). A reload asks too (browsers cannot tell the two
apart); the answers are kept across it either way."""


def go_to(step: Step, errors: Errors | None = None, *, back_to_review: bool = False) -> None:
    """Change step from inside a run: the run stops and the next one draws the new step."""
    move_to(step, errors, back_to_review=back_to_review)
    st.rerun()


def move_to(step: Step, errors: Errors | None = None, *, back_to_review: bool = False) -> None:
    """Change step; from a button's ``on_click`` the run that follows draws the new step (one run per tap).

    Widgets are dropped so the new step's widgets are seeded from the draft.
    """
    st.session_state[STEP] = step.key
    st.session_state[ERRORS] = errors or {}
    st.session_state[ARRIVED] = True
    if back_to_review:
        st.session_state[BACK_TO_REVIEW] = True
    elif step is REVIEW:
        st.session_state.pop(BACK_TO_REVIEW, None)
    forget_widgets()
    keep_address(step)


def open_tab() -> None:
    """A new browser session: a reload of a tab with a live token gets its answers and step back."""
    if DRAFT in st.session_state:
        return
    st.session_state[DRAFT] = {}
    st.session_state[STEP] = WELCOME.key
    st.session_state[ERRORS] = {}
    token = st.query_params.get(TOKEN_PARAM)
    if not token:
        return
    found = autosave.restore(resources.database(), token)
    if found is None:
        st.session_state[EXPIRED] = True
        st.query_params.clear()
        return
    st.session_state[DRAFT] = found.answers
    st.session_state[TOKEN] = token
    language.use(found.language)
    st.session_state[SAVED] = _snapshot(found.answers, found.step, found.language)
    steps = steps_for(found.answers)
    wanted = STEP_BY_KEY.get(st.query_params.get(STEP_PARAM, ""), STEP_BY_KEY.get(found.step, WELCOME))
    st.session_state[STEP] = (wanted if wanted in steps else WELCOME).key
    st.session_state[ARRIVED] = True


def follow_history(draft: Draft) -> None:
    """The browser's Back or Forward changed the address: show the step it names (as the wizard's Back would)."""
    if TOKEN not in st.session_state:
        return
    wanted = STEP_BY_KEY.get(st.query_params.get(STEP_PARAM, WELCOME.key))
    if wanted is None or wanted.key == st.session_state[STEP] or wanted not in steps_for(draft):
        return
    st.session_state[STEP] = wanted.key
    st.session_state[ERRORS] = {}
    st.session_state[ARRIVED] = True
    forget_widgets()


def keep_address(step: Step) -> None:
    """The token (made when the patient first moves on from the welcome page) and the step, in the address."""
    if TOKEN not in st.session_state:
        if step is WELCOME:
            return
        st.session_state[TOKEN] = autosave.new_token()
    wanted = {TOKEN_PARAM: st.session_state[TOKEN], STEP_PARAM: step.key}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _snapshot(draft: Draft, step: str, chosen: str) -> str:
    return json.dumps([draft, step, chosen], sort_keys=True, default=str)


def autosave_tab(draft: Draft, step: Step) -> None:
    """Store the tab's answers when they (or the step) changed since the last run; a failure only skips one save."""
    token = st.session_state.get(TOKEN)
    if token is None:
        return
    snapshot = _snapshot(draft, step.key, language.current())
    if snapshot == st.session_state.get(SAVED):
        return
    try:
        autosave.keep(resources.database(), token, draft, step.key, language.current())
    except StorageError:
        return
    st.session_state[SAVED] = snapshot


def close_tab() -> None:
    """After sending: the autosaved copy goes at once and the address forgets the token."""
    token = st.session_state.pop(TOKEN, None)
    st.session_state.pop(SAVED, None)
    if token:
        with contextlib.suppress(StorageError):  # if this fails it expires on its own within autosave_minutes
            autosave.forget(resources.database(), token)
    st.query_params.clear()


def arrive() -> None:
    """Once per step change: open at the first error when Next found some, else at the top."""
    if st.session_state.pop(ARRIVED, False):
        st.html(TO_FIRST_ERROR if st.session_state.get(ERRORS) else TO_TOP, unsafe_allow_javascript=True)


def guard_leaving(unsent: Any) -> None:
    st.html(LEAVE_GUARD.replace("ARMED", "true" if unsent else "false"), unsafe_allow_javascript=True)
