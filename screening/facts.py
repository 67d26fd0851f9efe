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
from pydantic import BaseModel

from screening.answers import PATHWAY_OF, Submission
from screening.catalogue import drug_class, drug_label, trial_verdict
from screening.choices import LABELS, Pathway, PreventiveClass, PreventiveOutcome, VisitKind, YesNoUnsure
from screening.returns.answers import ReturnVisit
from screening.returns.derived import EFFECTS, RETURN_DERIVED, return_values

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


QUESTIONNAIRES: dict[VisitKind, type[BaseModel]] = {VisitKind.first: Submission, VisitKind.return_: ReturnVisit}
"""The answer model of each kind of visit; their facts share one catalogue (a section name means one thing)."""


def _answer_facts() -> dict[str, Fact]:
    """Scalar answers become facts; text, dates, lists and tick-boxes are not for rules."""
    facts: dict[str, Fact] = {}
    sections = {name: info for model in QUESTIONNAIRES.values() for name, info in model.model_fields.items()}
    for section_name, section_field in sections.items():
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
YES_NO = (YesNoUnsure.yes.value, YesNoUnsure.no.value)
RED_FLAG_COUNT = len(Submission.model_fields["red_flags"].annotation.model_fields)  # type: ignore[union-attr]
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
            "derived.classes_with_short_trials",
            "number",
            "Preventive classes tried, counting trials too short to count",
            minimum=0,
            maximum=7,
            derived=True,
        ),
        Fact("derived.short_trials", "text", "Trials too short to count", derived=True),
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
        Fact(
            "derived.overuse_together_days",
            "number",
            "Most days a month the counted kinds may have been taken (gepant or lasmiditan days left out)",
            minimum=0,
            maximum=31,
            derived=True,
        ),
        Fact(
            "derived.acute_kinds_unknown",
            "choice",
            "Acute medicine taken, but which kinds (or their days) not known",
            YES_NO,
            derived=True,
        ),
        Fact("derived.spasticity_limbs", "number", "Limbs affected", minimum=0, maximum=4, derived=True),
        Fact("derived.spasticity_limb_names", "text", "Limbs affected (names)", derived=True),
        Fact("derived.spasticity_goals", "number", "Treatment goals chosen", minimum=0, maximum=6, derived=True),
        Fact("derived.spasticity_goal_names", "text", "Treatment goals (names)", derived=True),
        Fact("derived.cgrp_current", "choice", "Currently on a CGRP antibody", YNU, derived=True),
        Fact(
            "derived.red_flags_yes", "number", "Red-flag answers 'yes'", minimum=0, maximum=RED_FLAG_COUNT, derived=True
        ),
        Fact(
            "derived.red_flags_unsure",
            "number",
            "Red-flag answers 'not sure'",
            minimum=0,
            maximum=RED_FLAG_COUNT,
            derived=True,
        ),
        Fact("derived.red_flags_unsure_names", "text", "Red-flag questions answered 'not sure'", derived=True),
        Fact("derived.visit_kind", "choice", "Kind of visit", tuple(m.value for m in VisitKind), derived=True),
        Fact(
            "derived.response_percent",
            "number",
            "Fewer headache days than at baseline (percent)",
            minimum=-3000,
            maximum=100,
            derived=True,
        ),
        Fact(
            "derived.days_fewer",
            "number",
            "Fewer headache days a month than at baseline",
            minimum=-31,
            maximum=31,
            derived=True,
        ),
        Fact(
            "derived.weeks_since_injection",
            "number",
            "Whole weeks from the last injection to the return visit",
            minimum=0,
            maximum=1400,
            derived=True,
        ),
        Fact(
            "derived.episodic_months",
            "number",
            "Months in a row with fewer than 15 headache days",
            minimum=0,
            maximum=3,
            derived=True,
        ),
        Fact(
            "derived.effects_yes",
            "number",
            "Common effects since the last injection",
            minimum=0,
            maximum=len(EFFECTS),
            derived=True,
        ),
        Fact("derived.effects_names", "text", "Common effects since the last injection (names)", derived=True),
        Fact("derived.spread_names", "text", "Signs of distant spread answered 'yes'", derived=True),
        Fact("derived.spread_unsure_names", "text", "Signs of distant spread answered 'not sure'", derived=True),
    )
}

