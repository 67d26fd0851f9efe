"""Patient-side services: submit the answers, save a draft, resume it.

A submission and its screening result are stored in one transaction, so staff never
see answers without the triage that goes with them. Drafts are found by a resume
code that is never stored, only its keyed hash, and opened only with the matching
date of birth; an unknown code, an expired draft and a wrong date of birth all give
the same answer. Wrong tries are limited per code (then the draft waits for the clinic
to unlock it) and per browser session, and every try is audited.
"""

import hmac
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python

from screening import fact_rows
from screening.answers import Submission, upgrade
from screening.engine import screen_facts
from screening.facts import facts_of
from screening.i18n import ENGLISH, known
from screening.messaging import courier
from screening.messaging.outbox import queue_resume_code, queue_urgent_alert
from screening.repeats import match_texts
from screening.ruleset import RuleSet
from screening.storage import Database, Tx, audit, cases, drafts, locks
from screening.triage import RANK, Triage

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford base32: no I, L, O or U, so a code read aloud or copied by hand survives."""
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
REFERENCE_PREFIX = "BT"
RESUME_GROUPS = 4  # 4 groups of 4 characters: 80 random bits
TRIES_PER_CODE = 5
"""Wrong birth dates given with one code before its draft is locked (the clinic can unlock it)."""
TRIES_PER_BROWSER = 10
"""Failed tries (any code) in one browser session before it may try no more."""
PATIENT = "patient"
"""The audit log's name for whoever uses the questionnaire: patients do not log in."""


class DraftLocked(Exception):
    """The right code and birth date, but the draft is locked after too many wrong tries: the clinic can unlock it."""


class TooManyTries(Exception):
    """This browser session failed too often; it may not try again (whatever the code)."""


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
    language: str = ENGLISH
    """The language the patient was answering in: the questionnaire opens in it again."""


def _contact_line(submission: Submission) -> str:
    contact = submission.contact
    return " / ".join(str(part) for part in (contact.phone, contact.email) if part)


def stored_form(
    submission: Submission, ruleset: RuleSet, reference: str, now: datetime, language: str = ENGLISH
) -> cases.NewSubmission:
    """The row for one submission, screened now, with the facts it was screened on: also how the benchmark fills."""
    facts = facts_of(submission)
    result = screen_facts(facts, ruleset)
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
        facts=fact_rows.encode(facts),
        facts_version=fact_rows.VERSION,
        headache_days=submission.headache.headache_days if submission.headache else None,
        language=known(language),
    )


def match_keys(db: Database, answers: dict[str, Any]) -> tuple[str, ...]:
    """Keyed hashes of what identifies the patient, so the queue can find an earlier submission of theirs."""
    return tuple(sorted(db.config.keyed_hash(text) for text in match_texts(answers)))


def submit(
    db: Database,
    submission: Submission,
    ruleset: RuleSet,
    *,
    draft_code: str | None = None,
    language: str = ENGLISH,
) -> Receipt:
    """Store and screen the answers; ``language`` is the one the patient answered in (staff call in it)."""
    now = db.now()
    # before the transaction: no lock held while screening
    screened = stored_form(submission, ruleset, "", now, language)
    with db.session() as tx:
        reference = f"{REFERENCE_PREFIX}-{random_code(2)}"
        while cases.reference_taken(tx, reference):
            reference = f"{REFERENCE_PREFIX}-{random_code(2)}"
        row = replace(screened, reference=reference, match_keys=match_keys(db, screened.answers))
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
    language: str = ENGLISH,
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
            language=known(language),
        )
        drafts.purge(tx, now)
        emailed = email_to is not None and queue_resume_code(tx, db, email_to, code, expires_at, known(language))
    if emailed:
        courier.wake(db)
    return Saved(code, expires_at, emailed)


def _browser_tag(db: Database, browser: str) -> str:
    """The audit target for one browser session: a keyed hash of its random key, never the key itself."""
    return "browser:" + db.config.keyed_hash("browser:" + browser)[:24]


def _patient_audit(tx: Tx, db: Database, action: str, target: str | None, detail: dict[str, Any]) -> None:
    audit.write(tx, at=db.now(), staff_id=None, username=PATIENT, action=action, target=target, detail=detail)


def _try_resume(tx: Tx, db: Database, code_hash: str, dob_hash: str, tag: str | None) -> Draft | str:
    """One counted try: the draft, or why not (``"no match"``, ``"locked"``, ``"browser"``)."""
    if tag is not None:
        locks.serialise(tx, tag)  # parallel tries from one browser are counted one at a time
        if audit.count(tx, action="resume_failed", target=tag) >= TRIES_PER_BROWSER:
            _patient_audit(tx, db, "resume_refused", tag, {"reason": "too many tries in this browser session"})
            return "browser"
    row = drafts.find_for_update(tx, code_hash)
    live = row if row is not None and row.expires_at > db.now() else None
    matches = live is not None and hmac.compare_digest(live.dob_hash.encode(), dob_hash.encode())
    if live is None:
        _patient_audit(tx, db, "resume_failed", tag, {"reason": "unknown or expired code"})
        return "no match"
    if not matches:
        live.failed_tries += 1
        _patient_audit(tx, db, "resume_failed", tag, {"reason": "wrong birth date", "draft": live.id})
        if live.failed_tries == TRIES_PER_CODE:
            _patient_audit(tx, db, "draft_locked", f"draft:{live.id}", {"tries": live.failed_tries})
        return "no match"
    if live.failed_tries >= TRIES_PER_CODE:
        _patient_audit(tx, db, "resume_refused", tag, {"reason": "draft locked", "draft": live.id})
        return "locked"
    _patient_audit(tx, db, "draft_resumed", tag, {"draft": live.id})
    return Draft(upgrade(live.answers), live.step, live.updated_at, live.expires_at, known(live.language))


def resume_draft(db: Database, code: str, date_of_birth: date, *, browser: str | None = None) -> Draft | None:
    """The draft, or None whatever was wrong (so the answer never says whether a code exists).

    ``browser`` is a random key the browser session keeps; its failed tries are counted.
    Raises ``DraftLocked`` only for the right code and birth date (the patient, who may know
    the draft exists), and ``TooManyTries`` once this browser has failed too often.
    """
    code_hash, dob_hash = _code_hash(db, code), _dob_hash(db, date_of_birth)
    tag = _browser_tag(db, browser) if browser else None
    with db.session() as tx:  # the audit rows are committed whatever the outcome
        outcome = _try_resume(tx, db, code_hash, dob_hash, tag)
    if outcome == "locked":
        raise DraftLocked
    if outcome == "browser":
        raise TooManyTries
    return outcome if isinstance(outcome, Draft) else None


def unlock_draft(db: Database, code: str) -> None:
    """From the server console, when the patient has called the clinic: the draft takes tries again."""
    with db.session() as tx:
        row = drafts.find_for_update(tx, _code_hash(db, code))
        if row is None or row.expires_at <= db.now():
            raise ValueError("No saved answers have this code, or they have expired.")
        audit.write(
            tx,
            at=db.now(),
            staff_id=None,
            username="console",
            action="draft_unlocked",
            target=f"draft:{row.id}",
            detail={"tries": row.failed_tries},
        )
        row.failed_tries = 0


def purge_expired_drafts(db: Database) -> int:
    with db.session() as tx:
        return drafts.purge(tx, db.now())
