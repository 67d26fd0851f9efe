"""Sentences built from answers, right for every value: "by phone or email" (amounts: ``screening.i18n.formats``).

No Streamlit here, so each wording is tested for every value it can take.
"""

from screening.choices import ContactMethod
from screening.i18n import N_

CONTACT_BY: dict[ContactMethod, str] = {
    ContactMethod.phone: N_("phone"),
    ContactMethod.email: N_("email"),
    ContactMethod.either: N_("phone or email"),
}
"""What follows "We will contact you by"; the option label "Either" would read "by either"."""

