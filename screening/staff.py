"""Staff accounts, logins and sessions.

Passwords are hashed with argon2id. A login fails with the same answer whether the
name is unknown, the password wrong, the account disabled or locked, so the login
form tells an attacker nothing; the audit log (for admins) records which it was,
never the password. Sessions are random tokens kept only as keyed hashes; each
request checks the session again, so idle expiry, logout and disabling an account
take effect at once.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from screening.plaintext import check_text, control_position
from screening.roles import Role
from screening.storage import Database, Tx, accounts, audit
from screening.storage.models import Staff

MIN_PASSWORD = 12
MAX_PASSWORD = 200
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
ENDED_SESSIONS_KEPT = timedelta(days=1)
"""How long an ended session's row stays (for a look at recent activity) before a login deletes it."""
LOGIN_FAILED = "Unknown user name or wrong password, or the account is locked for a while. Please try again later."
_CHARACTER_KINDS = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")


class PasswordPolicyError(ValueError):
    """A new password that is too weak, with the reason in plain words."""


@dataclass(frozen=True)
class StaffSession:
    """A logged-in staff member: the token is what the browser session keeps."""

    token: str
    staff_id: int
    username: str
    display_name: str
    role: Role
    expires_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin


@dataclass(frozen=True)
class Console:
    """Whoever runs ``python -m screening staff`` on the server: trusted like an admin, audited as "console"."""

    username: str = "console"
    role: Role = Role.admin
    staff_id: None = None


CONSOLE = Console()
Actor = StaffSession | Console


@dataclass(frozen=True)
class StaffInfo:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    created_at: datetime
    password_changed_at: datetime


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _typed_name(username: str) -> str:
    """The name as a login looks it up; one with a control character (PostgreSQL cannot even compare a NUL)
    can be nobody's, so it is looked up and counted as a name that is nobody's."""
    name = normalise_username(username)[:100]
    return name if control_position(name) is None else "(not a user name)"


def check_password(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise PasswordPolicyError(f"The password must be at least {MIN_PASSWORD} characters long.")
    if len(password) > MAX_PASSWORD:
        raise PasswordPolicyError(f"The password must be at most {MAX_PASSWORD} characters long.")
    if sum(bool(re.search(kind, password)) for kind in _CHARACTER_KINDS) < 2:
        raise PasswordPolicyError(
            "The password must mix at least two kinds of character: lower case, upper case, digits, symbols."
        )
    if username and username.lower() in password.lower():
        raise PasswordPolicyError("The password must not contain the user name.")


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)  # argon2id


def hasher(db: Database) -> PasswordHasher:
    return _hasher(db.config.password_time_cost, db.config.password_memory_kib)


def _hash_password(db: Database, password: str, username: str) -> str:
    check_password(password, username)
    return hasher(db).hash(password)


@lru_cache(maxsize=4)
def _decoy_hash(ph: PasswordHasher) -> str:
    """Checked against when the user is unknown, so an unknown name takes as long as a wrong password."""
    return ph.hash(secrets.token_urlsafe(16))


