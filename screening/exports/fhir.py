"""FHIR R5: a Questionnaire generated from each answer model, a QuestionnaireResponse per submission, the result.

Nothing here is a second copy of the questions. Each Questionnaire (a ``Form``: the first
screening's ``Submission``, a return visit's ``ReturnVisit``) is walked out of its model:
every field's title, "why we ask" line, unit, bounds, closed options and whether it must
be answered come from the model, and ``enableWhen`` from the core's branching rule
(``screening.branching``), so a form filler hides exactly what the wizard hides. Each has
its own ``url``; its ``version`` is a hash of its own content: it changes when, and only
when, one of its questions does.

Reading a QuestionnaireResponse back (``read_response``) gives the same answers dict a
JSON file would, so the model's own validation gives the same field errors.

The screening result travels as an ``Observation`` (see the README for why not a
``RiskAssessment``): the triage as its value, one component per flag with its reason and
source, the rule set's name, version and hash as its method, derived from the response.
"""

import hashlib
import json
import re
import types
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from screening.answers import Submission, field_errors, section_model
from screening.branching import (
    NOT_ASKED,
    RETURN_NOT_ASKED,
    SECTION_PATHWAYS,
    AskedWhen,
    FieldPath,
    asked,
    reasons_for,
    rules_for,
    section_asked,
)
from screening.catalogue import DRUG_CHOICES
from screening.choices import label
from screening.i18n import N_, SPANISH, translate
from screening.returns.answers import ReturnVisit, is_return
from screening.triage import TRIAGE_LABELS, Triage

BASE = "https://fhir.botox-prescreening.example"
"""Canonical base of what this app defines (questionnaire, code systems); a clinic may publish under its own."""
REFERENCE_SYSTEM = f"{BASE}/submission-reference"
TRIAGE_SYSTEM = f"{BASE}/CodeSystem/triage"
FLAG_SYSTEM = f"{BASE}/CodeSystem/rule"
RESULT_SYSTEM = f"{BASE}/CodeSystem/result"
RESULT_CODE = ("triage", "Botox pre-screening triage")
"""The Observation's code as a coding: a receiving system finds the results by ``code=system|triage``."""
SURVEY = {"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey", "display": "Survey"}
"""FHIR's category for an observation made from a questionnaire's answers."""
DRUG_SYSTEM = f"{BASE}/CodeSystem/preventive-drug"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
HIDDEN = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"
SHOWN_NEVER = {"url": HIDDEN, "valueBoolean": True}
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
UNKNOWN = {"url": DATA_ABSENT, "valueCode": "asked-unknown"}
"""On an answerless item: asked, and the answer was "Not sure" (where no answer would mean the model's default)."""
UNSURE_HINT = N_("Leave it empty if you are not sure.")
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
TRANSLATED = (SPANISH,)
"""The languages the Questionnaire carries besides English, each text in FHIR's translation extension."""
PREVENTIVES = "treatments.preventives"
CLOSED_CHOICES: dict[tuple[str, str], tuple[str, dict[str, str]]] = {(PREVENTIVES, "drug"): (DRUG_SYSTEM, DRUG_CHOICES)}
"""Closed lists that are not an option enum in the model (a validator keeps them closed): system, key -> label."""

FHIR_TYPES: dict[type, str] = {bool: "boolean", int: "integer", float: "decimal", date: "date", str: "string"}
VALUE_KEYS = {"boolean": "valueBoolean", "integer": "valueInteger", "decimal": "valueDecimal", "date": "valueDate"}


# --- reading the model -----------------------------------------------------------------------------


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The field's base type and whether it is a list (``X | None``, ``Annotated[X, ...]`` and ``list[X]`` peeled)."""
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is list:
        inner, _ = _unwrap(get_args(annotation)[0])
        return inner, True
    return annotation, False


