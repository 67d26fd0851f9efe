"""Our parsed rule conditions in two other engines' syntax: CEL and rule-engine, for the engine benchmark.

The translation walks the condition tree the loader built (``screening.conditions``), so
every rule of any rule set translates without hand-writing. Our unknown semantics are
spelled out: an unknown (None) value makes every comparison false, "not sure" is unknown
for ``is unknown`` only, and ``!=`` / ``not in`` are false for an unknown value.

CEL reads facts as nested maps (``headache.headache_days`` is field ``headache_days`` of map
``headache``); rule-engine reads flat symbols (``headache__headache_days``). Both get
numbers as floats and options as strings, as ``facts_of`` gives them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import cel
import rule_engine

from screening.choices import VisitKind
from screening.conditions import AllOf, AnyOf, Condition, Leaf, Not
from screening.facts import UNSURE
from screening.ruleset import VISIT_FACT, Rule, RuleSet
from screening.triage import PRECEDENCE, RANK, Triage


@dataclass(frozen=True)
class Syntax:
    """How one engine spells names, literals and connectives."""

    name: Callable[[str], str]
    null: str
    conj: str
    disj: str
    neg: str

    def literal(self, value: Any) -> str:
        if isinstance(value, tuple):
            return "[" + ", ".join(self.literal(v) for v in value) + "]"
        if isinstance(value, float):
            return repr(value)
        return '"' + value + '"'

    def leaf(self, leaf: Leaf) -> str:
        x, op, lit = self.name(leaf.fact.name), leaf.op, leaf.literal
        known = f"{x} != {self.null}"
        if op in ("is", "is not"):
            unknown = f"{x} == {self.null}"
            if leaf.fact.kind == "choice":
                unknown = f"({unknown} {self.disj} {x} == {self.literal(UNSURE)})"
            return unknown if op == "is" else f"{self.neg}({unknown})"
        if op == "in":
            return f"({known} {self.conj} {x} in {self.literal(lit)})"
        if op == "not in":
            return f"({known} {self.conj} {self.neg}({x} in {self.literal(lit)}))"
        return f"({known} {self.conj} {x} {op} {self.literal(lit)})"

    def rule(self, rule: Rule) -> str:
        """The rule's condition behind its kind of visit, as our engine gates it (unknown is a first visit)."""
        returns = f"{self.name(VISIT_FACT)} == {self.literal(VisitKind.return_.value)}"
        gate = returns if rule.visit is VisitKind.return_ else f"{self.neg}({returns})"
        return f"({gate} {self.conj} {self.condition(rule.when)})"

    def condition(self, node: Condition) -> str:
        if isinstance(node, Leaf):
            return self.leaf(node)
        if isinstance(node, Not):
            return f"{self.neg}({self.condition(node.child)})"
        joiner = f" {self.conj} " if isinstance(node, AllOf) else f" {self.disj} "
        assert isinstance(node, AllOf | AnyOf)
        return "(" + joiner.join(self.condition(child) for child in node.children) + ")"


CEL = Syntax(name=str, null="null", conj="&&", disj="||", neg="!")
RULE_ENGINE = Syntax(name=lambda fact: fact.replace(".", "__"), null="null", conj="and", disj="or", neg="not ")


def cel_context(facts: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A facts record as CEL variables: one map per section."""
    sections: dict[str, dict[str, Any]] = {}
    for name, value in facts.items():
        section, field = name.split(".", 1)
        sections.setdefault(section, {})[field] = float(value) if isinstance(value, int) else value
    return sections


def rule_engine_record(facts: Mapping[str, Any]) -> dict[str, Any]:
    """A facts record as rule-engine symbols."""
    return {RULE_ENGINE.name(name): float(value) if isinstance(value, int) else value for name, value in facts.items()}


def triage_of(ruleset: RuleSet, fired: list[bool]) -> Triage:
    """The rule set's precedence over the rules that fired, as our engine combines them."""
    ranks = [RANK[rule.triage] for rule, on in zip(ruleset.rules, fired, strict=True) if on and rule.triage]
    return PRECEDENCE[min(ranks)] if ranks else ruleset.default_triage


class CelRules:
    """Each rule a compiled CEL program; also the whole rule set as one program giving a list of verdicts."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.sources = [CEL.rule(rule) for rule in ruleset.rules]
        self.programs = [cel.compile(source) for source in self.sources]
        self.whole = cel.compile("[" + ", ".join(self.sources) + "]")

    def per_rule(self, context: Any) -> tuple[Triage, list[bool]]:
        ctx = cel.Context(context)
        fired = [program.execute(ctx) for program in self.programs]
        return triage_of(self.ruleset, fired), fired

    def one_program(self, context: Any) -> tuple[Triage, list[bool]]:
        fired = self.whole.execute(context)
        return triage_of(self.ruleset, fired), fired


class RuleEngineRules:
    """Each rule a ``rule_engine.Rule``."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.rules = [rule_engine.Rule(RULE_ENGINE.rule(rule)) for rule in ruleset.rules]

    def evaluate(self, record: Mapping[str, Any]) -> tuple[Triage, list[bool]]:
        fired = [rule.matches(record) for rule in self.rules]
        return triage_of(self.ruleset, fired), fired
