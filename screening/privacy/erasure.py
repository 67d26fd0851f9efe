"""Erasure: a person's identifying data and everything typed about them made unreadable for good.

Submissions and their events are append-only, so nothing is deleted from them: the person's
data keys are (``screening.storage.sealing``), which leaves their sealed answers, results and
notes unreadable everywhere at once. Besides, the mutable copies are blanked in the same
transaction: the queue's display name, the match hashes, the address kept for a video call and
in the mail log, the person's drafts and any tab's autosave of theirs. What remains is what the
statistics need: the rows with their triage, flags, pathway, dates, age, rule-set version and
history, and the audit trail (which gains one "erase" row per submission: who, when, why).
"""

from dataclasses import dataclass

from screening.privacy.people import Lookup, Person, find
from screening.repeats import name_and_birth_date
from screening.roles import Role
from screening.staff import Actor, live_actor, write_audit
from screening.storage import Database, Tx, autosaves, drafts, rights


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
    rights.erase(tx, ids, references, person.emails, now)
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
    db.scrub()
    return done
