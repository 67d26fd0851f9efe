"""One settings object for the whole app, read from the environment (pydantic-settings).

The secret key is never a constant in the code: it comes from ``SCREENING_SECRET_KEY``
or, failing that, is generated once and kept in the data directory with owner-only
permissions, so restarts keep drafts and sessions valid without anyone choosing a key.
"""

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, EmailStr, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from screening.i18n import N_
from screening.worktime import WorkingWeek

REPO_RULES = Path(__file__).resolve().parent.parent / "rules"
KEY_FILE = "secret_key"


class SmtpTls(StrEnum):
    starttls = "starttls"
    """Connect in plain text, then require the server to switch to TLS (refused if it does not offer it)."""
    ssl = "ssl"
    """TLS from the first byte (port 465)."""
    none = "none"
    """No encryption: only for a relay on the same machine or a test server."""


TLS_WORDS = {SmtpTls.starttls: "STARTTLS", SmtpTls.ssl: "TLS", SmtpTls.none: "not encrypted"}
DEFAULT_PORTS = {SmtpTls.starttls: 587, SmtpTls.ssl: 465, SmtpTls.none: 25}
URL_SCHEMES = {"smtp": SmtpTls.starttls, "smtps": SmtpTls.ssl}


@dataclass(frozen=True)
class SmtpServer:
    """Where outgoing mail goes, resolved from ``SMTP_URL`` or the separate ``SMTP_*`` variables."""

    host: str
    port: int
    tls: SmtpTls
    user: str | None
    password: SecretStr | None
    timeout: float

    def describe(self) -> str:
        """For staff and the console: no password."""
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}:{self.port} ({TLS_WORDS[self.tls]})"