FACTS: dict[str, Fact] = {**_answer_facts(), **DERIVED}
_RETURN_ONLY_SECTIONS = frozenset(ReturnVisit.model_fields) - frozenset(Submission.model_fields)


def return_only(name: str) -> bool:
    """A fact only a return visit has (unknown on a first screening)."""
    return name.split(".", 1)[0] in _RETURN_ONLY_SECTIONS or name in RETURN_DERIVED


ANSWER_FACTS: tuple[tuple[str, str, str], ...] = tuple(
    (name, *name.split(".", 1))
    for name, fact in FACTS.items()
    if not fact.derived  # type: ignore[misc]
)


def _by_section(model: type[BaseModel]) -> tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...]:
    """``ANSWER_FACTS`` of one questionnaire grouped by section, each field marked when it holds an option."""
    sections: dict[str, list[tuple[str, str, bool]]] = {}
    for name, section, field_name in ANSWER_FACTS:
        if section in model.model_fields:
            sections.setdefault(section, []).append((name, field_name, FACTS[name].kind == "choice"))
    return tuple((section, tuple(fields)) for section, fields in sections.items())


_SECTIONS = _by_section(Submission)
_RETURN_SECTIONS = _by_section(ReturnVisit)
_UNKNOWN = dict.fromkeys(FACTS)
"""Every fact unknown, in ``FACTS`` order: a record starts as a copy, already sized, and keeps that key order."""
_SPECIFIC = itemgetter(*SPECIFIC_KINDS)
_MOH = itemgetter(*MOH_KINDS)
_YES, _NO, _UNSURE = YesNoUnsure.yes, YesNoUnsure.no, YesNoUnsure.not_sure
_YES_VALUE, _NO_VALUE = _YES.value, _NO.value
_PATHWAY = {reason.value: pathway.value for reason, pathway in PATHWAY_OF.items()}


@dataclass
class _Tried:
    """[Payer] step therapy: the classes adequately tried, those that might be, and trials too short to count."""

    tried: set[str] = field(default_factory=set)
    possible: set[str] = field(default_factory=set)
    short: set[str] = field(default_factory=set)
    short_names: list[str] = field(default_factory=list)
    cgrp_now: bool = False


def _preventives(treatments: Any) -> _Tried:
    """A class counts when a drug of it did not help after 8 weeks, caused side effects, or could not be taken;
    a drug still taken counts the same way when the patient says it does not help enough, never when it helps."""
    out = _Tried()
    for item in treatments.preventives if treatments else ():
        pharm_class = drug_class(item.drug, item.other_class)
        still = item.outcome is PreventiveOutcome.still_taking
        out.cgrp_now = out.cgrp_now or (pharm_class is PreventiveClass.cgrp_antibody and still)
        verdict = trial_verdict(item.drug, item.other_class, item.weeks, item.outcome, item.helping)
        if verdict.counted is None:
            continue
        if verdict.counts:
            out.tried.add(verdict.counted)
        elif verdict.counts is None:
            out.possible.add(verdict.counted)
        elif verdict.too_short:
            out.short.add(verdict.counted)
            name = item.other_name if item.other_name else drug_label(item.drug)
            out.short_names.append(f"{name}: {verdict.why}")
    return out


def together_days(acute: int | None, moh: tuple[int | None, ...], gepant: int | None) -> int | None:
    """[ICHD-3 8.2] "several classes together": the days with any medicine, less the days that can only have
    been gepant or lasmiditan days (days the counted kinds' own days cannot cover). Gepants are not counted,
    so they must not make up the 10 days; with no gepant, or any days not known, every acute day may count."""
    if acute is None:
        return None
    if gepant is None or None in moh:
        return acute
    only_gepant = min(gepant, max(0, acute - sum(moh)))  # type: ignore[arg-type]
    return acute - only_gepant


