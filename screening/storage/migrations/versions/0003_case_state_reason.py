"""The queue shows why at a glance: case_state keeps the title of each submission's deciding flag.

Copied from the stored result when a submission arrives (results never change), so the
queue still reads only case_state. Existing rows are filled from their results here.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

BATCH = 2000
submissions = sa.table("submissions", sa.column("id", sa.Integer()), sa.column("result", sa.JSON()))
case_state = sa.table("case_state", sa.column("submission_id", sa.Integer()), sa.column("reason", sa.String()))


def _deciding_title(result: dict) -> str | None:
    """As ``Result.deciding_flag`` on a stored result; kept here so this migration never changes with the code."""
    deciding = next((flag for flag in result.get("flags") or () if flag.get("triage")), None)
    return str(deciding["title"])[:200] if deciding else None


def upgrade() -> None:
    op.add_column("case_state", sa.Column("reason", sa.String(length=200), nullable=True))
    bind = op.get_bind()
    query = sa.select(submissions.c.id, submissions.c.result).order_by(submissions.c.id).limit(BATCH)
    fill = case_state.update().where(case_state.c.submission_id == sa.bindparam("sid"))
    last = 0
    while rows := bind.execute(query.where(submissions.c.id > last)).all():
        changes = [{"sid": sid, "reason": reason} for sid, result in rows if (reason := _deciding_title(result))]
        if changes:
            bind.execute(fill, changes)
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("case_state") as batch:  # SQLite drops a column by rebuilding the table
        batch.drop_column("reason")
