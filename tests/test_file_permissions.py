"""The SQLite database, its side files, the data folder and the secret key are the app user's alone."""

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from screening import staff
from screening.settings import Settings
from screening.storage import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _open(data: Path) -> Database:
    settings = Settings(data_dir=data, database_url="", password_time_cost=1, password_memory_kib=1024)
    db = Database.from_settings(settings)
    db.migrate()
    staff.add_staff(db, "ann", "Ann", staff.Role.admin, "Long enough passw0rd", actor=staff.CONSOLE)
    return db


@pytest.fixture
def loose_umask():
    """The usual 022: what left the files 0644 and the folder 0755 before."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_first_start_creates_everything_owner_only(tmp_path: Path, monkeypatch, loose_umask):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SCREENING_SECRET_KEY", raising=False)
    data = tmp_path / "data"
    db = _open(data)
    try:
        assert mode(data) == 0o700
        files = {path.name: mode(path) for path in data.iterdir()}
        assert {"screening.db", "screening.db-wal", "screening.db-shm", "secret_key"} <= set(files)
        assert set(files.values()) == {0o600}, files
    finally:
        db.dispose()


def test_files_an_older_version_left_open_are_tightened(tmp_path: Path, monkeypatch, loose_umask):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SCREENING_SECRET_KEY", raising=False)
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "secret_key").write_text("k" * 48)
    sqlite3.connect(data / "screening.db").close()
    assert (mode(data), mode(data / "screening.db"), mode(data / "secret_key")) == (0o755, 0o644, 0o644)
    db = _open(data)
    try:
        assert mode(data) == 0o700
        assert {path.name: mode(path) for path in data.iterdir()} == dict.fromkeys(
            ("screening.db", "screening.db-wal", "screening.db-shm", "secret_key"), 0o600
        )
    finally:
        db.dispose()
