"""Evaluating a rule set: one submission with a full trace, or a DataFrame of many at once.

Both paths share the compiled conditions (``screening.conditions``): a leaf's
scalar test and its column test are built side by side from the same parsed
comparison, and the triage is combined by the same precedence. The test suite
checks on generated submissions that both give the same triage and flags.
"""

from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from screening.answers import Submission
from screening.conditions import Combine, TraceRow
from screening.facts import FACTS, facts_of
from screening.ruleset import Rule, RuleSet
from screening.triage import PRECEDENCE, RANK, SEVERITY_RANK, Flag, Result, RuleTrace, Triage


@dataclass(frozen=True)
class _Plan:
    """A rule set laid out for one record: each distinct comparison once, then each rule as a lookup.

    Rules share many comparisons (``derived.pathway == headache`` opens most headache
    rules), so a record's facts are tested once per distinct leaf. A rule's trace rows
    and its verdict are then read from those results by index, with no tree walk.
    """

    leaves: tuple[tuple[str, str, Callable[[Any], bool]], ...]
    ids: tuple[str, ...]
    rows: tuple[Callable[[list[TraceRow]], tuple[TraceRow, ...]], ...]
    verdicts: tuple[Combine, ...]


def _rows_getter(indexes: list[int]) -> Callable[[list[TraceRow]], tuple[TraceRow, ...]]:
    if len(indexes) == 1:
        (only,) = indexes
        return lambda rows: (rows[only],)
    return itemgetter(*indexes)


def _build_plan(ruleset: RuleSet) -> _Plan:
    slot: dict[str, int] = {}
    leaves: list[tuple[str, str, Callable[[Any], bool]]] = []
    for rule in ruleset.rules:
        for leaf in rule.when.leaves():
            if leaf.text not in slot:
                slot[leaf.text] = len(leaves)
                leaves.append((leaf.fact.name, leaf.text, leaf.test))
    return _Plan(
        tuple(leaves),
        tuple(rule.id for rule in ruleset.rules),
        tuple(_rows_getter([slot[leaf.text] for leaf in rule.when.leaves()]) for rule in ruleset.rules),
        tuple(rule.when.combiner(slot) for rule in ruleset.rules),
    )


def _fast_rule_trace() -> Callable[[str, bool, tuple[TraceRow, ...]], RuleTrace]:
    """``RuleTrace`` built without the frozen dataclass ``__init__``.

    A screening makes one trace per rule (44 today) and the generated frozen ``__init__``
    (``object.__setattr__`` per field) was 40 % of a whole screening. The result is the
    same object: ``RuleTrace`` is a plain frozen dataclass without ``__post_init__``; if it
    ever gains one, or slots, the normal constructor is used.
    """
    if hasattr(RuleTrace, "__post_init__") or hasattr(RuleTrace, "__slots__"):
        return RuleTrace
    new = object.__new__

    def make(rule_id: str, fired: bool, conditions: tuple[TraceRow, ...]) -> RuleTrace:
        trace = new(RuleTrace)
        fields = trace.__dict__
        fields["rule_id"] = rule_id
        fields["fired"] = fired
        fields["conditions"] = conditions
        return trace

    return make


_rule_trace = _fast_rule_trace()

_PLANS: dict[int, tuple[RuleSet, _Plan]] = {}
_MAX_PLANS = 16
"""Rule sets are loaded a handful of times per process (the clinic's, a candidate under review)."""


def _plan_of(ruleset: RuleSet) -> _Plan:
    """The plan of a rule set, built on first use; keyed by identity because a ``RuleSet`` is not hashable."""
    entry = _PLANS.get(id(ruleset))
    if entry is not None and entry[0] is ruleset:
        return entry[1]
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    plan = _build_plan(ruleset)
    _PLANS[id(ruleset)] = (ruleset, plan)
    return plan


def screen(submission: Submission, ruleset: RuleSet) -> Result:
    return screen_facts(facts_of(submission), ruleset)


def screen_facts(facts: dict[str, Any], ruleset: RuleSet) -> Result:
    plan = _plan_of(ruleset)
    rows = [(text, value, test(value)) for name, text, test in plan.leaves for value in (facts[name],)]
    held = [row[2] for row in rows]
    verdicts = [fires(held) for fires in plan.verdicts]
    traces = tuple(map(_rule_trace, plan.ids, verdicts, [rows_of(rows) for rows_of in plan.rows]))
    fired = list(compress(ruleset.rules, verdicts))
    return Result(_triage(fired, ruleset), _flags(fired, facts), ruleset.ref, traces)


def _triage(fired: list[Rule], ruleset: RuleSet) -> Triage:
    """The highest-precedence triage among the rules that fired, or the rule set's default if none decided."""
    ranks = [RANK[rule.triage] for rule in fired if rule.triage is not None]
    return PRECEDENCE[min(ranks)] if ranks else ruleset.default_triage


def _flags(fired: list[Rule], facts: dict[str, Any]) -> tuple[Flag, ...]:
    flags = [Flag(r.id, r.title, r.severity, r.reason(facts), r.source, r.triage) for r in fired]
    flags.sort(key=lambda f: (RANK[f.triage] if f.triage else len(RANK), SEVERITY_RANK[f.severity]))
    return tuple(flags)


def encode_columns(frame: pd.DataFrame, names: list[str]) -> dict[str, np.ndarray]:
    """Numbers to float64 with NaN for unknown; choices to small integer codes with -1 for unknown."""
    cols: dict[str, np.ndarray] = {}
    for name in names:
        fact = FACTS[name]
        column = frame[name]
        if fact.kind == "number":
            cols[name] = pd.to_numeric(column, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            cols[name] = pd.Categorical(column, categories=list(fact.choices)).codes
    return cols


def screen_frame(frame: pd.DataFrame, ruleset: RuleSet) -> pd.DataFrame:
    """Triage and one boolean column per rule id for every row of a facts frame (see ``facts_frame``)."""
    cols = encode_columns(frame, ruleset.facts_used)
    cache: dict[str, np.ndarray] = {}
    no_triage = len(PRECEDENCE)
    best = np.full(len(frame), no_triage, dtype=np.int8)
    fired: dict[str, np.ndarray] = {}
    for rule in ruleset.rules:
        mask = np.asarray(rule.when.masks(cols, cache), dtype=bool)
        if mask.shape == ():
            mask = np.full(len(frame), bool(mask))
        fired[rule.id] = mask
        if rule.triage is not None:
            np.minimum(best, np.where(mask, RANK[rule.triage], no_triage).astype(np.int8), out=best)
    best[best == no_triage] = RANK[ruleset.default_triage]
    triage = pd.Categorical.from_codes(best, categories=[t.value for t in PRECEDENCE])
    return pd.DataFrame({"triage": triage, **fired}, index=frame.index)
