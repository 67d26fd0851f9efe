"""Staff login, and once logged in, the person's own account: log out, change the password."""

import streamlit as st

from screening import staff
from screening.roles import ROLE_LABELS
from screening.staff import StaffSession
from screening.ui import auth, resources
from screening.ui.staff_common import PROBLEM, attempt, show_outcome, storage_guard


def page() -> None:
    with storage_guard():
        _page()


def _page() -> None:
    me = auth.signed_in()
    if me is None:
        if auth.login_form() is not None:
            st.switch_page(auth.QUEUE_PAGE)
        return
    _account(me)


def _account(me: StaffSession) -> None:
    st.header("My account")
    show_outcome()
    st.text(f"Logged in as {me.display_name} ({me.username}), {ROLE_LABELS[me.role]}.")
    if st.button("Log out", icon=":material/logout:"):
        staff.logout(resources.database(), me.token)
        auth.forget("You are logged out.")
        st.rerun()
    _password_change(me)


def _password_change(me: StaffSession) -> None:
    st.subheader("Change your password")
    st.caption(f"At least {staff.MIN_PASSWORD} characters, mixing at least two kinds (letters, digits, symbols).")
    with st.form("password_change", clear_on_submit=True):
        old = st.text_input("Current password", type="password", max_chars=staff.MAX_PASSWORD)
        new = st.text_input("New password", type="password", max_chars=staff.MAX_PASSWORD)
        again = st.text_input("New password again", type="password", max_chars=staff.MAX_PASSWORD)
        submitted = st.form_submit_button("Change password")
    if not submitted:
        return
    if new != again:
        st.session_state[PROBLEM] = "The two new passwords are not the same."
    else:
        attempt(
            lambda: staff.change_password(resources.database(), me, old, new),
            "Your password is changed. Your other sessions have been logged out.",
        )
    st.rerun()


if __name__ == "__main__":
    page()
