"""Storage: the only place with SQL. SQLite file by default, PostgreSQL by URL.

The schema is created and upgraded by the Alembic migrations in ``migrations/``,
run from code (``Database.migrate``) so the app, the CLI and the tests need no
``alembic.ini``.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from screening.settings import Settings, get_settings, owner_only
from screening.storage import locks
from screening.storage.models import utcnow
from screening.storage.privileges import app_role, grant_app

Tx = Session
StorageError = SQLAlchemyError
"""What a page catches when the database fails, so no page needs to import SQLAlchemy."""
"""One open transaction, as the services pass it to the storage functions."""

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys are off by default in SQLite; WAL lets the staff read while a patient writes."""
    dbapi_connection.isolation_level = None  # transactions begin where SQLAlchemy says (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Python's sqlite3 would begin only at the first write, so a status read earlier in the same
    service call could be stale; IMMEDIATE takes the write lock up front (every service call writes)."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


SQLITE_FILES = ("", "-wal", "-shm", "-journal")


def _private_sqlite_file(url: str) -> None:
    """The database file (and SQLite's side files) readable by the app's user only: 0600, not the umask's 0644.

    SQLite gives its -wal and -shm files the mode of the database file, so creating that one
    owner-only before SQLite opens it is enough; files an older version created are tightened.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for suffix in SQLITE_FILES:
        owner_only(path.with_name(path.name + suffix), 0o600)


def _engine(url: str, settings: Settings | None) -> Engine:
    """hide_parameters: a database error message (which may reach a server log) never carries patient values."""
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        return create_engine(url, hide_parameters=True)
    pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow} if settings else {}
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **pool)


class Database:
    """One engine per process; each ``session()`` is one transaction."""

    def __init__(self, url: str, *, settings: Settings | None = None) -> None:
        self.url = url
        self.settings = settings
        self.engine: Engine = _engine(url, settings)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.clock: Callable[[], datetime] = utcnow
        """What the services take as "now": tests move it forward to reach expiry and lockout windows."""

    @classmethod
    def from_settings(cls, settings: Settings) -> "Database":
        return cls(settings.database_url, settings=settings)

    @property
    def config(self) -> Settings:
        """The settings the services read (lifetimes, lockout, secret); the environment's when none were given."""
        if self.settings is None:
            self.settings = get_settings()
        return self.settings

    def now(self) -> datetime:
        return self.clock()

    def migrate(self, revision: str = "head") -> None:
        """Upgrade the schema; with a separate migration URL (the owner role), then grant the app's role its rights."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        owner_url = self.config.migration_database_url
        owner = _engine(owner_url, None) if owner_url else self.engine
        try:
            with owner.begin() as connection:
                locks.serialise(connection, "migrate")  # instances starting together migrate one after another
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, revision)
                if owner is not self.engine and connection.dialect.name == "postgresql":
                    with self.engine.connect() as app:
                        role = app_role(app)
                    if role != app_role(connection):
                        grant_app(connection, role)
        finally:
            if owner is not self.engine:
                owner.dispose()

    def revision(self) -> str | None:
        """The schema revision the database is at (None before the first migration)."""
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Commit when the block ends, roll everything back if it raises."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
