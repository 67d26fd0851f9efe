"""The app on a real, migrated SQLite file for AppTest, and staff pages opened logged in
(``pytest_plugins = ["db_fixtures", "app_fixtures"]``)."""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from wizard_support import start

from screening.settings import get_settings
from screening.staff import StaffSession
from screening.storage import Database
from screening.ui import auth


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


def staff_page(path: str, session: StaffSession | None, **state: Any) -> AppTest:
    at = start()
    if session is not None:
        at.session_state[auth.SESSION_KEY] = session.token
    for key, value in state.items():
        at.session_state[key] = value
    return at.switch_page(path).run()


