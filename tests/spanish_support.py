"""What a Spanish page shows, read from AppTest's elements and compared with the catalogs."""

import codecs
import re
from functools import cache
from typing import Any

from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from screening.i18n import SPANISH, po_path

SHOWN_FIELDS = ("label", "body", "options", "placeholder", "help", "text", "content")
"""The proto fields whose strings a person sees (labels, texts, option words, hints, progress lines)."""
_FIELD = re.compile(r'^\s*(' + "|".join(SHOWN_FIELDS) + r'): "((?:[^"\\]|\\.)*)"\s*$', re.M)
ENGLISH_WORDS = re.compile(r"\b(the|your|you|please|what|with|and|have|are|this|for|not|will|when)\b", re.I)
"""Common English words no Spanish sentence of ours contains (medicine and brand names do not either)."""


@cache
def english_texts() -> frozenset[str]:
    """Every catalog message whose Spanish differs from its English (so showing the English is a miss)."""
    with po_path(SPANISH).open("rb") as source:
        catalog = read_po(source)
    found: set[str] = set()
    for message in catalog:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strs = [message.string] if isinstance(message.string, str) else list(message.string)
        found |= {english for english in ids if english and english not in strs}
    return frozenset(found)


def _decoded(quoted: str) -> str:
    return codecs.escape_decode(quoted.encode("utf-8"))[0].decode("utf-8")


def shown_texts(at: AppTest) -> list[str]:
    """Each string the page shows, from every element's message (scripts in st.html are not shown)."""
    texts: list[str] = []
    for node in _walk(at.main):
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", "") == "html":
            continue
        texts += [_decoded(value) for _, value in _FIELD.findall(str(proto))]
    return [text for text in texts if text and not text.lstrip().startswith("<")]


def _walk(node: Any) -> list[Any]:
    children = getattr(node, "children", {})
    return [node, *(leaf for child in children.values() for leaf in _walk(child))]


def english_in(texts: list[str]) -> list[str]:
    """Texts that are, or contain, English catalog text, or read as English."""
    english = english_texts()
    long_ones = [text for text in english if len(text) >= 16]
    misses = []
    for text in texts:
        plain = re.sub(r":small\[(.*)\]", r"\1", text).replace("**", "")
        if (
            plain in english
            or any(piece in plain for piece in long_ones)
            or ENGLISH_WORDS.search(plain)
        ):
            misses.append(text)
    return misses
