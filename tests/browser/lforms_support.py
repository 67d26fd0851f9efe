"""LHC-Forms (NLM's form filler, npm ``lforms``) served from a local folder, for the FHIR round-trip browser test.

``.ci/run`` fetches the package from the npm registry with ``npm pack`` into ``LFORMS_DIR``
(git-ignored, owned by the tests); nothing is loaded from a CDN. A tiny static server
serves our page, the package and nothing else, on a free localhost port.
"""

import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LFORMS_VERSION = "40.1.3"
LFORMS_DIR = HERE / ".lforms"
"""``npm pack lforms@LFORMS_VERSION`` unpacked here: ``LFORMS_DIR / "package" / "dist"``."""
PAGE = HERE / "lforms_page.html"


def lforms_package() -> Path:
    """The unpacked package, of the version .ci/run installs (``LFORMS_VERSION`` there and here)."""
    package = LFORMS_DIR / "package"
    manifest = package / "package.json"
    found = json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.exists() else None
    if found != LFORMS_VERSION:
        hint = f"run .ci/run, or: npm pack lforms@{LFORMS_VERSION} and unpack it into {LFORMS_DIR}"
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(f"LHC-Forms {LFORMS_VERSION} is not installed (found {found}; {hint})")
        pytest.skip(f"LHC-Forms {LFORMS_VERSION} is not installed ({hint})")
    return package


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Requests are not worth a line each in the test output."""


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """The form page and the package from ``folder`` on 127.0.0.1; yields the page's URL."""
    shutil.copy(PAGE, folder / "index.html")
    (folder / "lforms").symlink_to(lforms_package(), target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
