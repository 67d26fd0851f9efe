"""Sentences built from answers, right for every value: "1 hour", "6 hours", "by phone or email".

No Streamlit here, so each wording is tested for every value it can take.
"""

from screening.choices import ContactMethod

CONTACT_BY: dict[ContactMethod, str] = {
    ContactMethod.phone: "phone",
    ContactMethod.email: "email",
    ContactMethod.either: "phone or email",
}
"""What follows "We will contact you by"; the option label "Either" would read "by either"."""


def number(value: float) -> str:
    """As a person writes it: 6, not 6.0; 7.5 stays 7.5."""
    return f"{value:g}"


def amount(value: float, unit: str | None) -> str:
    """A number with its unit, singular for exactly one: "1 day a month", "2 days a month", "0.5 hours"."""
    if not unit:
        return number(value)
    if value == 1:
        first, *rest = unit.split(" ")
        unit = " ".join([first.removesuffix("s"), *rest])
    return f"{number(value)} {unit}"

