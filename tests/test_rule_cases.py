"""Every example case beside the rules runs as its own test, named by its file and its name."""

import pytest
from core_support import RULES

from screening.engine import screen
from screening.facts import QUESTIONNAIRES
from screening.loader import load_ruleset

CASES = load_ruleset(RULES).cases


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}::{c.name}" for c in CASES])
def test_case(ruleset, case):
    result = screen(QUESTIONNAIRES[case.visit].model_validate(case.answers), ruleset)
    assert (result.triage, {f.id for f in result.flags}) == (case.triage, case.flags)
    assert result.ruleset == ruleset.ref


def test_every_rule_file_has_cases_and_every_rule_fires_in_some_case(ruleset):
    files = {rule.file for rule in ruleset.rules}
    assert files == {case.file for case in CASES}
    expected = set().union(*(case.flags for case in CASES))
    assert {rule.id for rule in ruleset.rules} <= expected
