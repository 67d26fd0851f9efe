"""The wizard tests' data directory, as a fixture plugin (``pytest_plugins = ["wizard_fixtures"]``)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from screening.settings import get_settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own data directory and SQLite file (settings are cached per process)."""
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "SCREENING_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
