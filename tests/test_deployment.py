"""Several app instances on one PostgreSQL database: starting together, and sharing the lockout.

The browser test (tests/browser/test_instances.py) drives two real ``streamlit run`` processes;
these check the same properties on the services, quickly, with one engine per "instance".
"""

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from storage_support import PASSWORD

from screening import staff
from screening.settings import Settings
from screening.storage import Database
from screening.storage.models import Base

pytest_plugins = ["db_fixtures"]

INSTANCES = 4
ROOT = Path(__file__).resolve().parent.parent


def _instances(app_role_db: Database) -> list[Database]:
    """Separate engines (as separate processes have), with the same settings."""
    return [Database(app_role_db.url, settings=app_role_db.config) for _ in range(INSTANCES)]


def test_instances_starting_at_once_migrate_one_after_another(two_roles, two_role_settings: Settings):
    instances = [Database(two_roles.app_url, settings=two_role_settings) for _ in range(INSTANCES)]
    gate = threading.Barrier(INSTANCES)

    def start(db: Database) -> None:
        gate.wait()
        db.migrate()

    try:
        with ThreadPoolExecutor(INSTANCES) as pool:
            list(pool.map(start, instances))
        owner = create_engine(two_roles.owner_url)
        with owner.connect() as conn:
            assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
            assert conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
        owner.dispose()
        assert staff.list_staff(instances[-1], staff.CONSOLE) == [], "the app role reads what it was granted"
    finally:
        for db in instances:
            db.dispose()


def test_failed_logins_on_every_instance_add_up(app_role_db: Database):
    staff.add_staff(app_role_db, "ann", "Ann", staff.Role.intake, PASSWORD, actor=staff.CONSOLE)
    instances = _instances(app_role_db)
    try:
        limit = app_role_db.config.lockout_attempts
        gate = threading.Barrier(limit * 2)

        def guess(n: int) -> None:
            gate.wait()
            staff.authenticate(instances[n % INSTANCES], "ann", f"Wrong password {n}")

        with ThreadPoolExecutor(limit * 2) as pool:
            list(pool.map(guess, range(limit * 2)))
        for db in instances:
            assert staff.authenticate(db, "ann", PASSWORD) is None
    finally:
        for db in instances:
            db.dispose()


def test_a_release_migrates_as_the_owner_and_instances_with_the_app_role_only_check(
    two_roles, settings: Settings, tmp_path: Path
):
    """The strict setup: only the release step has the owner's URL; the instances never hold it."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": two_roles.app_url,
        "MIGRATION_DATABASE_URL": two_roles.owner_url,
        "SCREENING_DATA_DIR": str(tmp_path / "release"),
    }
    command = [sys.executable, "-m", "screening", "migrate"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
    instance = Database(two_roles.app_url, settings=settings.model_copy(update={"database_url": two_roles.app_url}))
    try:
        assert not instance.config.migration_database_url
        instance.migrate()  # nothing to do: it only reads the revision
        assert instance.revision() is not None
        staff.add_staff(instance, "ann", "Ann", staff.Role.intake, PASSWORD, actor=staff.CONSOLE)
        assert staff.authenticate(instance, "ann", PASSWORD) is not None
    finally:
        instance.dispose()
