"""Staff reads beside patient writes: a long read never holds up a submit (timed figures: bench/load.py)."""

import csv
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from storage_support import login_as, patient

from screening import casework, intake
from screening.ruleset import RuleSet
from screening.storage import BUSY_TIMEOUT_MS, Database, cases
from screening.storage.models import AuditRow

pytest_plugins = ["db_fixtures"]


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_db: Database):
    with sqlite_db.session() as tx:
        assert tx.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert tx.execute(text("PRAGMA busy_timeout")).scalar() == BUSY_TIMEOUT_MS
    with sqlite_db.read() as tx:
        assert tx.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_read_transaction_refuses_writes_and_a_write_transaction_after_it_writes(db: Database, ruleset: RuleSet):
    with pytest.raises(DBAPIError), db.read() as tx:
        tx.execute(text("UPDATE case_state SET contact_attempts = 1"))
    receipt = intake.submit(db, patient(ruleset), ruleset)  # the pooled connection is writable again
    with db.read() as tx:
        assert tx.scalar(select(cases.CaseState.reference)) == receipt.reference


def test_a_patient_submits_while_an_export_is_reading(db: Database, ruleset: RuleSet, monkeypatch):
    """The submit runs (in another thread, as another patient's browser session would) between two
    batches of the export's read; before reads left the write transaction it failed 'database is locked'."""
    for i in range(3):
        intake.submit(db, patient(ruleset, name=f"Earlier {i}"), ruleset)
    me = login_as(db, "ines")
    real_batches = cases.queue_batches
    during: list[intake.Receipt] = []

    def submit_midway(tx, where, *, size) -> Iterator[list[cases.QueueLine]]:
        for batch in real_batches(tx, where, size=size):
            if not during:
                with ThreadPoolExecutor(1) as pool:
                    job = pool.submit(intake.submit, db, patient(ruleset, name="During Export"), ruleset)
                    during.append(job.result(timeout=60))
            yield batch

    monkeypatch.setattr(cases, "queue_batches", submit_midway)
    exported = casework.export_queue(db, me)

    lines = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"), newline="")))
    assert sorted(line["name"] for line in lines) == ["Earlier 0", "Earlier 1", "Earlier 2"]  # one snapshot
    assert len(during) == 1
    with db.read() as tx:
        stored = tx.scalar(select(cases.CaseState.patient_name).where(cases.CaseState.reference == during[0].reference))
        audit = tx.scalars(select(AuditRow).where(AuditRow.action == "export")).one()
    assert stored == "During Export"
    assert audit.detail["rows"] == 3 and audit.username == "ines"
