"""The staff session guard and the staff entries of the app's navigation.

The browser session keeps only a random token in ``st.session_state`` (never in the
URL). Every staff page starts with ``require_staff``, which asks the staff service
again on each run, so idle expiry, logout and a disabled account take effect at the
next click; without a live session the page draws the login form and stops, so no
submission data is ever produced for an anonymous visitor. The services check the
session once more on every action.
"""

from pathlib import Path
from typing import Literal

import streamlit as st

from screening import staff
from screening.i18n import ENGLISH
from screening.staff import Role, StaffSession
from screening.ui import language, resources

PREFIX = "staff_"
SESSION_KEY = "staff_session"
ROLE = "staff_role"
"""Kept only to decide which staff pages the menu offers; the pages check the real role."""
NOTICE = "staff_notice"
OPEN = "staff_open_submission"
VIEWED = "staff_viewed_submission"
"""The submission whose opening is already audited as a view; forgotten as soon as another page runs."""
RULES_VIEWED = "staff_rules_viewed"
"""Set once this opening of the rules page is audited; forgotten, like VIEWED, when another page runs."""
MAIL_VIEWED = "staff_mail_viewed"
"""The same for the mail page."""
RETURNS_VIEWED = "staff_returns_viewed"
"""The same for returns due (it holds the window read, so choosing another one is a new, audited reading)."""

HERE = Path(__file__).resolve().parent
LOGIN_PAGE = HERE / "staff_login.py"
QUEUE_PAGE = HERE / "staff_queue.py"
DETAIL_PAGE = HERE / "staff_detail.py"
ADMIN_PAGE = HERE / "staff_admin.py"
RULES_PAGE = HERE / "staff_rules.py"
ANALYTICS_PAGE = HERE / "staff_analytics.py"
MAIL_PAGE = HERE / "staff_mail.py"
SLOTS_PAGE = HERE / "staff_slots.py"
RETURNS_PAGE = HERE / "staff_returns.py"
RIGHTS_PAGE = HERE / "staff_rights.py"
DETAIL_URL = "staff_submission"
RULES_URL = "staff_rules"
MAIL_URL = "staff_mail"
SLOTS_URL = "staff_video_calls"
RETURNS_URL = "staff_returns_due"
RIGHTS_URL = "staff_data_requests"


def staff_pages() -> list[st.Page]:
    """Staff pages for ``st.navigation``: without a login only "Staff login" is offered.

    The others stay registered but hidden, so a bookmarked address still reaches the
    page, whose guard then shows the login form instead of the patient wizard.
    """
    role = st.session_state.get(ROLE)
    signed_in = "visible" if role else "hidden"
    return [
        st.Page(LOGIN_PAGE, title="My account" if role else "Staff login", url_path="staff", icon=":material/badge:"),
        st.Page(QUEUE_PAGE, title="Review queue", url_path="staff_queue", visibility=signed_in, icon=":material/list:"),
        st.Page(DETAIL_PAGE, title="Submission", url_path=DETAIL_URL, visibility="hidden"),
        st.Page(
            ANALYTICS_PAGE,
            title="Analytics",
            url_path="staff_analytics",
            visibility=signed_in,
            icon=":material/bar_chart:",
        ),
        st.Page(
            RULES_PAGE,
            title="Rules",
            url_path=RULES_URL,
            visibility="visible" if role in (Role.clinician, Role.admin) else "hidden",
            icon=":material/rule:",
        ),
        st.Page(
            RETURNS_PAGE,
            title="Returns due",
            url_path=RETURNS_URL,
            visibility=signed_in,
            icon=":material/event_repeat:",
        ),
        st.Page(MAIL_PAGE, title="Mail", url_path=MAIL_URL, visibility=signed_in, icon=":material/mail:"),
        st.Page(
            SLOTS_PAGE, title="Video calls", url_path=SLOTS_URL, visibility=signed_in, icon=":material/video_call:"
        ),
        st.Page(
            ADMIN_PAGE,
            title="Staff and audit log",
            url_path="staff_admin",
            visibility="visible" if role == Role.admin else "hidden",
            icon=":material/admin_panel_settings:",
        ),
        st.Page(
            RIGHTS_PAGE,
            title="Data requests",
            url_path=RIGHTS_URL,
            visibility="visible" if role == Role.admin else "hidden",
            icon=":material/folder_shared:",
        ),
    ]


