"""Fixtures shared across the suite; helpers live beside their tests or in a *_support module."""

import copy
from typing import Any

import pytest
from core_support import RULES
from hypothesis import settings

from screening.i18n.catalogs import compile_catalogs
from screening.loader import load_ruleset
from screening.ruleset import RuleSet

# No timed unit tests (speed lives in bench/): hypothesis's per-example deadline fails on a busy machine.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


def pytest_configure(config: pytest.Config) -> None:
    """Compile the translation catalogs once (not in each xdist worker), as `make test` does before it."""
    if not hasattr(config, "workerinput"):
        compile_catalogs()


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset(RULES)


@pytest.fixture
def typical(ruleset: RuleSet) -> dict[str, Any]:
    """A complete, valid typical patient (the rule set's ``case_defaults``) to change one answer at a time."""
    return copy.deepcopy(ruleset.case_defaults)
