"""The wizard's draft: one plain dict of answers, its steps, what is shown, and checking a step.

No Streamlit here. The draft is the source of truth because Streamlit forgets a
widget's value when the widget is not drawn (a step left behind, a question hidden
by branching). Its shape is the ``Submission`` shape (section -> field -> value,
JSON-safe), so the same dict is validated, saved as a resumable draft and submitted.
A returning patient's draft has the ``ReturnVisit`` shape instead (it holds the ``linked``
section from the start) and walks the return steps; everything else works the same way.

A field missing from its section means "not answered yet"; a numeric field present
with ``None`` means the patient ticked "Not sure".
"""

import re
from dataclasses import dataclass
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from screening import answers as first_answers
from screening.answers import PreventiveTried, Submission, field_errors
from screening.branching import (
    ACUTE_KINDS,
    ACUTE_SECTIONS,
    SECTION_PATHWAYS,
    FieldPath,
    asked,
    pathway_of,
    section_asked,
)
from screening.choices import Pathway
from screening.i18n import ENGLISH, N_, translate
from screening.returns.answers import ReturnVisit, is_return

Draft = dict[str, Any]


def section_model(section: str) -> type[BaseModel]:
    """A section of either questionnaire (their section names are shared only where the section is the same)."""
    return first_answers.section_model(section, Submission if section in Submission.model_fields else ReturnVisit)


def questionnaire(draft: Draft) -> type[Submission] | type[ReturnVisit]:
    return ReturnVisit if is_return(draft) else Submission


def fields_of(section: str, *, without: tuple[str, ...] = ()) -> tuple[FieldPath, ...]:
    return tuple((section, name) for name in section_model(section).model_fields if name not in without)


def answer(draft: Draft, section: str, field: str) -> Any:
    return draft.get(section, {}).get(field)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    fields: tuple[FieldPath, ...] = ()
    pathway: Pathway | None = None
    intro: str = ""
    """A line or two above the questions, saying in plain words what this step is for."""

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(section for section, _ in self.fields))


def _pathway_step(section: str, title: str, intro: str = "") -> Step:
    return Step(section, title, fields_of(section), SECTION_PATHWAYS[section], intro)


WELCOME = Step("welcome", N_("Welcome"), (("contact", "privacy_ack"),))
REVIEW = Step("review", N_("Check your answers"))
STEPS: tuple[Step, ...] = (
    WELCOME,
    Step("seeking", N_("What you would like help with"), fields_of("seeking")),
    Step(
        "red_flags",
        N_("Warning signs"),
        fields_of("red_flags"),
        intro=N_(
            "These questions look for signs that need a doctor quickly. "
            "If you answer Yes to one, we tell you straight away what to do."
        ),
    ),
    Step("about", N_("About you"), fields_of("about", without=("age",))),
    _pathway_step(
        "headache",
        N_("Your headaches"),
        N_("A best guess is fine. If you cannot guess a number, tick Not sure."),
    ),
    _pathway_step("treatments", N_("Medicines you have tried")),
    _pathway_step("dystonia", N_("Your neck symptoms")),
    _pathway_step("spasticity", N_("Your muscle stiffness")),
    _pathway_step("facial_pain", N_("Your face or jaw pain")),
    Step("toxin", N_("Earlier injections"), fields_of("toxin")),
    Step(
        "safety",
        N_("Your safety"),
        fields_of("safety"),
        intro=N_("These questions help the doctor check that the injections are safe for you."),
    ),
    Step("contact", N_("How we contact you"), fields_of("contact", without=("privacy_ack",))),
    REVIEW,
)
RETURN_STEPS: tuple[Step, ...] = (
    Step(
        "spread",
        N_("Since your last injection"),
        fields_of("spread"),
        intro=N_(
            "Rarely, the medicine can spread beyond where it was injected, hours or weeks later. "
            "If you answer Yes to one of these, we tell you straight away what to do."
        ),
    ),
    Step("course", N_("Your treatment so far"), fields_of("course")),
    _pathway_step(
        "migraine_now",
        N_("Your headaches now"),
        N_("A headache diary helps. A best guess is fine; if you cannot guess a number, tick Not sure."),
    ),
    _pathway_step("dystonia_now", N_("Your neck now")),
    _pathway_step("spasticity_now", N_("Your muscle stiffness now")),
    Step(
        "effects",
        N_("Effects since your last injection"),
        fields_of("effects"),
        intro=N_("Since your last injection, have you had any of these?"),
    ),
    Step("plans", N_("Your next treatment"), fields_of("plans")),
    REVIEW,
)
"""A returning patient's steps, after linking to their record on the welcome page."""
STEP_BY_KEY = {step.key: step for step in (*STEPS, *RETURN_STEPS)}


