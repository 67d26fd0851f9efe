"""Append-only without gaps, and a limit on resume-code tries.

Every way to change or remove a history row is refused by the database.

0001 refused UPDATE on all four history tables and DELETE on events and the audit log.
This adds DELETE on submissions and their flags (a foreign key alone does not hold in a
SQLite shell, where foreign keys are off by default); on SQLite, INSERT OR REPLACE over
an existing row (REPLACE deletes the old row without firing DELETE triggers, so a BEFORE
INSERT trigger refuses a key that exists, before the delete happens); on PostgreSQL,
TRUNCATE. Altering or dropping the triggers themselves is kept from the app by running
it as a role that does not own the tables (see the README's two-role setup).

Drafts count the wrong birth dates given with their code (``failed_tries``): at the
limit a draft opens only after the clinic unlocks it.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

HISTORY = ("submissions", "submission_flags", "events", "audit_log")
NEW_DELETE = ("submissions", "submission_flags")
"""0001 already refuses DELETE on events and audit_log."""
KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "submissions": (("id",), ("reference",)),
    "submission_flags": (("submission_id", "flag_id"),),
    "events": (("id",),),
    "audit_log": (("id",),),
}
"""Each table's primary key and unique keys: a REPLACE on any of them would delete an existing row."""
PG_FUNCTION = "refuse_history_change"


def _sqlite_exists(table: str) -> str:
    matches = " OR ".join(
        "(" + " AND ".join(f"{column} = NEW.{column}" for column in key) + ")" for key in KEYS[table]
    )
    return f"EXISTS (SELECT 1 FROM {table} WHERE {matches})"  # noqa: S608 (names from the constants above)


def _sqlite_upgrade() -> None:
    for table in NEW_DELETE:
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
    for table in HISTORY:
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {_sqlite_exists(table)} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: that row exists'); END"
        )


def _postgres_upgrade() -> None:
    op.execute(
        f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP; END $$"
    )
    for table in NEW_DELETE:
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
    for table in HISTORY:
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _postgres_upgrade()
    op.add_column("drafts", sa.Column("failed_tries", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:  # SQLite drops a column by rebuilding the table
        batch.drop_column("failed_tries")
    sqlite = op.get_bind().dialect.name == "sqlite"
    added = [(table, "delete") for table in NEW_DELETE]
    added += [(table, "replace" if sqlite else "truncate") for table in HISTORY]
    for table, verb in added:
        op.execute(f"DROP TRIGGER {table}_no_{verb}" if sqlite else f"DROP TRIGGER {table}_no_{verb} ON {table}")
    if not sqlite:
        op.execute(f"DROP FUNCTION {PG_FUNCTION}()")
