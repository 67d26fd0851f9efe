"""Staff accounts: password policy, login with lockout, idle expiry, logout, password change, admin powers."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from storage_support import PASSWORD, login_as

from screening import staff
from screening.staff import CONSOLE, PasswordPolicyError, Role
from screening.storage import Database
from screening.storage.models import AuditRow, LoginAttempt, Staff, StaffSessionRow

pytest_plugins = ["db_fixtures"]

ROOT = Path(__file__).resolve().parent.parent


def audit_rows(db: Database) -> list[AuditRow]:
    with db.session() as tx:
        return list(tx.scalars(select(AuditRow).order_by(AuditRow.id)))


def test_passwords_are_stored_as_argon2id_hashes(db: Database):
    staff.add_staff(db, "Ann", "Ann Smith", Role.admin, PASSWORD, actor=CONSOLE)
    with db.session() as tx:
        row = tx.scalar(select(Staff))
        assert row is not None
        assert row.username == "ann"
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Short 1", "at least 12"),
        ("alllowercaseletters", "two kinds"),
        ("123456789012345", "two kinds"),
        ("x" * 201 + "A", "at most"),
        ("my name is Ann 123", "user name"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(db: Database, password, reason):
    with pytest.raises(PasswordPolicyError, match=reason):
        staff.add_staff(db, "ann", "Ann", Role.intake, password, actor=CONSOLE)
    assert staff.list_staff(db, CONSOLE) == []


@given(
    st.sampled_from(["abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "!@#$%^&*()-_=+"]),
    st.data(),
)
def test_a_password_of_one_kind_of_character_is_always_refused(alphabet, data):
    password = data.draw(st.text(alphabet=alphabet, min_size=12, max_size=60))
    with pytest.raises(PasswordPolicyError):
        staff.check_password(password)


@given(st.text(min_size=12, max_size=60).filter(lambda p: p.strip()))
def test_policy_accepts_exactly_the_mixed_passwords(password):
    kinds = sum(
        any(test(c) for c in password)
        for test in (
            lambda c: "a" <= c <= "z",
            lambda c: "A" <= c <= "Z",
            lambda c: "0" <= c <= "9",
            lambda c: not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9"),
        )
    )
    if kinds >= 2:
        staff.check_password(password)
    else:
        with pytest.raises(PasswordPolicyError):
            staff.check_password(password)


def test_user_names_are_unique_whatever_the_case(db: Database):
    staff.add_staff(db, "ann", "Ann", Role.intake, PASSWORD, actor=CONSOLE)
    with pytest.raises(ValueError, match="taken"):
        staff.add_staff(db, " ANN ", "Another Ann", Role.intake, PASSWORD, actor=CONSOLE)


def test_only_an_admin_manages_staff(db: Database):
    intake_worker = login_as(db, "ivy", Role.intake)
    clinician = login_as(db, "cal", Role.clinician)
    for actor in (intake_worker, clinician):
        with pytest.raises(PermissionError):
            staff.add_staff(db, "eve", "Eve", Role.admin, PASSWORD, actor=actor)
        with pytest.raises(PermissionError):
            staff.set_active(db, actor, "ivy", False)
    admin = login_as(db, "ada", Role.admin)
    assert staff.add_staff(db, "eve", "Eve", Role.clinician, PASSWORD, actor=admin).role == Role.clinician
    assert [row.action for row in audit_rows(db) if row.action.startswith("staff_")][-1] == "staff_add"
    assert audit_rows(db)[-1].username == "ada"


def test_login_succeeds_and_is_audited_without_the_password(db: Database):
    staff.add_staff(db, "ann", "Ann Smith", Role.clinician, PASSWORD, actor=CONSOLE)
    session = staff.authenticate(db, "ANN", PASSWORD)
    assert session is not None
    assert (session.username, session.display_name, session.role) == ("ann", "Ann Smith", Role.clinician)
    assert staff.session_for(db, session.token) == session
    last = audit_rows(db)[-1]
    assert (last.action, last.username, last.staff_id) == ("login", "ann", session.staff_id)


@pytest.mark.parametrize("case", ["unknown user", "wrong password", "account disabled"])
def test_failed_logins_look_the_same_and_are_audited(db: Database, case):
    staff.add_staff(db, "ann", "Ann", Role.intake, PASSWORD, actor=CONSOLE)
    staff.add_staff(db, "bob", "Bob", Role.intake, PASSWORD, actor=CONSOLE)
    staff.set_active(db, CONSOLE, "bob", False)
    username, password = {
        "unknown user": ("zed", PASSWORD),
        "wrong password": ("ann", PASSWORD + "x"),
        "account disabled": ("bob", PASSWORD),
    }[case]
    assert staff.authenticate(db, username, password) is None
    last = audit_rows(db)[-1]
    assert (last.action, last.username, last.detail) == ("login_failed", username, {"reason": case})
    assert password not in str([(r.username, r.target, r.detail) for r in audit_rows(db)])


def test_repeated_failures_lock_the_account_for_the_window(db: Database):
    staff.add_staff(db, "ann", "Ann", Role.intake, PASSWORD, actor=CONSOLE)
    start = db.now()
    db.clock = lambda: start
    for _ in range(db.config.lockout_attempts):
        assert staff.authenticate(db, "ann", "Wrong password 1") is None
    assert staff.authenticate(db, "ann", PASSWORD) is None
    assert audit_rows(db)[-1].detail == {"reason": "locked"}
    db.clock = lambda: start + timedelta(minutes=db.config.lockout_window_minutes, seconds=1)
    assert staff.authenticate(db, "ann", PASSWORD) is not None


def test_fewer_failures_than_the_limit_do_not_lock_and_a_success_resets_them(db: Database):
    staff.add_staff(db, "ann", "Ann", Role.intake, PASSWORD, actor=CONSOLE)
    for _ in range(2):
        for _ in range(db.config.lockout_attempts - 1):
            assert staff.authenticate(db, "ann", "Wrong password 1") is None
        assert staff.authenticate(db, "ann", PASSWORD) is not None


def test_unknown_names_lock_too(db: Database):
    """Otherwise an attacker could tell real names by which ones lock."""
    for _ in range(db.config.lockout_attempts + 1):
        staff.authenticate(db, "ghost", "Wrong password 1")
    assert audit_rows(db)[-1].detail == {"reason": "locked"}


def test_an_idle_session_expires_and_activity_keeps_it_alive(db: Database):
    session = login_as(db, "ann")
    start = db.now()
    idle = timedelta(minutes=db.config.session_idle_minutes)
    for step in range(1, 4):
        db.clock = lambda step=step: start + step * (idle - timedelta(minutes=1))
        assert staff.session_for(db, session.token) is not None
    db.clock = lambda: start + 4 * idle
    assert staff.session_for(db, session.token) is None
    db.clock = lambda: start + 4 * idle - timedelta(minutes=20)
    assert staff.session_for(db, session.token) is None, "an expired session stays ended"


def test_a_session_ends_after_its_maximum_lifetime_even_when_busy(db: Database):
    session = login_as(db, "ann")
    start = db.now()
    for minutes in range(20, db.config.session_max_hours * 60, 20):
        db.clock = lambda minutes=minutes: start + timedelta(minutes=minutes)
        assert staff.session_for(db, session.token) is not None
    db.clock = lambda: start + timedelta(hours=db.config.session_max_hours, minutes=1)
    assert staff.session_for(db, session.token) is None


@pytest.mark.parametrize("token", ["", "not-a-token", None])
def test_no_session_without_a_real_token(db: Database, token):
    login_as(db, "ann")
    assert staff.session_for(db, token) is None


def test_logout_ends_the_session_and_is_audited(db: Database):
    session = login_as(db, "ann")
    other = staff.authenticate(db, "ann", PASSWORD)
    staff.logout(db, session.token)
    assert staff.session_for(db, session.token) is None
    assert other is not None and staff.session_for(db, other.token) is not None
    assert audit_rows(db)[-1].action == "logout"


def test_changing_the_password_keeps_this_session_and_ends_the_others(db: Database):
    session = login_as(db, "ann")
    other = staff.authenticate(db, "ann", PASSWORD)
    new = "A new passphrase 2026"
    with pytest.raises(ValueError, match="current password"):
        staff.change_password(db, session, "Not my password 1", new)
    with pytest.raises(PasswordPolicyError):
        staff.change_password(db, session, PASSWORD, "short")
    staff.change_password(db, session, PASSWORD, new)
    assert staff.session_for(db, session.token) is not None
    assert other is not None and staff.session_for(db, other.token) is None
    assert staff.authenticate(db, "ann", PASSWORD) is None
    assert staff.authenticate(db, "ann", new) is not None
    assert "password_change" in [row.action for row in audit_rows(db)]


def test_disabling_an_account_ends_its_sessions_and_can_be_undone(db: Database):
    admin = login_as(db, "ada", Role.admin)
    worker = login_as(db, "ivy")
    staff.set_active(db, admin, "ivy", False)
    assert staff.session_for(db, worker.token) is None
    assert staff.authenticate(db, "ivy", PASSWORD) is None
    assert staff.set_active(db, admin, "ivy", True).active
    assert staff.authenticate(db, "ivy", PASSWORD) is not None
    assert [r.action for r in audit_rows(db) if r.target == "ivy"] == ["staff_add", "staff_disable", "staff_enable"]


def test_an_admin_resets_a_forgotten_password(db: Database):
    admin = login_as(db, "ada", Role.admin)
    worker = login_as(db, "ivy")
    new = "Fresh start 2026!"
    with pytest.raises(PermissionError):
        staff.reset_password(db, worker, "ada", new)
    with pytest.raises(PasswordPolicyError):
        staff.reset_password(db, admin, "ivy", "weak")
    staff.reset_password(db, admin, "IVY", new)
    assert staff.session_for(db, worker.token) is None
    assert staff.authenticate(db, "ivy", PASSWORD) is None
    assert staff.authenticate(db, "ivy", new) is not None
    assert ("password_reset", "ivy", "ada") in [(r.action, r.target, r.username) for r in audit_rows(db)]
    with pytest.raises(ValueError, match="No staff member"):
        staff.reset_password(db, admin, "nobody", new)


def test_a_password_reset_ends_a_lockout_and_says_so_in_the_audit_log(db: Database):
    admin = login_as(db, "ada", Role.admin)
    staff.add_staff(db, "ann", "Ann", Role.intake, PASSWORD, actor=CONSOLE)
    for _ in range(db.config.lockout_attempts):
        assert staff.authenticate(db, "ann", "Wrong password 1") is None
    assert staff.authenticate(db, "ann", PASSWORD) is None
    assert audit_rows(db)[-1].detail == {"reason": "locked"}
    new = "Fresh start 2026!"
    staff.reset_password(db, admin, "ann", new)
    assert [(r.action, r.target, r.username) for r in audit_rows(db)][-2:] == [
        ("password_reset", "ann", "ada"),
        ("lockout_cleared", "ann", "ada"),
    ]
    assert staff.authenticate(db, "ann", new) is not None, "still inside the lockout window"


def test_a_password_reset_without_a_lockout_clears_nothing_in_the_log(db: Database):
    admin = login_as(db, "ada", Role.admin)
    staff.add_staff(db, "ann", "Ann", Role.intake, PASSWORD, actor=CONSOLE)
    assert staff.authenticate(db, "ann", "Wrong password 1") is None
    staff.reset_password(db, admin, "ann", "Fresh start 2026!")
    assert "lockout_cleared" not in [r.action for r in audit_rows(db)]


def session_starts(db: Database) -> set:
    with db.session() as tx:
        return set(tx.scalars(select(StaffSessionRow.created_at)))


def attempt_times(db: Database) -> list:
    with db.session() as tx:
        return sorted(tx.scalars(select(LoginAttempt.at)))


def test_a_login_deletes_old_login_attempts_and_sessions_that_ended_over_a_day_ago(db: Database):
    staff.add_staff(db, "ann", "Ann", Role.intake, PASSWORD, actor=CONSOLE)
    t0 = db.now()
    idle = timedelta(minutes=db.config.session_idle_minutes)
    window = timedelta(minutes=db.config.lockout_window_minutes)
    db.clock = lambda: t0
    logged_out = login_as(db, "bob")
    staff.logout(db, logged_out.token)
    db.clock = lambda: t0 + timedelta(seconds=1)
    staff.authenticate(db, "ann", PASSWORD)  # then left idle: it ends at its idle limit
    staff.authenticate(db, "ghost", "Wrong password 1")
    t1 = t0 + timedelta(days=1, minutes=1)
    db.clock = lambda: t1 - window
    staff.authenticate(db, "ghost", "Wrong password 1")
    assert len(attempt_times(db)) == 4

    db.clock = lambda: t1
    in_use = staff.authenticate(db, "ann", PASSWORD)
    assert session_starts(db) == {t0 + timedelta(seconds=1), t1}, "ended less than a day ago, or open: kept"
    assert attempt_times(db) == [t1 - window, t1], "only attempts inside the lockout window stay"

    t2 = t0 + timedelta(seconds=1) + idle + timedelta(days=1, minutes=1)
    db.clock = lambda: t2
    staff.authenticate(db, "ann", PASSWORD)
    assert session_starts(db) == {t1, t2}, "the idle one ended more than a day ago now"
    assert in_use is not None and staff.session_for(db, in_use.token) is None, "ended, but kept for a day"


def test_an_admin_cannot_disable_themself(db: Database):
    admin = login_as(db, "ada", Role.admin)
    with pytest.raises(ValueError, match="your own"):
        staff.set_active(db, admin, "ada", False)


def test_an_ended_session_cannot_act(db: Database):
    admin = login_as(db, "ada", Role.admin)
    staff.logout(db, admin.token)
    with pytest.raises(PermissionError):
        staff.add_staff(db, "eve", "Eve", Role.intake, PASSWORD, actor=admin)
    with pytest.raises(PermissionError):
        staff.change_password(db, admin, PASSWORD, "A new passphrase 2026")


def test_list_staff_shows_no_hashes(db: Database):
    bob = login_as(db, "bob")
    login_as(db, "ada", Role.admin)
    listed = staff.list_staff(db, bob)
    assert [(s.username, s.role, s.active) for s in listed] == [("ada", Role.admin, True), ("bob", Role.intake, True)]
    assert "argon2" not in repr(listed)
    assert staff.list_staff(db, CONSOLE) == listed


def test_list_staff_refuses_without_a_live_session(db: Database):
    bob = login_as(db, "bob")
    with pytest.raises(PermissionError):
        staff.list_staff(db, None)
    staff.logout(db, bob.token)
    with pytest.raises(PermissionError):
        staff.list_staff(db, bob)
    idle = login_as(db, "ivy")
    db.clock = lambda: idle.expires_at + timedelta(minutes=1)
    with pytest.raises(PermissionError):
        staff.list_staff(db, idle)


def run_staff_cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SCREENING_SECRET_KEY"}}
    env["SCREENING_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "screening", "staff", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )


def test_the_first_admin_is_added_from_the_command_line(tmp_path):
    data = tmp_path / "data"
    added = run_staff_cli(data, "add", "--role", "admin", "Boss", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.returncode == 0, added.stderr
    assert "Added boss (admin)" in added.stdout
    assert PASSWORD not in added.stdout + added.stderr
    mismatch = run_staff_cli(data, "add", "other", stdin=f"{PASSWORD}\n{PASSWORD}x\n")
    assert (mismatch.returncode, mismatch.stderr.strip()) == (2, "The two passwords differ.")
    renewed = run_staff_cli(data, "password", "boss", stdin="Another pass 2026\nAnother pass 2026\n")
    assert renewed.returncode == 0, renewed.stderr
    assert run_staff_cli(data, "disable", "boss").returncode == 0
    listing = run_staff_cli(data, "list").stdout.split()
    assert listing == ["boss", "admin", "disabled", "boss"]
    db = Database(f"sqlite:///{data / 'screening.db'}")
    with db.session() as tx:
        assert [(r.username, r.action) for r in tx.scalars(select(AuditRow))] == [
            ("console", "staff_add"),
            ("console", "password_reset"),
            ("console", "staff_disable"),
        ]
    db.dispose()


def test_a_password_typed_as_the_user_name_is_not_written_to_the_audit_log(db: Database):
    login_as(db, "ann")
    assert staff.authenticate(db, "Hunter2 Secret!", PASSWORD) is None
    last = audit_rows(db)[-1]
    assert (last.action, last.username) == ("login_failed", "(not a user name)")


def test_session_tokens_are_stored_only_as_keyed_hashes(db: Database):
    session = login_as(db, "ann")
    with db.session() as tx:
        stored = tx.scalar(select(StaffSessionRow.token_hash))
    assert stored is not None
    assert session.token not in stored
    assert len(stored) == 64
