"""Finding one person: every submission, return visit and draft the clinic holds about them.

A person is asked for by a reference code or by name and birth date. A reference leads to its
submission; its name and birth date (opened from the sealed answers) lead, through the keyed
match hash, to the person's other submissions; each of those brings its chain of visits (the
first screening and every return visit that hangs from it). Drafts are found by the keyed hash
of the birth date they were saved with, and kept only when the name saved in them is the same
(a draft saved before the contact step has no name, and is not claimed for anyone).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from screening.casework import _reference_of
from screening.intake import dob_hash
from screening.plaintext import check_text
from screening.repeats import name_and_birth_date
from screening.storage import Database, Tx, cases, drafts, rights
from screening.storage.models import CaseState, DraftRow, SubmissionRow


@dataclass(frozen=True)
class Lookup:
    """What staff typed: a reference code, or a name with a birth date."""

    reference: str | None = None
    name: str | None = None
    born: date | None = None

    def checked(self) -> "Lookup":
        """The same request in stored form; a ValueError names the field to put right."""
        if self.reference and self.reference.strip():
            reference = _reference_of(check_text(self.reference))
            if reference is None:
                raise ValueError("reference: not a reference code (it looks like BT-7K3M-Q9PZ).")
            return Lookup(reference=reference)
        name = check_text((self.name or "").strip())
        if not name:
            raise ValueError("name: type the person's name as they gave it, or a reference code above.")
        if self.born is None:
            raise ValueError("born: the birth date is needed with a name.")
        return Lookup(name=name, born=self.born)

    def describe(self) -> str:
        """For the audit log: how the person was found, never their name or birth date."""
        return f"reference {self.reference}" if self.reference else "name and birth date"


@dataclass(frozen=True)
class Person:
    submissions: tuple[cases.Stored, ...]
    """Oldest first: first screenings, repeats and return visits alike."""
    states: dict[int, CaseState]
    drafts: tuple[DraftRow, ...]
    name: str | None
    born: str | None
    """ISO birth date as the person gave it (None when only erased submissions were found)."""

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(row.reference for row in self.submissions)

    @property
    def emails(self) -> set[str]:
        """The addresses the person gave: erasure forgets them in the mail log too."""
        found = {str((row.answers or {}).get("contact", {}).get("email") or "") for row in self.submissions}
        return {email for email in found if email}


def _identity(row: cases.Stored) -> tuple[str | None, str | None]:
    answers: dict[str, Any] = row.answers or {}
    return (answers.get("contact") or {}).get("name"), (answers.get("about") or {}).get("date_of_birth")


def find(tx: Tx, db: Database, lookup: Lookup) -> Person:
    """Everything held about the person ``lookup`` names (empty when nothing is)."""
    ids: set[int] = set()
    name, born = lookup.name, lookup.born.isoformat() if lookup.born else None
    if lookup.reference:
        ids = rights.ids_by_reference(tx, lookup.reference)
        first = cases.stored(tx, SubmissionRow.id.in_(ids))
        if first and not first[0].erased:
            name, born = _identity(first[0])
    if name and born:
        ids |= rights.ids_with_key(tx, db.config.keyed_hash(name_and_birth_date(name, born)))
    ids = rights.chains(tx, ids)
    held = tuple(cases.stored(tx, SubmissionRow.id.in_(ids))) if ids else ()
    states = {state.submission_id: state for state in rights.states(tx, ids)}
    return Person(held, states, _drafts(tx, db, name, born), name, born)


def _drafts(tx: Tx, db: Database, name: str | None, born: str | None) -> tuple[DraftRow, ...]:
    if not (name and born):
        return ()
    wanted = name_and_birth_date(name, born)
    found = []
    for row in drafts.of_birth_date(tx, dob_hash(db, date.fromisoformat(born))):
        contact = drafts.answers_of(tx, row).get("contact") or {}
        if contact.get("name") and name_and_birth_date(contact["name"], born) == wanted:
            found.append(row)
    return tuple(found)