def _verify(db: Database, stored: str | None, password: str) -> bool:
    ph = hasher(db)
    try:
        return ph.verify(stored or _decoy_hash(ph), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(db: Database, token: str) -> str:
    return db.config.keyed_hash("session:" + token)


def write_audit(
    tx: Tx,
    db: Database,
    actor: Actor | None,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One audit row, in the caller's transaction, so the action and its record stand or fall together."""
    username = actor.username if actor is not None else "anonymous"
    staff_id = actor.staff_id if actor is not None else None
    audit.write(tx, at=db.now(), staff_id=staff_id, username=username, action=action, target=target, detail=detail)


def require_admin(actor: Actor | None) -> None:
    if actor is None or actor.role != Role.admin:
        raise PermissionError("Only an administrator can manage staff accounts.")


def add_staff(
    db: Database, username: str, display_name: str, role: Role | str, password: str, *, actor: Actor
) -> StaffInfo:
    name = normalise_username(username)
    if not USERNAME.match(name):
        raise ValueError("A user name is 2 to 40 letters, digits, dots, dashes or underscores.")
    display = check_text(display_name.strip()) or name
    if len(display) > 100:
        raise ValueError("The display name must be at most 100 characters long.")
    role = Role(role)
    password_hash = _hash_password(db, password, name)
    with db.session() as tx:
        live = live_actor(tx, db, actor)
        require_admin(live)
        if accounts.staff_by_username(tx, name) is not None:
            raise ValueError(f"The user name {name!r} is taken.")
        now = db.now()
        staff = accounts.add_staff(
            tx,
            Staff(
                username=name,
                display_name=display,
                role=role.value,
                password_hash=password_hash,
                active=True,
                created_at=now,
                password_changed_at=now,
            ),
        )
        write_audit(tx, db, live, "staff_add", name, {"role": role.value})
        return _info(staff)


def _info(staff: Staff) -> StaffInfo:
    return StaffInfo(
        staff.id,
        staff.username,
        staff.display_name,
        Role(staff.role),
        staff.active,
        staff.created_at,
        staff.password_changed_at,
    )


def list_staff(db: Database, actor: Actor | None) -> list[StaffInfo]:
    """Any logged-in staff member (or the server console) may list colleagues, to assign work or filter by them."""
    with db.session() as tx:
        live_actor(tx, db, actor)
        return [_info(staff) for staff in accounts.all_staff(tx)]


def _lockout_start(db: Database) -> datetime:
    """Failed logins since this moment count towards a lockout; older ones no longer matter."""
    return db.now() - timedelta(minutes=db.config.lockout_window_minutes)


def _locked(tx: Tx, db: Database, name: str) -> bool:
    return accounts.failures_since(tx, name, _lockout_start(db)) >= db.config.lockout_attempts


def _purge_stale(tx: Tx, db: Database) -> None:
    """Housekeeping on each successful login, so the attempts and sessions tables stay small."""
    accounts.purge(
        tx,
        attempts_before=_lockout_start(db),
        sessions_ended_before=db.now() - ENDED_SESSIONS_KEPT,
        idle=timedelta(minutes=db.config.session_idle_minutes),
    )


def _login_refusal(staff: Staff | None, matches: bool) -> str | None:
    """Why this login fails (for the audit log only), or None if it succeeds."""
    if staff is None:
        return "unknown user"
    if not matches:
        return "wrong password"
    return None if staff.active else "account disabled"


def _failed_login(tx: Tx, staff: Staff | None, name: str, now: datetime, reason: str) -> None:
    audit.write(
        tx,
        at=now,
        staff_id=staff.id if staff else None,
        username=name if USERNAME.match(name) else "(not a user name)",
        action="login_failed",
        detail={"reason": reason},
    )


def _reserve_attempt(db: Database, name: str) -> tuple[int, str | None] | None:
    """One serialised step: refuse a locked name, or count this attempt as failed before its password is checked.

    So a burst of parallel guesses gets at most the lockout limit checked against the password,
    however many instances they reach. Returns the attempt's id and the stored hash, or None if locked.
    """
    now = db.now()
    with db.session() as tx:
        accounts.serialise_logins(tx, name)
        found = accounts.staff_by_username(tx, name)
        if _locked(tx, db, name):
            _failed_login(tx, found, name, now, "locked")
            return None
        return accounts.reserve_attempt(tx, name, now), found.password_hash if found else None


def authenticate(db: Database, username: str, password: str) -> StaffSession | None:
    """A new session, or None (the caller shows ``LOGIN_FAILED``, whatever the reason).

    A typed name that cannot be a user name is not written to the audit log as typed:
    it is often a password entered in the wrong box.
    """
    name = _typed_name(username)
    reserved = _reserve_attempt(db, name)
    if reserved is None:
        return None
    attempt_id, stored = reserved
    matches = _verify(db, stored, password)  # the slow part, outside any transaction (no lock held)
    now = db.now()
    with db.session() as tx:
        staff = accounts.staff_by_username(tx, name)
        still = staff is not None and staff.password_hash == stored  # not changed in between
        refusal = _login_refusal(staff, matches and still)
        if refusal is not None or staff is None:
            _failed_login(tx, staff, name, now, refusal or "unknown user")
            return None
        accounts.mark_success(tx, attempt_id)
        if hasher(db).check_needs_rehash(staff.password_hash):
            staff.password_hash = hasher(db).hash(password)
        session = _open_session(tx, db, staff, now)
        write_audit(tx, db, session, "login")
        _purge_stale(tx, db)
        return session


def _open_session(tx: Tx, db: Database, staff: Staff, now: datetime) -> StaffSession:
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=db.config.session_max_hours)
    accounts.open_session(tx, token_hash=_token_hash(db, token), staff_id=staff.id, now=now, expires_at=expires_at)
    return StaffSession(token, staff.id, staff.username, staff.display_name, Role(staff.role), expires_at)


def live_session(tx: Tx, db: Database, token: str | None) -> StaffSession | None:
    """The session behind a token if it is open, not idle too long and its account active; touches it."""
    if not token:
        return None
    found = accounts.session_by_hash(tx, _token_hash(db, token))
    if found is None:
        return None
    row, staff = found
    now = db.now()
    idle_limit = row.last_seen + timedelta(minutes=db.config.session_idle_minutes)
    if row.revoked_at is not None or not staff.active:
        return None
    if now >= row.expires_at or now >= idle_limit:
        row.revoked_at = now
        return None
    row.last_seen = now
    return StaffSession(token, staff.id, staff.username, staff.display_name, Role(staff.role), row.expires_at)


def require_session(tx: Tx, db: Database, actor: StaffSession | None) -> StaffSession:
    """The services' gate: a missing, ended or idle session raises PermissionError."""
    live = live_session(tx, db, actor.token) if isinstance(actor, StaffSession) else None
    if live is None:
        raise PermissionError("Please log in again.")
    return live


def checked_session(db: Database, actor: StaffSession | None) -> StaffSession:
    """``require_session`` in a short write transaction of its own, for a service whose reads follow in
    ``Database.read`` (touching the session is a write, and reads must not hold SQLite's write lock)."""
    with db.session() as tx:
        return require_session(tx, db, actor)


def live_actor(tx: Tx, db: Database, actor: Actor | None) -> Actor:
    return actor if isinstance(actor, Console) else require_session(tx, db, actor)


def session_for(db: Database, token: str | None) -> StaffSession | None:
    with db.session() as tx:
        return live_session(tx, db, token)


def logout(db: Database, token: str) -> None:
    with db.session() as tx:
        session = live_session(tx, db, token)
        if session is not None:
            accounts.revoke_token(tx, _token_hash(db, token), db.now())
            write_audit(tx, db, session, "logout")


def change_password(db: Database, staff: StaffSession, old: str, new: str) -> None:
    """Other sessions of the same person end; this one stays. Raises ValueError with a plain reason."""
    with db.session() as tx:
        live = require_session(tx, db, staff)
        account = accounts.staff_by_id(tx, live.staff_id)
        assert account is not None
        if not _verify(db, account.password_hash, old):
            raise ValueError("The current password is not right.")
        account.password_hash = _hash_password(db, new, account.username)
        account.password_changed_at = db.now()
        accounts.revoke_sessions(tx, account.id, db.now(), keep=_token_hash(db, live.token))
        write_audit(tx, db, live, "password_change", account.username)


def _managed(tx: Tx, db: Database, admin: Actor, username: str) -> tuple[Actor, Staff]:
    """The admin acting (checked) and the account they act on."""
    live = live_actor(tx, db, admin)
    require_admin(live)
    name = normalise_username(username)
    staff = accounts.staff_by_username(tx, name)
    if staff is None:
        raise ValueError(f"No staff member is called {name!r}.")
    return live, staff


def set_active(db: Database, admin: Actor, username: str, active: bool) -> StaffInfo:
    """Disabling ends the person's sessions at once. An admin cannot disable their own account."""
    with db.session() as tx:
        live, staff = _managed(tx, db, admin, username)
        if not active and staff.id == live.staff_id:
            raise ValueError("You cannot disable your own account.")
        staff.active = active
        if not active:
            accounts.revoke_sessions(tx, staff.id, db.now())
        write_audit(tx, db, live, "staff_enable" if active else "staff_disable", staff.username)
        return _info(staff)


def reset_password(db: Database, admin: Actor, username: str, new: str) -> None:
    """For a forgotten password (the server console can do it for the last admin): ends that person's sessions.

    It also ends a lockout, since the person locked out is usually the one who forgot the password.
    """
    with db.session() as tx:
        live, staff = _managed(tx, db, admin, username)
        staff.password_hash = _hash_password(db, new, staff.username)
        staff.password_changed_at = db.now()
        accounts.revoke_sessions(tx, staff.id, db.now())
        write_audit(tx, db, live, "password_reset", staff.username)
        if _locked(tx, db, staff.username):
            write_audit(tx, db, live, "lockout_cleared", staff.username)
        accounts.clear_failures(tx, staff.username)
