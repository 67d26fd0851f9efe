"""The tables. Submissions, their flags, events and the audit log are append-only.

A submission's status and assignee are derived from its events; ``case_state`` is a
cache of the latest values, written in the same transaction as the event that changes
them, so the queue can filter and sort without replaying every timeline.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, also on SQLite, which forgets the zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}  # noqa: RUF012


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]


class SubmissionRow(Base):
    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    pathway: Mapped[str] = mapped_column(String(20))
    patient_name: Mapped[str] = mapped_column(String(100))
    patient_contact: Mapped[str] = mapped_column(String(320))
    age: Mapped[int | None] = mapped_column(SmallInteger)
    triage: Mapped[str] = mapped_column(String(20))
    triage_rank: Mapped[int] = mapped_column(SmallInteger)
    answers: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]
    ruleset_version: Mapped[str] = mapped_column(String(40))
    ruleset_hash: Mapped[str] = mapped_column(String(64))
    visit_kind: Mapped[str] = mapped_column(String(10), default="first", server_default="first")
    """"first" (a first screening) or "return" (a return visit after treatment)."""
    first_submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    """The patient's language (``screening.i18n``): the questionnaire was filled in it; staff call in it."""
    """For a return visit, the patient's first screening: the root of their visits, where the baseline comes from."""


class SubmissionFlag(Base):
    __tablename__ = "submission_flags"
    __table_args__ = (Index("ix_submission_flags_flag", "flag_id", "submission_id"),)

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    flag_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    severity: Mapped[str] = mapped_column(String(20))


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]]


REASON_LENGTH = 200
ANALYTICS_COLUMNS = (
    "created_at",
    "triage_rank",
    "pathway",
    "status",
    "first_contact_at",
    "headache_days",
    "status_since",
)
"""A covering index: analytics reads a date range of these from the index alone, never the table rows."""


class CaseState(Base):
    """The queue's narrow table: what it sorts, filters and shows, so it never reads the wide submissions."""

    __tablename__ = "case_state"
    __table_args__ = (
        Index("ix_case_state_queue", "triage_rank", "created_at", "submission_id"),
        Index("ix_case_state_waiting", "status_since", "submission_id"),
        Index("ix_case_state_analytics", *ANALYTICS_COLUMNS),
    )

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    reference: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(index=True)
    patient_name: Mapped[str] = mapped_column(String(100))
    pathway: Mapped[str] = mapped_column(String(20))
    triage_rank: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(30), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    status_since: Mapped[datetime]
    contact_attempts: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH))
    """Title of the deciding flag (the most serious one with a triage); None when the default triage applied."""
    first_contact_at: Mapped[datetime | None] = mapped_column(index=True)
    """When staff first tried to reach the patient (``workflow.CONTACT_STATUSES``); analytics measures the wait."""
    headache_days: Mapped[int | None] = mapped_column(SmallInteger)
    """Headache days a month as answered (headache pathway), for analytics without reading the answers."""
    call_state: Mapped[str | None] = mapped_column(String(12))
    """The video call: requested, confirmed or call_me (arrange by phone); None when there is none."""
    call_at: Mapped[datetime | None]
    """When the requested or confirmed video call starts."""
    visit_kind: Mapped[str] = mapped_column(String(10), default="first", server_default="first")
    first_submission_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """As on ``submissions``: the root of the patient's visits (None on a first screening)."""
    treated_at: Mapped[date | None] = mapped_column(Date, index=True)
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    """The patient's language (``screening.i18n``): copied from the submission, so the queue shows it."""
    """Date of the last treatment staff recorded on this case; "returns due" counts 10 weeks from it."""
    erased_at: Mapped[datetime | None]
    """When the patient's identifying data was erased (on request or by retention); the name is blank since."""


class DataKey(Base):
    """A submission's data key, wrapped: the only row erasure deletes (``screening.storage.sealing``)."""

    __tablename__ = "data_keys"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    kek_id: Mapped[str] = mapped_column(String(16))
    """Which key-encryption key wrapped it (a fingerprint of the secret's derived key, never the key)."""
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)


