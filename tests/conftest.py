"""Fixtures shared across the suite; each test file keeps its own helpers beside its tests."""

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from screening.loader import load_ruleset
from screening.ruleset import RuleSet

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset(RULES)


@pytest.fixture
def typical(ruleset: RuleSet) -> dict[str, Any]:
    """A complete, valid typical patient (the rule set's ``case_defaults``) to change one answer at a time."""
    return copy.deepcopy(ruleset.case_defaults)


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m screening ...`` as a real process, from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "screening", *args], input=stdin, capture_output=True, text=True, cwd=ROOT, check=False
    )
