"""Database fixtures, loaded by ``pytest_plugins = ["db_fixtures"]`` in the test modules that need them.

``db`` is a fresh, migrated database: SQLite always, and PostgreSQL too when TEST_POSTGRES_URL is set
(CI sets it), so the same tests run against both.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from screening.settings import Settings
from screening.storage import Database

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgres"] if POSTGRES else ["sqlite"]


def _settings(folder: Path) -> Settings:
    """Cheap password hashing: the tests check behaviour, not argon2's cost."""
    return Settings(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'test.db'}",
        password_time_cost=1,
        password_memory_kib=1024,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _settings(tmp_path)


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per run and copied for each test: a copy is much faster than running the migrations."""
    settings = _settings(tmp_path_factory.mktemp("template"))
    db = Database.from_settings(settings)
    db.migrate()
    db.dispose()
    return Path(settings.database_url.removeprefix("sqlite:///"))


@pytest.fixture
def blank_sqlite_db(settings: Settings) -> Iterator[Database]:
    db = Database.from_settings(settings)
    yield db
    db.dispose()


@pytest.fixture
def blank_postgres_db(settings: Settings) -> Iterator[Database]:
    """A schema of its own per test, dropped afterwards: tests never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(POSTGRES).update_query_dict({"options": f"-csearch_path={schema}"})
    db = Database(url.render_as_string(hide_password=False), settings=settings)
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def blank_db(request: pytest.FixtureRequest) -> Database:
    """An empty database (no tables yet) on each backend."""
    return request.getfixturevalue(f"blank_{request.param}_db")


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest) -> Database:
    """A fresh database at the newest schema, on each backend."""
    return request.getfixturevalue(f"{request.param}_db")


@pytest.fixture
def sqlite_db(settings: Settings, migrated_sqlite_file: Path) -> Iterator[Database]:
    shutil.copyfile(migrated_sqlite_file, settings.database_url.removeprefix("sqlite:///"))
    db = Database.from_settings(settings)
    yield db
    db.dispose()


@pytest.fixture
def postgres_db(blank_postgres_db: Database) -> Database:
    blank_postgres_db.migrate()
    return blank_postgres_db