class RetentionPolicy(Base):
    """One row: how long identifying data of submissions that never reached a booked consultation is kept."""

    __tablename__ = "retention_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    months: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    last_run_at: Mapped[datetime | None]
    """When retention last ran (the console's cron or the app's start): the app runs it at most once a day."""


class TriageTarget(Base):
    """How long a case of one triage may wait in a status before the queue shows it overdue; set by an admin."""

    __tablename__ = "triage_targets"

    triage: Mapped[str] = mapped_column(String(20), primary_key=True)
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(10))
    """"hours" or "days", both counted in working time."""
    updated_at: Mapped[datetime]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class MatchKey(Base):
    """A keyed hash of what identifies a person (name + birth date, phone, email): equal hashes, possible repeat."""

    __tablename__ = "match_keys"
    __table_args__ = (Index("ix_match_keys_key", "key_hash", "submission_id"),)

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class SubmissionFacts(Base):
    """Each submission's facts as one binary row (``screening.fact_rows``), for re-screening in bulk.

    Derived from the answers and rebuilt whenever ``version`` differs from the code's, so unlike
    the submission itself it may be rewritten. ``facts`` is NULL when the stored answers no longer
    fit the answer model (the preview counts those as unreadable).
    """

    __tablename__ = "submission_facts"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    version: Mapped[str] = mapped_column(String(16), index=True)
    facts: Mapped[bytes | None] = mapped_column(LargeBinary)


class DraftRow(Base):
    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    dob_hash: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]]
    step: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    failed_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Wrong birth dates given with this code; at the limit the draft opens only after the clinic unlocks it."""
    erased_at: Mapped[datetime | None]
    """The answers were erased at the patient's request; the row stays until it expires so the right code and
    birth date are told plainly that the clinic no longer holds them."""
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    """The patient's language (``screening.i18n``): a resumed draft opens in it."""


class AutosaveRow(Base):
    """The answers of one browser tab, kept so a reload finds them; found by the hash of the tab's random token."""

    __tablename__ = "autosaves"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict[str, Any]]
    step: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    """The patient's language (``screening.i18n``): a reloaded tab opens in it."""


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_user_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    success: Mapped[bool] = mapped_column(Boolean)


class StaffSessionRow(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime]
    last_seen: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    username: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(100), index=True)
    detail: Mapped[dict[str, Any]]


class OutboxRow(Base):
    """A mail waiting to go, or the record of one that went (or could not).

    Queued in the transaction of what caused it, sent after commit. The body is erased once the mail is
    sent or has expired, so a resume code never outlives its delivery in the database.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200))
    """The same Message-ID on every attempt, so a receiving server can drop a repeat."""
    reference: Mapped[str | None] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    """A sender holds the mail until then; after a crash another sender may take it up."""
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class VideoSlot(Base):
    """A free video call a clinician offers; withdrawn slots stay (a past booking still names its time)."""

    __tablename__ = "video_slots"
    __table_args__ = (Index("ix_video_slots_clinician_start", "clinician", "starts_at", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    minutes: Mapped[int] = mapped_column(SmallInteger)
    clinician: Mapped[str] = mapped_column(String(100))
    video_link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    created_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    withdrawn_at: Mapped[datetime | None]


class CallBooking(Base):
    """A submission's video call: one per submission, its current state (the timeline keeps every change).

    ``slot_id`` is unique: the database itself lets at most one booking hold a slot, so two patients
    choosing the same time at once cannot both get it. A cancelled booking lets go of its slot (NULL).
    """

    __tablename__ = "call_bookings"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("video_slots.id"), unique=True)
    state: Mapped[str] = mapped_column(String(12))
    email: Mapped[str | None] = mapped_column(String(320))
    """Where to send the confirmation; set only when the patient asked for it by email."""
    updated_at: Mapped[datetime]


APPEND_ONLY = ("submissions", "submission_flags", "events", "audit_log")
"""Tables whose rows the database itself refuses to change or remove, whoever asks (triggers, migrations 0001
and 0004): no UPDATE, DELETE or TRUNCATE, and on SQLite no INSERT OR REPLACE over an existing row."""