def _constraint(info: FieldInfo, name: str) -> Any:
    found = [getattr(m, name) for m in info.metadata if getattr(m, name, None) is not None]
    for arg in get_args(info.annotation):  # ``Phone | None``: the constraints sit inside the Annotated member
        found += [getattr(m, name) for m in getattr(arg, "__metadata__", ()) if getattr(m, name, None) is not None]
    return found[0] if found else None


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def section_title(model: type[BaseModel]) -> str:
    """ "HeadachePattern" -> "Headache pattern": the model's own name in words."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).split()
    return " ".join([words[0], *(w.lower() for w in words[1:])])


# --- the two questionnaires ------------------------------------------------------------------------


def _first_samples() -> list[dict[str, Any]]:
    """Complete first screenings on every pathway, with only what the form asks (a date of birth, not an age)."""
    from screening.synthetic import synthetic_answer_dicts  # only for the first Questionnaire of a process

    samples = list(synthetic_answer_dicts(240, seed=8))
    for answers in samples:
        age = answers["about"].pop("age", None)
        if age is not None:
            born = date.today().replace(year=date.today().year - age - 1, month=1, day=1)
            answers["about"]["date_of_birth"] = born.isoformat()
    return samples


def _return_samples() -> list[dict[str, Any]]:
    """Complete return visits on every pathway."""
    from screening.returns.synthetic import synthetic_return_answers  # only when the return Questionnaire is built
    from screening.synthetic import RandomPicker

    pick = RandomPicker(8)
    return [synthetic_return_answers(pick) for _ in range(240)]


@dataclass(frozen=True, eq=False)
class Form:
    """One questionnaire of the app as FHIR publishes it: its answer model, its canonical name and title, the
    answers it carries but never shows, and where complete answers to probe the model with come from."""

    key: str
    name: str
    title: str
    noun: str
    model: type[BaseModel]
    not_asked: frozenset[FieldPath]
    samples: Callable[[], list[dict[str, Any]]]

    @property
    def url(self) -> str:
        return f"{BASE}/Questionnaire/{self.key}"

    @property
    def branching(self) -> dict[FieldPath, AskedWhen]:
        return rules_for(self.model.model_fields)


TITLE = N_("Pre-screening for a Botox consultation")
RETURN_TITLE = N_("Your return visit after Botox treatment")
FIRST = Form("botox-prescreening", "BotoxPrescreening", TITLE, "pre-screening", Submission, NOT_ASKED, _first_samples)
RETURN = Form(
    "botox-return-visit",
    "BotoxReturnVisit",
    RETURN_TITLE,
    "return-visit",
    ReturnVisit,
    RETURN_NOT_ASKED,
    _return_samples,
)
FORMS = {form.url: form for form in (FIRST, RETURN)}
QUESTIONNAIRE_URL = FIRST.url
RETURN_QUESTIONNAIRE_URL = RETURN.url


def form_of(answers: Mapping[str, Any]) -> Form:
    """The questionnaire stored answers were given to (a return visit's hold its ``linked`` section)."""
    return RETURN if is_return(dict(answers)) else FIRST


@cache
def scope_models(form: Form) -> dict[str, type[BaseModel]]:
    """Every scope a question lives in, with its model: each section, and each list of items (one preventive)."""
    found: dict[str, type[BaseModel]] = {}
    for section in form.model.model_fields:
        found[section] = section_model(section, form.model)
        for name, info in found[section].model_fields.items():
            kind, _ = _unwrap(info.annotation)
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                found[f"{section}.{name}"] = kind
    return found


# --- which questions must be answered: asked of the model itself ----------------------------------


def _probe_samples(form: Form) -> list[dict[str, Any]]:
    """The form's complete answers that its model takes as they are."""
    samples = []
    for answers in form.samples():
        try:
            form.model.model_validate(answers)
        except ValidationError:
            continue
        samples.append(answers)
    return samples


def _scopes(answers: dict[str, Any], scope: str) -> Iterator[tuple[dict[str, Any], str]]:
    """The dicts a field of ``scope`` lives in (a section, or each item of a list), with their error prefix."""
    section, _, listed = scope.partition(".")
    part = answers.get(section)
    if not isinstance(part, dict) or not section_asked(answers, section):
        return
    if listed:
        yield from ((item, f"{scope}.{i}.") for i, item in enumerate(part.get(listed) or []))
    else:
        yield part, f"{scope}."


@cache
def required_when_asked(form: Form = FIRST) -> frozenset[tuple[str, str]]:
    """Fields with a default that the model still refuses to miss whenever they are asked (date of birth,
    "which one?"...). Found by removing each from complete answers and validating: the model decides."""
    samples = _probe_samples(form)
    required: set[tuple[str, str]] = set()
    for scope, model in scope_models(form).items():
        for name, info in model.model_fields.items():
            if info.is_required() or (scope, name) in form.not_asked:
                continue
            if _always_refused(form, samples, scope, name):
                required.add((scope, name))
    return frozenset(required)


def _always_refused(form: Form, samples: list[dict[str, Any]], scope: str, name: str) -> bool:
    tried = False
    for answers in samples:
        for holder, prefix in list(_scopes(answers, scope)):
            if name not in holder or not asked(holder, (scope, name), answers):
                continue
            tried = True
            value = holder.pop(name)
            try:
                form.model.model_validate(answers)
                return False
            except ValidationError as err:
                if not any(e["field"].startswith(prefix + name) for e in field_errors(err)):
                    return False
            finally:
                holder[name] = value
    return tried


# --- the Questionnaire -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """What reading a response needs to know of one question."""

    scope: str
    field: str
    fhir_type: str
    repeats: bool


def _coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


def _bare(coding: Mapping[str, Any]) -> dict[str, Any]:
    """An option's coding as an answer or condition carries it: the code and its English words only."""
    return {key: value for key, value in coding.items() if not key.startswith("_")}


def _enum_system(kind: type[StrEnum]) -> str:
    return f"{BASE}/CodeSystem/{_kebab(kind.__name__)}"


def _options(scope: str, name: str, kind: Any) -> list[dict[str, Any]] | None:
    if (scope, name) in CLOSED_CHOICES:
        system, choices = CLOSED_CHOICES[(scope, name)]
        return [{"valueCoding": _texts(_coding(system, key, text), "display", text)} for key, text in choices.items()]
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return [
            {"valueCoding": _texts(_coding(_enum_system(kind), m.value, label(m.value)), "display", label(m.value))}
            for m in kind
        ]
    return None


def _answer_value(item: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """One answer's ``value[x]`` for a question of our Questionnaire (a coding as its option says it)."""
    if item["type"] == "coding":
        options = [_bare(option["valueCoding"]) for option in item["answerOption"]]
        return {"valueCoding": next((o for o in options if o["code"] == value), {"code": str(value)})}
    if item["type"] == "decimal":
        return {"valueDecimal": float(value)}
    return {VALUE_KEYS.get(item["type"], "valueString"): value}


def _enable_when(form: Form, scope: str, name: str) -> dict[str, Any]:
    rule = form.branching.get((scope, name))
    if rule is None:
        return {}
    home = rule.section or scope
    source = f"{home}.{rule.on}"
    fhir_type = _type_of(home, rule.on, scope_models(form)[home].model_fields[rule.on])[0]
    values = (rule.unless,) if rule.unless is not None else rule.values
    operator = "!=" if rule.unless is not None else "="
    conditions = [
        {"question": source, "operator": operator, **_condition_answer(home, rule.on, fhir_type, value)}
        for value in values
    ]
    return {"enableWhen": conditions, **({"enableBehavior": "any"} if len(conditions) > 1 else {})}


def _condition_answer(scope: str, name: str, fhir_type: str, value: Any) -> dict[str, Any]:
    if fhir_type == "coding":
        options = _options(scope, name, type(value)) or []
        coding = next(o["valueCoding"] for o in options if o["valueCoding"]["code"] == str(value))
        return {"answerCoding": _bare(coding)}
    key = VALUE_KEYS.get(fhir_type, "valueString").replace("value", "answer")
    return {key: value}


def _type_of(scope: str, name: str, info: FieldInfo) -> tuple[str, Any, bool]:
    kind, many = _unwrap(info.annotation)
    if _options(scope, name, kind) is not None:
        return "coding", kind, many
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return "group", kind, many
    return FHIR_TYPES.get(kind, "string"), kind, many


def _bounds(info: FieldInfo, fhir_type: str) -> list[dict[str, Any]]:
    key = VALUE_KEYS[fhir_type]
    out = []
    for url, kind, attribute in ((MIN_VALUE, annotated_types.Ge, "ge"), (MAX_VALUE, annotated_types.Le, "le")):
        bound = next((getattr(m, attribute) for m in info.metadata if isinstance(m, kind)), None)
        if bound is not None:
            out.append({"url": url, key: float(bound) if fhir_type == "decimal" else int(bound)})
    return out


def _translations(*parts: str) -> dict[str, Any]:
    """A text's translations, as the primitive extension of its element (``_text``, ``_display``, ``_title``):
    each language's words for every part (a "why we ask" line and its hint are translated one by one)."""
    found = [
        {
            "url": TRANSLATION,
            "extension": [
                {"url": "lang", "valueCode": language},
                {"url": "content", "valueString": " ".join(translate(part, language) for part in parts)},
            ],
        }
        for language in TRANSLATED
    ]
    return {"extension": found}


def _texts(element: dict[str, Any], key: str, *parts: str) -> dict[str, Any]:
    """``element[key]`` in English, and ``element["_" + key]`` with its translations."""
    element[key] = " ".join(parts)
    element["_" + key] = _translations(*parts)
    return element


def _help(link_id: str, *why: str) -> dict[str, Any]:
    control = {"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help", "display": "Help-Button"}]}
    item = {"linkId": f"{link_id}.help", "type": "display"}
    _texts(item, "text", *why)
    item["extension"] = [{"url": ITEM_CONTROL, "valueCodeableConcept": control}]
    return item


