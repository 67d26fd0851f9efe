"""Each submission's facts row, so a rule-change preview reads facts instead of re-validating answers.

The rows of the submissions already stored are filled here from their answers with the
code of the day, and stamped with that code's ``fact_rows.VERSION``. Unlike other
migrations this one uses the live code on purpose: a row is only ever read together with
its version, and rows of an older version are rebuilt by ``fact_store.rebuild`` (app start,
rule-change preview), so a later change to the facts needs no migration of its own.

Revision ID: 0005
Revises: 0003 (re-chained after 0004 when the branches are merged)
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from screening import fact_store

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "submission_facts",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("facts", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_submission_facts_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_submission_facts")),
    )
    op.create_index(op.f("ix_submission_facts_version"), "submission_facts", ["version"])
    fact_store.fill(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_index(op.f("ix_submission_facts_version"), table_name="submission_facts")
    op.drop_table("submission_facts")
