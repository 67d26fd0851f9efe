"""Free video calls: slots staff publish, each submission's booking, and its time on the queue's row.

A slot is held by at most one booking: ``call_bookings.slot_id`` is UNIQUE, so the database
refuses the second of two patients choosing the same slot at once (NULLs, for "please call
me" and cancelled bookings, do not collide on SQLite or PostgreSQL).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "video_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.SmallInteger(), nullable=False),
        sa.Column("clinician", sa.String(length=100), nullable=False),
        sa.Column("video_link", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["staff.id"], name=op.f("fk_video_slots_created_by_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_slots")),
    )
    op.create_index(op.f("ix_video_slots_starts_at"), "video_slots", ["starts_at"])
    op.create_index("ix_video_slots_clinician_start", "video_slots", ["clinician", "starts_at"], unique=True)
    op.create_table(
        "call_bookings",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_call_bookings_submission_id_submissions")
        ),
        sa.ForeignKeyConstraint(["slot_id"], ["video_slots.id"], name=op.f("fk_call_bookings_slot_id_video_slots")),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_call_bookings")),
        sa.UniqueConstraint("slot_id", name=op.f("uq_call_bookings_slot_id")),
    )
    with op.batch_alter_table("case_state") as batch:
        batch.add_column(sa.Column("call_state", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("call_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_state") as batch:
        batch.drop_column("call_at")
        batch.drop_column("call_state")
    op.drop_table("call_bookings")
    op.drop_table("video_slots")
