"""Evaluating a rule set: one submission with a full trace, or a DataFrame of many at once.

Both paths share the compiled conditions (``screening.conditions``): a leaf's
scalar test and its column test are built side by side from the same parsed
comparison, and the triage is combined by the same precedence. The test suite
checks on generated submissions that both give the same triage and flags.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import compress, repeat
from operator import and_, attrgetter, call, itemgetter
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from screening.answers import Submission
from screening.choices import VisitKind
from screening.conditions import Columns, Combine, Leaf, TraceRow
from screening.facts import FACTS, facts_of
from screening.returns.answers import ReturnVisit
from screening.ruleset import PLACEHOLDER, VISIT_FACT, Rule, RuleSet, show_value
from screening.triage import PRECEDENCE, RANK, SEVERITY_RANK, Flag, Result, RuleTrace


@dataclass(frozen=True)
class _Plan:
    """A rule set laid out for one record: each distinct comparison once, then each rule as a lookup.

    Rules share many comparisons (``derived.pathway == headache`` opens most headache
    rules), so a record's facts are tested once per distinct leaf. A rule's trace rows
    and its verdict are then read from those results by index, with no tree walk.
    """

    values: Callable[[dict[str, Any]], tuple[Any, ...]]
    texts: tuple[str, ...]
    tests: tuple[Callable[[Any], bool], ...]
    ids: tuple[str, ...]
    rows: tuple[Callable[[list[TraceRow]], tuple[TraceRow, ...]], ...]
    verdicts: tuple[Combine, ...]
    outcomes: tuple["_Outcome", ...]
    gates: dict[str | None, tuple[bool, ...]]
    """Per kind of visit (``derived.visit_kind``), which rules may fire: a rule reads one kind of visit."""


@dataclass(frozen=True)
class _Outcome:
    """What a rule adds when it fires: its triage rank, its place among the flags, and its flag.

    The explanation is ``Rule.reason`` with the template split once: the placeholders
    become ``str.format`` fields, so no regular expression runs per record.
    """

    rule: Rule
    rank: int | None
    order: tuple[int, int]
    template: str
    names: tuple[str, ...]

    @classmethod
    def of(cls, rule: Rule) -> "_Outcome":
        pieces = PLACEHOLDER.split(rule.explain)
        names = tuple(pieces[1::2])
        template = "{}".join(p.replace("{", "{{").replace("}", "}}") for p in pieces[0::2]) if names else rule.explain
        rank = RANK[rule.triage] if rule.triage is not None else None
        order = (len(RANK) if rank is None else rank, SEVERITY_RANK[rule.severity])
        return cls(rule, rank, order, template, names)

    def flag(self, facts: dict[str, Any]) -> Flag:
        rule = self.rule
        reason = self.template
        if self.names:
            reason = reason.format(*[show_value(facts[name]) for name in self.names])
        return Flag(rule.id, rule.title, rule.severity, reason, rule.source, rule.triage)


def _tuple_getter(keys: list[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """``itemgetter`` that always returns a tuple, also for one key or none."""
    if len(keys) > 1:
        return itemgetter(*keys)
    if keys:
        (only,) = keys
        return lambda items: (items[only],)
    return lambda items: ()


def _build_plan(ruleset: RuleSet) -> _Plan:
    slot: dict[str, int] = {}
    leaves: list[Leaf] = []
    for rule in ruleset.rules:
        for leaf in rule.when.leaves():
            if leaf.text not in slot:
                slot[leaf.text] = len(leaves)
                leaves.append(leaf)
    names = [leaf.fact.name for leaf in leaves]
    return _Plan(
        _tuple_getter(names),
        tuple(leaf.text for leaf in leaves),
        tuple(leaf.test for leaf in leaves),
        tuple(rule.id for rule in ruleset.rules),
        tuple(_tuple_getter([slot[leaf.text] for leaf in rule.when.leaves()]) for rule in ruleset.rules),
        tuple(rule.when.combiner(slot) for rule in ruleset.rules),
        tuple(_Outcome.of(rule) for rule in ruleset.rules),
        _gates(ruleset),
    )


def _gates(ruleset: RuleSet) -> dict[str | None, tuple[bool, ...]]:
    """Facts without a kind of visit (written by hand, or stored before return visits) are a first visit's."""
    gates: dict[str | None, tuple[bool, ...]] = {
        kind.value: tuple(rule.visit is kind for rule in ruleset.rules) for kind in VisitKind
    }
    gates[None] = gates[VisitKind.first.value]
    return gates


