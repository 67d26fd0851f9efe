"""Staff reads beside patient writes: a long read never holds up a submit (timed figures: bench/load.py)."""

import csv
import io
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from storage_support import login_as, patient
from streamlit.testing.v1 import AppTest
from wizard_support import APP

from screening import casework, intake
from screening.exports.worker import in_worker
from screening.ruleset import RuleSet
from screening.storage import BUSY_TIMEOUT_MS, Database, WriteTurns, cases
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
    batches of the export's read; before reads left the write transaction it failed 'database is locked'.

    The read is ``casework.queue_file``, called here in this process so the submit can be slipped
    between its batches; ``export_queue`` runs the same function in the export worker."""
    for i in range(3):
        intake.submit(db, patient(ruleset, name=f"Earlier {i}"), ruleset)
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
    exported, count = casework.queue_file(db.url, db.config, db.now(), "csv", {})

    lines = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"), newline="")))
    assert sorted(line["name"] for line in lines) == ["Earlier 0", "Earlier 1", "Earlier 2"]  # one snapshot
    assert count == 3 and len(during) == 1
    with db.read() as tx:
        stored = tx.scalar(select(cases.CaseState.patient_name).where(cases.CaseState.reference == during[0].reference))
    assert stored == "During Export"


def test_an_export_is_built_in_the_worker_process_and_audited_here(db: Database, ruleset: RuleSet):
    """The patients' process only writes the audit row: the file is read and formatted in another process.

    The app has run first, as in the server: Streamlit leaves app.py as ``__main__``, which the worker
    imports again and which must then build no page (it once failed there)."""
    intake.submit(db, patient(ruleset, name="Only One"), ruleset)
    me = login_as(db, "ines")
    assert not AppTest.from_file(APP).run().exception
    assert in_worker(os.getpid) != os.getpid()
    exported = casework.export_queue(db, me)
    assert [line["name"] for line in csv.DictReader(io.StringIO(exported.decode("utf-8-sig")))] == ["Only One"]
    with db.read() as tx:
        audit = tx.scalars(select(AuditRow).where(AuditRow.action == "export")).one()
    assert audit.detail["rows"] == 1 and audit.username == "ines"


def test_writers_of_one_process_take_turns_in_the_order_they_came():
    turns = WriteTurns()
    order: list[str] = []
    queued = threading.Semaphore(0)

    def writer(name: str) -> None:
        queued.release()
        with turns:
            order.append(name)

    with turns:
        threads = []
        for name in ("first", "second", "third"):
            threads.append(threading.Thread(target=writer, args=(name,)))
            threads[-1].start()
            queued.acquire()
            while len(turns._waiting) < len(threads):  # this writer is in the queue before the next starts
                time.sleep(0.001)
        order.append("holder")
    for thread in threads:
        thread.join(timeout=10)
    assert order == ["holder", "first", "second", "third"]


def test_a_write_transaction_inside_another_in_one_thread_is_refused_not_deadlocked(sqlite_db: Database):
    with pytest.raises(RuntimeError, match="inside another"), sqlite_db.session(), sqlite_db.session():
        pass
    with sqlite_db.session() as tx:  # the turn was given back
        assert tx.execute(text("SELECT 1")).scalar() == 1
