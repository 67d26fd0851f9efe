"""Patient data rights: per-submission data keys (crypto-shredding), retention policy, erasure marks.

- ``data_keys``: each submission's AES-GCM data key, wrapped with the key-encryption key derived
  from the app's secret (``screening.storage.sealing``); erasure deletes a submission's row here.
- ``retention_policy``: one row, how many months identifying data of submissions that never
  reached a booked consultation is kept (24 to start with), and when retention last ran.
- ``case_state.erased_at`` and ``drafts.erased_at``: when a person's data was erased.

Rows stored before this revision are sealed here: every submission gets a data key, its answers
and result become envelopes and its plain ``patient_name`` / ``patient_contact`` columns are
blanked; staff-typed note text on events is sealed under the submission's key; drafts and
autosaves are sealed under the drafts key. Submissions and events are append-only, so the table
owner lifts their UPDATE triggers for these statements only and puts them back, identical,
before the transaction commits (on SQLite the trigger's own stored SQL is re-run; on PostgreSQL
the trigger is disabled and enabled). The keys come from ``Database.migrate``
(``config.attributes["keyring"]``).

Revision ID: 0013
Revises: 0010
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from screening.storage import sealing

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

BATCH = 1000
UNLOCKED = ("submissions", "events")
STARTING_MONTHS = 24

submissions = sa.table(
    "submissions",
    sa.column("id", sa.Integer()),
    sa.column("reference", sa.String()),
    sa.column("patient_name", sa.String()),
    sa.column("patient_contact", sa.String()),
    sa.column("answers", sa.JSON()),
    sa.column("result", sa.JSON()),
)
events = sa.table(
    "events",
    sa.column("id", sa.Integer()),
    sa.column("submission_id", sa.Integer()),
    sa.column("data", sa.JSON()),
)
data_keys = sa.table(
    "data_keys",
    sa.column("submission_id", sa.Integer()),
    sa.column("kek_id", sa.String()),
    sa.column("wrapped", sa.LargeBinary()),
)


@contextmanager
def _updates_allowed() -> Iterator[None]:
    """The UPDATE triggers of the history tables lifted for this transaction only, restored as they were."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        stored = [
            bind.scalar(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"), {"n": name})
            for name in (f"{table}_no_update" for table in UNLOCKED)
        ]
        for table in UNLOCKED:
            op.execute(f"DROP TRIGGER {table}_no_update")
        yield
        for sql in stored:
            op.execute(sql)
    else:
        for table in UNLOCKED:
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_update")
        yield
        for table in UNLOCKED:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_update")


def _batches(query: sa.Select[Any]) -> Iterator[list[sa.Row[Any]]]:
    bind = op.get_bind()
    last = 0
    while rows := bind.execute(query.where(query.selected_columns[0] > last).limit(BATCH)).all():
        yield rows
        last = rows[-1][0]


def _seal_submissions(ring: sealing.Keyring) -> None:
    bind = op.get_bind()
    query = sa.select(submissions.c.id, submissions.c.reference, submissions.c.answers, submissions.c.result)
    for rows in _batches(query.order_by(submissions.c.id)):
        keys = {row.id: sealing.new_key() for row in rows}
        bind.execute(
            sa.insert(data_keys),
            [{"submission_id": sid, "kek_id": ring.kek_id, "wrapped": ring.wrap(key)} for sid, key in keys.items()],
        )
        for row in rows:
            key = keys[row.id]
            bind.execute(
                sa.update(submissions)
                .where(submissions.c.id == row.id)
                .values(
                    answers=sealing.seal(key, row.answers, f"{row.reference}:answers"),
                    result=sealing.seal(key, row.result, f"{row.reference}:result"),
                    patient_name="",
                    patient_contact="",
                )
            )
        _seal_events(ring, [row.id for row in rows])


