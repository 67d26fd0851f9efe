"""Triage levels, their precedence, and the result of screening one submission.

Precedence is the order of ``Triage``: when several rules fire, the earliest
level wins (urgent > not suitable > needs review > likely candidate > unlikely),
so a safety concern can never be hidden by a good match.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from screening.conditions import TraceRow


class Triage(StrEnum):
    urgent = "urgent"
    not_suitable = "not_suitable"
    needs_review = "needs_review"
    likely_candidate = "likely_candidate"
    unlikely = "unlikely"


PRECEDENCE: tuple[Triage, ...] = tuple(Triage)
RANK: dict[Triage, int] = {t: i for i, t in enumerate(PRECEDENCE)}

TRIAGE_LABELS: dict[Triage, str] = {
    Triage.urgent: "Urgent",
    Triage.not_suitable: "Not suitable",
    Triage.needs_review: "Needs review",
    Triage.likely_candidate: "Likely candidate",
    Triage.unlikely: "Unlikely",
}


class Severity(StrEnum):
    critical = "critical"
    high = "high"
    warning = "warning"
    info = "info"


SEVERITY_RANK: dict[Severity, int] = {s: i for i, s in enumerate(Severity)}


@dataclass(frozen=True)
class Flag:
    """A rule that fired, with the reason in the patient's own values and the source it rests on."""

    id: str
    title: str
    severity: Severity
    reason: str
    source: str
    triage: Triage | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity.value,
            "reason": self.reason,
            "source": self.source,
            "triage": self.triage.value if self.triage else None,
        }


class RuleTrace(NamedTuple):
    """One rule's verdict with every condition it tested (a tuple: one is built per rule per screening)."""

    rule_id: str
    fired: bool
    conditions: tuple[TraceRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "fired": self.fired,
            "conditions": [{"condition": c, "value": v, "held": h} for c, v, h in self.conditions],
        }


@dataclass(frozen=True)
class RulesetRef:
    name: str
    version: str
    hash: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "hash": self.hash}


@dataclass(frozen=True)
class Result:
    """What staff see and storage keeps: the triage, why, and which rule set decided it."""

    triage: Triage
    flags: tuple[Flag, ...]
    ruleset: RulesetRef
    trace: tuple[RuleTrace, ...] = field(repr=False)

    @property
    def deciding_flag(self) -> Flag | None:
        """The flag that set the triage: flags come most serious first, flag-only ones last; None for the default."""
        return next((flag for flag in self.flags if flag.triage is not None), None)

    def to_dict(self, *, with_trace: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "triage": self.triage.value,
            "flags": [f.to_dict() for f in self.flags],
            "ruleset": self.ruleset.to_dict(),
        }
        if with_trace:
            out["trace"] = [t.to_dict() for t in self.trace]
        return out
