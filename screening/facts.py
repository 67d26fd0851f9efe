"""The facts a rule may test: answer fields plus derived facts, flattened to dotted names.

Rules never see the nested model. They see ``headache.headache_days`` or
``derived.classes_tried``. This module is the one place that knows how a
``Submission`` becomes those facts, and what kind of value each fact holds, so the
loader can check a rule file and the vectorized path can encode columns.
"""

import types
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
import pandas as pd

from screening.answers import PATHWAY_OF, Submission
from screening.catalogue import drug_class, trial_verdict
from screening.choices import Pathway, PreventiveClass, PreventiveOutcome, YesNoUnsure

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


def _by_section() -> tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...]:
    """``ANSWER_FACTS`` grouped by section, each field marked when it holds an option (an enum member)."""
    sections: dict[str, list[tuple[str, str, bool]]] = {}
    for name, section, field_name in ANSWER_FACTS:
        sections.setdefault(section, []).append((name, field_name, FACTS[name].kind == "choice"))
    return tuple((section, tuple(fields)) for section, fields in sections.items())


_SECTIONS = _by_section()
_UNKNOWN = dict.fromkeys(FACTS)
"""Every fact unknown, in ``FACTS`` order: a record starts as a copy, already sized, and keeps that key order."""
_SPECIFIC = itemgetter(*SPECIFIC_KINDS)
_MOH = itemgetter(*MOH_KINDS)
_YES, _UNSURE = YesNoUnsure.yes, YesNoUnsure.not_sure
_YES_VALUE = _YES.value
_PATHWAY = {reason.value: pathway.value for reason, pathway in PATHWAY_OF.items()}


def _preventives(treatments: Any) -> tuple[list[str], int, bool]:
    """[Payer] classes adequately tried, how many would count if unknown durations were adequate,
    and whether a CGRP antibody is on the list as still taken."""
    tried: set[str] = set()
    possible: set[str] = set()
    cgrp_now = False
    for item in treatments.preventives if treatments else ():
        pharm_class = drug_class(item.drug, item.other_class)
        cgrp_now = cgrp_now or (
            pharm_class is PreventiveClass.cgrp_antibody and item.outcome is PreventiveOutcome.still_taking
        )
        counted, counts, _ = trial_verdict(item.drug, item.other_class, item.weeks, item.outcome)
        if counted is not None and counts:
            tried.add(counted)
        elif counted is not None and counts is None:
            possible.add(counted)
    return sorted(tried), len(tried | possible), cgrp_now


def _derived(sub: Submission, values: dict[str, Any]) -> None:
    """Derived facts; reads the plain answer facts already in ``values`` where it can."""
    parts = sub.__dict__
    treatments = parts["treatments"]
    tried, possible, cgrp_now = _preventives(treatments)
    flags = parts["red_flags"].__dict__
    unsure = [name for name, answer in flags.items() if answer is _UNSURE]
    headache = parts["headache"]
    values["derived.pathway"] = _PATHWAY[values["seeking.reason"]]
    values["derived.classes_tried"] = len(tried)
    values["derived.classes_possible"] = possible
    values["derived.classes_tried_names"] = ", ".join(tried) or "none"
    if headache is not None:
        kind_days = headache.__dict__
        values["derived.overuse_simple_days"] = kind_days["days_simple_analgesic"]
        values["derived.overuse_specific_days"] = max(_SPECIFIC(kind_days))
        values["derived.overuse_kinds"] = len(MOH_KINDS) - _MOH(kind_days).count(0)
    else:
        values["derived.overuse_simple_days"] = values["derived.overuse_specific_days"] = None
        values["derived.overuse_kinds"] = None
    values["derived.cgrp_current"] = _YES_VALUE if cgrp_now else values["treatments.current_cgrp"]
    values["derived.red_flags_yes"] = list(flags.values()).count(_YES)
    values["derived.red_flags_unsure"] = len(unsure)
    values["derived.red_flags_unsure_names"] = ", ".join(n.replace("_", " ") for n in unsure) or "none"


def facts_of(sub: Submission) -> dict[str, Any]:
    """Every fact of one submission; a section that does not apply gives unknown (None) values.

    Reads the models' ``__dict__`` directly and options by ``_value_``: this runs once per
    screening and per stored submission in a re-screen, so attribute machinery is avoided.
    """
    values = _UNKNOWN.copy()
    parts = sub.__dict__
    for section_name, fields in _SECTIONS:
        section = parts[section_name]
        if section is None:
            continue
        answers = section.__dict__
        for name, field_name, is_choice in fields:
            value = answers[field_name]
            values[name] = value._value_ if is_choice and value is not None else value
    _derived(sub, values)
    return values


def facts_frame(submissions: list[Submission]) -> pd.DataFrame:
    """Facts of many submissions, one row each, columns in ``FACTS`` order (the batch path's input)."""
    return pd.DataFrame([facts_of(s) for s in submissions], columns=list(FACTS))
