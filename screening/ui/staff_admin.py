"""Administrators: add staff, disable or re-enable them, set overdue targets, and read the audit log.

A new account gets a first password from the administrator; there is no default
password anywhere. The audit log is shown newest first, a page at a time.
"""

import json
from datetime import date

import pandas as pd
import streamlit as st

from screening import casework, staff
from screening.casework import AuditEntry
from screening.roles import ROLE_LABELS, Role
from screening.staff import StaffInfo, StaffSession
from screening.ui import auth, resources, targets_form
from screening.ui.staff_common import attempt, current_page, first_page, pager, show_outcome, storage_guard

AUDIT_PAGE = "staff_audit_page"
AUDIT_PAGE_SIZE = 100


def page() -> None:
    with storage_guard():
        _page()


def _page() -> None:
    me = auth.require_staff(Role.admin)
    st.header("Staff and audit log")
    show_outcome()
    people = staff.list_staff(resources.database(), me)
    st.subheader("Staff")
    st.dataframe(staff_frame(people), hide_index=True, key="staff_table")
    _add_staff(me)
    _enable_disable(me, people)
    targets_form.section(me)
    st.subheader("Audit log")
    _audit(me)


def staff_frame(people: list[StaffInfo]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "User name": p.username,
                "Name": p.display_name,
                "Role": ROLE_LABELS[p.role],
                "Active": "yes" if p.active else "no",
                "Added": f"{p.created_at:%Y-%m-%d}",
                "Password changed": f"{p.password_changed_at:%Y-%m-%d}",
            }
            for p in people
        ],
        columns=["User name", "Name", "Role", "Active", "Added", "Password changed"],
    )


def _add_staff(me: StaffSession) -> None:
    with st.expander("Add a staff member"), st.form("add_staff", clear_on_submit=True):
        username = st.text_input(
            "User name (lower case letters, digits, dots, dashes)", max_chars=40, key="new_username"
        )
        display_name = st.text_input("Full name", max_chars=100, key="new_name")
        role = st.selectbox("Role", list(Role), format_func=lambda r: ROLE_LABELS[r], key="new_role")
        password = st.text_input(
            f"First password (at least {staff.MIN_PASSWORD} characters; tell it to them in person)",
            type="password",
            max_chars=staff.MAX_PASSWORD,
            key="new_password",
        )
        if st.form_submit_button("Add"):
            attempt(
                lambda: staff.add_staff(resources.database(), username, display_name, role, password, actor=me),
                f"Added {staff.normalise_username(username)}.",
            )
            st.rerun()


def _enable_disable(me: StaffSession, people: list[StaffInfo]) -> None:
    if not people:
        return
    names = {p.username: p for p in people}
    with st.form("set_active", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        username = st.selectbox("Staff member", list(names), key="active_who")
        disable = st.form_submit_button("Disable")
        enable = st.form_submit_button("Enable")
    if (disable or enable) and username is not None:
        attempt(
            lambda: staff.set_active(resources.database(), me, username, active=enable),
            f"{'Enabled' if enable else 'Disabled'} {username}.",
        )
        st.rerun()


def audit_frame(rows: list[AuditEntry]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "When": f"{r.at:%Y-%m-%d %H:%M:%S} UTC",
                "Who": r.username,
                "Action": r.action,
                "Target": r.target or "",
                "Detail": json.dumps(r.detail, sort_keys=True) if r.detail else "",
            }
            for r in rows
        ],
        columns=["When", "Who", "Action", "Target", "Detail"],
        dtype="string",
    )


def _audit_filters(actions: list[str]) -> dict[str, str | date | None]:
    reset = {"on_change": first_page, "args": (AUDIT_PAGE,)}
    with st.container(horizontal=True):
        action = st.selectbox(
            "Action", [None, *actions], format_func=lambda a: a or "Any action", key="a_action", **reset
        )
        username = st.text_input("User name", max_chars=100, key="a_user", **reset)
        target = st.text_input("Reference or account", max_chars=100, key="a_target", **reset)
        date_from = st.date_input("From", value=None, key="a_from", **reset)
        date_to = st.date_input("Until", value=None, key="a_to", **reset)
    return {
        "action": action,
        "username": username or None,
        "target": target or None,
        "date_from": date_from if isinstance(date_from, date) else None,
        "date_to": date_to if isinstance(date_to, date) else None,
    }


def _audit(me: StaffSession) -> None:
    db = resources.database()
    try:
        actions = casework.audit_log(db, me, page_size=1).actions
        filters = _audit_filters(actions)
        found = casework.audit_log(db, me, **filters, page=current_page(AUDIT_PAGE), page_size=AUDIT_PAGE_SIZE)
    except PermissionError as exc:
        auth.refused(exc)
        return
    except ValueError as exc:  # a filter with a control character in it
        st.error(str(exc))
        return
    st.dataframe(audit_frame(found.rows), hide_index=True, key="audit_table")
    pager(AUDIT_PAGE, found.page, max(1, -(-found.total // found.page_size)), found.total, "entry", "entries")


if __name__ == "__main__":
    page()
