"""Stored text shown in Markdown-rendering elements (alerts, headings) is escaped so it reads as typed."""

import re

from hypothesis import given
from hypothesis import strategies as st

from screening.ui.staff_common import literal

SPECIAL = set("\\`*_[]<>~:$|{}&")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@given(st.text())
def test_escaping_keeps_every_character_and_leaves_no_markup_character_bare(text: str) -> None:
    escaped = literal(text)
    assert unescape(escaped) == text
    bare = re.sub(r"\\.", "", escaped)  # what is left once every escaped pair is taken out
    assert not SPECIAL & set(bare)


def test_line_start_marks_are_escaped_only_where_they_mean_something() -> None:
    assert literal("- item\n1. first\n# title") == "\\- item\n\\1. first\n\\# title"
    assert literal("Urgent - referred. Version 2.1") == "Urgent - referred. Version 2.1"
    assert literal("Nina **x** :red[y] $z$") == "Nina \\*\\*x\\*\\* \\:red\\[y\\] \\$z\\$"
