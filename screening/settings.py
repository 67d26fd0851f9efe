"""One settings object for the whole app, read from the environment (pydantic-settings).

The secret key is never a constant in the code: it comes from ``SCREENING_SECRET_KEY``
or, failing that, is generated once and kept in the data directory with owner-only
permissions, so restarts keep drafts and sessions valid without anyone choosing a key.
"""

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_RULES = Path(__file__).resolve().parent.parent / "rules"
KEY_FILE = "secret_key"


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
    session_idle_minutes: int = Field(default=30, ge=1)
    session_max_hours: int = Field(default=12, ge=1)
    lockout_attempts: int = Field(default=5, ge=1)
    lockout_window_minutes: int = Field(default=15, ge=1)
    password_time_cost: int = Field(default=3, ge=1)
    password_memory_kib: int = Field(default=65536, ge=1024)
    """argon2id cost; the defaults are argon2-cffi's recommendation (RFC 9106 low-memory profile)."""
    secret_key: SecretStr = Field(default=SecretStr(""), repr=False)

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
