"""The app on a real, migrated SQLite file for AppTest (``pytest_plugins = ["db_fixtures", "app_fixtures"]``);
``wizard_support.staff_page`` opens a staff page on it, logged in."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from screening.settings import get_settings
from screening.storage import Database


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_sqlite_file: Path) -> Iterator[Database]:
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SCREENING_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("SCREENING_PASSWORD_MEMORY_KIB", "1024")
    for name in ("DATABASE_URL", "SCREENING_DATABASE_URL", "SMTP_URL", "SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    shutil.copyfile(migrated_sqlite_file, tmp_path / "screening.db")
    db = Database.from_settings(get_settings())
    yield db
    db.dispose()
    get_settings.cache_clear()
