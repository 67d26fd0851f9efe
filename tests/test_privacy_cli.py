"""``python -m screening retention run`` (cron) and ``python -m screening keys rewrap`` (after a rotation), as a
process: the counts are printed, a second run erases nothing, and a rotated secret reads every answer."""

import json
from datetime import UTC, datetime, timedelta

from storage_support import patient
from test_export_cli import run

from screening import intake
from screening.settings import Settings
from screening.storage import Database, cases


def test_retention_run_from_cron_prints_counts_and_is_idempotent(tmp_path, ruleset):
    data_dir = tmp_path / "data"
    db = Database.from_settings(Settings(data_dir=data_dir))
    db.migrate()
    db.clock = lambda: datetime.now(UTC) - timedelta(days=3 * 365)
    old = intake.submit(db, patient(ruleset, name="Old Unbooked"), ruleset)
    db.clock = lambda: datetime.now(UTC)
    intake.submit(db, patient(ruleset, name="Recent Person"), ruleset)
    db.dispose()
    first = run(data_dir, "retention", "run")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Erased 1 expired submission received before ")
    second = run(data_dir, "retention", "run")
    assert second.stdout.startswith("Erased 0 expired submissions")
    db = Database.from_settings(Settings(data_dir=data_dir))
    with db.read() as tx:
        assert cases.by_reference(tx, old.reference).erased
    assert (data_dir / "erased.txt").read_text() == f"{old.reference}\n"
    db.dispose()


def test_keys_rewrap_after_a_rotation(tmp_path, ruleset, monkeypatch):
    data_dir = tmp_path / "data"
    db = Database.from_settings(Settings(data_dir=data_dir))
    db.migrate()
    receipt = intake.submit(db, patient(ruleset, name="Rotated Person"), ruleset)
    db.dispose()
    old = (data_dir / "secret_key").read_text()
    (data_dir / "secret_key").write_text("a new secret of the clinic, long enough")
    monkeypatch.setenv("SCREENING_PREVIOUS_SECRET_KEYS", json.dumps([old]))
    done = run(data_dir, "keys", "rewrap")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1 data key rewrapped")
    monkeypatch.delenv("SCREENING_PREVIOUS_SECRET_KEYS")
    db = Database.from_settings(Settings(data_dir=data_dir))
    with db.read() as tx:
        assert cases.by_reference(tx, receipt.reference).answers["contact"]["name"] == "Rotated Person"
    db.dispose()
    again = run(data_dir, "keys", "rewrap")  # nothing left under the old secret
    assert again.returncode == 0 and again.stdout.startswith("0 data keys")
