"""Small pieces the staff pages share: running an action and showing its outcome, paging through a service's pages."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

import streamlit as st

from screening.exports import SPREADSHEETS
from screening.storage import StorageError
from screening.ui import auth
from screening.wording import count

FLASH, PROBLEM = "staff_flash", "staff_problem"
STORAGE_PROBLEM = (
    "The database could not be reached or refused this just now, so nothing was read or changed. "
    "Please try again in a moment; if it keeps happening, tell the administrator."
)

_INLINE = re.compile(r"([\\`*_\[\]<>~:$|{}&])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def literal(text: str) -> str:
    """Text for an element that renders Markdown (alerts, headings), escaped so every character shows as typed:
    a display name ``**x**`` stays two stars, an x and two stars, never bold. CommonMark lets any ASCII
    punctuation be backslash-escaped; escaping ``:``, ``[`` and ``$`` also stops Streamlit's ``:red[...]``,
    icons and formulas. Marks that only matter at a line's start (headings, lists, quotes) are escaped there."""
    escaped = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


@contextmanager
def storage_guard() -> Iterator[None]:
    """Around a whole staff page: any database failure becomes a plain message, never a traceback on screen."""
    try:
        yield
    except StorageError:
        st.error(STORAGE_PROBLEM)


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
    except StorageError:
        st.session_state[PROBLEM] = STORAGE_PROBLEM
    else:
        st.session_state[FLASH] = done if isinstance(done, str) else done(result)


def show_outcome() -> None:
    if flash := st.session_state.pop(FLASH, None):
        st.success(literal(flash))
    if problem := st.session_state.pop(PROBLEM, None):
        st.error(literal(problem))


def current_page(key: str) -> int:
    return int(st.session_state.get(key, 1))


def first_page(key: str) -> None:
    """A filter changed: what was page 3 of the old list means nothing in the new one."""
    st.session_state[key] = 1


def pager(key: str, page: int, pages: int, total: int, what: str, plural: str | None = None) -> None:
    """Previous / next under a list that the service already cut into pages; ``what`` is one of the items."""
    st.text(f"Page {page} of {pages} ({count(total, what, plural)})")
    previous, following = st.columns(2)
    if previous.button("Previous page", disabled=page <= 1, key=f"{key}_previous"):
        st.session_state[key] = page - 1
        st.rerun()
    if following.button("Next page", disabled=page >= pages, key=f"{key}_next"):
        st.session_state[key] = page + 1
        st.rerun()


def hand_over(build: Callable[[], bytes], kind: str, stem: str, key: str) -> None:
    """A spreadsheet built (and audited by its service) only now that it was asked for, and its download button;
    the file is not kept afterwards. An ended session shows the login instead."""
    try:
        data = build()
    except PermissionError as exc:
        auth.refused(exc)
        return
    st.download_button(
        f"Download {kind.upper()}",
        data,
        file_name=f"{stem}-{datetime.now(UTC):%Y-%m-%d-%H%M}.{kind}",
        mime=SPREADSHEETS[kind],
        on_click="ignore",
        key=key,
        type="primary",
        icon=":material/download:",
    )