def _smtp_env(name: str) -> AliasChoices:
    """SMTP variables go by their common names (``SMTP_HOST``), the ``SCREENING_`` form also works."""
    return AliasChoices(f"SMTP_{name}", f"SCREENING_SMTP_{name}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCREENING_", extra="ignore", validate_by_name=True)

    data_dir: Path = Path("data")
    database_url: str = Field(default="", validation_alias=AliasChoices("DATABASE_URL", "SCREENING_DATABASE_URL"))
    migration_database_url: str = Field(
        default="", validation_alias=AliasChoices("MIGRATION_DATABASE_URL", "SCREENING_MIGRATION_DATABASE_URL")
    )
    """PostgreSQL: the role that owns the tables runs the migrations; ``database_url`` is the app's own role,
    which cannot alter, truncate or drop triggers. Empty: one role does both (SQLite, or a quick trial)."""
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    """Connections per app process: size them so instances x (pool + overflow) stays under max_connections."""
    rules_dir: Path = REPO_RULES
    candidate_rules_root: Path | None = None
    """The only folder (with its subfolders) the rule-change preview may read a candidate rule set from;
    the data directory when not set. Staff type a path on the page, so it must stay inside this one."""
    draft_days: int = Field(default=14, ge=1)
    autosave_minutes: int = Field(default=120, ge=1)
    """How long a tab's answers survive without a change: long enough for a reload or a break, short
    enough that the address left in a shared computer's history soon opens nothing."""
    session_idle_minutes: int = Field(default=30, ge=1)
    session_max_hours: int = Field(default=12, ge=1)
    lockout_attempts: int = Field(default=5, ge=1)
    lockout_window_minutes: int = Field(default=15, ge=1)
    password_time_cost: int = Field(default=3, ge=1)
    password_memory_kib: int = Field(default=65536, ge=1024)
    """argon2id cost; the defaults are argon2-cffi's recommendation (RFC 9106 low-memory profile)."""
    secret_key: SecretStr = Field(default=SecretStr(""), repr=False)
    previous_secret_keys: list[SecretStr] = Field(default_factory=list, repr=False)
    """After a rotation, the secrets used before (JSON list): data keys they wrapped still open until
    ``python -m screening keys rewrap`` has wrapped them all under the new secret."""
    privacy_contact: str = N_("the clinic's reception (by phone or at the desk)")
    """Who patients ask to see or delete their data (an address, a phone number, a desk); the privacy text names it
    (this default in the patient's language; a clinic's own contact as typed)."""
    clinic_timezone: ZoneInfo = ZoneInfo("America/New_York")
    """Where the clinic is (``SCREENING_CLINIC_TIMEZONE``): video-call slots are published, shown and put in
    calendars in this time zone, and working hours are counted in it."""
    workday_start: int = Field(default=9, ge=0, le=23)
    workday_end: int = Field(default=17, ge=1, le=24)
    """Working hours, Monday to Friday in ``clinic_timezone``: overdue targets count only this time."""

    @property
    def working_week(self) -> WorkingWeek:
        return WorkingWeek(self.clinic_timezone.key, self.workday_start, self.workday_end)
    smtp_url: SecretStr | None = Field(default=None, validation_alias=_smtp_env("URL"), repr=False)
    """``smtp://user:password@host:587`` (STARTTLS) or ``smtps://...:465`` (TLS); the SMTP_* values below
    override its parts. Neither set: mail is off and nothing is queued."""
    smtp_host: str | None = Field(default=None, validation_alias=_smtp_env("HOST"))
    smtp_port: int | None = Field(default=None, ge=1, le=65535, validation_alias=_smtp_env("PORT"))
    smtp_user: str | None = Field(default=None, validation_alias=_smtp_env("USER"))
    smtp_password: SecretStr | None = Field(default=None, validation_alias=_smtp_env("PASSWORD"), repr=False)
    smtp_tls: SmtpTls | None = Field(default=None, validation_alias=_smtp_env("TLS"))
    smtp_timeout: float = Field(default=20, gt=0, validation_alias=_smtp_env("TIMEOUT"))
    smtp_from: EmailStr | None = Field(default=None, validation_alias=_smtp_env("FROM"))
    """The sender address; required once SMTP is set."""
    clinic_name: str = "The clinic"
    """How mail to patients signs off and names the sender; nothing else about the clinic goes in a mail."""
    oncall_email: EmailStr | None = None
    """Intake's on-call address: told of each new urgent submission (reference and queue link only)."""
    base_url: str = "http://localhost:8501"
    """The app's address as staff open it; mail links to its review queue."""

    @property
    def smtp(self) -> SmtpServer | None:
        """The mail server, or None when mail is off (the default)."""
        url = urlsplit(self.smtp_url.get_secret_value()) if self.smtp_url else None
        host = self.smtp_host or (url.hostname if url else None)
        if not host:
            return None
        tls = self.smtp_tls or (URL_SCHEMES[url.scheme] if url else SmtpTls.starttls)
        user = self.smtp_user or (unquote(url.username) if url and url.username else None)
        password = self.smtp_password or (SecretStr(unquote(url.password)) if url and url.password else None)
        port = self.smtp_port or (url.port if url else None) or DEFAULT_PORTS[tls]
        return SmtpServer(host, port, tls, user, password, self.smtp_timeout)

    @model_validator(mode="after")
    def _mail_settings(self) -> "Settings":
        """A mistyped mail setting stops the app at start, not at the first urgent case."""
        if self.smtp_url:
            url = urlsplit(self.smtp_url.get_secret_value())
            if url.scheme not in URL_SCHEMES or not url.hostname:
                raise ValueError("SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
        if self.smtp is not None and not self.smtp_from:
            raise ValueError("SMTP_FROM (the sender address) is required when SMTP_URL or SMTP_HOST is set")
        self.base_url = self.base_url.rstrip("/")
        return self

    @model_validator(mode="after")
    def _first_run(self) -> "Settings":
        """The data directory, the default SQLite file and the secret key exist after the first start."""
        private_dir(self.data_dir)
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'screening.db').resolve()}"
        if not self.secret_key.get_secret_value():
            self.secret_key = SecretStr(_stored_secret(self.data_dir / KEY_FILE))
        return self

    def keyed_hash(self, text: str) -> str:
        """HMAC-SHA256 under the secret key: a stolen database alone cannot test guesses of codes or birth dates."""
        key = self.secret_key.get_secret_value().encode()
        return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def private_dir(path: Path) -> None:
    """Created owner-only (0700); an existing one of ours is tightened, as an older version left it 0755."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    owner_only(path, 0o700)


def owner_only(path: Path, mode: int) -> None:
    """Tighten a file or folder we own; one owned by someone else (a shared mount) is left to its owner."""
    if path.exists() and path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
        path.chmod(mode)


def _stored_secret(path: Path) -> str:
    if path.exists():
        owner_only(path, 0o600)
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process started at the same moment and wrote it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key)
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
