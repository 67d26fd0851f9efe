"""Patient-side services: submit the answers, save a draft, resume it.

A submission and its screening result are stored in one transaction, so staff never
see answers without the triage that goes with them. Drafts are found by a resume
code that is never stored, only its keyed hash, and opened only with the matching
date of birth; an unknown code, an expired draft and a wrong date of birth all give
the same answer. Wrong tries are limited per code (then the draft waits for the clinic
to unlock it) and per browser session, and every try is audited.

A returning patient links to their record the same way: the reference code of any of
their visits and their date of birth, with the same limits (the browser's tries are one
budget for resuming and linking). Their return visit is then stored like a first
screening, with ``visit_kind = "return"`` and the first screening as the root of the chain.
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
from screening.answers import Submission, age_on, upgrade
from screening.choices import VisitKind
from screening.engine import screen_facts
from screening.facts import facts_of
from screening.i18n import ENGLISH, known
from screening.messaging import courier
from screening.messaging.outbox import queue_resume_code, queue_urgent_alert
from screening.repeats import match_texts
from screening.returns.answers import ReturnVisit
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


class DraftErased(Exception):
    """The right code and birth date, but the clinic erased these answers (at the patient's request)."""


class LinkErased(Exception):
    """The reference code is on record, but the clinic erased that patient's answers: nothing to link a return to."""


class TooManyTries(Exception):
    """This browser session failed too often; it may not try again (whatever the code)."""


class LinkLocked(Exception):
    """The right reference code and birth date, but the code is locked after too many wrong tries."""


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


def _headache_days(submission: Submission | ReturnVisit) -> int | None:
    """Headache days a month as answered: on a return visit, the last month's."""
    if isinstance(submission, ReturnVisit):
        return submission.migraine_now.headache_days if submission.migraine_now else None
    return submission.headache.headache_days if submission.headache else None


def stored_form(
    submission: Submission | ReturnVisit,
    ruleset: RuleSet,
    reference: str,
    now: datetime,
    language: str = ENGLISH,
) -> cases.NewSubmission:
    """The row for one submission, screened now, with the facts it was screened on: also how the benchmark fills.

    A return visit's name and age are its first screening's (``_as_return`` fills them); ``language`` is
    the one the patient answered in, a return visit's too (staff call in it)."""
    facts = facts_of(submission)
    result = screen_facts(facts, ruleset)
    first = isinstance(submission, Submission)
    return cases.NewSubmission(
        reference=reference,
        created_at=now,
        pathway=submission.pathway.value,
        patient_name=submission.contact.name if first else "",
        age=submission.about.age if first else None,
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
        headache_days=_headache_days(submission),
        visit_kind=(VisitKind.first if first else VisitKind.return_).value,
        language=known(language),
    )


def match_keys(db: Database, answers: dict[str, Any]) -> tuple[str, ...]:
    """Keyed hashes of what identifies the patient, so the queue can find an earlier submission of theirs."""
    return tuple(sorted(db.config.keyed_hash(text) for text in match_texts(answers)))


class NotLinked(ValueError):
    """A return visit whose first screening is not (or no longer) on record: nothing was stored."""


def _as_return(tx: Tx, row: cases.NewSubmission, visit: ReturnVisit) -> cases.NewSubmission:
    """The return visit's row, joined to its chain: the first screening's id, name, contact and age."""
    first = cases.by_reference(tx, visit.linked.first_reference)
    if first is None or first.erased or first.visit_kind != VisitKind.first.value:
        raise NotLinked("The first screening this return visit links to is not on record.")
    return replace(row, first_submission_id=first.id, patient_name=first.answers["contact"]["name"], age=first.age)


def submit(
    db: Database,
    submission: Submission | ReturnVisit,
    ruleset: RuleSet,
    *,
    draft_code: str | None = None,
    language: str = ENGLISH,
) -> Receipt:
    """Store a first screening or a return visit with its screening result, in one transaction; ``language`` is the
    one the patient answered in (staff call in it)."""
    now = db.now()
    # before the transaction: no lock held while screening
    screened = stored_form(submission, ruleset, "", now, language)
    with db.session() as tx:
        if isinstance(submission, ReturnVisit):
            screened = _as_return(tx, screened, submission)
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


def dob_hash(db: Database, born: date) -> str:
    """The keyed hash a draft is saved with: an access or erasure request finds a person's drafts by it."""
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
            dob_hash=dob_hash(db, date_of_birth),
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


def _browser_spent(tx: Tx, db: Database, tag: str | None) -> bool:
    """This browser session has used up its failed tries (resuming and linking share them); audited when so."""
    if tag is None:
        return False
    locks.serialise(tx, tag)  # parallel tries from one browser are counted one at a time
    if audit.count(tx, action="resume_failed", target=tag) < TRIES_PER_BROWSER:
        return False
    _patient_audit(tx, db, "resume_refused", tag, {"reason": "too many tries in this browser session"})
    return True


def _try_resume(tx: Tx, db: Database, code_hash: str, dob_hash: str, tag: str | None) -> Draft | str:
    """One counted try: the draft, or why not (``"no match"``, ``"locked"``, ``"browser"``)."""
    if _browser_spent(tx, db, tag):
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
    if live.erased_at is not None:
        _patient_audit(tx, db, "resume_refused", tag, {"reason": "draft erased", "draft": live.id})
        return "erased"
    if live.failed_tries >= TRIES_PER_CODE:
        _patient_audit(tx, db, "resume_refused", tag, {"reason": "draft locked", "draft": live.id})
        return "locked"
    _patient_audit(tx, db, "draft_resumed", tag, {"draft": live.id})
    answers = upgrade(drafts.answers_of(tx, live))
    return Draft(answers, live.step, live.updated_at, live.expires_at, known(live.language))


def resume_draft(db: Database, code: str, date_of_birth: date, *, browser: str | None = None) -> Draft | None:
    """The draft, or None whatever was wrong (so the answer never says whether a code exists).

    ``browser`` is a random key the browser session keeps; its failed tries are counted.
    Raises ``DraftLocked`` (or ``DraftErased``) only for the right code and birth date (the patient, who may know
    the draft exists), and ``TooManyTries`` once this browser has failed too often.
    """
    code_hash, born_hash = _code_hash(db, code), dob_hash(db, date_of_birth)
    tag = _browser_tag(db, browser) if browser else None
    with db.session() as tx:  # the audit rows are committed whatever the outcome
        outcome = _try_resume(tx, db, code_hash, born_hash, tag)
    if outcome == "locked":
        raise DraftLocked
    if outcome == "erased":
        raise DraftErased
    if outcome == "browser":
        raise TooManyTries
    return outcome if isinstance(outcome, Draft) else None


@dataclass(frozen=True)
class Link:
    """A returning patient's record: the return questionnaire starts from ``answers`` (never asked again)."""

    first_submission_id: int
    answers: dict[str, Any]


def _reference(code: str) -> str:
    """A reference code as typed ("bt 7k2m q9pz") in its stored form ("BT-7K2M-Q9PZ")."""
    chars = normalise_code(code).replace("-", "")
    prefix, rest = chars[: len(REFERENCE_PREFIX)], chars[len(REFERENCE_PREFIX) :]
    return "-".join([prefix, *(rest[i : i + 4] for i in range(0, len(rest), 4))])


def _born(answers: dict[str, Any]) -> str:
    return str((answers.get("about") or {}).get("date_of_birth") or "")


def _age_now(answers: dict[str, Any], today: date) -> int | None:
    """The patient's age today from the first screening's date of birth (the one the link was checked against)."""
    try:
        return age_on(date.fromisoformat(_born(answers)), today)
    except ValueError:
        return None


def _return_start(first: cases.Stored, today: date) -> dict[str, Any]:
    """What the return visit takes from the first screening: its pathway, its headache days as the baseline, and
    the patient's age today (the return rules' only age: a child on the spasticity pathway is flagged)."""
    answers = first.answers or {}
    return {
        "seeking": dict(answers["seeking"]),
        "linked": {
            "first_reference": first.reference,
            "baseline_headache_days": (answers.get("headache") or {}).get("headache_days"),
            "answered_on": today.isoformat(),
            "age": _age_now(answers, today),
        },
    }


def _try_link(tx: Tx, db: Database, reference: str, born: date, tag: str | None) -> Link | str:
    """One counted try: the link, or why not (``"no match"``, ``"locked"``, ``"erased"``, ``"browser"``)."""
    if _browser_spent(tx, db, tag):
        return "browser"
    visit = cases.by_reference(tx, reference)
    first = (
        visit if visit is None or visit.first_submission_id is None else cases.submission(tx, visit.first_submission_id)
    )
    if visit is None or first is None:
        _patient_audit(tx, db, "resume_failed", tag, {"reason": "unknown reference code", "link": True})
        return "no match"
    if first.erased:  # no birth date left to check against: the code alone tells no more than that it was erased
        _patient_audit(tx, db, "resume_failed", tag, {"reason": "erased", "link": visit.id})
        return "erased"
    target = f"link:{visit.id}"
    locks.serialise(tx, target)
    wrong = audit.count(tx, action="link_failed", target=target, since_action="link_unlocked")
    if not hmac.compare_digest(_born(first.answers or {}).encode(), born.isoformat().encode()):
        _patient_audit(tx, db, "resume_failed", tag, {"reason": "wrong birth date", "link": visit.id})
        _patient_audit(tx, db, "link_failed", target, {"tries": wrong + 1})
        if wrong + 1 == TRIES_PER_CODE:
            _patient_audit(tx, db, "link_locked", target, {"tries": wrong + 1})
        return "no match"
    if wrong >= TRIES_PER_CODE:
        _patient_audit(tx, db, "resume_refused", tag, {"reason": "link locked", "link": visit.id})
        return "locked"
    _patient_audit(tx, db, "return_linked", tag, {"submission": visit.id, "first_submission": first.id})
    return Link(first.id, _return_start(first, db.now().date()))


def link_return(db: Database, code: str, date_of_birth: date, *, browser: str | None = None) -> Link | None:
    """The returning patient's record, found by the reference code of any of their visits and their birth date;
    None whatever was wrong (as ``resume_draft``). Raises ``LinkLocked`` only for the right code and birth date
    after too many wrong tries with that code, ``LinkErased`` when that patient's answers were erased, and
    ``TooManyTries`` once this browser has failed too often."""
    tag = _browser_tag(db, browser) if browser else None
    with db.session() as tx:  # the audit rows are committed whatever the outcome
        outcome = _try_link(tx, db, _reference(code), date_of_birth, tag)
    if outcome == "locked":
        raise LinkLocked
    if outcome == "erased":
        raise LinkErased
    if outcome == "browser":
        raise TooManyTries
    return outcome if isinstance(outcome, Link) else None


def unlock_link(db: Database, code: str) -> None:
    """From the server console, when the patient has called the clinic: the reference code takes tries again."""
    with db.session() as tx:
        visit = cases.by_reference(tx, _reference(code))
        if visit is None:
            raise ValueError("No submission has this reference code.")
        target = f"link:{visit.id}"
        tries = audit.count(tx, action="link_failed", target=target, since_action="link_unlocked")
        audit.write(
            tx,
            at=db.now(),
            staff_id=None,
            username="console",
            action="link_unlocked",
            target=target,
            detail={"tries": tries},
        )


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
