"""Return visits and treatments: the columns that link a patient's visits and date their last treatment.

A return visit is a submission like a first screening (append-only, screened by the rules) with
``visit_kind = 'return'`` and ``first_submission_id`` pointing at the patient's first screening, the
root of their chain of visits: the baseline comes from it and the timeline is that chain. The queue
reads the same two columns from ``case_state``, and ``treated_at``, the date of the last treatment
staff recorded on the case, lets "returns due" find patients treated 10 or more weeks ago.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch: on SQLite a batch rebuilds the table and would drop the append-only triggers.
    for table in ("submissions", "case_state"):
        op.add_column(table, sa.Column("visit_kind", sa.String(length=10), nullable=False, server_default="first"))
    if op.get_bind().dialect.name == "sqlite":  # SQLite takes a REFERENCES clause in ADD COLUMN, not a constraint
        op.execute("ALTER TABLE submissions ADD COLUMN first_submission_id INTEGER REFERENCES submissions (id)")
    else:
        op.add_column("submissions", sa.Column("first_submission_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_submissions_first_submission_id_submissions"),
            "submissions",
            "submissions",
            ["first_submission_id"],
            ["id"],
        )
    op.add_column("case_state", sa.Column("first_submission_id", sa.Integer(), nullable=True))
    op.add_column("case_state", sa.Column("treated_at", sa.Date(), nullable=True))
    op.create_index(op.f("ix_submissions_first_submission_id"), "submissions", ["first_submission_id"])
    op.create_index(op.f("ix_case_state_first_submission_id"), "case_state", ["first_submission_id"])
    op.create_index(op.f("ix_case_state_treated_at"), "case_state", ["treated_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_case_state_treated_at"), "case_state")
    op.drop_index(op.f("ix_case_state_first_submission_id"), "case_state")
    op.drop_index(op.f("ix_submissions_first_submission_id"), "submissions")
    with op.batch_alter_table("case_state") as batch:
        batch.drop_column("treated_at")
        batch.drop_column("first_submission_id")
        batch.drop_column("visit_kind")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_submissions_first_submission_id_submissions"), "submissions", type_="foreignkey")
    # SQLite drops a plain column in place (3.35+), keeping the table and its append-only triggers.
    op.drop_column("submissions", "first_submission_id")
    op.drop_column("submissions", "visit_kind")
