"""Numbers, amounts and dates as a patient writes them in their language (Babel's CLDR data, US forms)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from screening.i18n import BABEL_LOCALES, ENGLISH, N_, plural, translate


def Np_(singular: str, many: str) -> tuple[str, str]:
    """Marks a singular/plural pair for the catalog (``{n}`` is the number)."""
    return singular, many


UNIT_FORMS: dict[str, tuple[str, str]] = {
    "years": Np_("{n} year", "{n} years"),
    "days a month": Np_("{n} day a month", "{n} days a month"),
    "hours": Np_("{n} hour", "{n} hours"),
    "months": Np_("{n} month", "{n} months"),
    "weeks": Np_("{n} week", "{n} weeks"),
    "minutes": Np_("{n} minute", "{n} minutes"),
    "sessions": Np_("{n} session", "{n} sessions"),
}
"""Each unit of the answer model, with its number: "1 day a month", "2 días al mes"."""
CLINIC_CITIES = (N_("New York"), N_("Chicago"), N_("Los Angeles"))
"""The US time zones' cities a patient reads after a call's time ("hora de Nueva York")."""
UNIT_NAMES = (N_("years"), N_("days a month"), N_("hours"), N_("months"), N_("weeks"), N_("sessions"))
"""The units alone, as the number boxes show them before anything is typed."""


def number(value: float, language: str) -> str:
    """6, not 6.0; 7.5 stays 7.5 (US Spanish writes the decimal point too)."""
    return format_decimal(value, format="#,##0.###", locale=BABEL_LOCALES[language])


def amount(value: float, unit: str | None, language: str) -> str:
    """A number with its unit, singular for exactly one."""
    if not unit:
        return number(value, language)
    if unit not in UNIT_FORMS:
        return f"{number(value, language)} {translate(unit, language)}"
    singular, many = UNIT_FORMS[unit]
    return plural(singular, many, value, language).format(n=number(value, language))


def birth_date(born: date, language: str) -> str:
    """English as on US forms (03/07/1980); Spanish with the month's name, which no reader can misread."""
    if language == ENGLISH:
        return born.strftime("%m/%d/%Y")
    return format_date(born, "long", locale=BABEL_LOCALES[language])


def long_date(day: date | datetime, language: str) -> str:
    """"March 3, 2026" / "3 de marzo de 2026"."""
    return format_date(day, "long", locale=BABEL_LOCALES[language])


def day_and_month(day: date | datetime, language: str) -> str:
    """"March 3" / "3 de marzo"."""
    return format_date(day, "MMMM d" if language == ENGLISH else "d 'de' MMMM", locale=BABEL_LOCALES[language])


def clinic_time(starts_at: datetime, zone: ZoneInfo, language: str) -> str:
    """A call's start in the clinic's zone: "Tuesday, March 3, 2026 at 2:30 PM New York time" (US English reads
    the 12-hour clock), "martes 3 de marzo de 2026, a las 14:30 hora de Nueva York"."""
    place = zone.key.rpartition("/")[2].replace("_", " ")  # "New York": the catalog holds the clinic's city
    pattern = "EEEE, MMMM d, y 'at' h:mm a" if language == ENGLISH else "EEEE d 'de' MMMM 'de' y, 'a las' HH:mm"
    when = format_datetime(starts_at, pattern, tzinfo=zone, locale=BABEL_LOCALES[language])
    return translate(N_("{when} {place} time"), language).format(when=when, place=translate(place, language))