def _item(form: Form, scope: str, name: str, info: FieldInfo) -> dict[str, Any]:
    link_id = f"{scope}.{name}"
    fhir_type, kind, many = _type_of(scope, name, info)
    item: dict[str, Any] = _texts({"linkId": link_id}, "text", info.title or name) | {"type": fhir_type}
    item |= _enable_when(form, scope, name)
    optional_number = fhir_type in ("integer", "decimal") and not info.is_required() and info.default is None
    item["required"] = info.is_required() or (scope, name) in required_when_asked(form)
    if many:
        item["repeats"] = True
    extensions = _bounds(info, fhir_type) if fhir_type in ("integer", "decimal") else []
    unit = (info.json_schema_extra or {}).get("unit") if isinstance(info.json_schema_extra, dict) else None
    if unit:
        extensions.append({"url": UNIT, "valueCoding": _texts({}, "display", unit)})
    if (scope, name) in form.not_asked:  # carried in a response (a stored age), never shown to the person filling in
        extensions.append(SHOWN_NEVER)
    if extensions:
        item["extension"] = extensions
    if fhir_type == "string" and (length := _constraint(info, "max_length")):
        item["maxLength"] = length
    if fhir_type == "coding":
        item["answerConstraint"] = "optionsOnly"
        item["answerOption"] = _options(scope, name, kind)
    children = _fields(form, link_id, kind) if fhir_type == "group" else []
    why = [part for part in (info.description, UNSURE_HINT if optional_number else "") if part]
    item["item"] = ([_help(link_id, *why)] if why else []) + children
    return item


