"""Patient-side services: submit the answers, save a draft, resume it.

A submission and its screening result are stored in one transaction, so staff never
see answers without the triage that goes with them. Drafts are found by a resume
code that is never stored, only its keyed hash, and opened only with the matching
date of birth; an unknown code, an expired draft and a wrong date of birth all give
the same answer.
"""

import hmac
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python

from screening.answers import Submission
from screening.engine import screen
from screening.messaging import courier
from screening.messaging.outbox import queue_resume_code, queue_urgent_alert
from screening.ruleset import RuleSet
from screening.storage import Database, cases, drafts
from screening.triage import RANK, Triage

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford base32: no I, L, O or U, so a code read aloud or copied by hand survives."""
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
REFERENCE_PREFIX = "BT"
RESUME_GROUPS = 4  # 4 groups of 4 characters: 80 random bits


def random_code(groups: int, size: int = 4) -> str:
    return "-".join("".join(secrets.choice(CROCKFORD) for _ in range(size)) for _ in range(groups))


def normalise_code(text: str) -> str:
    """What the patient typed, in the canonical form: upper case, look-alikes fixed, grouped by four."""
    chars = re.sub(r"[^0-9A-Z]", "", text.upper().translate(_LOOKALIKES))
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


@dataclass(frozen=True)
class Receipt:
    reference: str
    triage: Triage
    created_at: datetime
    submission_id: int


@dataclass(frozen=True)
class Draft:
    """Answers as saved: plain JSON values, dates as ISO strings (the answer model parses them back)."""

    answers: dict[str, Any]
    step: str
    updated_at: datetime
    expires_at: datetime


def _contact_line(submission: Submission) -> str:
    contact = submission.contact
    return " / ".join(str(part) for part in (contact.phone, contact.email) if part)


def stored_form(submission: Submission, ruleset: RuleSet, reference: str, now: datetime) -> cases.NewSubmission:
    """The row for one submission, screened now: also how the benchmark fills its database."""
    result = screen(submission, ruleset)
    return cases.NewSubmission(
        reference=reference,
        created_at=now,
        pathway=submission.pathway.value,
        patient_name=submission.contact.name,
        patient_contact=_contact_line(submission),
        age=submission.about.age,
        triage=result.triage.value,
        triage_rank=RANK[result.triage],
        answers=submission.model_dump(mode="json"),
        result=result.to_dict(with_trace=True),
        ruleset_version=result.ruleset.version,
        ruleset_hash=result.ruleset.hash,
        flags=tuple((flag.id, flag.severity.value) for flag in result.flags),
        reason=result.deciding_flag.title if result.deciding_flag else None,
    )


def submit(db: Database, submission: Submission, ruleset: RuleSet, *, draft_code: str | None = None) -> Receipt:
    now = db.now()
    screened = stored_form(submission, ruleset, "", now)  # before the transaction: no lock held while screening
    with db.session() as tx:
        reference = f"{REFERENCE_PREFIX}-{random_code(2)}"
        while cases.reference_taken(tx, reference):
            reference = f"{REFERENCE_PREFIX}-{random_code(2)}"
        row = replace(screened, reference=reference)
        (submission_id,) = cases.insert_submissions(tx, [row])
        if draft_code:
            drafts.remove(tx, _code_hash(db, draft_code))
        alerted = row.triage == Triage.urgent and queue_urgent_alert(tx, db, reference, now)
    if alerted:
        courier.wake(db)  # after commit: the alert can never go out for a submission that was not stored
    return Receipt(reference, Triage(row.triage), now, submission_id)


def _code_hash(db: Database, code: str) -> str:
    return db.config.keyed_hash("resume:" + normalise_code(code))


def _dob_hash(db: Database, born: date) -> str:
    return db.config.keyed_hash("dob:" + born.isoformat())


class NotAnAddress(ValueError):
    """The address typed for the resume code is not an email address; nothing was saved."""


_ADDRESS = TypeAdapter(EmailStr)


@dataclass(frozen=True)
class Saved:
    code: str
    expires_at: datetime
    emailed: bool
    """The code was queued to the address the patient asked for (False when mail is off or that address
    already had its share of codes today)."""


def save_draft(
    db: Database,
    answers: dict[str, Any],
    step: str,
    date_of_birth: date,
    code: str | None = None,
    *,
    email_to: str | None = None,
) -> Saved:
    """Store (or overwrite) the draft; returns its resume code (a new one when none is given), and
    mails it to ``email_to`` when the patient asked: queued with the draft, so one is never without the other.

    Expired drafts are deleted on the way, so abandoned answers do not outlive their lifetime.
    """
    code = normalise_code(code) if code else random_code(RESUME_GROUPS)
    if len(code) != RESUME_GROUPS * 5 - 1:
        raise ValueError("Not a resume code.")
    try:
        email_to = _ADDRESS.validate_python(email_to) if email_to else None
    except ValidationError:
        raise NotAnAddress("Not an email address.") from None
    now = db.now()
    expires_at = now + timedelta(days=db.config.draft_days)
    with db.session() as tx:
        drafts.save(
            tx,
            code_hash=_code_hash(db, code),
            dob_hash=_dob_hash(db, date_of_birth),
            answers=to_jsonable_python(answers),
            step=step,
            now=now,
            expires_at=expires_at,
        )
        drafts.purge(tx, now)
        emailed = email_to is not None and queue_resume_code(tx, db, email_to, code, expires_at)
    if emailed:
        courier.wake(db)
    return Saved(code, expires_at, emailed)


def resume_draft(db: Database, code: str, date_of_birth: date) -> Draft | None:
    given = _dob_hash(db, date_of_birth)
    with db.session() as tx:
        row = drafts.find(tx, _code_hash(db, code))
        stored = row.dob_hash if row is not None and row.expires_at > db.now() else ""
        if not hmac.compare_digest(stored.encode(), given.encode()) or row is None:
            return None
        return Draft(row.answers, row.step, row.updated_at, row.expires_at)


def purge_expired_drafts(db: Database) -> int:
    with db.session() as tx:
        return drafts.purge(tx, db.now())
