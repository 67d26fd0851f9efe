"""Helpers for the core tests: where the project and its rules are, and the command line as a real process.

Imported by name (``from core_support import RULES, run_cli``), never through ``conftest``:
there is more than one ``conftest.py`` in the tree, and ``import conftest`` gets whichever loaded first.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m screening ...`` as a real process, from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "screening", *args], input=stdin, capture_output=True, text=True, cwd=ROOT, check=False
    )