def steps_for(draft: Draft) -> list[Step]:
    """The steps this patient walks: only their own pathway's questions (none when not sure yet)."""
    pathway = pathway_of(draft)
    steps = RETURN_STEPS if is_return(draft) else STEPS
    return [step for step in steps if step.pathway is None or step.pathway == pathway]


PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Getting started"), ("welcome", "seeking")),
    (N_("Your health"), ("red_flags", "about", "headache", "treatments", "dystonia", "spasticity", "facial_pain")),
    (N_("Treatment and safety"), ("toxin", "safety")),
    (N_("Contact and check"), ("contact", "review")),
)
"""Named parts every pathway has, so the progress line never changes its total when the pathway is chosen."""
LONGEST_PATH = max(len([s for s in STEPS if s.pathway in (None, p)]) for p in {s.pathway for s in STEPS})
RETURN_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Safety first"), ("spread",)),
    (N_("How it is going"), ("course", "migraine_now", "dystonia_now", "spasticity_now", "effects")),
    (N_("Check and send"), ("plans", "review")),
)
"""A return visit's parts: its pathway is known from the start, so its total is exact."""


@dataclass(frozen=True)
class Progress:
    part: int
    parts: int
    name: str
    done: float
    """Share of the way, 0..1: counted against the longest pathway until this patient's is known, so it
    only ever grows as the patient moves on (a shorter pathway puts the same step further along)."""

    @property
    def text(self) -> str:
        return N_("Part {part} of {parts}: {name}").format(part=self.part, parts=self.parts, name=self.name)


def progress(draft: Draft, step: Step) -> Progress:
    steps = steps_for(draft)
    total = len(steps) if pathway_of(draft) else LONGEST_PATH
    parts = RETURN_PARTS if is_return(draft) else PARTS
    part = next(number for number, (_, keys) in enumerate(parts, 1) if step.key in keys)
    return Progress(part, len(parts), parts[part - 1][0], (steps.index(step) + 1) / total)


def next_step(draft: Draft, step: Step, *, back_to_review: bool) -> Step:
    """Where Next leads: the following step, or after a "Change" from the review, straight back to it,
    unless the change opened questions not answered yet (a new pathway's steps), which come first."""
    steps = steps_for(draft)
    later = steps[steps.index(step) + 1 :]
    if not back_to_review:
        return later[0]
    return next((each for each in later if each is not REVIEW and check_step(draft, each)), REVIEW)


# --- what is shown -------------------------------------------------------------------------------
# The branching rule lives in the core (screening/branching.py), shared with the FHIR Questionnaire;
# tests/test_wizard_draft.py checks that a question is on screen exactly when the model keeps its answer.


def kinds_path(section: str) -> str:
    """Not a model field: the patient ticks the kinds they take, and only those get a day count box."""
    return f"{section}.acute_kinds"


KINDS_PATH = kinds_path("headache")
KINDS_QUESTION = N_("Which medicines do you take for a headache attack?")
NONE_OF_THESE = N_("None of these")
KIND_NAMES: dict[str, tuple[str, str]] = {
    "days_simple_analgesic": (
        N_("Simple painkillers"),
        N_("acetaminophen (Tylenol), ibuprofen (Advil, Motrin), aspirin, naproxen (Aleve)"),
    ),
    "days_triptan": (N_("Triptans"), N_("sumatriptan (Imitrex), rizatriptan (Maxalt) and others")),
    "days_combination": (
        N_("Combination pills"),
        N_("a painkiller with caffeine, codeine or butalbital in one tablet (Excedrin, Fioricet)"),
    ),
    "days_opioid": (N_("Opioids"), N_("codeine, tramadol, hydrocodone, oxycodone")),
    "days_ergot": (N_("Ergots"), N_("ergotamine (Cafergot), dihydroergotamine (DHE, Migranal)")),
    "days_gepant": (
        N_("Gepants for an attack"),
        N_("ubrogepant (Ubrelvy), rimegepant (Nurtec), zavegepant (Zavzpret)"),
    ),
}
"""Each kind's plain name, and the medicines (with the brand names on the box) a patient knows it by."""


