"""Stored facts rows: a row gives back the facts it was made from, and screens exactly as the one-record engine.

The version is derived from the catalogue and the code, so adding a fact (as a rule author
does in screening/facts.py) marks every stored row stale without anyone writing a migration.
"""

import math
from dataclasses import replace

import numpy as np
import pytest

from screening import answers, choices, fact_rows
from screening.engine import screen, screen_columns
from screening.facts import FACTS, Fact, facts_of
from screening.ruleset import RuleSet
from screening.synthetic import synthetic_submissions
from screening.triage import PRECEDENCE

SUBMISSIONS = synthetic_submissions(1500, seed=11)


def _same(stored: object, computed: object) -> bool:
    if computed is None:
        return stored is None
    return stored == computed or (isinstance(stored, float) and math.isclose(stored, computed))  # type: ignore[arg-type]


def test_a_row_gives_back_every_fact_a_rule_can_compare():
    for submission in SUBMISSIONS[:300]:
        facts = facts_of(submission)
        back = fact_rows.values_of(fact_rows.encode(facts))
        assert back.keys() == {name for name, fact in FACTS.items() if fact.kind != "text"}
        assert all(_same(back[name], facts[name]) for name in back), submission


def test_rows_decoded_in_bulk_screen_exactly_as_each_submission_alone(ruleset: RuleSet):
    rows = [fact_rows.encode(facts_of(s)) for s in SUBMISSIONS]
    ranks, fired = screen_columns(fact_rows.decode(rows), len(rows), ruleset)
    ids = [rule.id for rule in ruleset.rules]
    for submission, rank, row in zip(SUBMISSIONS, ranks, fired, strict=True):
        alone = screen(submission, ruleset)
        assert PRECEDENCE[rank] == alone.triage
        assert {rule_id for rule_id, on in zip(ids, row, strict=True) if on} == {f.id for f in alone.flags}
    assert len(set(ranks.tolist())) == len(PRECEDENCE), "every triage reached"


def test_answers_the_model_no_longer_accepts_give_no_row():
    assert fact_rows.encode_answers({"about": {"age": "not a number"}}) is None
    stored = SUBMISSIONS[0].model_dump(mode="json")
    assert fact_rows.encode_answers(stored) == fact_rows.encode(facts_of(SUBMISSIONS[0]))


def test_the_version_follows_the_catalogue_and_the_code_that_fills_it():
    stored = fact_rows.STORED
    version = fact_rows.catalogue_version(stored, fact_rows.SOURCES)
    assert version == fact_rows.VERSION and len(version) == 16
    added = (*stored, Fact("derived.new_fact", "number", "A fact a rule author added", minimum=0, maximum=9))
    assert fact_rows.catalogue_version(added, fact_rows.SOURCES) != version
    renamed = (replace(stored[0], name="about.renamed"), *stored[1:])
    assert fact_rows.catalogue_version(renamed, fact_rows.SOURCES) != version
    choice = next(i for i, fact in enumerate(stored) if fact.kind == "choice")
    more_options = (
        *stored[:choice],
        replace(stored[choice], choices=(*stored[choice].choices, "new")),
        *stored[choice + 1 :],
    )
    assert fact_rows.catalogue_version(more_options, fact_rows.SOURCES) != version
    assert fact_rows.catalogue_version(stored, (answers, choices)) != version, "the code that computes facts counts"


@pytest.mark.parametrize("fact", [f for f in fact_rows.STORED if f.kind == "choice"], ids=lambda f: f.name)
def test_every_option_and_unknown_survive_a_row(fact: Fact):
    base = dict.fromkeys(FACTS)
    for option in (*fact.choices, None):
        back = fact_rows.values_of(fact_rows.encode({**base, fact.name: option}))
        assert back[fact.name] == option
    codes = fact_rows.decode([fact_rows.encode({**base, fact.name: o}) for o in fact.choices])[fact.name]
    assert np.array_equal(codes, np.arange(len(fact.choices)))
