"""Intake operations: overdue targets per triage, repeat matching, first contact and headache days for analytics.

- ``triage_targets``: how long a case of each triage may wait in one status (working hours or
  days), set by an administrator; seeded with the clinic's starting targets.
- ``match_keys``: keyed hashes of a submission's name + birth date, phone and email, indexed,
  so a possible repeat is one indexed join, never a scan of every submission's answers.
- ``case_state.first_contact_at`` and ``case_state.headache_days``: what analytics aggregates,
  kept on the narrow table so the page never reads the wide answers.
- an index on ``case_state.status_since`` for the queue's "longest in status" order, and a
  covering index for analytics (a date range read from the index alone).

Existing rows are filled here. The keyed hashes need the app's secret key, which
``Database.migrate`` hands over (``config.attributes["keyed_hash"]``).

Revision ID: 0008
Revises: 0003 (the lead re-chains it after 0004-0007 at merge)
"""

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

BATCH = 2000
ANALYTICS_COLUMNS = (
    "created_at",
    "triage_rank",
    "pathway",
    "status",
    "first_contact_at",
    "headache_days",
    "status_since",
)
"""As ``models.ANALYTICS_COLUMNS`` today (a covering index for the analytics page)."""
CONTACT_STATUSES = ("contact_attempted", "consultation_booked", "urgent_advice_given", "urgent_referred")
"""As ``workflow.CONTACT_STATUSES`` today; frozen here so this migration never changes with the code."""
STARTING_TARGETS = (
    ("urgent", 1, "hours"),
    ("not_suitable", 5, "days"),
    ("needs_review", 2, "days"),
    ("likely_candidate", 2, "days"),
    ("unlikely", 5, "days"),
)

submissions = sa.table("submissions", sa.column("id", sa.Integer()), sa.column("answers", sa.JSON()))
case_state = sa.table(
    "case_state",
    sa.column("submission_id", sa.Integer()),
    sa.column("headache_days", sa.SmallInteger()),
    sa.column("first_contact_at", sa.DateTime()),
)
events = sa.table(
    "events",
    sa.column("id", sa.Integer()),
    sa.column("submission_id", sa.Integer()),
    sa.column("at", sa.DateTime()),
    sa.column("kind", sa.String()),
    sa.column("data", sa.JSON()),
)


def match_texts(answers: dict) -> set[str]:
    """As ``screening.repeats.match_texts``; frozen here so this migration never changes with the code."""
    contact, about = answers.get("contact") or {}, answers.get("about") or {}
    found = set()
    name = " ".join(str(contact.get("name") or "").casefold().split())
    if name and about.get("date_of_birth"):
        found.add(f"name+dob:{name}|{about['date_of_birth']}")
    digits = "".join(ch for ch in str(contact.get("phone") or "") if ch.isdigit())
    if len(digits) >= 7:
        found.add(f"phone:{digits[-10:]}")
    email = str(contact.get("email") or "").strip().casefold()
    if email:
        found.add(f"email:{email}")
    return found


def _headache_days(answers: dict) -> int | None:
    days = (answers.get("headache") or {}).get("headache_days")
    return int(days) if isinstance(days, int | float) else None


def upgrade() -> None:
    op.create_table(
        "triage_targets",
        sa.Column("triage", sa.String(length=20), primary_key=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("staff.id", name="fk_triage_targets_updated_by_staff")),
        sa.PrimaryKeyConstraint("triage", name="pk_triage_targets"),
    )
    now = datetime.now(UTC)
    now = now.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else now
    op.bulk_insert(
        sa.table(
            "triage_targets",
            sa.column("triage", sa.String()),
            sa.column("amount", sa.Integer()),
            sa.column("unit", sa.String()),
            sa.column("updated_at", sa.DateTime(timezone=True)),
        ),
        [{"triage": t, "amount": a, "unit": u, "updated_at": now} for t, a, u in STARTING_TARGETS],
    )
    op.create_table(
        "match_keys",
        sa.Column(
            "submission_id",
            sa.Integer(),
            sa.ForeignKey("submissions.id", name="fk_match_keys_submission_id_submissions"),
            nullable=False,
        ),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "key_hash", name="pk_match_keys"),
    )
    op.create_index("ix_match_keys_key", "match_keys", ["key_hash", "submission_id"])
    with op.batch_alter_table("case_state") as batch:
        batch.add_column(sa.Column("first_contact_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("headache_days", sa.SmallInteger(), nullable=True))
        batch.create_index("ix_case_state_waiting", ["status_since", "submission_id"])
        batch.create_index("ix_case_state_first_contact_at", ["first_contact_at"])
        batch.create_index("ix_case_state_analytics", list(ANALYTICS_COLUMNS))
    _fill_from_answers(context.config.attributes["keyed_hash"])
    _fill_first_contact()


def _fill_from_answers(keyed_hash: Callable[[str], str]) -> None:
    bind = op.get_bind()
    keys = sa.table("match_keys", sa.column("submission_id", sa.Integer()), sa.column("key_hash", sa.String()))
    query = sa.select(submissions.c.id, submissions.c.answers).order_by(submissions.c.id).limit(BATCH)
    days = case_state.update().where(case_state.c.submission_id == sa.bindparam("sid"))
    last = 0
    while rows := bind.execute(query.where(submissions.c.id > last)).all():
        found = [
            {"submission_id": sid, "key_hash": keyed_hash(text)}
            for sid, answers in rows
            for text in match_texts(answers)
        ]
        if found:
            bind.execute(keys.insert(), found)
        changes = [
            {"sid": sid, "headache_days": n} for sid, answers in rows if (n := _headache_days(answers)) is not None
        ]
        if changes:
            bind.execute(days, changes)
        last = rows[-1][0]


def _fill_first_contact() -> None:
    bind = op.get_bind()
    query = (
        sa.select(events.c.id, events.c.submission_id, events.c.at, events.c.data)
        .where(events.c.kind == "status")
        .order_by(events.c.id)
        .limit(BATCH)
    )
    first: dict[int, datetime] = {}
    last = 0
    while rows := bind.execute(query.where(events.c.id > last)).all():
        for _, sid, at, data in rows:
            if (data or {}).get("to") in CONTACT_STATUSES and (sid not in first or at < first[sid]):
                first[sid] = at
        last = rows[-1][0]
    fill = case_state.update().where(case_state.c.submission_id == sa.bindparam("sid"))
    changes = [{"sid": sid, "first_contact_at": at} for sid, at in first.items()]
    for start in range(0, len(changes), BATCH):
        bind.execute(fill, changes[start : start + BATCH])


def downgrade() -> None:
    with op.batch_alter_table("case_state") as batch:
        batch.drop_index("ix_case_state_analytics")
        batch.drop_index("ix_case_state_first_contact_at")
        batch.drop_index("ix_case_state_waiting")
        batch.drop_column("headache_days")
        batch.drop_column("first_contact_at")
    op.drop_index("ix_match_keys_key", table_name="match_keys")
    op.drop_table("match_keys")
    op.drop_table("triage_targets")
