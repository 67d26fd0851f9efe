"""Database fixtures, loaded by ``pytest_plugins = ["db_fixtures"]`` in the test modules that need them.

``db`` is a fresh, migrated database: SQLite always, and PostgreSQL too when TEST_POSTGRES_URL is set
(CI sets it), so the same tests run against both.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
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


@dataclass(frozen=True)
class TwoRoles:
    """A schema owned by a migration role, and the URLs of that role and of the app's role (both on the schema)."""

    owner_url: str
    app_url: str
    schema: str
    app_role: str


def _role_url(role: str, schema: str) -> str:
    url = make_url(POSTGRES).set(username=role, password=None)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def _create_role(conn, role: str) -> None:
    """Idempotent: a rerun (or a crashed run's leftover) finds the role there."""
    conn.execute(
        text(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END $$"
        )
    )


@pytest.fixture
def two_roles() -> Iterator[TwoRoles]:
    """The README's PostgreSQL setup, made by the test (as the server's superuser) and removed afterwards."""
    if not POSTGRES:
        pytest.skip("TEST_POSTGRES_URL is not set")
    tag = uuid.uuid4().hex[:12]
    owner, app, schema = f"screening_owner_{tag}", f"screening_app_{tag}", f"t_{tag}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        for role in (owner, app):
            _create_role(conn, role)
        conn.execute(text(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}"))
    try:
        yield TwoRoles(_role_url(owner, schema), _role_url(app, schema), schema, app)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            for role in (app, owner):
                conn.execute(text(f"DROP OWNED BY {role}"))
                conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


@pytest.fixture
def two_role_settings(two_roles: TwoRoles, settings: Settings) -> Settings:
    """The app's settings in the two-role setup: it serves as the app role, migrates as the owner."""
    split = {"database_url": two_roles.app_url, "migration_database_url": two_roles.owner_url}
    return settings.model_copy(update=split)


@pytest.fixture
def app_role_db(two_roles: TwoRoles, two_role_settings: Settings) -> Iterator[Database]:
    """Migrated by the owner role; the services connect as the app role."""
    db = Database(two_roles.app_url, settings=two_role_settings)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


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