def _kinds(headache: Any, values: dict[str, Any]) -> None:
    """[ICHD-3 8.2] overuse facts; a kind ticked with its days not known is a kind used, of unknown days."""
    kind_days = headache.__dict__
    simple = kind_days["days_simple_analgesic"]
    specific = [days for days in _SPECIFIC(kind_days) if days is not None]
    moh = _MOH(kind_days)
    values["derived.overuse_simple_days"] = simple
    values["derived.overuse_specific_days"] = max(specific, default=0)
    values["derived.overuse_kinds"] = len(MOH_KINDS) - moh.count(0)
    values["derived.overuse_together_days"] = together_days(headache.acute_days, moh, kind_days["days_gepant"])
    takes = (headache.acute_days or 0) > 0
    unnamed = all(days == 0 for days in (*moh, kind_days["days_gepant"]))
    values["derived.acute_kinds_unknown"] = _YES_VALUE if takes and (unnamed or None in moh) else _NO_VALUE


def _spasticity(spasticity: Any, values: dict[str, Any]) -> None:
    if spasticity is None:
        return
    values["derived.spasticity_limbs"] = len(spasticity.limbs)
    values["derived.spasticity_limb_names"] = ", ".join(LABELS[limb] for limb in spasticity.limbs) or "none"
    values["derived.spasticity_goals"] = len(spasticity.goals)
    values["derived.spasticity_goal_names"] = ", ".join(LABELS[goal] for goal in spasticity.goals) or "none"


def _derived(sub: Submission, values: dict[str, Any]) -> None:
    """Derived facts; reads the plain answer facts already in ``values`` where it can."""
    parts = sub.__dict__
    tried = _preventives(parts["treatments"])
    flags = parts["red_flags"].__dict__
    unsure = [name for name, answer in flags.items() if answer is _UNSURE]
    headache = parts["headache"]
    values["derived.pathway"] = _PATHWAY[values["seeking.reason"]]
    values["derived.classes_tried"] = len(tried.tried)
    values["derived.classes_possible"] = len(tried.tried | tried.possible)
    values["derived.classes_tried_names"] = ", ".join(sorted(tried.tried)) or "none"
    values["derived.classes_with_short_trials"] = len(tried.tried | tried.short)
    values["derived.short_trials"] = "; ".join(tried.short_names) or "none"
    if headache is not None:
        _kinds(headache, values)
    _spasticity(parts["spasticity"], values)
    values["derived.cgrp_current"] = _YES_VALUE if tried.cgrp_now else values["treatments.current_cgrp"]
    values["derived.red_flags_yes"] = list(flags.values()).count(_YES)
    values["derived.red_flags_unsure"] = len(unsure)
    values["derived.red_flags_unsure_names"] = ", ".join(n.replace("_", " ") for n in unsure) or "none"


def _answers(sub: BaseModel, sections: Any) -> dict[str, Any]:
    values = _UNKNOWN.copy()
    parts = sub.__dict__
    for section_name, fields in sections:
        section = parts[section_name]
        if section is None:
            continue
        answers = section.__dict__
        for name, field_name, is_choice in fields:
            value = answers[field_name]
            values[name] = value._value_ if is_choice and value is not None else value
    return values


_FIRST, _RETURN = VisitKind.first.value, VisitKind.return_.value


def facts_of(sub: Submission | ReturnVisit) -> dict[str, Any]:
    """Every fact of one submission (a first screening or a return visit); a section that does not apply, and
    every fact of the other kind of visit, gives unknown (None) values.

    Reads the models' ``__dict__`` directly and options by ``_value_``: this runs once per
    screening and per stored submission in a re-screen, so attribute machinery is avoided.
    """
    if isinstance(sub, ReturnVisit):
        values = _answers(sub, _RETURN_SECTIONS)
        values["derived.visit_kind"] = _RETURN
        values["derived.pathway"] = _PATHWAY[values["seeking.reason"]]
        values.update(return_values(sub))
        return values
    values = _answers(sub, _SECTIONS)
    values["derived.visit_kind"] = _FIRST
    _derived(sub, values)
    return values


def facts_frame(submissions: list[Submission | ReturnVisit]) -> pd.DataFrame:
    """Facts of many submissions, one row each, columns in ``FACTS`` order (the batch path's input)."""
    return pd.DataFrame([facts_of(s) for s in submissions], columns=list(FACTS))
