"""The engine benchmark's translation of our rules to CEL and rule-engine agrees with our engine.

Run here too (not only in bench/) so a rule or fact added later that the translator reads
wrongly fails the suite rather than a benchmark nobody ran.
"""

from bench.translate import CelRules, RuleEngineRules, cel_context, rule_engine_record
from screening.engine import screen_facts
from screening.facts import facts_of
from screening.returns.synthetic import synthetic_returns
from screening.ruleset import RuleSet
from screening.synthetic import synthetic_submissions
from screening.triage import PRECEDENCE


def test_cel_and_rule_engine_give_our_triage_and_fired_rules(ruleset: RuleSet):
    cel_rules, rule_engine_rules = CelRules(ruleset), RuleEngineRules(ruleset)
    seen = set()
    for submission in [*synthetic_submissions(600, seed=9), *synthetic_returns(300, seed=9)]:
        facts = facts_of(submission)
        ours = screen_facts(facts, ruleset)
        expected = (ours.triage, [trace.fired for trace in ours.trace])
        context = cel_context(facts)
        assert cel_rules.per_rule(context) == expected
        assert cel_rules.one_program(context) == expected
        assert rule_engine_rules.evaluate(rule_engine_record(facts)) == expected
        seen.add(ours.triage)
    assert seen == set(PRECEDENCE)


def test_unknown_values_make_comparisons_false_in_the_translations(ruleset: RuleSet):
    unknown = dict.fromkeys(facts_of(synthetic_submissions(1, seed=1)[0]))
    ours = [trace.fired for trace in screen_facts(unknown, ruleset).trace]
    assert CelRules(ruleset).per_rule(cel_context(unknown))[1] == ours
    assert RuleEngineRules(ruleset).evaluate(rule_engine_record(unknown))[1] == ours
