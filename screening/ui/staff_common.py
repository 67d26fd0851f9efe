"""Small pieces the staff pages share: running an action and showing its outcome, paging through a service's pages."""

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

FLASH, PROBLEM = "staff_flash", "staff_problem"
T = TypeVar("T")


def attempt(action: Callable[[], T], done: str | Callable[[T], str]) -> None:
    """Run one service call and keep its outcome for the next run to show: done (a sentence, or one made from
    the call's result), or the refusal in plain words.

    A refusal for an ended session needs nothing more: the next run's guard shows the login.
    """
    try:
        result = action()
    except (PermissionError, ValueError) as exc:
        st.session_state[PROBLEM] = str(exc)
    else:
        st.session_state[FLASH] = done if isinstance(done, str) else done(result)


def show_outcome() -> None:
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash)
    if problem := st.session_state.pop(PROBLEM, None):
        st.error(problem)


def current_page(key: str) -> int:
    return int(st.session_state.get(key, 1))


def first_page(key: str) -> None:
    """A filter changed: what was page 3 of the old list means nothing in the new one."""
    st.session_state[key] = 1


def pager(key: str, page: int, pages: int, total: int, what: str) -> None:
    """Previous / next under a list that the service already cut into pages."""
    st.text(f"Page {page} of {pages} ({total} {what})")
    previous, following = st.columns(2)
    if previous.button("Previous page", disabled=page <= 1, key=f"{key}_previous"):
        st.session_state[key] = page - 1
        st.rerun()
    if following.button("Next page", disabled=page >= pages, key=f"{key}_next"):
        st.session_state[key] = page + 1
        st.rerun()
