"""Autosaved answers: a reload of the patient's tab finds them again (kept a short time, keyed by a token hash).

Revision ID: 0006
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "autosaves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_autosaves")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_autosaves_token_hash")),
    )
    with op.batch_alter_table("autosaves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_autosaves_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("autosaves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_autosaves_expires_at"))
    op.drop_table("autosaves")