def _seal_events(ring: sealing.Keyring, submission_ids: list[int]) -> None:
    bind = op.get_bind()
    keys = {
        row.submission_id: ring.unwrap(row.kek_id, row.wrapped)
        for row in bind.execute(sa.select(data_keys).where(data_keys.c.submission_id.in_(submission_ids)))
    }
    query = sa.select(events.c.id, events.c.submission_id, events.c.data).where(
        events.c.submission_id.in_(submission_ids)
    )
    for row in bind.execute(query).all():
        data = row.data or {}
        if any(k in data and not sealing.is_sealed(data[k]) for k in sealing.SEALED_EVENT_FIELDS):
            sealed = sealing.seal_event(keys[row.submission_id], data, f"event:{row.submission_id}")
            bind.execute(sa.update(events).where(events.c.id == row.id).values(data=sealed))


def _reseal_working(ring: sealing.Keyring, change: Callable[[Any, str], Any]) -> None:
    """Drafts and autosaves: each row's answers through ``change`` (seal on upgrade, open on downgrade)."""
    bind = op.get_bind()
    for table, key_column in (("drafts", "code_hash"), ("autosaves", "token_hash")):
        rows = sa.table(
            table, sa.column("id", sa.Integer()), sa.column(key_column, sa.String()), sa.column("answers", sa.JSON())
        )
        for row in bind.execute(sa.select(rows.c.id, rows.c[key_column], rows.c.answers)).all():
            bind.execute(sa.update(rows).where(rows.c.id == row.id).values(answers=change(row.answers, row[1])))


def upgrade() -> None:
    ring: sealing.Keyring = context.config.attributes["keyring"]
    op.create_table(
        "data_keys",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("kek_id", sa.String(length=16), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_data_keys_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_data_keys")),
    )
    policy = op.create_table(
        "retention_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["staff.id"], name=op.f("fk_retention_policy_updated_by_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_policy")),
    )
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.bulk_insert(policy, [{"id": 1, "months": STARTING_MONTHS, "updated_at": now}])
    op.add_column("case_state", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("drafts", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    with _updates_allowed():
        _seal_submissions(ring)
    _reseal_working(
        ring, lambda answers, aad: answers if sealing.is_sealed(answers) else sealing.seal(ring.draft_key, answers, aad)
    )


def _open_submissions(ring: sealing.Keyring) -> None:
    """Back to plain values where the key still exists; an erased submission stays sealed (its data is gone)."""
    bind = op.get_bind()
    keys = {row.submission_id: ring.unwrap(row.kek_id, row.wrapped) for row in bind.execute(sa.select(data_keys))}
    query = sa.select(submissions.c.id, submissions.c.reference, submissions.c.answers, submissions.c.result)
    for rows in _batches(query.order_by(submissions.c.id)):
        for row in rows:
            if (key := keys.get(row.id)) is None:
                continue
            answers = sealing.open_or_plain(key, row.answers, f"{row.reference}:answers")
            contact = answers.get("contact") or {}
            bind.execute(
                sa.update(submissions)
                .where(submissions.c.id == row.id)
                .values(
                    answers=answers,
                    result=sealing.open_or_plain(key, row.result, f"{row.reference}:result"),
                    patient_name=str(contact.get("name") or ""),
                    patient_contact=" / ".join(str(p) for p in (contact.get("phone"), contact.get("email")) if p),
                )
            )
    for row in bind.execute(sa.select(events.c.id, events.c.submission_id, events.c.data)).all():
        data = row.data or {}
        if row.submission_id in keys and any(sealing.is_sealed(data.get(k)) for k in sealing.SEALED_EVENT_FIELDS):
            opened = sealing.open_event(keys[row.submission_id], data, f"event:{row.submission_id}")
            bind.execute(sa.update(events).where(events.c.id == row.id).values(data=opened))


def downgrade() -> None:
    ring: sealing.Keyring = context.config.attributes["keyring"]
    with _updates_allowed():
        _open_submissions(ring)
    _reseal_working(ring, lambda answers, aad: sealing.open_or_plain(ring.draft_key, answers, aad))
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("case_state") as batch:
        batch.drop_column("erased_at")
    op.drop_table("retention_policy")
    op.drop_table("data_keys")
