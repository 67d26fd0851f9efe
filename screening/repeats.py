"""What makes two submissions look like the same person: same name and birth date, or same phone, or same email.

Each is reduced to a normal form (case and spacing of a name, punctuation of a phone
number, case of an email) and stored only as a keyed hash, so the database can find
equal ones with an index and a stolen copy of it cannot test guesses.
"""

from typing import Any

PHONE_DIGITS = 10
"""The last ten digits: "+1 (555) 010-2030" and "555 010 2030" are one number."""


def _name(text: Any) -> str:
    return " ".join(str(text or "").casefold().split())


def name_and_birth_date(name: Any, born: Any) -> str:
    """The normal form of a name with a birth date (ISO): how an access or erasure request finds a person."""
    return f"name+dob:{_name(name)}|{born}"


def match_texts(answers: dict[str, Any]) -> set[str]:
    """The normal forms of one submission's identifying answers (plain JSON answers, as stored)."""
    contact, about = answers.get("contact") or {}, answers.get("about") or {}
    found = set()
    name = _name(contact.get("name"))
    if name and about.get("date_of_birth"):
        found.add(name_and_birth_date(name, about["date_of_birth"]))
    digits = "".join(ch for ch in str(contact.get("phone") or "") if ch.isdigit())
    if len(digits) >= 7:
        found.add(f"phone:{digits[-PHONE_DIGITS:]}")
    email = str(contact.get("email") or "").strip().casefold()
    if email:
        found.add(f"email:{email}")
    return found
