"""Retention: identifying data of submissions that never reached a booked consultation expires.

An administrator sets how many months it is kept (24 to start with). A submission has expired
when it was received more than that many calendar months ago, its data is not erased yet, and
no visit of its chain (the first screening and its return visits) was ever moved to a booked
consultation or treated: those are the clinic's patients, whose records it keeps. Expired
submissions are erased like an erasure request (``erasure.erase_person``), audited as done by
"retention". Drafts and autosaves past their own lifetimes are deleted in the same run.

``run`` is what ``python -m screening retention run`` does (safe from cron: a second run finds
nothing left to do); ``run_if_due`` is what the app does at start, at most once a day across
every instance (one of them wins an atomic claim on the policy row).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from screening.privacy.erasure import _admin, erase_person, reapply, remember
from screening.privacy.people import Person
from screening.staff import Actor, Console, write_audit
from screening.storage import Database, Tx, autosaves, cases, drafts, rights
from screening.storage.models import CaseState, SubmissionRow
from screening.wording import count
from screening.workflow import Status

RETENTION = Console(username="retention")
"""Who the audit log says erased expired data."""
KEPT_STATUSES = (Status.consultation_booked.value,)
"""A chain that ever reached one of these belongs to a patient of the clinic: not expired by retention."""
MIN_MONTHS, MAX_MONTHS = 1, 240
BATCH = 500


@dataclass(frozen=True)
class Policy:
    months: int
    updated_at: datetime
    last_run_at: datetime | None


@dataclass(frozen=True)
class Report:
    submissions: int
    """Submissions whose identifying data was erased in this run."""
    drafts: int
    autosaves: int
    cutoff: datetime
    reapplied: int = 0
    """Erasures the ledger names that a restored backup had brought back, erased again."""

    def describe(self) -> str:
        again = f" Erased again {self.reapplied} that a restored backup brought back." if self.reapplied else ""
        return (
            f"Erased {count(self.submissions, 'expired submission')} received before {self.cutoff:%Y-%m-%d %H:%M} "
            f"UTC; deleted {count(self.drafts, 'expired draft')} and {count(self.autosaves, 'expired autosave')}."
            f"{again}"
        )


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=moment.tzinfo)
    last_day = (next_month - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def policy(db: Database) -> Policy:
    with db.read() as tx:
        row = rights.policy(tx)
        return Policy(row.months, row.updated_at, row.last_run_at)


def set_months(db: Database, actor: Actor | None, months: int) -> None:
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValueError(f"months: between {MIN_MONTHS} and {MAX_MONTHS}.")
    with db.session() as tx:
        live = _admin(tx, db, actor)
        row = rights.policy(tx)
        before = row.months
        row.months, row.updated_at, row.updated_by = months, db.now(), live.staff_id
        write_audit(tx, db, live, "retention_set", "retention", {"from": before, "to": months})


def run(db: Database, actor: Actor = RETENTION) -> Report:
    """Erase what has expired, in short transactions of ``BATCH`` submissions; returns the counts."""
    now = db.now()
    with db.session() as tx:
        actor = _admin(tx, db, actor)
        row = rights.policy(tx)
        months, row.last_run_at = row.months, now
    cutoff = months_before(now, months)
    again = reapply(db)
    erased = after = 0
    while True:
        with db.session() as tx:
            batch = rights.expiry_candidates(tx, cutoff, BATCH, after)
            if not batch:
                break
            after = batch[-1].submission_id
            expired = Person(tuple(cases.stored(tx, SubmissionRow.id.in_(_expired(tx, batch)))), {}, (), None, None)
            done = erase_person(tx, db, actor, expired, f"retention: {months} months")
        remember(db, done.references)
        erased += len(done.references)
    with db.session() as tx:
        gone_drafts, gone_tabs = drafts.purge(tx, now), autosaves.purge(tx, now)
        if erased or again or actor is not RETENTION:  # a run by hand is always recorded; a daily one if it erased
            detail = {"erased": erased, "months": months, "reapplied": again}
            write_audit(tx, db, actor, "retention_run", "retention", detail)
    db.scrub()
    return Report(erased, gone_drafts, gone_tabs, cutoff, again)


def _root(state: CaseState) -> int:
    return state.first_submission_id or state.submission_id


def _expired(tx: Tx, batch: list[CaseState]) -> list[int]:
    """The candidates whose chain never reached a kept status nor a recorded treatment."""
    members = rights.chain_members(tx, {_root(state) for state in batch})
    booked = rights.reached_status(tx, [m.submission_id for m in members], KEPT_STATUSES)
    kept = {_root(m) for m in members if m.treated_at is not None or m.submission_id in booked}
    return [state.submission_id for state in batch if _root(state) not in kept]


def run_if_due(db: Database) -> Report | None:
    """At app start: run unless some instance already ran in the last day (then None)."""
    now = db.now()
    with db.session() as tx:
        if not rights.claim_run(tx, now, now - timedelta(days=1)):
            return None
    return run(db)
