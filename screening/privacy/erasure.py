"""Erasure: a person's identifying data and everything typed about them made unreadable for good.

Submissions and their events are append-only, so nothing is deleted from them: the person's
data keys are (``screening.storage.sealing``), which leaves their sealed answers, results and
notes unreadable everywhere at once. Besides, the mutable copies are blanked in the same
transaction: the queue's display name, the match hashes, the address kept for a video call and
in the mail log, the person's drafts and any tab's autosave of theirs. What remains is what the
statistics need: the rows with their triage, flags, pathway, dates, age, rule-set version and
history, and the audit trail (which gains one "erase" row per submission: who, when, why).

A backup taken before an erasure still holds the shredded keys. So every erasure also appends
the references it erased to a ledger beside the secret key (``erased.txt`` in the data
directory: reference codes only, nothing that identifies anyone), and every retention run (at
app start and from cron) erases again whatever the ledger names that still has a key: a
database restored from an older backup forgets the erased people again on its first start.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from screening.privacy.people import Lookup, Person, find
from screening.repeats import name_and_birth_date
from screening.roles import Role
from screening.staff import Actor, Console, live_actor, write_audit
from screening.storage import Database, Tx, autosaves, cases, drafts, rights
from screening.storage.models import SubmissionRow

LEDGER = "erased.txt"
REAPPLIED = Console(username="erasure ledger")


@dataclass(frozen=True)
class Erased:
    references: tuple[str, ...]
    """The submissions whose data was erased now (already erased ones are not counted again)."""
    drafts: int
    autosaves: int


def _admin(tx: Tx, db: Database, actor: Actor | None) -> Actor:
    live = live_actor(tx, db, actor)
    if live.role != Role.admin:
        raise PermissionError("Only an administrator can handle data requests.")
    return live


def erase_person(tx: Tx, db: Database, actor: Actor, person: Person, reason: str) -> Erased:
    """In the caller's transaction: shred, blank, audit. Erasing an erased person again changes nothing."""
    now = db.now()
    todo = [row for row in person.submissions if not row.erased]
    ids = [row.id for row in todo]
    references = tuple(row.reference for row in todo)
    rights.erase(tx, ids, person.emails, now)
    for row in todo:
        detail = {"reason": reason, "visits_of_person": len(person.submissions)}
        write_audit(tx, db, actor, "erase", row.reference, detail)
    for draft in person.drafts:
        drafts.erase(tx, draft, now)
        write_audit(tx, db, actor, "erase", f"draft:{draft.id}", {"reason": reason})
    tabs = 0
    if person.name and person.born:
        wanted = name_and_birth_date(person.name, person.born)
        for tab in autosaves.live(tx, now):
            answers = autosaves.answers_of(tx, tab)
            contact, about = answers.get("contact") or {}, answers.get("about") or {}
            if name_and_birth_date(contact.get("name"), about.get("date_of_birth")) == wanted:
                autosaves.remove(tx, tab.token_hash)
                tabs += 1
    return Erased(references, len(person.drafts), tabs)


def erase(db: Database, actor: Actor | None, lookup: Lookup) -> Erased:
    """An erasure request (administrators): the person found as for an access request, then erased."""
    lookup = lookup.checked()
    with db.session() as tx:
        live = _admin(tx, db, actor)
        person = find(tx, db, lookup)
        if not person.submissions and not person.drafts:
            raise LookupError("Nothing is held about this person (check the reference, or the name and birth date).")
        done = erase_person(tx, db, live, person, "request")
    remember(db, done.references)
    db.scrub()
    return done


def _ledger(db: Database) -> Path:
    return db.config.data_dir / LEDGER


def remember(db: Database, references: tuple[str, ...]) -> None:
    """Append to the ledger after the erasure committed (a rolled-back erasure must not be re-applied)."""
    if not references:
        return
    fd = os.open(_ledger(db), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as out:
        out.write("".join(f"{reference}\n" for reference in references))


def reapply(db: Database) -> int:
    """Erase again what the ledger names and still has a key (a restored backup); returns how many."""
    path = _ledger(db)
    if not path.exists():
        return 0
    references = sorted({line.strip() for line in path.read_text(encoding="ascii").splitlines() if line.strip()})
    with db.session() as tx:
        held = [row for row in cases.stored(tx, SubmissionRow.reference.in_(references)) if not row.erased]
        person = Person(tuple(held), {}, (), None, None)
        done = erase_person(tx, db, REAPPLIED, person, "re-applied from the erasure ledger (a restored backup)")
    return len(done.references)
