"""Returns due: patients whose last treatment was 10 or more weeks ago and who have not come back since.

Treatment is repeated about every 12 weeks [Label]; calling from week 10 leaves two weeks to arrange
the return questionnaire and an appointment. A patient "has returned" when any visit of their chain
arrived after the day of their last treatment. Every reading and every export is audited; the
contact column follows the call list's role rule (intake and clinicians call patients, an
administrator does not need their numbers).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from screening.casework import clinic_date
from screening.choices import label
from screening.exports import check_kind, spreadsheet
from screening.exports.service import CONTACT_ROLES
from screening.returns.derived import weeks_between
from screening.staff import StaffSession, checked_session, require_session, write_audit
from screening.storage import Database, Tx, care, cases

DUE_AFTER_WEEKS = 10
WINDOWS: dict[int | None, str] = {
    None: "Any time 10 or more weeks ago",
    16: "10 to 16 weeks ago",
    26: "10 to 26 weeks ago (6 months)",
    52: "10 to 52 weeks ago (a year)",
}
"""How far back to look: a patient treated years ago who never came back is rarely the first call to make."""
COLUMNS = ("reference", "name", "contact", "pathway", "last treatment", "weeks since", "treatments recorded")
AUDIT_TARGET = "returns_due"


@dataclass(frozen=True)
class ReturnDue:
    submission_id: int
    """The case holding the last treatment: the list links to it."""
    reference: str
    name: str
    contact: str | None
    """Phone / email as given; None for a role that does not call patients."""
    pathway: str
    treated_on: date
    weeks_since: int
    treatments: int
    """Treatments recorded on the patient's visits here."""


def _check_window(within_weeks: int | None) -> None:
    if within_weeks not in WINDOWS:
        raise ValueError(f"Choose one of the offered windows, not {within_weeks!r} weeks.")


def _contacts(tx: Tx, roots: list[int]) -> dict[int, str]:
    """Phone / email from each chain's first screening (a return visit asks neither), opened with its data key."""
    found = {}
    for root, (answers, _result) in cases.answers_and_results(tx, roots).items():
        contact = (answers or {}).get("contact") or {}
        found[root] = " / ".join(str(contact[part]) for part in ("phone", "email") if contact.get(part))
    return found


def _due(db: Database, live: StaffSession, within_weeks: int | None) -> list[ReturnDue]:
    today = clinic_date(db, db.now())
    with db.read() as tx:
        chains = care.treated_by(
            tx,
            today - timedelta(weeks=DUE_AFTER_WEEKS),
            today - timedelta(weeks=within_weeks) if within_weeks else None,
        )
        calls = live.role in CONTACT_ROLES
        contacts = _contacts(tx, [chain.root for chain in chains]) if calls else {}
    return [
        ReturnDue(
            chain.submission_id,
            chain.reference,
            chain.patient_name,
            contacts.get(chain.root),
            chain.pathway,
            chain.treated_at,
            weeks_between(chain.treated_at, today),
            chain.treatments,
        )
        for chain in chains
        if clinic_date(db, chain.last_seen) <= chain.treated_at
    ]


def returns_due(
    db: Database, actor: StaffSession | None, *, within_weeks: int | None = None, record_view: bool = True
) -> list[ReturnDue]:
    """Longest since treatment first; the reading is audited with how many it listed.

    A page redrawn while it stays open passes ``record_view=False``, so the log holds one view per opening.
    """
    _check_window(within_weeks)
    found = _due(db, checked_session(db, actor), within_weeks)
    if not record_view:
        return found
    with db.session() as tx:
        live = require_session(tx, db, actor)
        write_audit(tx, db, live, "view", AUDIT_TARGET, {"within_weeks": within_weeks, "rows": len(found)})
    return found


def _line(due: ReturnDue) -> dict[str, Any]:
    return {
        "reference": due.reference,
        "name": due.name,
        "contact": due.contact,
        "pathway": label(due.pathway),
        "last treatment": due.treated_on,
        "weeks since": due.weeks_since,
        "treatments recorded": due.treatments,
    }


def export_returns_due(
    db: Database, actor: StaffSession | None, kind: str = "csv", *, within_weeks: int | None = None
) -> bytes:
    """The list as a spreadsheet (CSV or XLSX, each cell safe to open), audited before it is handed over."""
    check_kind(kind)
    _check_window(within_weeks)
    live = checked_session(db, actor)
    found = _due(db, live, within_weeks)
    columns = COLUMNS if live.role in CONTACT_ROLES else tuple(c for c in COLUMNS if c != "contact")
    file = spreadsheet(kind, ({c: _line(due)[c] for c in columns} for due in found), columns, sheet="Returns due")
    with db.session() as tx:
        live = require_session(tx, db, actor)
        write_audit(
            tx, db, live, "export", f"{AUDIT_TARGET}.{kind}", {"within_weeks": within_weeks, "rows": len(found)}
        )
    return file
