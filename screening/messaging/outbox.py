"""The mail services: queue in the caller's transaction, send what is due, show staff what happened.

Queueing writes a row in the same transaction as the submission or draft that caused it,
so a mail exists exactly when its cause was stored. Sending happens after commit, outside
any transaction and never on the patient's request path: a server that is down or slow
leaves the mail queued, to be tried again after 1, 2, 4... minutes (at most an hour apart)
until it goes or, after ``MAX_ATTEMPTS``, is marked failed for staff to see and try again.
"""

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from screening.i18n import ENGLISH
from screening.messaging import messages, transport
from screening.settings import Settings
from screening.staff import StaffSession, require_session, write_audit
from screening.storage import Database, Tx, outbox
from screening.storage.models import OutboxRow
from screening.storage.outbox import NewMail

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 10
"""About four hours of trying (1 + 2 + 4 + ... minutes, then hourly) before a person is asked to look."""
LEASE = timedelta(minutes=5)
"""Longer than any one delivery can take (the SMTP timeout), so a live sender never loses its claim."""
BATCH = 100
CODE_MAILS_PER_DAY = 3
"""Resume-code mails to one address in 24 hours: the save box cannot be used to flood someone's inbox."""


def masked(address: str) -> str:
    """A patient's address as staff see it, and as it is kept once the mail is of no more use (masking twice
    changes nothing)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


def mail_on(settings: Settings) -> bool:
    return settings.smtp is not None


def queue(tx: Tx, db: Database, mail: NewMail) -> bool:
    """Any mail, in the caller's transaction; False (nothing queued) when mail is off. The caller calls
    ``courier.wake`` after its commit. A new kind of mail adds its text to ``messages`` and comes through here."""
    if not mail_on(db.config):
        return False
    outbox.add(tx, mail, db.now())
    return True


def queue_urgent_alert(tx: Tx, db: Database, reference: str, received: datetime) -> bool:
    """Tell the on-call intake address about a new urgent submission; False when mail or the address is not set."""
    settings = db.config
    return bool(settings.oncall_email) and queue(
        tx, db, messages.urgent_alert(settings, str(settings.oncall_email), reference, received)
    )


def queue_resume_code(
    tx: Tx, db: Database, recipient: str, code: str, expires_at: datetime, language: str = ENGLISH
) -> bool:
    """The patient's resume code to the address they typed; False when mail is off or the address had enough today."""
    since = db.now() - timedelta(days=1)
    if outbox.recent_count(tx, messages.RESUME_CODE, recipient, since) >= CODE_MAILS_PER_DAY:
        return False
    return queue(tx, db, messages.resume_code(db.config, recipient, code, expires_at, language))


# --- sending -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    expired: int = 0


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt: 1, 2, 4, 8... minutes, never more than an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _letter(settings: Settings, row: OutboxRow) -> transport.Letter:
    return transport.Letter(
        sender=settings.smtp_from or "",
        sender_name=settings.clinic_name,
        recipient=row.recipient,
        subject=row.subject,
        body=row.body or "",
        message_id=row.message_id,
    )


def send_due(db: Database) -> SendReport:
    """Send every mail whose time has come, one claimed at a time; safe to run from several processes at once.

    After a failure that is not about the mail itself (server down, login refused), the rest of the batch
    waits for the next round instead of each waiting out the same timeout.
    """
    settings = db.config
    server = settings.smtp
    if server is None:
        return SendReport()
    with db.session() as tx:
        report = SendReport(expired=outbox.expire(tx, db.now(), masked))
        due = outbox.due_ids(tx, db.now(), BATCH)
    for mail_id in due:
        with db.session() as tx:
            row = outbox.claim(tx, mail_id, db.now(), LEASE)
            if row is None:
                continue
            letter, attempts, kind = _letter(settings, row), row.attempts, row.kind
        failure = transport.send(server, letter)
        with db.session() as tx:
            report = _record(tx, db, report, mail_id, kind, attempts, failure)
        if failure is not None and not failure.per_message:
            break
    return report