def _fields(form: Form, scope: str, model: type[BaseModel]) -> list[dict[str, Any]]:
    return [_item(form, scope, name, info) for name, info in model.model_fields.items()]


def _on_pathway(section: str) -> dict[str, Any]:
    """A pathway section's condition: asked for the reasons for seeking help that lead to its pathway."""
    if section not in SECTION_PATHWAYS:
        return {}
    reason_info = section_model("seeking").model_fields["reason"]
    reason_type = _type_of("seeking", "reason", reason_info)[0]
    conditions = [
        {"question": "seeking.reason", "operator": "=", **_condition_answer("seeking", "reason", reason_type, r)}
        for r in reasons_for(section)
    ]
    return {"enableWhen": conditions, **({"enableBehavior": "any"} if len(conditions) > 1 else {})}


def _section(form: Form, section: str) -> dict[str, Any]:
    model = scope_models(form)[section]
    group: dict[str, Any] = _texts({"linkId": section}, "text", section_title(model)) | {"type": "group"}
    group |= _on_pathway(section)
    if all((section, name) in form.not_asked for name in model.model_fields):  # a whole part the records fill in
        group["extension"] = [SHOWN_NEVER]
    group["item"] = _fields(form, section, model)
    return group


@cache
def questionnaire(form: Form = FIRST) -> dict[str, Any]:
    """A questionnaire as R5: one group per section, in the model's order."""
    items = [_section(form, section) for section in form.model.model_fields]
    version = hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "resourceType": "Questionnaire",
        "id": form.key,
        "url": form.url,
        "version": version,
        "name": form.name,
        **_texts({}, "title", form.title),
        "status": "active",
        "subjectType": ["Patient"],
        "description": f"Generated from the pre-screening app's answer model {form.model.__name__}; the version is a "
        "hash of the items.",
        "item": items,
    }


