"""The condition language of rule files: parsed once, evaluated per record or per column.

A condition is either a comparison written as one line a clinician can read,
``"headache.headache_days >= 15"``, or a mapping with one key ``all``, ``any`` or
``not``. Comparisons are ``== != < <= > >=``, ``in [a, b]``, ``not in [a, b]``,
``is unknown`` and ``is not unknown``. There is no ``eval``: the line is split by a
regular expression and the literal checked against the fact it is compared with.

Unknown values (unanswered, a section that does not apply, "not sure") make every
comparison false. Only ``is unknown`` is true for them, so a rule that needs to
know must say so, and a rule never silently reads "not sure" as "no".
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np

from screening.facts import FACTS, UNSURE, Fact

Columns = Mapping[str, np.ndarray]
"""Encoded facts of many records: numbers as float64 (NaN unknown), choices as int codes (-1 unknown)."""
TraceRow = tuple[str, Any, bool]
"""(condition as written, the record's value, whether it held)."""

_LEAF = re.compile(
    r"^\s*(?P<fact>[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\s+(?P<op>==|!=|<=|>=|<|>|not in|in|is not|is)\s+(?P<lit>.+?)\s*$"
)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_WORD = re.compile(r"^[a-z_][a-z0-9_]*$")
ORDER_OPS = {"<", "<=", ">", ">="}
_INDENT = "  "
MAX_DEPTH = 10
"""Levels of all/any/not in one rule; the clinic's deepest today is 2, and much deeper is not readable by a person."""
MAX_CONDITIONS = 100
"""Comparisons in one rule; the clinic's largest today has 6."""


class ConditionError(ValueError):
    """A condition that cannot be compiled; the loader adds the file and rule id."""


def _parse_literal(text: str) -> float | str | tuple[str, ...]:
    if _NUMBER.match(text):
        return float(text)
    if text.startswith("[") and text.endswith("]"):
        items = tuple(item.strip() for item in text[1:-1].split(",") if item.strip())
        if not items or not all(_WORD.match(i) for i in items):
            raise ConditionError(f"malformed list {text!r}: write options like [yes, not_sure]")
        return items
    if _WORD.match(text):
        return text
    raise ConditionError(f"cannot read the value {text!r}: use a number, an option name or a [list]")


def _never_true(op: str, value: float, fact: Fact) -> bool:
    low = -np.inf if fact.minimum is None else fact.minimum
    high = np.inf if fact.maximum is None else fact.maximum
    return {
        ">": value >= high,
        ">=": value > high,
        "<": value <= low,
        "<=": value < low,
        "==": value < low or value > high,
        "!=": False,
    }[op]


Held = Sequence[bool]
"""Whether each distinct leaf of a rule set held for one record, in the order the engine numbered them."""
Combine = Callable[[Held], bool]


@dataclass(frozen=True)
class Leaf:
    """One comparison, with its scalar test and its column test built once at load."""

    text: str
    fact: Fact
    op: str
    literal: Any
    test: Callable[[Any], bool]
    mask: Callable[[Columns], np.ndarray]

    def masks(self, cols: Columns, cache: dict[str, np.ndarray]) -> np.ndarray:
        if self.text not in cache:
            cache[self.text] = self.mask(cols)
        return cache[self.text]

    def leaves(self) -> list["Leaf"]:
        return [self]

    def combiner(self, slot: Mapping[str, int]) -> Combine:
        """Read this leaf's result from the per-record vector; each distinct leaf is tested once per record."""
        return itemgetter(slot[self.text])

    def describe(self, depth: int = 0) -> list[str]:
        return [_INDENT * depth + self.text]


@dataclass(frozen=True)
class AllOf:
    children: tuple["Condition", ...]

    def masks(self, cols: Columns, cache: dict[str, np.ndarray]) -> np.ndarray:
        return np.logical_and.reduce([c.masks(cols, cache) for c in self.children])

    def leaves(self) -> list[Leaf]:
        return [leaf for c in self.children for leaf in c.leaves()]

    def combiner(self, slot: Mapping[str, int]) -> Combine:
        return _join(all, self.children, slot)

    def describe(self, depth: int = 0) -> list[str]:
        return [_INDENT * depth + "all of:", *(line for c in self.children for line in c.describe(depth + 1))]


@dataclass(frozen=True)
class AnyOf:
    children: tuple["Condition", ...]

    def masks(self, cols: Columns, cache: dict[str, np.ndarray]) -> np.ndarray:
        return np.logical_or.reduce([c.masks(cols, cache) for c in self.children])

    def leaves(self) -> list[Leaf]:
        return [leaf for c in self.children for leaf in c.leaves()]

    def combiner(self, slot: Mapping[str, int]) -> Combine:
        return _join(any, self.children, slot)

    def describe(self, depth: int = 0) -> list[str]:
        return [_INDENT * depth + "any of:", *(line for c in self.children for line in c.describe(depth + 1))]


@dataclass(frozen=True)
class Not:
    child: "Condition"

    def masks(self, cols: Columns, cache: dict[str, np.ndarray]) -> np.ndarray:
        return ~self.child.masks(cols, cache)

    def leaves(self) -> list[Leaf]:
        return self.child.leaves()

    def combiner(self, slot: Mapping[str, int]) -> Combine:
        inner = self.child.combiner(slot)
        return lambda held: not inner(held)

    def describe(self, depth: int = 0) -> list[str]:
        return [_INDENT * depth + "not:", *self.child.describe(depth + 1)]


def _join(reduce: Callable[[Any], bool], children: tuple["Condition", ...], slot: Mapping[str, int]) -> Combine:
    """``all``/``any`` over children; plain leaves are fetched in one C call, the common case in rule files."""
    if all(isinstance(c, Leaf) for c in children):
        if len(children) == 1:
            return children[0].combiner(slot)
        fetch = itemgetter(*(slot[c.text] for c in children))
        return lambda held: reduce(fetch(held))
    parts = [c.combiner(slot) for c in children]
    return lambda held: reduce(part(held) for part in parts)


Condition = Leaf | AllOf | AnyOf | Not


def _number_leaf(text: str, fact: Fact, op: str, literal: Any) -> Leaf:
    if not isinstance(literal, float):
        raise ConditionError(f"{fact.name} is a number; {literal!r} is not")
    if op in ("in", "not in"):
        raise ConditionError(f"'{op}' needs options, but {fact.name} is a number")
    if _never_true(op, literal, fact):
        raise ConditionError(f"{text!r} can never hold: {fact.name} is between {fact.minimum:g} and {fact.maximum:g}")
    v = literal
    tests: dict[str, tuple[Callable[[Any], bool], Callable[[np.ndarray], np.ndarray]]] = {
        "==": (lambda x: x is not None and x == v, lambda c: c == v),
        "!=": (lambda x: x is not None and x != v, lambda c: (c != v) & ~np.isnan(c)),
        "<": (lambda x: x is not None and x < v, lambda c: c < v),
        "<=": (lambda x: x is not None and x <= v, lambda c: c <= v),
        ">": (lambda x: x is not None and x > v, lambda c: c > v),
        ">=": (lambda x: x is not None and x >= v, lambda c: c >= v),
    }
    test, column_test = tests[op]
    return Leaf(text, fact, op, literal, test, lambda cols: column_test(cols[fact.name]))


def _choice_leaf(text: str, fact: Fact, op: str, literal: Any) -> Leaf:
    if op in ORDER_OPS:
        raise ConditionError(f"{fact.name} is a choice; '{op}' compares numbers only")
    options = literal if isinstance(literal, tuple) else (literal,)
    if op in ("in", "not in") and not isinstance(literal, tuple):
        raise ConditionError(f"'{op}' needs a list such as [yes, not_sure]")
    if op in ("==", "!=") and isinstance(literal, tuple):
        raise ConditionError(f"'{op}' compares with one option; use 'in' for a list")
    unknown = [o for o in options if o not in fact.choices]
    if unknown:
        raise ConditionError(
            f"{', '.join(map(repr, unknown))} is not an option of {fact.name} (options: {', '.join(fact.choices)})"
        )
    chosen = frozenset(options)
    # Column test by table lookup on the option code: one slot per option and a last slot
    # that code -1 (unknown) lands on, which is false for both == / in and != / not in.
    member = np.array([c in chosen for c in fact.choices] + [False])
    if op in ("==", "in"):
        return Leaf(text, fact, op, literal, chosen.__contains__, lambda cols: member[cols[fact.name]])
    other = np.array([c not in chosen for c in fact.choices] + [False])
    return Leaf(
        text, fact, op, literal, lambda x: x is not None and x not in chosen, lambda cols: other[cols[fact.name]]
    )


def _unknown_leaf(text: str, fact: Fact, negated: bool) -> Leaf:
    """``is unknown``: unanswered or "not sure"; the one test that is true for an unknown value."""
    if fact.kind == "number":

        def is_unknown(x: Any) -> bool:
            return x is None

        def mask(cols: Columns) -> np.ndarray:
            return np.isnan(cols[fact.name])
    else:
        unsure_code = fact.choices.index(UNSURE) if UNSURE in fact.choices else -2

        def is_unknown(x: Any) -> bool:
            return x is None or x == UNSURE

        def mask(cols: Columns) -> np.ndarray:
            codes = cols[fact.name]
            return (codes < 0) | (codes == unsure_code)

    if negated:
        return Leaf(text, fact, "is not", "unknown", lambda x: not is_unknown(x), lambda cols: ~mask(cols))
    return Leaf(text, fact, "is", "unknown", is_unknown, mask)


def _leaf(text: str) -> Leaf:
    match = _LEAF.match(text)
    if not match:
        raise ConditionError(
            f"cannot read {text!r}: write it as 'fact operator value', e.g. 'headache.headache_days >= 15'"
        )
    name, op, raw = match["fact"], match["op"], match["lit"]
    fact = FACTS.get(name)
    if fact is None:
        close = [f for f in FACTS if f.split(".")[1] == name.split(".")[1]]
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConditionError(f"unknown fact {name!r}{hint}")
    if fact.kind == "text":
        raise ConditionError(f"{name} is text for explanations; rules cannot compare it")
    if op in ("is", "is not"):
        if raw != "unknown":
            raise ConditionError(f"'{op}' is only used as '{op} unknown'")
        return _unknown_leaf(text.strip(), fact, negated=op == "is not")
    literal = _parse_literal(raw)
    build = _number_leaf if fact.kind == "number" else _choice_leaf
    return build(text.strip(), fact, op, literal)


def _check_satisfiable(children: tuple[Condition, ...]) -> None:
    """Within one ``all``, number comparisons on the same fact must leave some value possible."""
    ranges: dict[str, list[float]] = {}
    for leaf in children:
        if not isinstance(leaf, Leaf) or leaf.fact.kind != "number" or leaf.op not in ORDER_OPS | {"=="}:
            continue
        low, high = ranges.setdefault(leaf.fact.name, [-np.inf, np.inf])
        v = leaf.literal
        if leaf.op in (">", ">="):
            low = max(low, v + (1e-9 if leaf.op == ">" else 0))
        if leaf.op in ("<", "<="):
            high = min(high, v - (1e-9 if leaf.op == "<" else 0))
        if leaf.op == "==":
            low, high = max(low, v), min(high, v)
        if low > high:
            raise ConditionError(f"'all' can never hold: the comparisons on {leaf.fact.name} contradict each other")
        ranges[leaf.fact.name] = [low, high]


def compile_condition(spec: Any) -> Condition:
    """Turn a rule file's ``when`` into a condition tree, refusing anything it cannot check or a person cannot read."""
    budget = [MAX_CONDITIONS]
    return _compile(spec, 1, budget)


def _compile(spec: Any, depth: int, budget: list[int]) -> Condition:
    if isinstance(spec, str):
        budget[0] -= 1
        if budget[0] < 0:
            raise ConditionError(f"more than {MAX_CONDITIONS} comparisons in one rule; split it into several rules")
        return _leaf(spec)
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ConditionError("a condition is a comparison line or a mapping with one key: all, any or not")
    if depth > MAX_DEPTH:
        raise ConditionError(f"all/any/not nested more than {MAX_DEPTH} levels deep; split it into several rules")
    ((key, value),) = spec.items()
    if key == "not":
        return Not(_compile(value, depth + 1, budget))
    if key not in ("all", "any"):
        raise ConditionError(f"unknown operator {key!r}: use all, any or not")
    if not isinstance(value, list) or not value:
        raise ConditionError(f"'{key}' needs a non-empty list of conditions")
    children = tuple(_compile(v, depth + 1, budget) for v in value)
    if key == "all":
        _check_satisfiable(children)
        return AllOf(children)
    return AnyOf(children)
