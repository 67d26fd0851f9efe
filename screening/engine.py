"""Evaluating a rule set: one submission with a full trace, or a DataFrame of many at once.

Both paths share the compiled conditions (``screening.conditions``): a leaf's
scalar test and its column test are built side by side from the same parsed
comparison, and the triage is combined by the same precedence. The test suite
checks on generated submissions that both give the same triage and flags.
"""

from typing import Any

import numpy as np
import pandas as pd

from screening.answers import Submission
from screening.conditions import TraceRow
from screening.facts import FACTS, facts_of
from screening.ruleset import RuleSet
from screening.triage import PRECEDENCE, RANK, SEVERITY_RANK, Flag, Result, RuleTrace


def screen(submission: Submission, ruleset: RuleSet) -> Result:
    return screen_facts(facts_of(submission), ruleset)


def screen_facts(facts: dict[str, Any], ruleset: RuleSet) -> Result:
    flags: list[Flag] = []
    traces: list[RuleTrace] = []
    best = RANK[ruleset.default_triage]
    decided = False
    for rule in ruleset.rules:
        trace: list[TraceRow] = []
        fired = rule.when.evaluate(facts, trace)
        traces.append(RuleTrace(rule.id, fired, tuple(trace)))
        if not fired:
            continue
        flags.append(Flag(rule.id, rule.title, rule.severity, rule.reason(facts), rule.source, rule.triage))
        if rule.triage is not None:
            rank = RANK[rule.triage]
            best = rank if not decided else min(best, rank)
            decided = True
    flags.sort(key=lambda f: (RANK[f.triage] if f.triage else len(RANK), SEVERITY_RANK[f.severity]))
    return Result(PRECEDENCE[best], tuple(flags), ruleset.ref, tuple(traces))


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