@cache
def questions(form: Form = FIRST) -> dict[str, Question]:
    """linkId -> what its answers are, for reading a response."""
    found: dict[str, Question] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            scope, _, name = item["linkId"].rpartition(".")
            if item["type"] == "display":
                continue
            if scope:
                found[item["linkId"]] = Question(scope, name, item["type"], item.get("repeats", False))
            walk(item.get("item", []))

    walk(questionnaire(form)["item"])
    return found


# --- a stored submission as a QuestionnaireResponse ------------------------------------------------


def _unknown_is_an_answer(form: Form, link_id: str) -> bool:
    """Whether ``None`` is an answer of its own here ("Not sure" on a count whose default is 0, say), which an
    answerless item would lose: reading it back would give the default."""
    scope, _, name = link_id.rpartition(".")
    info = scope_models(form)[scope].model_fields[name]
    return not info.is_required() and info.get_default() is not None


def _response_items(form: Form, items: list[dict[str, Any]], scope: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        if item["type"] == "display":
            continue
        name = item["linkId"].rpartition(".")[2]
        value = scope.get(name)
        if value is None and name in scope and _unknown_is_an_answer(form, item["linkId"]):
            out.append({"linkId": item["linkId"], "text": item["text"], "extension": [UNKNOWN]})
            continue
        if value is None or value == []:
            continue
        if item["type"] == "group":
            entries = value if isinstance(value, list) else [value]
            out += [{"linkId": item["linkId"], "item": _response_items(form, item["item"], entry)} for entry in entries]
            continue
        values = value if isinstance(value, list) else [value]
        out.append({"linkId": item["linkId"], "text": item["text"], "answer": [_answer_value(item, v) for v in values]})
    return out


def response(answers: Mapping[str, Any], *, reference: str, authored: datetime) -> dict[str, Any]:
    """One stored submission's answers (a ``Submission`` or a ``ReturnVisit`` as JSON) as a completed R5
    QuestionnaireResponse to the questionnaire they were given to."""
    form = form_of(answers)
    published = questionnaire(form)
    groups = []
    for group in published["item"]:
        section = answers.get(group["linkId"])
        if isinstance(section, Mapping) and section_asked(answers, group["linkId"]):
            groups.append({"linkId": group["linkId"], "item": _response_items(form, group["item"], section)})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": _uuid("response", reference),
        "identifier": [{"system": REFERENCE_SYSTEM, "value": reference}],
        "questionnaire": f"{published['url']}|{published['version']}",
        "status": "completed",
        "authored": authored.isoformat(),
        "item": groups,
    }


def _uuid(kind: str, reference: str) -> str:
    """Stable per submission: exporting twice gives the same ids, so a receiver can tell a repeat."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}/{kind}/{reference}"))


def observation(result: Mapping[str, Any], *, reference: str, issued: datetime) -> dict[str, Any]:
    """The screening result: the triage as the value, each flag a component, the rule set as the method."""
    triage = Triage(result["triage"])
    ruleset = result["ruleset"]
    components = [
        {
            "code": {"coding": [_coding(FLAG_SYSTEM, flag["id"], flag["title"])], "text": flag["title"]},
            "valueString": f"{flag['reason']} (severity {flag['severity']}; source: {flag['source']})",
        }
        for flag in result["flags"]
    ]
    return {
        "resourceType": "Observation",
        "id": _uuid("result", reference),
        "identifier": [{"system": REFERENCE_SYSTEM, "value": reference}],
        "status": "final",
        "category": [{"coding": [SURVEY]}],
        "code": {"coding": [_coding(RESULT_SYSTEM, *RESULT_CODE)], "text": RESULT_CODE[1]},
        "issued": issued.isoformat(),
        "valueCodeableConcept": {
            "coding": [_coding(TRIAGE_SYSTEM, triage.value, TRIAGE_LABELS[triage])],
            "text": TRIAGE_LABELS[triage],
        },
        "method": {
            "text": f"Rule set {ruleset['name']} version {ruleset['version']} (SHA-256 {ruleset['hash']})",
        },
        "derivedFrom": [{"reference": f"urn:uuid:{_uuid('response', reference)}"}],
        "component": components,
    }


def bundle(answers: Mapping[str, Any], result: Mapping[str, Any], *, reference: str, at: datetime) -> dict[str, Any]:
    """The response and its result together, as a collection a receiving system reads in one go."""
    resources = [
        response(answers, reference=reference, authored=at),
        observation(result, reference=reference, issued=at),
    ]
    return {
        "resourceType": "Bundle",
        "id": _uuid("bundle", reference),
        "type": "collection",
        "timestamp": at.isoformat(),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


# --- reading a QuestionnaireResponse back ----------------------------------------------------------


class ResponseError(ValueError):
    """A response that cannot be read as answers to our Questionnaire, with field errors like the model's."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def _value(question: Question, answer: Mapping[str, Any]) -> Any:
    if question.fhir_type == "coding" and "valueCoding" in answer:
        return answer["valueCoding"].get("code")
    if "valueQuantity" in answer:  # a form filler may send a number with a unit as a quantity
        return answer["valueQuantity"].get("value")
    value_keys = [key for key in answer if key.startswith("value")]
    return answer[value_keys[0]] if value_keys else None


