"""Resume codes: wrong tries are limited per code and per browser session, every try is audited,
and the patient's message never says whether a code exists.

Before: 29 wrong code/birth-date pairs in a row were each answered and the right one still worked.
"""

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from test_wizard_apptest import _born, resume, save_for_later
from wizard_support import click, go_to_step, header, start, typical_patient

from screening import intake
from screening.settings import get_settings
from screening.storage import Database
from screening.storage.models import AuditRow, DraftRow
from screening.ui import patient as patient_page

pytest_plugins = ["db_fixtures"]

BORN = date(1985, 6, 30)
WRONG = BORN + timedelta(days=1)
ROOT = Path(__file__).resolve().parent.parent


def audit(db: Database) -> list[tuple[str, str, str | None, dict]]:
    with db.session() as tx:
        rows = tx.scalars(select(AuditRow).order_by(AuditRow.id))
        return [(r.username, r.action, r.target, r.detail) for r in rows]


def saved(db: Database) -> str:
    return intake.save_draft(db, {"about": {"date_of_birth": BORN}}, "red_flags", BORN).code


def test_wrong_birth_dates_lock_the_draft_until_the_clinic_unlocks_it(db: Database):
    code = saved(db)
    for _ in range(intake.TRIES_PER_CODE):
        assert intake.resume_draft(db, code, WRONG) is None
    with pytest.raises(intake.DraftLocked):
        intake.resume_draft(db, code, BORN)
    actions = [(action, detail.get("reason")) for _, action, _, detail in audit(db)]
    assert actions == [("resume_failed", "wrong birth date")] * intake.TRIES_PER_CODE + [
        ("draft_locked", None),
        ("resume_refused", "draft locked"),
    ]
    assert {who for who, *_ in audit(db)} == {"patient"}
    intake.unlock_draft(db, code)
    assert intake.resume_draft(db, code, BORN) is not None
    assert [action for _, action, *_ in audit(db)][-2:] == ["draft_unlocked", "draft_resumed"]


def test_many_wrong_tries_never_let_the_right_one_through(db: Database):
    """The attack in the issue: 29 wrong pairs, then the right one."""
    code = saved(db)
    for n in range(29):
        assert intake.resume_draft(db, code, BORN - timedelta(days=n + 1)) is None
    with pytest.raises(intake.DraftLocked):
        intake.resume_draft(db, code, BORN)


def test_an_unknown_code_and_a_wrong_birth_date_answer_the_same(db: Database):
    code = saved(db)
    assert intake.resume_draft(db, code, WRONG) is None
    assert intake.resume_draft(db, intake.random_code(4), BORN) is None
    reasons = [detail["reason"] for _, action, _, detail in audit(db) if action == "resume_failed"]
    assert reasons == ["wrong birth date", "unknown or expired code"]


def test_one_browser_session_gets_a_limited_number_of_failed_tries(db: Database):
    code = saved(db)
    for _ in range(intake.TRIES_PER_BROWSER):
        assert intake.resume_draft(db, intake.random_code(4), BORN, browser="tab-1") is None
    with pytest.raises(intake.TooManyTries):
        intake.resume_draft(db, code, BORN, browser="tab-1")
    assert intake.resume_draft(db, code, BORN, browser="tab-2") is not None, "another session is not affected"
    targets = {target for _, action, target, _ in audit(db) if action == "resume_failed"}
    assert len(targets) == 1
    assert "tab-1" not in next(iter(targets)), "the browser's key is kept only as a keyed hash"


def test_parallel_wrong_tries_are_each_counted(db: Database):
    code = saved(db)
    burst = 16
    gate = threading.Barrier(burst)

    def one(n: int) -> None:
        gate.wait()
        intake.resume_draft(db, code, WRONG + timedelta(days=n), browser=f"tab-{n}")

    with ThreadPoolExecutor(burst) as pool:
        list(pool.map(one, range(burst)))
    with db.session() as tx:
        assert tx.scalar(select(DraftRow.failed_tries)) == burst
    with pytest.raises(intake.DraftLocked):
        intake.resume_draft(db, code, BORN)


def test_unlock_from_the_console(sqlite_db: Database, tmp_path: Path):
    code = saved(sqlite_db)
    for _ in range(intake.TRIES_PER_CODE):
        intake.resume_draft(sqlite_db, code, WRONG)
    env = {
        "DATABASE_URL": sqlite_db.url,
        "SCREENING_DATA_DIR": str(sqlite_db.config.data_dir),
        "PATH": "/usr/bin:/bin",
    }
    command = [sys.executable, "-m", "screening", "staff", "unlock-draft", code.lower()]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Unlocked" in done.stdout
    assert intake.resume_draft(sqlite_db, code, BORN) is not None
    again = subprocess.run(
        [*command[:-1], intake.random_code(4)], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert again.returncode == 2
    assert "No saved answers" in again.stderr


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "SCREENING_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_page_says_the_same_for_a_wrong_code_and_a_wrong_date_then_names_the_clinic(data_dir):
    answers = typical_patient()
    code = save_for_later(go_to_step(start(), answers, "red_flags"), _born(answers))
    unknown = resume(intake.random_code(4), _born(answers))
    wrong = resume(code, _born(answers) + timedelta(days=1))
    failed = patient_page.RESUME_FAILED.format(tries=intake.TRIES_PER_CODE)
    assert [e.value for e in unknown.error] == [e.value for e in wrong.error] == [failed]
    assert "call the clinic" in patient_page.RESUME_FAILED
    for n in range(intake.TRIES_PER_CODE - 1):
        resume(code, _born(answers) + timedelta(days=n + 2))
    locked = resume(code, _born(answers))
    assert header(locked) == "Welcome"
    assert [e.value for e in locked.error] == [patient_page.RESUME_LOCKED]
    assert "red_flags" not in locked.session_state["draft"]


def test_the_page_stops_a_browser_session_after_too_many_failures(data_dir):
    at = start()
    at.date_input(key="resume-dob").set_value(BORN)
    for _ in range(intake.TRIES_PER_BROWSER):
        at.text_input(key="resume-code").input(intake.random_code(4))
        at = click(at, "Continue")
        assert [e.value for e in at.error] == [patient_page.RESUME_FAILED.format(tries=intake.TRIES_PER_CODE)]
    at.text_input(key="resume-code").input(intake.random_code(4))
    at = click(at, "Continue")
    assert [e.value for e in at.error] == [patient_page.RESUME_TOO_MANY]