def kind_label(kind: str, language: str = ENGLISH) -> str:
    name, examples = KIND_NAMES[kind]
    return f"{translate(name, language)}: {translate(examples, language)}"


def acute_kinds(headache: dict[str, Any]) -> list[str] | None:
    """The kinds ticked, read back from the draft; ``[]`` is "None of these", ``None`` not answered yet.

    An unticked kind holds 0, the model's default; a ticked one holds its day count, ``None`` for
    "Not sure", or nothing until a number is typed (so it is ticked when another kind is unticked).
    """
    if not any(kind in headache for kind in ACUTE_KINDS):
        return None
    return [kind for kind in ACUTE_KINDS if headache.get(kind, "") != 0]


def tick_kinds(headache: dict[str, Any], ticked: list[str] | None) -> None:
    """Write the ticks back: a ticked kind keeps its count (or waits for one), the others are 0."""
    for kind in ACUTE_KINDS:
        if ticked is None or (kind in ticked and headache.get(kind) == 0):
            headache.pop(kind, None)
        elif kind not in ticked:
            headache[kind] = 0


def shown(draft: Draft, path: FieldPath) -> bool:
    """Asked now: the core's branching rule (``screening.branching``), read on the question's own section."""
    return asked(draft.get(path[0]) or {}, path, draft)


def prune(draft: Draft) -> list[str]:
    """Clear every answer whose question is hidden now; returns their dotted paths (to forget their widgets)."""
    removed: list[str] = []
    for section in SECTION_PATHWAYS:
        if section in draft and not section_asked(draft, section):
            removed += [f"{section}.{name}" for name in draft.pop(section)]
    for section, answers in draft.items():
        for field in [field for field in answers if not shown(draft, (section, field))]:
            del answers[field]
            removed.append(f"{section}.{field}")
    for index, item in enumerate(answer(draft, "treatments", "preventives") or []):
        for name in [name for name in item if not asked(item, ("treatments.preventives", name))]:
            del item[name]
            removed.append(f"treatments.preventives.{index}.{name}")
    return removed


def preventive_fields(item: dict[str, Any], *, every: bool = False) -> tuple[str, ...]:
    """The questions asked about one preventive medicine after its name (``every``: all that exist)."""
    return tuple(
        name
        for name in PreventiveTried.model_fields
        if name != "drug" and (every or asked(item, ("treatments.preventives", name)))
    )


# --- checking ------------------------------------------------------------------------------------

Errors = dict[str, str]
"""Dotted path (``headache.migraine_days``, ``treatments.preventives.0.drug``) -> plain message."""

_PLAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (r"^Field required", N_("Please answer this question.")),
        (r"^Input should be a valid date", N_("Please enter the date.")),
        (r"^Input should be a valid (integer|number)", N_("Please enter a number.")),
        (r"^Input should be less than or equal to (?P<limit>\S+)", N_("Please enter a number no bigger than {limit}.")),
        (r"^Input should be greater than or equal to (?P<limit>\S+)", N_("Please enter a number of at least {limit}.")),
        (r"^Input should be", N_("Please choose one of the options.")),
        (r"^List should have at least", N_("Please choose at least one.")),
        (r"^List should have at most (?P<limit>\d+)", N_("Please choose no more than {limit}.")),
        (r"^String should have at least", N_("Please fill this in.")),
        (r"^Value should have at least", N_("Please fill this in.")),
        (r"^String should have at most (?P<limit>\d+)", N_("Please keep this to {limit} characters or fewer.")),
        (r"^Value should have at most (?P<limit>\d+)", N_("Please keep this to {limit} characters or fewer.")),
        (r"^String should match pattern", N_("Please check this: use digits, spaces and + ( ) - only.")),
        (r"^value is not a valid email address", N_("Please check the email address.")),
    )
)
NUMBER_OR_UNSURE = N_("Please enter a number, or tick Not sure.")
READ_PRIVACY = N_("Please tick this box to say you have read how your answers are kept, then press Start.")
"""On the welcome page nothing has been answered yet, so the model's "to send your answers" would puzzle."""
ANSWER = N_("Please answer this question (Not sure is fine).")
TICK_KINDS = N_("Please tick the medicines you take, or tick None of these.")


