"""The patient's language: English as written in the code, Spanish from a gettext catalog (Babel).

English is the source language. Patient text is written in English where it is defined (the answer
model, the option labels, the wizard's words) and marked for extraction there: ``question(...)`` and
``N_(...)`` in the core, ``t(...)`` in the pages (``babel.cfg`` lists the keywords). It is translated
only when it is drawn, so answers, stored messages and errors stay English values and a patient can
switch language at any step: the same draft is simply drawn again in the other language.

Messages built with numbers ("Migraine days (12) cannot be more than headache days (10).") are
written as a template with named fields (``{days}``); a formatted English message is matched back to
its template, and the template's translation is filled with the same values.

Catalogs live in ``screening/locale/<lang>/LC_MESSAGES/messages.po`` (under version control) and are
compiled to ``messages.mo`` by ``make translations`` (``pybabel compile -d screening/locale``).
"""

import re
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
ENGLISH, SPANISH = "en", "es"
LANGUAGES: dict[str, str] = {ENGLISH: "English", SPANISH: "Español"}
"""Each language by its own name: what the patient chooses from."""
STAFF_NAMES: dict[str, str] = {ENGLISH: "English", SPANISH: "Spanish"}
"""Each language as the (English-speaking) staff pages name it."""
BABEL_LOCALES: dict[str, str] = {ENGLISH: "en_US", SPANISH: "es_US"}
"""US English and US Spanish: dates and numbers as the clinic's patients write them."""
_FIELD = re.compile(r"\{(\w+)\}")


class CatalogNotCompiled(RuntimeError):
    """A language's ``.mo`` file is missing or older than its ``.po``: the catalog was not compiled."""


def N_(text: str) -> str:
    """Marks English text for the catalog where it is defined; it is translated where it is drawn."""
    return text


def known(language: str | None) -> str:
    """A stored or requested language code, or English for anything unknown."""
    return language if language in LANGUAGES else ENGLISH


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(language: str) -> NullTranslations:
    """The compiled catalog; refuses a stale one, whose missing strings would show in English."""
    if language == ENGLISH:
        return NullTranslations()
    po, mo = po_path(language), po_path(language).with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        raise CatalogNotCompiled(f"{mo} is missing or older than {po.name}: run `make translations`")
    with mo.open("rb") as compiled:
        return Translations(compiled, domain=DOMAIN)


@cache
def _templates(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Every catalog message with named fields, as a pattern that reads a formatted English message back."""
    with po_path(language).open("rb") as source:
        ids = [message.id for message in read_po(source) if isinstance(message.id, str) and _FIELD.search(message.id)]
    ids.sort(key=lambda template: len(_FIELD.sub("", template)), reverse=True)  # the most specific match wins
    return tuple((_pattern(template), template) for template in ids)


def _pattern(template: str) -> re.Pattern[str]:
    """``{name}`` fields as named groups; a field used twice must hold the same text both times."""
    regex, seen = "", set()
    for index, part in enumerate(_FIELD.split(template)):
        if index % 2 == 0:
            regex += re.escape(part)
        else:
            regex += f"(?P={part})" if part in seen else f"(?P<{part}>.+?)"
            seen.add(part)
    return re.compile(regex, re.DOTALL)


def translate(text: str, language: str) -> str:
    """English text in ``language``: its catalog entry, or a formatted message's template filled again (with
    its values translated too, when they are catalog text such as a question's title)."""
    if language == ENGLISH or not text:
        return text
    translations = catalog(language)
    found = translations.gettext(text)
    if found != text:
        return found
    for pattern, template in _templates(language):
        match = pattern.fullmatch(text)
        if match:
            values = {name: translate(value, language) for name, value in match.groupdict().items()}
            return translations.gettext(template).format(**values)
    return text


def plural(singular: str, many: str, count: float, language: str) -> str:
    """``singular`` or ``many`` (English templates with ``{n}``) in the language, for ``count``."""
    return catalog(language).ngettext(singular, many, 1 if count == 1 else 2)
