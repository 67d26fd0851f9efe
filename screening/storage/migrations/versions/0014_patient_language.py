"""The patient's language: the questionnaire can be filled in English or Spanish (``screening.i18n``).

A submission keeps the language it was filled in, copied to ``case_state`` so the queue shows it
(staff call the patient in it); a saved draft and a tab's autosave keep it so the questionnaire
opens in it again. Rows stored before this are English ('en').

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None

TABLES = ("submissions", "case_state", "drafts", "autosaves")


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch: on SQLite a batch rebuilds the table and would drop the append-only triggers.
    for table in TABLES:
        op.add_column(table, sa.Column("language", sa.String(length=5), nullable=False, server_default="en"))


def downgrade() -> None:
    # SQLite drops a plain column in place (3.35+), keeping the table and its append-only triggers.
    for table in TABLES:
        op.drop_column(table, "language")