WIDE_PAGES = (
    "staff_queue",
    DETAIL_URL,
    "staff_admin",
    RULES_URL,
    "staff_analytics",
    MAIL_URL,
    SLOTS_URL,
    RETURNS_URL,
    RIGHTS_URL,
)
"""Tables and why-cards need the whole window; the patient wizard and the login read best as a narrow column."""


def layout_of(page: st.Page) -> Literal["wide", "centered"]:
    return "wide" if page.url_path in WIDE_PAGES else "centered"


def arriving(page: st.Page) -> None:
    """Called by app.py before each page runs: any page but the submission's (or the rules', or mail) ends its opening,
    so coming back to it (from the queue, or with the browser's back button) is a new, audited view."""
    if page.url_path != DETAIL_URL:
        st.session_state.pop(VIEWED, None)
    if page.url_path != RULES_URL:
        st.session_state.pop(RULES_VIEWED, None)
    if page.url_path != MAIL_URL:
        st.session_state.pop(MAIL_VIEWED, None)
    if page.url_path != RETURNS_URL:
        st.session_state.pop(RETURNS_VIEWED, None)
    if page.url_path.startswith("staff"):  # English, even after the same tab showed the questionnaire in Spanish
        language.mark_page(ENGLISH)


def ended_notice() -> str:
    minutes = resources.database().config.session_idle_minutes
    return (
        f"Your session has ended (after {minutes} minutes without activity, or you were logged out). "
        "Please log in again."
    )


def forget(notice: str | None = None) -> None:
    """Drop everything the staff pages kept in this browser tab (all under the ``staff_`` prefix)."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(PREFIX)]:
        del st.session_state[key]
    if notice:
        st.session_state[NOTICE] = notice


def signed_in() -> StaffSession | None:
    """The live session of this browser tab, checked (and kept alive) by the staff service."""
    token = st.session_state.get(SESSION_KEY)
    if not token:
        return None
    session = staff.session_for(resources.database(), token)
    if session is None:
        forget(ended_notice())
        st.rerun()  # again from the top, so the menu no longer offers staff pages either
    st.session_state[ROLE] = session.role.value
    return session


def remember(session: StaffSession) -> None:
    st.session_state[SESSION_KEY] = session.token
    st.session_state[ROLE] = session.role.value


def login_form() -> StaffSession | None:
    """The one login form; the same message whether the name, the password or a lockout was the problem."""
    st.header("Staff login")
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.info(notice)
    with st.form("staff_login"):
        username = st.text_input("User name", max_chars=100, autocomplete="username")
        password = st.text_input("Password", type="password", max_chars=staff.MAX_PASSWORD)
        submitted = st.form_submit_button("Log in", type="primary")
    if not submitted:
        return None
    session = staff.authenticate(resources.database(), username, password)
    if session is None:
        st.error(staff.LOGIN_FAILED)
        return None
    remember(session)
    return session


def require_staff(*roles: Role) -> StaffSession:
    """The first line of every staff page: a live session (with one of ``roles``), or the login form and stop."""
    session = signed_in()
    if session is None:
        if login_form() is not None:
            st.rerun()
        st.stop()
    if roles and session.role not in roles:
        st.error("This page is not available to your role.")
        st.stop()
    return session


def refused(exc: PermissionError) -> None:
    """A service said no: either the session ended since the page checked it (back to login) or the role may not."""
    signed_in()
    st.error(str(exc))