def _record(
    tx: Tx, db: Database, report: SendReport, mail_id: int, kind: str, attempts: int, failure: transport.Failure | None
) -> SendReport:
    """The attempt's outcome on the mail, and one log line with no address, code or reference in it."""
    now = db.now()
    if failure is None:
        outbox.finish(tx, mail_id, status=outbox.SENT, now=now)
        log.info("mail %s (%s) sent on attempt %s", mail_id, kind, attempts)
        return replace(report, sent=report.sent + 1)
    if failure.permanent or attempts >= MAX_ATTEMPTS:
        outbox.finish(tx, mail_id, status=outbox.FAILED, now=now, error=failure.text)
        log.warning("mail %s (%s) failed for good after %s attempts", mail_id, kind, attempts)
        return replace(report, failed=report.failed + 1)
    outbox.retry_later(tx, mail_id, at=now + retry_delay(attempts), error=failure.text)
    log.warning("mail %s (%s) not sent (attempt %s), trying again later", mail_id, kind, attempts)
    return replace(report, retrying=report.retrying + 1)


# --- what staff see ------------------------------------------------------------------------------

SHOWN = {
    "all": outbox.STATUSES,
    "failed": (outbox.FAILED, outbox.EXPIRED),
    "waiting": (outbox.QUEUED, outbox.SENDING),
    "sent": (outbox.SENT,),
}
STATUS_LABELS = {
    outbox.QUEUED: "Waiting",
    outbox.SENDING: "Sending",
    outbox.SENT: "Sent",
    outbox.FAILED: "Failed",
    outbox.EXPIRED: "Not sent (expired)",
}


@dataclass(frozen=True)
class MailLine:
    id: int
    created_at: datetime
    kind: str
    recipient: str
    """The on-call address in full; a patient's address masked (j•••@example.com)."""
    reference: str | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    problem: str | None

    @property
    def can_try_again(self) -> bool:
        return self.status == outbox.FAILED


@dataclass(frozen=True)
class MailPage:
    rows: list[MailLine]
    total: int
    page: int
    page_size: int
    counts: dict[str, int]
    server: str | None
    """The SMTP server as "user@host:port (tls)", None when mail is off."""
    oncall: str | None


def _line(row: OutboxRow) -> MailLine:
    return MailLine(
        id=row.id,
        created_at=row.created_at,
        kind=row.kind,
        recipient=row.recipient if row.kind == messages.ONCALL_ALERT else masked(row.recipient),
        reference=row.reference,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if row.status == outbox.QUEUED else None,
        sent_at=row.sent_at,
        problem=row.last_error,
    )


def overview(
    db: Database,
    actor: StaffSession | None,
    *,
    show: str = "all",
    page: int = 1,
    page_size: int = 100,
    record_view: bool = True,
) -> MailPage:
    """What was sent and what failed, newest first; the page's opening is audited (not each redraw)."""
    page, page_size = max(1, page), min(max(1, page_size), 200)
    with db.session() as tx:
        live = require_session(tx, db, actor)
        if record_view:
            write_audit(tx, db, live, "view_mail", "outbox")
        rows, total = outbox.page(tx, SHOWN[show], offset=(page - 1) * page_size, limit=page_size)
        counts = outbox.counts(tx)
    server = db.config.smtp
    return MailPage(
        [_line(row) for row in rows],
        total,
        page,
        page_size,
        counts,
        server.describe() if server else None,
        db.config.oncall_email,
    )


def try_again(db: Database, actor: StaffSession | None, mail_id: int) -> None:
    """A failed mail back in the queue, due now (audited); it keeps its count of attempts."""
    with db.session() as tx:
        live = require_session(tx, db, actor)
        row = outbox.requeue(tx, mail_id, db.now())
        if row is None:
            raise ValueError("Only a failed mail can be sent again.")
        write_audit(tx, db, live, "mail_retry", row.reference or f"mail {mail_id}", {"mail": mail_id})
