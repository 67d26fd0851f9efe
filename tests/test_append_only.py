"""History cannot be rewritten by direct SQL: every table, every way, on both databases.

Submissions, their flags, events and the audit log refuse UPDATE, DELETE, TRUNCATE (PostgreSQL),
an upsert, and SQLite's INSERT OR REPLACE over an existing row, even in a plain SQLite
connection with foreign keys off (as the sqlite3 shell opens a file). On PostgreSQL the app
runs as a role that does not own the tables, so it cannot disable or drop those triggers.
"""

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from storage_support import login_as, patient

from screening import casework, intake, staff
from screening.storage import Database
from screening.storage.models import APPEND_ONLY, Base
from screening.workflow import Status

pytest_plugins = ["db_fixtures"]

REFUSED = r"append-only|permission denied|must be (the )?owner"


def _history(db: Database, ruleset) -> None:
    """A row in every history table: a submission with flags, a status event, audit rows."""
    actor = login_as(db, "ann")
    receipt = intake.submit(db, patient(ruleset), ruleset)
    casework.change_status(db, actor, receipt.submission_id, Status.in_review)


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            table: conn.scalar(select(func.count()).select_from(Base.metadata.tables[table])) or 0
            for table in APPEND_ONLY
        }


def _columns(table: str, *, but: str = "") -> str:
    return ", ".join(column.name for column in Base.metadata.tables[table].columns if column.name != but)


def _copy_row(table: str, verb: str) -> str:
    """The first row inserted again over itself: same key, so REPLACE would delete the original first."""
    return f"{verb} INTO {table} ({_columns(table)}) SELECT {_columns(table)} FROM {table} LIMIT 1"


def _replace_by_reference() -> str:
    """A new id with an existing reference (a unique key): REPLACE would delete the original submission."""
    others = _columns("submissions", but="id")
    return f"INSERT OR REPLACE INTO submissions (id, {others}) SELECT id + 1000, {others} FROM submissions LIMIT 1"


def _statements(dialect: str) -> list[str]:
    out = [f"DELETE FROM {table}" for table in APPEND_ONLY]
    out += ["UPDATE submission_flags SET severity = 'info'", "UPDATE submissions SET triage = 'unlikely'"]
    out.append(
        f"INSERT INTO audit_log ({_columns('audit_log')}) SELECT {_columns('audit_log')} FROM audit_log LIMIT 1 "
        "ON CONFLICT (id) DO UPDATE SET action = 'rewritten'"
    )
    if dialect == "sqlite":
        out += [_copy_row(table, verb) for table in APPEND_ONLY for verb in ("INSERT OR REPLACE", "REPLACE")]
        out.append(_replace_by_reference())
    else:
        out += [f"TRUNCATE {table} CASCADE" for table in APPEND_ONLY]
        referencing = sorted(t.name for t in Base.metadata.sorted_tables if t.name not in APPEND_ONLY)
        out.append(f"TRUNCATE {', '.join([*APPEND_ONLY, *referencing])}")  # every table, so no foreign key objects
    return out


def test_every_direct_change_to_history_is_refused(db: Database, ruleset):
    _history(db, ruleset)
    before = _counts(db)
    assert all(before.values()), before
    for statement in _statements(db.engine.dialect.name):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    assert _counts(db) == before


def test_a_plain_sqlite_connection_with_foreign_keys_off_is_refused_too(sqlite_db: Database, ruleset):
    """What someone gets with the sqlite3 shell on the file: no pragmas, foreign keys off."""
    _history(sqlite_db, ruleset)
    before = _counts(sqlite_db)
    shell = sqlite3.connect(Path(sqlite_db.engine.url.database or ""), isolation_level=None)
    try:
        assert shell.execute("PRAGMA foreign_keys").fetchone() == (0,)
        for statement in _statements("sqlite"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                shell.execute(statement)
    finally:
        shell.close()
    assert _counts(sqlite_db) == before


def test_new_rows_still_go_in(db: Database, ruleset):
    """The REPLACE guard checks the key, so ordinary inserts (one patient, a bulk load) pass."""
    _history(db, ruleset)
    before = _counts(db)
    intake.submit(db, patient(ruleset), ruleset)
    after = _counts(db)
    assert all(after[table] > before[table] for table in ("submissions", "events"))


OWNER_ONLY = [
    "ALTER TABLE {table} DISABLE TRIGGER ALL",
    "ALTER TABLE {table} DISABLE TRIGGER {table}_no_update",
    "DROP TRIGGER {table}_no_update ON {table}",
    "ALTER TABLE {table} ADD COLUMN rewritten text",
    "DROP TABLE {table} CASCADE",
    "TRUNCATE {table} CASCADE",
    "UPDATE {table} SET {column} = {column}",
    "DELETE FROM {table}",
]


@pytest.mark.parametrize("statement", OWNER_ONLY)
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_app_role_cannot_undo_the_triggers(app_role_db: Database, ruleset, table: str, statement: str):
    _history(app_role_db, ruleset)
    before = _counts(app_role_db)
    column = next(iter(Base.metadata.tables[table].columns)).name
    with pytest.raises(DBAPIError, match=REFUSED), app_role_db.engine.begin() as conn:
        conn.execute(text(statement.format(table=table, column=column)))
    with app_role_db.engine.connect() as conn:
        assert conn.scalar(text(f"SELECT count(*) FROM pg_trigger WHERE tgrelid = '{table}'::regclass")) >= 2
    assert _counts(app_role_db) == before


def test_the_app_role_cannot_create_tables_or_functions(app_role_db: Database):
    for statement in (
        "CREATE TABLE sneaky (id int)",
        "CREATE FUNCTION sneaky() RETURNS int AS 'SELECT 1' LANGUAGE sql",
    ):
        with pytest.raises(DBAPIError, match="permission denied"), app_role_db.engine.begin() as conn:
            conn.execute(text(statement))


def test_the_app_role_runs_every_service(app_role_db: Database, ruleset):
    """Everything the app does works with the rights it is granted: nothing more is needed."""
    db = app_role_db
    admin = login_as(db, "ada", staff.Role.admin)
    receipt = intake.submit(db, patient(ruleset), ruleset)
    casework.change_status(db, admin, receipt.submission_id, Status.in_review)
    casework.assign(db, admin, receipt.submission_id, admin.staff_id)
    casework.add_note(db, admin, receipt.submission_id, "Called.")
    assert casework.export_queue(db, admin)
    assert casework.audit_log(db, admin).total > 0
    code = intake.save_draft(db, {"about": {}}, "about", date(1980, 1, 2)).code
    assert intake.resume_draft(db, code, date(1980, 1, 2)) is not None
    intake.submit(db, patient(ruleset), ruleset, draft_code=code)
    staff.reset_password(db, admin, "ada", "Another long passw0rd")
    staff.logout(db, admin.token)
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT current_user")) != conn.scalar(
            text("SELECT tableowner FROM pg_tables WHERE tablename = 'submissions' AND schemaname = current_schema()")
        )
