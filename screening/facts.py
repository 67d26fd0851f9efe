"""The facts a rule may test: answer fields plus derived facts, flattened to dotted names.

Rules never see the nested model. They see ``headache.headache_days`` or
``derived.classes_tried``. This module is the one place that knows how a
``Submission`` becomes those facts, and what kind of value each fact holds, so the
loader can check a rule file and the vectorized path can encode columns.
"""

import types
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
import pandas as pd

from screening.answers import Submission
from screening.catalogue import ADEQUATE_TRIAL_WEEKS, COUNTED_CLASS, drug_class
from screening.choices import Pathway, PreventiveOutcome, YesNoUnsure

FactKind = Literal["number", "choice", "text"]
UNSURE = YesNoUnsure.not_sure.value


@dataclass(frozen=True)
class Fact:
    """What the loader needs to check a comparison: the kind of value, its options or bounds."""

    name: str
    kind: FactKind
    label: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    derived: bool = field(default=False, compare=False)


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None]:
    low = next((m.ge for m in metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((m.le for m in metadata if isinstance(m, annotated_types.Le)), None)
    return low, high


def _answer_facts() -> dict[str, Fact]:
    """Scalar answers become facts; text, dates, lists and tick-boxes are not for rules."""
    facts: dict[str, Fact] = {}
    for section_name, section_field in Submission.model_fields.items():
        section = _unwrap_optional(section_field.annotation)
        for name, info in section.model_fields.items():
            annotation = _unwrap_optional(info.annotation)
            fact_name = f"{section_name}.{name}"
            label = info.title or name
            if isinstance(annotation, type) and issubclass(annotation, StrEnum):
                facts[fact_name] = Fact(fact_name, "choice", label, tuple(m.value for m in annotation))
            elif annotation in (int, float):
                low, high = _bounds(info.metadata)
                facts[fact_name] = Fact(fact_name, "number", label, minimum=low, maximum=high)
    return facts


MOH_KINDS = ("days_simple_analgesic", "days_triptan", "days_combination", "days_opioid", "days_ergot")
"""[ICHD-3 8.2]: the acute medicines whose overuse counts; gepants are not among them."""
SPECIFIC_KINDS = ("days_triptan", "days_combination", "days_opioid", "days_ergot")
"""[ICHD-3 8.2]: overused from 10 days a month, unlike simple analgesics (15)."""

YNU = tuple(m.value for m in YesNoUnsure)
DERIVED: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact("derived.pathway", "choice", "Pathway", tuple(m.value for m in Pathway), derived=True),
        Fact(
            "derived.classes_tried", "number", "Preventive classes adequately tried", minimum=0, maximum=7, derived=True
        ),
        Fact(
            "derived.classes_possible",
            "number",
            "Preventive classes tried, counting trials of unknown length",
            minimum=0,
            maximum=7,
            derived=True,
        ),
        Fact("derived.classes_tried_names", "text", "Classes adequately tried", derived=True),
        Fact(
            "derived.overuse_simple_days", "number", "Days with simple analgesics", minimum=0, maximum=31, derived=True
        ),
        Fact(
            "derived.overuse_specific_days",
            "number",
            "Most days with one triptan, ergot, opioid or combination",
            minimum=0,
            maximum=31,
            derived=True,
        ),
        Fact("derived.overuse_kinds", "number", "Kinds of acute medicine used", minimum=0, maximum=5, derived=True),
        Fact("derived.cgrp_current", "choice", "Currently on a CGRP antibody", YNU, derived=True),
        Fact("derived.red_flags_yes", "number", "Red-flag answers 'yes'", minimum=0, maximum=9, derived=True),
        Fact("derived.red_flags_unsure", "number", "Red-flag answers 'not sure'", minimum=0, maximum=9, derived=True),
        Fact("derived.red_flags_unsure_names", "text", "Red-flag questions answered 'not sure'", derived=True),
    )
}

FACTS: dict[str, Fact] = {**_answer_facts(), **DERIVED}
ANSWER_FACTS: tuple[tuple[str, str, str], ...] = tuple(
    (name, *name.split(".", 1))
    for name, fact in FACTS.items()
    if not fact.derived  # type: ignore[misc]
)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _classes(sub: Submission) -> tuple[list[str], int]:
    """[Payer] classes adequately tried, and how many more would count if unknown durations were adequate."""
    tried: set[str] = set()
    possible: set[str] = set()
    for item in sub.treatments.preventives if sub.treatments else ():
        counted = COUNTED_CLASS[drug_class(item.drug, item.other_class)]
        if counted is None:
            continue
        if item.outcome in (PreventiveOutcome.side_effects, PreventiveOutcome.could_not_take):
            tried.add(counted)
        elif item.outcome == PreventiveOutcome.did_not_help:
            if item.weeks is not None and item.weeks >= ADEQUATE_TRIAL_WEEKS:
                tried.add(counted)
            elif item.weeks is None:
                possible.add(counted)
    return sorted(tried), len(tried | possible)


def _cgrp_current(sub: Submission) -> str | None:
    if sub.treatments is None:
        return None
    on_list = any(
        drug_class(p.drug, p.other_class).value == "cgrp_antibody" and p.outcome == PreventiveOutcome.still_taking
        for p in sub.treatments.preventives
    )
    return YesNoUnsure.yes.value if on_list else sub.treatments.current_cgrp.value


def _derived(sub: Submission) -> dict[str, Any]:
    tried, possible = _classes(sub)
    flags = sub.red_flags
    unsure = [name for name in type(flags).model_fields if getattr(flags, name) == YesNoUnsure.not_sure]
    headache = sub.headache
    return {
        "derived.pathway": sub.pathway.value,
        "derived.classes_tried": len(tried),
        "derived.classes_possible": possible,
        "derived.classes_tried_names": ", ".join(tried) or "none",
        "derived.overuse_simple_days": headache.days_simple_analgesic if headache else None,
        "derived.overuse_specific_days": max(getattr(headache, k) for k in SPECIFIC_KINDS) if headache else None,
        "derived.overuse_kinds": sum(getattr(headache, k) > 0 for k in MOH_KINDS) if headache else None,
        "derived.cgrp_current": _cgrp_current(sub),
        "derived.red_flags_yes": sum(getattr(flags, n) == YesNoUnsure.yes for n in type(flags).model_fields),
        "derived.red_flags_unsure": len(unsure),
        "derived.red_flags_unsure_names": ", ".join(unsure) or "none",
    }


def facts_of(sub: Submission) -> dict[str, Any]:
    """Every fact of one submission; a section that does not apply gives unknown (None) values."""
    values: dict[str, Any] = {}
    for name, section_name, field_name in ANSWER_FACTS:
        section = getattr(sub, section_name)
        values[name] = None if section is None else _plain(getattr(section, field_name))
    values.update(_derived(sub))
    return values


def facts_frame(submissions: list[Submission]) -> pd.DataFrame:
    """Facts of many submissions, one row each, columns in ``FACTS`` order (the batch path's input)."""
    return pd.DataFrame([facts_of(s) for s in submissions], columns=list(FACTS))
