"""Lockout under parallel guesses: counting a failure and checking the next attempt is one serialised step.

A burst of guesses fired at once must not get more than the lockout limit checked against the
password, on SQLite (a write-locking transaction) and PostgreSQL (an advisory lock per name) alike.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from storage_support import PASSWORD

from screening import staff
from screening.staff import CONSOLE, Role
from screening.storage import Database
from screening.storage.models import AuditRow, LoginAttempt

pytest_plugins = ["db_fixtures"]

BURST = 16


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password the real check is asked about, in order (the check itself still runs)."""
    seen: list[str] = []
    real: Callable[..., bool] = staff._verify

    def counted(db: Database, stored: str | None, password: str) -> bool:
        seen.append(password)
        return real(db, stored, password)

    monkeypatch.setattr(staff, "_verify", counted)
    return seen


def _burst(db: Database, username: str, passwords: list[str]) -> list[staff.StaffSession | None]:
    """All at once: each thread waits at a barrier, then logs in."""
    start = threading.Barrier(len(passwords))

    def one(password: str) -> staff.StaffSession | None:
        start.wait()
        return staff.authenticate(db, username, password)

    with ThreadPoolExecutor(len(passwords)) as pool:
        return list(pool.map(one, passwords))


def _reasons(db: Database) -> list[str]:
    with db.session() as tx:
        rows = tx.scalars(select(AuditRow).where(AuditRow.action == "login_failed").order_by(AuditRow.id))
        return [row.detail["reason"] for row in rows]


def test_a_burst_of_wrong_guesses_gets_only_the_limit_checked_and_the_right_one_then_fails(
    db: Database, checks: list[str]
):
    staff.add_staff(db, "ann", "Ann", Role.intake, PASSWORD, actor=CONSOLE)
    limit = db.config.lockout_attempts
    wrong = [f"Wrong password {n}" for n in range(BURST - 1)]
    assert _burst(db, "ann", wrong) == [None] * len(wrong)
    assert len(checks) == limit, "more guesses were checked against the password than the lockout allows"
    assert staff.authenticate(db, "ann", PASSWORD) is None, "the right password logged in after the lockout"
    assert len(checks) == limit
    reasons = _reasons(db)
    assert reasons.count("wrong password") == limit
    assert reasons.count("locked") == BURST - limit


def test_the_right_password_in_a_burst_wins_only_within_the_limit(db: Database, checks: list[str]):
    """A success forgives the failures before it, so it may win only among the first ``limit`` attempts counted."""
    staff.add_staff(db, "ann", "Ann", Role.intake, PASSWORD, actor=CONSOLE)
    limit = db.config.lockout_attempts
    guesses = [f"Wrong password {n}" for n in range(BURST - 1)] + [PASSWORD]
    sessions = [found for found in _burst(db, "ann", guesses) if found is not None]
    with db.session() as tx:
        order = list(tx.scalars(select(LoginAttempt.success).order_by(LoginAttempt.id)))
    assert len(order) == len(checks)
    if sessions:
        assert len(sessions) == 1
        assert order.index(True) < limit
        assert len(checks) <= 2 * limit
    else:
        assert len(checks) == limit
        assert PASSWORD not in checks


def test_unknown_names_are_serialised_too(db: Database, checks: list[str]):
    limit = db.config.lockout_attempts
    _burst(db, "ghost", [f"Wrong password {n}" for n in range(BURST)])
    assert len(checks) == limit
    assert _reasons(db).count("locked") == BURST - limit
