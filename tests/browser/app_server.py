"""``streamlit run app.py`` on a free localhost port with its own data directory (for browser tests and bench)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
START_SECONDS = 60


@dataclass(frozen=True)
class Server:
    url: str
    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "screening.db"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer on {url} within {START_SECONDS} s")


@contextmanager
def running_app(data_dir: Path, settings: Mapping[str, str] | None = None) -> Iterator[Server]:
    """The app as ``make run`` starts it, on SQLite in ``data_dir``; stopped (this process only) afterwards.

    ``settings`` adds environment variables: ``DATABASE_URL`` and the like, for an instance on PostgreSQL.
    """
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SCREENING_DATABASE_URL")}
    env["SCREENING_DATA_DIR"] = str(data_dir)
    env.update(settings or {})
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    url = f"http://127.0.0.1:{port}/"
    with (data_dir / "streamlit.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_healthy(url, process)
            yield Server(url, data_dir)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