def plain(message: str) -> str:
    """The model's own messages are plain already; pydantic's generic ones are reworded (as templates with
    named fields, so the patient's language can word them too: see ``screening.i18n``)."""
    for pattern, text in _PLAIN:
        found = pattern.match(message)
        if found:
            return text.format(**found.groupdict())
    return message


def optional_number(info: FieldInfo) -> bool:
    """Numbers a patient may not know: optional in the model, so ``None`` (Not sure) is a valid answer."""
    args = get_args(info.annotation)
    is_optional = get_origin(info.annotation) in (Union, UnionType) and type(None) in args
    return is_optional and any(arg in (int, float) for arg in args)


def _unanswered(draft: Draft, step: Step) -> Errors:
    """What the model cannot tell apart from an answer: empty numbers (None is Not sure), no medicine ticked."""
    untouched_kinds = {
        kinds_path(section): TICK_KINDS
        for section in ACUTE_SECTIONS
        if (section, ACUTE_KINDS[0]) in step.fields
        and shown(draft, (section, ACUTE_KINDS[0]))
        and acute_kinds(draft.get(section, {})) is None
    }
    return (
        untouched_kinds
        | {
            f"{section}.{field}": NUMBER_OR_UNSURE
            for section, field in step.fields
            if optional_number(section_model(section).model_fields[field])
            and shown(draft, (section, field))
            and field not in draft.get(section, {})
            and not (field in ACUTE_KINDS and acute_kinds(draft.get(section, {})) is None)
        }
        | {
            f"red_flags.{field}": ANSWER
            for section, field in step.fields
            if section == "red_flags" and shown(draft, (section, field)) and field not in draft.get(section, {})
        }
        | {
            f"treatments.preventives.{index}.weeks": NUMBER_OR_UNSURE
            for index, item in enumerate(answer(draft, "treatments", "preventives") or [])
            if ("treatments", "preventives") in step.fields and "weeks" not in item
        }
    )


def _model_errors(model: type[BaseModel], data: Any, prefix: str = "") -> Errors:
    try:
        model.model_validate(data)
    except ValidationError as err:
        return {prefix + e["field"]: plain(e["message"]) for e in field_errors(err)}
    return {}


def check_step(draft: Draft, step: Step) -> Errors:
    """The step's own questions, checked by their section models; errors on other steps' fields wait."""
    asked = {f"{section}.{field}" for section, field in step.fields}
    errors: Errors = {}
    for section in step.sections:
        found = _model_errors(section_model(section), draft.get(section, {}), f"{section}.")
        errors |= {path: message for path, message in found.items() if ".".join(path.split(".")[:2]) in asked}
    if step is WELCOME:
        errors = dict.fromkeys(errors, READ_PRIVACY)
    return _unanswered(draft, step) | errors


def check_all(draft: Draft) -> tuple[Submission | ReturnVisit | None, Errors]:
    """The whole draft as a ``Submission`` (or a ``ReturnVisit``), or every error (with each step's unanswered
    numbers)."""
    errors: Errors = {}
    for step in steps_for(draft):
        errors |= _unanswered(draft, step)
    model = questionnaire(draft)
    errors |= _model_errors(model, draft)
    if errors:
        return None, errors
    return model.model_validate(draft), {}


def step_of(path: str, steps: list[Step]) -> Step:
    """The step that asks the question an error is about (a section-wide error goes to its first step)."""
    parts = path.split(".")
    for step in steps:
        if tuple(parts[:2]) in step.fields:
            return step
    return next((step for step in steps if parts[0] in step.sections), REVIEW)


def question_name(path: str) -> str:
    """The question an error is about, as the page titles it ("Medicine 2: ..." for one of the medicines tried);
    an error about a whole part is named by its step."""
    section, *rest = path.split(".")
    if rest == ["acute_kinds"]:
        return KINDS_QUESTION
    if rest[:1] == ["preventives"] and len(rest) == 3 and rest[1].isdigit():
        title = PreventiveTried.model_fields[rest[2]].title
        return N_("Medicine {number}: {question}").format(number=int(rest[1]) + 1, question=title)
    known = section in Submission.model_fields or section in ReturnVisit.model_fields
    fields = section_model(section).model_fields if known else {}
    if rest and rest[0] in fields:
        return fields[rest[0]].title or rest[0]
    return next((step.title for step in STEP_BY_KEY.values() if section in step.sections), path)