def _read_items(form: Form, items: list[Mapping[str, Any]], into: dict[str, Any], errors: list[dict[str, str]]) -> None:
    known = questions(form)
    for item in items:
        link_id = str(item.get("linkId", ""))
        question = known.get(link_id)
        if question is None and "." not in link_id and link_id in form.model.model_fields:
            _read_items(form, item.get("item", []), into.setdefault(link_id, {}), errors)
            continue
        if question is None:
            errors.append({"field": link_id, "message": f"Not a question of the {form.noun} questionnaire."})
            continue
        if question.fhir_type == "group":
            entry: dict[str, Any] = {}
            _read_items(form, item.get("item", []), entry, errors)
            into.setdefault(question.field, []).append(entry)
            continue
        values = [_value(question, answer) for answer in item.get("answer", [])]
        if values:
            into[question.field] = values if question.repeats else values[0]
        elif UNKNOWN in item.get("extension", []):
            into[question.field] = None
        for answer in item.get("answer", []):
            _read_items(form, answer.get("item", []), into, errors)


def _is_response(data: Any) -> bool:
    return isinstance(data, Mapping) and data.get("resourceType") == "QuestionnaireResponse"


def read_response(data: Any) -> dict[str, Any]:
    """A QuestionnaireResponse (or a Bundle holding one) to one of our Questionnaires, as an answers dict.

    ``data`` is whatever JSON a file held (a list or a number too: refused with a field error, as
    the command line reports it). Checked as an R5 resource first (``fhir.resources``). Its
    ``questionnaire`` canonical says which of ours it answers: a return visit's answers come back with
    their ``linked`` section, so they are validated by ``ReturnVisit`` (and a first screening's by
    ``Submission``) like any JSON answers, and a wrong value gets the same field error.
    """
    from fhir.resources.questionnaireresponse import QuestionnaireResponse  # heavy: only when reading FHIR

    if isinstance(data, Mapping) and data.get("resourceType") == "Bundle":
        entries = data.get("entry")
        found = [e.get("resource") for e in entries if isinstance(e, Mapping)] if isinstance(entries, list) else []
        data = next((r for r in found if _is_response(r)), {})
    if not _is_response(data):
        raise ResponseError([{"field": "", "message": "Not a FHIR QuestionnaireResponse."}])
    try:
        QuestionnaireResponse.model_validate(data)
    except ValidationError as exc:
        raise ResponseError([{"field": "", "message": f"Not a valid R5 QuestionnaireResponse: {exc}"}]) from exc
    canonical = str(data.get("questionnaire") or "").partition("|")[0]
    form = FORMS.get(canonical)
    if form is None:
        ours = " or ".join(FORMS)
        message = f"This response is for {canonical or 'no questionnaire'}, not {ours}."
        raise ResponseError([{"field": "questionnaire", "message": message}])
    answers: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    _read_items(form, data.get("item", []), answers, errors)
    if errors:
        raise ResponseError(errors)
    return answers
