"""Fixtures shared across the suite; helpers live beside their tests or in a *_support module."""

import copy
from typing import Any

import pytest
from core_support import RULES

from screening.loader import load_ruleset
from screening.ruleset import RuleSet


@pytest.fixture(scope="session")
def ruleset() -> RuleSet:
    return load_ruleset(RULES)


@pytest.fixture
def typical(ruleset: RuleSet) -> dict[str, Any]:
    """A complete, valid typical patient (the rule set's ``case_defaults``) to change one answer at a time."""
    return copy.deepcopy(ruleset.case_defaults)
