"""Storage: the only place with SQL. SQLite file by default, PostgreSQL by URL.

The schema is created and upgraded by the Alembic migrations in ``migrations/``,
run from code (``Database.migrate``) so the app, the CLI and the tests need no
``alembic.ini``.
"""

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from functools import cached_property
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
from screening.storage.sealing import KEYRING, Keyring

Tx = Session
"""One open transaction, as the services pass it to the storage functions."""
StorageError = SQLAlchemyError
"""What a page catches when the database fails, so no page needs to import SQLAlchemy."""

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


BUSY_TIMEOUT_MS = 10_000
"""How long an SQLite writer waits for another's lock before failing. Every write transaction is a
few milliseconds and no read holds the lock, so a wait is short; the bound is generous because a
patient's submit that fails is far worse than one that waits through a burst."""
READ_ONLY = "screening_read_only"
"""Execution option that marks the engine ``Database.read`` transactions run on."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys are off by default in SQLite; WAL lets readers keep a snapshot while a writer commits."""
    dbapi_connection.isolation_level = None  # transactions begin where SQLAlchemy says (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA secure_delete=ON")  # a shredded key or blanked name is zeroed, not left in free space
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """A write transaction takes the write lock up front (IMMEDIATE): Python's sqlite3 would take it
    only at the first write, so a status read earlier in the same service call could be stale, and
    upgrading a read to a write in WAL mode fails at once instead of waiting. A read transaction
    (``Database.read``) begins DEFERRED: a WAL snapshot that never takes the write lock, and
    ``query_only`` makes SQLite refuse any write in it rather than take the lock after all."""
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("PRAGMA query_only=ON")
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("PRAGMA query_only=OFF")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _read_options(dialect: str) -> dict[str, Any]:
    """One consistent snapshot for every batch of a long read, and the database refuses writes in it."""
    if dialect == "sqlite":
        return {READ_ONLY: True}
    return {READ_ONLY: True, "isolation_level": "REPEATABLE READ", "postgresql_readonly": True}


class WriteTurns:
    """This process's SQLite writers, one at a time in the order they came.

    SQLite has one write lock, and a writer that finds it taken polls for it, sleeping up to 100 ms
    between tries: under load some submits waited seconds while later ones got in. Here a writer
    waits on its own lock, which the one before it releases as it leaves, so the wait is the
    transactions ahead of it and no more. Other processes (the CLI) still wait by busy_timeout.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: deque[tuple[int, threading.Lock]] = deque()
        self._holder: int | None = None

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._holder == me:
                raise RuntimeError("a write transaction inside another one in the same thread")
            if self._holder is None:
                self._holder = me
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append((me, turn))
        turn.acquire()  # released by the writer before, which has made this thread the holder
        turn.release()

    def __exit__(self, *_: object) -> None:
        with self._mutex:
            if not self._waiting:
                self._holder = None
                return
            self._holder, turn = self._waiting.popleft()
            turn.release()


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
        sqlite = self.engine.dialect.name == "sqlite"
        self._write_turn: AbstractContextManager[Any] = WriteTurns() if sqlite else nullcontext()
        self._readers = sessionmaker(
            self.engine.execution_options(**_read_options(self.engine.dialect.name)), expire_on_commit=False
        )
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

    @cached_property
    def keyring(self) -> Keyring:
        """The keys derived from the secret: every transaction carries them for the sealed columns."""
        old = [key.get_secret_value() for key in self.config.previous_secret_keys]
        return Keyring.from_secret(self.config.secret_key.get_secret_value(), old)

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
                cfg.attributes["keyed_hash"] = self.config.keyed_hash  # 0008 fills match_keys for stored submissions
                cfg.attributes["keyring"] = self.keyring  # 0013 seals stored submissions under new data keys
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
        """A write transaction: commit when the block ends, roll everything back if it raises."""
        with self._write_turn, self._sessions(info={KEYRING: self.keyring}) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction for staff reads that may be long (exports, the queue's counts, a re-screen).

        On SQLite it never holds the write lock, so a patient's submit does not wait for it; on
        PostgreSQL it is REPEATABLE READ, so every batch of an export sees the same submissions.
        """
        with self._readers(info={KEYRING: self.keyring}) as session, session.begin():
            yield session

    def scrub(self) -> None:
        """After an erasure: SQLite's write-ahead log copied into the file and cut to nothing, so the pages that
        held the erased name and keys are not left behind in it (``secure_delete`` already zeroed them in
        the file). PostgreSQL keeps no such side file a dump or a copy of the data directory would read
        after vacuum; its autovacuum reclaims the old row versions."""
        if self.engine.dialect.name == "sqlite":
            raw = self.engine.raw_connection()  # outside any transaction: a checkpoint cannot run inside one
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
            finally:
                raw.close()

    def dispose(self) -> None:
        self.engine.dispose()
