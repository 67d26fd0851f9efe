"""The queue reads only case_state: copy what it sorts, filters and shows from the submissions.

A submission row holds the answers and the full trace (about 10 kB), so sorting and
counting over the submissions table reads every page of it; case_state is narrow.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

COPIED = {
    "reference": sa.String(length=16),
    "created_at": sa.DateTime(timezone=True),
    "patient_name": sa.String(length=100),
    "pathway": sa.String(length=20),
    "triage_rank": sa.SmallInteger(),
}


def upgrade() -> None:
    with op.batch_alter_table("case_state") as batch:
        for name, kind in COPIED.items():
            batch.add_column(sa.Column(name, kind, nullable=True))
    for name in COPIED:
        op.execute(
            f"UPDATE case_state SET {name} = "  # noqa: S608 (names from the constant above)
            f"(SELECT submissions.{name} FROM submissions WHERE submissions.id = case_state.submission_id)"
        )
    with op.batch_alter_table("case_state") as batch:
        for name, kind in COPIED.items():
            batch.alter_column(name, existing_type=kind, nullable=False)
        batch.create_index("ix_case_state_queue", ["triage_rank", "created_at", "submission_id"])
        batch.create_index("ix_case_state_created_at", ["created_at"])
    # Not in batch mode: on SQLite that would rebuild the table and lose its append-only triggers.
    op.drop_index("ix_submissions_queue", table_name="submissions")


def downgrade() -> None:
    op.create_index("ix_submissions_queue", "submissions", ["triage_rank", "created_at", "id"])
    with op.batch_alter_table("case_state") as batch:
        batch.drop_index("ix_case_state_created_at")
        batch.drop_index("ix_case_state_queue")
        for name in COPIED:
            batch.drop_column(name)