_PLANS: "WeakKeyDictionary[RuleSet, _Plan]" = WeakKeyDictionary()


def _plan_of(ruleset: RuleSet) -> _Plan:
    """The plan of a rule set, built on its first screening and dropped with it.

    Safe under Streamlit's threads: a plan is immutable, and a race at worst builds it twice.
    """
    plan = _PLANS.get(ruleset)
    if plan is None:
        plan = _PLANS[ruleset] = _build_plan(ruleset)
    return plan


def screen(submission: Submission | ReturnVisit, ruleset: RuleSet) -> Result:
    return screen_facts(facts_of(submission), ruleset)


def screen_facts(facts: dict[str, Any], ruleset: RuleSet) -> Result:
    plan = _plan_of(ruleset)
    values = plan.values(facts)
    held = list(map(call, plan.tests, values))
    rows = list(zip(plan.texts, values, held, strict=True))
    gate = plan.gates[facts.get(VISIT_FACT)]
    verdicts = list(map(and_, map(call, plan.verdicts, repeat(held)), gate))
    traces = tuple(map(_new_trace, zip(plan.ids, verdicts, map(call, plan.rows, repeat(rows)), strict=True)))
    fired = list(compress(plan.outcomes, verdicts))
    ranks = [outcome.rank for outcome in fired if outcome.rank is not None]
    triage = PRECEDENCE[min(ranks)] if ranks else ruleset.default_triage
    fired.sort(key=_ORDER)
    return Result(triage, tuple([outcome.flag(facts) for outcome in fired]), ruleset.ref, traces)


_new_trace = partial(tuple.__new__, RuleTrace)
"""``RuleTrace`` from a ready (id, fired, rows) triple in C: one is built per rule per screening,
and the named tuple's Python ``__new__`` was a quarter of a screening's time."""

_ORDER = attrgetter("order")
"""Flags by triage precedence (flag-only rules last), then severity; rule order otherwise (the sort is stable)."""


def encode_columns(frame: pd.DataFrame, names: list[str]) -> dict[str, np.ndarray]:
    """Numbers to float64 with NaN for unknown; choices to small integer codes with -1 for unknown."""
    cols: dict[str, np.ndarray] = {}
    for name in names:
        fact = FACTS[name]
        column = frame[name]
        if fact.kind == "number":
            numbers = column if is_numeric_dtype(column.dtype) else pd.to_numeric(column, errors="raise")
            cols[name] = numbers.to_numpy(dtype=np.float64, na_value=np.nan)  # a view when already float64
        else:
            cols[name] = pd.Categorical(column, categories=list(fact.choices)).codes
    return cols


def screen_columns(cols: Columns, rows: int, ruleset: RuleSet) -> tuple[np.ndarray, np.ndarray]:
    """Triage ranks (int8, ``RANK``) and which rules fired (rows x rules, in rule order) for encoded facts.

    The rule columns are written into one preallocated boolean block: a million rows are
    re-screened in a fraction of a second. ``cols`` needs the facts the rule set uses, encoded
    as ``encode_columns`` does (stored fact rows decode to exactly that, ``fact_rows.decode``).
    """
    cache: dict[str, np.ndarray] = {}
    no_triage = len(PRECEDENCE)
    best = np.full(rows, no_triage, dtype=np.int8)
    fired = np.empty((rows, len(ruleset.rules)), dtype=bool, order="F")
    returns = cols[VISIT_FACT] == FACTS[VISIT_FACT].choices.index(VisitKind.return_.value)
    visit_masks = {VisitKind.return_: returns, VisitKind.first: ~returns}
    for i, rule in enumerate(ruleset.rules):
        fired[:, i] = rule.when.masks(cols, cache) & visit_masks[rule.visit]
        if rule.triage is not None:
            best[fired[:, i] & (best > RANK[rule.triage])] = RANK[rule.triage]
    best[best == no_triage] = RANK[ruleset.default_triage]
    return best, fired


def screen_frame(frame: pd.DataFrame, ruleset: RuleSet) -> pd.DataFrame:
    """Triage and one boolean column per rule id for every row of a facts frame (see ``facts_frame``)."""
    best, fired = screen_columns(encode_columns(frame, ruleset.facts_used), len(frame), ruleset)
    out = pd.DataFrame(fired, columns=[rule.id for rule in ruleset.rules], index=frame.index, copy=False)
    out.insert(0, "triage", pd.Categorical.from_codes(best, categories=[t.value for t in PRECEDENCE]))
    return out
