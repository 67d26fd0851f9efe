"""A compiled rule set: what the loader produces and the engine evaluates."""

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from screening.choices import VisitKind, label
from screening.conditions import Condition
from screening.facts import FACTS
from screening.triage import RulesetRef, Severity, Triage

VISIT_FACT = "derived.visit_kind"
"""Every rule reads it first: a first-visit rule never fires on a return visit, nor a return rule on a first."""
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\}")


def show_value(value: Any) -> str:
    """A fact's value in an explanation: numbers without trailing .0, options in plain words."""
    if value is None:
        return "unknown"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return label(value)
    return str(value)


class Advice(StrEnum):
    """What a patient is told at once about a warning sign [Red flags]: graded, unlike the staff triage.

    Red-flag rules carry ``emergency`` or ``soon``; ``unsure`` is what a "not sure" on an
    emergency-group question gets (what to do if it is happening now; otherwise a clinician asks).
    ``same_day`` is between them: call the clinic (or their own doctor) the same day, and 911 if they
    cannot reach anyone and feel worse - what the patient information page says about double or
    blurred vision and general weakness after an injection [Label] (distant spread: urgent for staff,
    not every sign of it an emergency for the patient).
    """

    emergency = "emergency"
    same_day = "same_day"
    soon = "soon"
    unsure = "unsure"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    when: Condition
    triage: Triage | None
    severity: Severity
    source: str
    explain: str
    file: str
    advice: Advice | None = None
    visit: VisitKind = VisitKind.first
    """The kind of visit the rule reads (its file says which): it never fires on the other kind."""

    def reason(self, facts: dict[str, Any]) -> str:
        return PLACEHOLDER.sub(lambda m: show_value(facts[m[1]]), self.explain)


@dataclass(frozen=True)
class VersionNote:
    """One entry of the rule set's changelog: a version, the day it was made, what changed in plain words."""

    version: str
    day: date
    changes: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class RuleSet:
    """Compared and hashed by identity: the engine keeps a plan per loaded rule set."""

    ref: RulesetRef
    default_triage: Triage
    rules: tuple[Rule, ...]
    case_defaults: dict[str, Any]
    cases: tuple["Case", ...]
    changelog: tuple[VersionNote, ...] = ()
    """Newest first, as ``CHANGELOG.yaml`` keeps it; the declared version always has an entry."""
    return_case_defaults: dict[str, Any] = field(default_factory=dict)
    """The typical return visit the return rules' example cases start from."""

    @property
    def facts_used(self) -> list[str]:
        """The facts any rule reads (and the kind of visit): the columns the batch path needs, in a stable order."""
        used = {VISIT_FACT} | {leaf.fact.name for rule in self.rules for leaf in rule.when.leaves()}
        return [name for name in FACTS if name in used]


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    answers: dict[str, Any]
    triage: Triage
    flags: frozenset[str]
    visit: VisitKind = VisitKind.first
