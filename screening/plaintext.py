"""Text a person typed, refused when it holds control characters.

A NUL byte cannot be stored in PostgreSQL text at all (every retry would fail the same
way), and the other control characters (escape codes, backspaces, form feeds) are never
meant: they come from a bad copy and paste or from someone probing. Tab and newline stay
allowed where a field takes several lines (staff notes); no answer field does.
Every free-text field goes through this one check, so the rule is the same everywhere.
"""

import re
from typing import Annotated

from pydantic import AfterValidator

_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = (
    "This has a hidden control character in it (position {position}), often left by copying and pasting. "
    "Please type it again."
)


def control_position(text: str, *, multiline: bool = False) -> int | None:
    """Where the first control character is (counting from 1), or None when there is none."""
    found = (_CONTROL_BUT_LINES if multiline else _ANY_CONTROL).search(text)
    return found.start() + 1 if found else None


def check_text(text: str, *, multiline: bool = False) -> str:
    """The text unchanged, or a ValueError in plain words saying where the control character is."""
    position = control_position(text, multiline=multiline)
    if position is not None:
        raise ValueError(CONTROL_MESSAGE.format(position=position))
    return text


def _one_line(text: str) -> str:
    return check_text(text)


OneLine = Annotated[str, AfterValidator(_one_line)]
"""A one-line text field of the answer model: its error lands next to the field, like any other."""
