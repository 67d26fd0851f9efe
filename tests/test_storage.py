"""Storage: migrations, one transaction per write, append-only history, UTC times, settings."""

import dataclasses
import os
import stat
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from storage_support import login_as, patient

from screening import casework, intake
from screening.settings import Settings
from screening.storage import Database
from screening.storage.models import AuditRow, Base, CaseState, Event, SubmissionFlag, SubmissionRow
from screening.triage import Triage
from screening.workflow import Status

pytest_plugins = ["db_fixtures"]


def test_migrations_create_every_table_and_can_run_again(db: Database):
    db.migrate()
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrading_a_database_with_submissions_fills_the_queue_columns(blank_db: Database):
    blank_db.migrate("0001")
    created = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    at = {"at": created if blank_db.engine.dialect.name != "sqlite" else created.replace(tzinfo=None)}
    with blank_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO submissions (id, reference, created_at, pathway, patient_name, patient_contact, age, "
                "triage, triage_rank, answers, result, ruleset_version, ruleset_hash) VALUES (7, 'BT-AAAA-BBBB', "
                ":at, 'headache', 'Old Patient', '555', 40, 'urgent', 0, '{}', '{}', 'v1', 'h1')"
            ),
            at,
        )
        conn.execute(
            text(
                "INSERT INTO case_state (submission_id, status, status_since, contact_attempts) "
                "VALUES (7, 'new', :at, 0)"
            ),
            at,
        )
    blank_db.migrate()
    with blank_db.session() as tx:
        state = tx.get(CaseState, 7)
        assert state is not None
        assert (state.reference, state.patient_name, state.pathway, state.triage_rank) == (
            "BT-AAAA-BBBB",
            "Old Patient",
            "headache",
            0,
        )
        assert state.created_at == created
    with pytest.raises(DBAPIError, match="append-only"), blank_db.engine.begin() as conn:
        conn.execute(text("UPDATE submissions SET triage = 'unlikely'"))


def counts(db: Database) -> dict[str, int]:
    with db.session() as tx:
        return {
            model.__tablename__: tx.scalar(select(func.count()).select_from(model)) or 0
            for model in (SubmissionRow, SubmissionFlag, Event, CaseState)
        }


def test_a_failure_mid_write_leaves_nothing(db: Database, ruleset):
    """A rule set that reports the same flag twice breaks the flags insert, after the submission row."""
    firing = next(rule for rule in ruleset.rules if rule.id == "CM-LIKELY")
    broken = dataclasses.replace(ruleset, rules=(*ruleset.rules, firing))
    with pytest.raises(IntegrityError):
        intake.submit(db, patient(ruleset), broken)
    assert counts(db) == dict.fromkeys(("submissions", "submission_flags", "events", "case_state"), 0)
    intake.submit(db, patient(ruleset), ruleset)
    assert counts(db)["submissions"] == 1


def test_session_rolls_back_when_the_block_raises(db: Database):
    with pytest.raises(RuntimeError), db.session() as tx:
        tx.add(AuditRow(at=datetime.now(UTC), staff_id=None, username="x", action="test", detail={}))
        tx.flush()
        raise RuntimeError
    with db.session() as tx:
        assert tx.scalar(select(func.count()).select_from(AuditRow)) == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE submissions SET triage = 'unlikely'",
        "UPDATE submission_flags SET severity = 'info'",
        "UPDATE events SET kind = 'note'",
        "DELETE FROM events",
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_to_rewrite_history(db: Database, ruleset, statement):
    actor = login_as(db, "ann")
    receipt = intake.submit(db, patient(ruleset), ruleset)
    casework.detail(db, actor, receipt.submission_id)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement))


def test_a_whole_case_never_updates_or_deletes_a_submission(db: Database, ruleset):
    statements: list[str] = []

    def capture(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", capture)
    actor = login_as(db, "ann")
    receipt = intake.submit(db, patient(ruleset, Triage.urgent), ruleset)
    casework.change_status(db, actor, receipt.submission_id, Status.in_review)
    casework.record_contact_attempt(db, actor, receipt.submission_id)
    casework.assign(db, actor, receipt.submission_id, actor.staff_id)
    casework.add_note(db, actor, receipt.submission_id, "Called, no answer.")
    casework.change_status(db, actor, receipt.submission_id, Status.declined)
    event.remove(db.engine, "before_cursor_execute", capture)
    writes = [s for s in statements if s.startswith(("update", "delete"))]
    assert writes, "the case state is expected to change"
    for table in ("submissions", "submission_flags", "events", "audit_log"):
        assert not [s for s in writes if s.split()[1 if s.startswith("update") else 2] == table]


def test_times_come_back_as_aware_utc(db: Database, ruleset):
    receipt = intake.submit(db, patient(ruleset), ruleset)
    with db.session() as tx:
        stored = tx.get(SubmissionRow, receipt.submission_id)
        assert stored is not None
        assert stored.created_at == receipt.created_at
        assert stored.created_at.utcoffset() is not None
        assert stored.created_at.utcoffset().total_seconds() == 0


def test_a_naive_time_is_refused(db: Database):
    with pytest.raises(Exception, match="naive"), db.session() as tx:
        tx.add(AuditRow(at=datetime(2026, 1, 1), staff_id=None, username="x", action="test", detail={}))
        tx.flush()


def test_settings_create_the_data_directory_the_database_path_and_a_private_key(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SCREENING_SECRET_KEY", raising=False)
    data = tmp_path / "fresh" / "data"
    first = Settings(data_dir=data)
    assert data.is_dir()
    assert first.database_url == f"sqlite:///{(data / 'screening.db').resolve()}"
    key_file = data / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.secret_key.get_secret_value()) >= 32
    assert Settings(data_dir=data).secret_key == first.secret_key
    assert Settings(data_dir=tmp_path / "other").secret_key != first.secret_key
    assert "secret" not in repr(first).lower().replace("secret_key", "")


def test_settings_read_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("SCREENING_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("SCREENING_DRAFT_DAYS", "3")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.data_dir == tmp_path / "env"
    assert settings.secret_key.get_secret_value() == "k" * 40
    assert settings.draft_days == 3
    assert not (tmp_path / "env" / "secret_key").exists()


def test_sqlite_enforces_foreign_keys(sqlite_db: Database):
    with pytest.raises(IntegrityError), sqlite_db.session() as tx:
        tx.add(CaseState(submission_id=999, status="new", status_since=datetime.now(UTC), contact_attempts=0))
        tx.flush()


def test_a_database_error_never_carries_the_values_written(db: Database):
    """Error messages can reach a server log; the patient's values must not be in them."""
    secret = "Jane Secretname 555-0100"
    with pytest.raises(DBAPIError) as failure, db.engine.begin() as conn:
        conn.execute(text("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": secret})
    assert secret not in str(failure.value)
    assert "hidden due to hide_parameters" in str(failure.value)
