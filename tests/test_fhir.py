"""FHIR R5: the Questionnaire is the answer model (checked field by field against it), responses round-trip,
the reader gives the model's own field errors, and every resource validates with fhir.resources (R5)."""

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import pytest
from core_support import run_cli
from fhir.resources.bundle import Bundle
from fhir.resources.observation import Observation
from fhir.resources.questionnaire import Questionnaire
from fhir.resources.questionnaireresponse import QuestionnaireResponse
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from test_vectorized import DrawPicker

from screening.answers import PATHWAY_OF, PATHWAY_SECTIONS, HeadachePattern, Submission, field_errors
from screening.branching import ASKED_WHEN, RETURN_ASKED_WHEN, RETURN_NOT_ASKED, reasons_for
from screening.catalogue import DRUG_CHOICES
from screening.choices import Reason
from screening.engine import screen
from screening.exports import fhir
from screening.returns.answers import RETURN_PATHWAY_SECTIONS, MigraineNow, ReturnVisit
from screening.returns.synthetic import synthetic_return_answers
from screening.synthetic import synthetic_answers
from screening.ui.draft import shown, steps_for

AT = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


FORMS = (fhir.FIRST, fhir.RETURN)


def items_by_link(items: list[dict[str, Any]] | None = None, form: fhir.Form = fhir.FIRST) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for item in fhir.questionnaire(form)["item"] if items is None else items:
        found[item["linkId"]] = item
        found |= items_by_link(item.get("item", []))
    return found


def model_fields(form: fhir.Form) -> list[tuple[fhir.Form, str, str, Any]]:
    """(form, scope, field, FieldInfo) for every field of every section, and of a list's items (a preventive)."""
    out = []
    for section in form.model.model_fields:
        model = fhir.section_model(section, form.model)
        for name, info in model.model_fields.items():
            out.append((form, section, name, info))
            kind, _ = fhir._unwrap(info.annotation)
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                out += [(form, f"{section}.{name}", inner, i) for inner, i in kind.model_fields.items()]
    return out


@pytest.mark.parametrize(
    ("form", "url"), [(fhir.FIRST, fhir.QUESTIONNAIRE_URL), (fhir.RETURN, fhir.RETURN_QUESTIONNAIRE_URL)]
)
def test_the_questionnaire_is_a_valid_r5_resource_with_a_url_and_a_content_version(form, url):
    published = fhir.questionnaire(form)
    Questionnaire.model_validate(published)
    assert published["url"] == url
    assert len(published["version"]) == 16
    assert [group["linkId"] for group in published["item"]] == list(form.model.model_fields)


def test_the_two_questionnaires_are_told_apart_by_url_and_id():
    first, back = fhir.questionnaire(fhir.FIRST), fhir.questionnaire(fhir.RETURN)
    assert (first["url"], first["id"]) != (back["url"], back["id"])
    assert back["title"] == "Your return visit after Botox treatment" and first["version"] != back["version"]


@pytest.mark.parametrize(
    ("form", "scope", "name", "info"),
    [*model_fields(fhir.FIRST), *model_fields(fhir.RETURN)],
    ids=lambda v: v if isinstance(v, str) else getattr(v, "key", ""),
)
def test_every_field_is_an_item_with_its_question_help_options_unit_and_bounds(form, scope, name, info):
    item = items_by_link(form=form)[f"{scope}.{name}"]
    assert item["text"] == info.title
    kind, many = fhir._unwrap(info.annotation)
    assert item.get("repeats", False) is many
    if info.description:
        (help_item,) = [child for child in item["item"] if child["type"] == "display"]
        assert help_item["text"].startswith(info.description)
        control = help_item["extension"][0]["valueCodeableConcept"]["coding"][0]
        assert (help_item["extension"][0]["url"], control["code"]) == (fhir.ITEM_CONTROL, "help")
    codes = [option["valueCoding"]["code"] for option in item.get("answerOption", [])]
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        assert (item["type"], codes) == ("coding", [member.value for member in kind])
    elif (scope, name) == (fhir.PREVENTIVES, "drug"):
        assert codes == list(DRUG_CHOICES)
    elif kind in (int, float):
        assert item["type"] == ("integer" if kind is int else "decimal")
        extensions = {e["url"]: e for e in item.get("extension", [])}
        for url, attribute in ((fhir.MIN_VALUE, "ge"), (fhir.MAX_VALUE, "le")):
            bound = next((getattr(m, attribute) for m in info.metadata if hasattr(m, attribute)), None)
            if bound is not None:
                assert next(v for k, v in extensions[url].items() if k.startswith("value")) == bound
        unit = (info.json_schema_extra or {}).get("unit")
        if unit:
            assert extensions[fhir.UNIT]["valueCoding"]["display"] == unit
    if info.is_required():
        assert item["required"] is True
    hidden = [e for e in item.get("extension", []) if e["url"] == fhir.HIDDEN]
    assert bool(hidden) is ((scope, name) in form.not_asked)


@pytest.mark.parametrize(
    ("form", "branching", "pathway_sections"),
    [
        (fhir.FIRST, ASKED_WHEN, PATHWAY_SECTIONS),
        (
            fhir.RETURN,
            {**RETURN_ASKED_WHEN, ("seeking", "spasticity_cause"): ASKED_WHEN[("seeking", "spasticity_cause")]},
            RETURN_PATHWAY_SECTIONS,
        ),
    ],
    ids=["first", "return"],
)
def test_enable_when_mirrors_the_core_branching_rule(form, branching, pathway_sections):
    items = items_by_link(form=form)
    for (scope, name), rule in branching.items():
        conditions = items[f"{scope}.{name}"]["enableWhen"]
        assert {c["question"] for c in conditions} == {f"{rule.section or scope}.{rule.on}"}
        if rule.unless is not None:
            assert [(c["operator"], c.get("answerInteger")) for c in conditions] == [("!=", rule.unless)]
        else:
            assert [c["answerCoding"]["code"] for c in conditions] == [str(v) for v in rule.values]
            assert {c["operator"] for c in conditions} == {"="}
        assert items[f"{scope}.{name}"].get("enableBehavior", "any") == "any"
    for section in pathway_sections:
        codes = [c["answerCoding"]["code"] for c in items[section]["enableWhen"]]
        assert codes == [reason.value for reason in reasons_for(section)]
        assert {PATHWAY_OF[Reason(code)] for code in codes} == {pathway_sections[section]}
    conditional = {link for link, item in items.items() if "enableWhen" in item}
    assert conditional == {f"{s}.{n}" for s, n in branching} | set(pathway_sections)


def test_the_version_changes_when_a_question_changes_and_only_then(monkeypatch):
    before = fhir.questionnaire()["version"]
    fhir.questionnaire.cache_clear()
    assert fhir.questionnaire()["version"] == before
    monkeypatch.setattr(HeadachePattern.model_fields["headache_days"], "title", "Headache days in a month?")
    fhir.questionnaire.cache_clear()
    try:
        assert fhir.questionnaire()["version"] != before
    finally:
        monkeypatch.undo()
        fhir.questionnaire.cache_clear()
    assert fhir.questionnaire()["version"] == before


def test_a_field_the_model_always_refuses_to_miss_is_required_when_asked():
    items = items_by_link()
    required = fhir.required_when_asked()
    assert ("about", "date_of_birth") in required  # the age is not asked: the birth date must be
    assert ("contact", "phone") not in required  # "either" is fine with an email alone
    for scope, name in required:
        assert items[f"{scope}.{name}"]["required"] is True


@st.composite
def answers(draw: st.DrawFn) -> dict[str, Any]:
    return synthetic_answers(DrawPicker(draw))


def test_not_sure_of_a_medicine_s_days_travels_as_asked_unknown_not_as_the_default_zero(typical):
    typical["headache"] |= {"acute_days": 12, "days_triptan": None, "days_opioid": 0}
    response = fhir.response(typical, reference="BT-7K3M-Q9PZ", authored=AT)
    QuestionnaireResponse.model_validate(response)
    headache = items_by_link(response["item"])
    assert headache["headache.days_triptan"]["extension"] == [fhir.UNKNOWN]
    assert "answer" not in headache["headache.days_triptan"]
    read = Submission.model_validate(fhir.read_response(response)).headache
    assert read is not None and read.days_triptan is None and read.days_opioid == 0


def errors_of(data: dict[str, Any]) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        Submission.model_validate(data)
    return field_errors(caught.value)


def test_the_reader_gives_the_same_field_errors_as_json_answers(typical):
    typical["headache"]["migraine_days"] = 25
    typical["about"]["age"] = 130
    response = fhir.response(typical, reference="BT-7K3M-Q9PZ", authored=AT)
    assert errors_of(fhir.read_response(response)) == errors_of(typical)
    assert any(e["field"] == "headache.migraine_days" for e in errors_of(typical))


def test_an_unknown_code_or_question_is_reported_by_field(typical):
    response = fhir.response(typical, reference="BT-7K3M-Q9PZ", authored=AT)
    safety = next(group for group in response["item"] if group["linkId"] == "safety")
    safety["item"][0]["answer"] = [{"valueCoding": {"code": "maybe"}}]
    typical["safety"]["toxin_allergy"] = "maybe"
    assert errors_of(fhir.read_response(response)) == errors_of(typical)
    safety["item"].append({"linkId": "safety.smoker", "answer": [{"valueBoolean": True}]})
    with pytest.raises(fhir.ResponseError) as caught:
        fhir.read_response(response)
    (error,) = caught.value.errors
    assert error == {"field": "safety.smoker", "message": "Not a question of the pre-screening questionnaire."}


def test_a_response_to_another_questionnaire_is_refused(typical):
    response = fhir.response(typical, reference="BT-7K3M-Q9PZ", authored=AT)
    response["questionnaire"] = "http://example.org/Questionnaire/phq9|1"
    with pytest.raises(fhir.ResponseError, match="phq9"):
        fhir.read_response(response)
    for other in (
        {"resourceType": "Patient"},
        [1],
        5,
        {"resourceType": "Bundle", "entry": [1]},
        {"resourceType": "Bundle", "entry": 5},
    ):
        with pytest.raises(fhir.ResponseError, match="QuestionnaireResponse"):
            fhir.read_response(other)


def test_cli_refuses_json_that_is_not_a_response_with_exit_code_2(tmp_path):
    """Any JSON may be handed over; a list or a bundle of numbers is refused like bad answers, not a traceback."""
    for other in ([1], {"resourceType": "Bundle", "entry": [1]}):
        source = tmp_path / "response.json"
        source.write_text(json.dumps(other), encoding="utf-8")
        done = run_cli("screen", "--fhir", str(source))
        assert done.returncode == 2, done.stderr
        assert json.loads(done.stdout) == {"errors": [{"field": "", "message": "Not a FHIR QuestionnaireResponse."}]}


def screened_bundle(answers: dict[str, Any], ruleset) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The answers screened, and their bundle's response and result, each checked as R5."""
    result = screen(fhir.form_of(answers).model.model_validate(answers), ruleset).to_dict()
    bundle = fhir.bundle(answers, result, reference="BT-7K3M-Q9PZ", at=AT)
    Bundle.model_validate(bundle)
    response, observation = (entry["resource"] for entry in bundle["entry"])
    QuestionnaireResponse.model_validate(response)
    Observation.model_validate(observation)
    return result, response, observation


def test_the_result_is_an_observation_with_the_triage_each_flag_and_the_rule_set(typical, ruleset):
    typical["safety"]["blood_thinners"] = "not_sure"
    result, response, observation = screened_bundle(typical, ruleset)
    assert observation["code"]["coding"] == [
        {"system": fhir.RESULT_SYSTEM, "code": "triage", "display": "Botox pre-screening triage"}
    ]
    assert observation["category"][0]["coding"][0]["code"] == "survey"
    assert observation["valueCodeableConcept"]["coding"][0]["code"] == result["triage"]
    assert [c["code"]["coding"][0]["code"] for c in observation["component"]] == [f["id"] for f in result["flags"]]
    for component, flag in zip(observation["component"], result["flags"], strict=True):
        assert flag["reason"] in component["valueString"] and flag["source"] in component["valueString"]
    assert ruleset.ref.version in observation["method"]["text"] and ruleset.ref.hash in observation["method"]["text"]
    assert observation["derivedFrom"] == [{"reference": f"urn:uuid:{response['id']}"}]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": observation}, {"resource": response}],
    }
    assert fhir.read_response(bundle) == fhir.read_response(response)


def test_cli_screens_a_questionnaire_response_like_the_same_answers_as_json(tmp_path, typical):
    typical["toxin"] = {"prior_toxin": "yes", "weeks_since_last": 10, "toxin_outcome": "helped"}
    plain = tmp_path / "answers.json"
    plain.write_text(json.dumps(typical), encoding="utf-8")
    response = tmp_path / "response.json"
    response.write_text(json.dumps(fhir.response(typical, reference="BT-7K3M-Q9PZ", authored=AT)), encoding="utf-8")
    from_json, from_fhir = run_cli("screen", str(plain)), run_cli("screen", "--fhir", str(response))
    assert from_fhir.returncode == 0, from_fhir.stdout + from_fhir.stderr
    assert json.loads(from_fhir.stdout) == json.loads(from_json.stdout)
    assert "RT-INTERVAL" in from_fhir.stdout

    typical["headache"]["migraine_days"] = 25
    plain.write_text(json.dumps(typical), encoding="utf-8")
    response.write_text(json.dumps(fhir.response(typical, reference="BT-7K3M-Q9PZ", authored=AT)), encoding="utf-8")
    from_json, from_fhir = run_cli("screen", str(plain)), run_cli("screen", "--fhir", str(response))
    assert (from_fhir.returncode, from_json.returncode) == (2, 2)
    assert json.loads(from_fhir.stdout) == json.loads(from_json.stdout)


def test_cli_prints_the_questionnaire():
    done = run_cli("questionnaire")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(fhir.questionnaire()))


# --- the return visit's Questionnaire ------------------------------------------------------------


@pytest.fixture
def typical_return(ruleset) -> dict[str, Any]:
    """The rule set's typical return visit, as stored (``ReturnVisit`` as JSON)."""
    return ReturnVisit.model_validate(ruleset.return_case_defaults).model_dump(mode="json")


def enabled(item: dict[str, Any], answers: dict[str, Any]) -> bool:
    """An item's ``enableWhen`` as a form filler evaluates it on the answers given so far."""
    conditions = item.get("enableWhen")
    if not conditions:
        return True
    held = []
    for condition in conditions:
        section, _, name = condition["question"].partition(".")
        value = (answers.get(section) or {}).get(name)
        wanted = condition["answerCoding"]["code"] if "answerCoding" in condition else condition["answerInteger"]
        held.append(value == wanted if condition["operator"] == "=" else value != wanted)
    return any(held) if item.get("enableBehavior", "any") == "any" else all(held)


def shown_by_the_form(form: fhir.Form, answers: dict[str, Any]) -> set[str]:
    """The questions a form filler shows for these answers: enabled, in an enabled group, and not hidden."""
    found = set()
    for group in fhir.questionnaire(form)["item"]:
        for item in group["item"] if enabled(group, answers) else []:
            hidden = any(e["url"] == fhir.HIDDEN for e in item.get("extension", []))
            if item["type"] != "display" and enabled(item, answers) and not hidden:
                found.add(item["linkId"])
    return found


def shown_by_the_wizard(draft: dict[str, Any]) -> set[str]:
    return {f"{s}.{n}" for step in steps_for(draft) for s, n in step.fields if shown(draft, (s, n))}


@st.composite
def return_answers(draw: st.DrawFn) -> dict[str, Any]:
    return synthetic_return_answers(DrawPicker(draw))


@settings(max_examples=80)
@given(st.one_of(answers(), return_answers()))
def test_a_form_filler_shows_exactly_what_the_wizard_shows(drawn):
    """Both questionnaires, on answers of every pathway: the wizard's steps and branching against enableWhen."""
    assert shown_by_the_form(fhir.form_of(drawn), drawn) == shown_by_the_wizard(drawn)


def test_the_return_questionnaire_hides_what_the_clinic_s_records_fill_in():
    items = items_by_link(form=fhir.RETURN)
    for section in ("seeking", "linked"):
        assert {"url": fhir.HIDDEN, "valueBoolean": True} in items[section]["extension"]
    assert {f"{s}.{n}" for s, n in RETURN_NOT_ASKED} == {
        link for link in items if link.startswith(("seeking.", "linked.")) and not link.endswith(".help")
    }
    hidden = {
        link for link, item in items.items() if {"url": fhir.HIDDEN, "valueBoolean": True} in item.get("extension", [])
    }
    assert hidden == {"seeking", "linked"} | {f"{s}.{n}" for s, n in RETURN_NOT_ASKED}


@settings(max_examples=100)
@given(st.one_of(answers(), return_answers()))
def test_a_stored_visit_of_either_kind_round_trips_through_its_questionnaire_response(drawn):
    """A first screening answers the first Questionnaire, a return visit the return one; each reads back whole."""
    form = fhir.form_of(drawn)
    stored = form.model.model_validate(drawn)
    response = fhir.response(stored.model_dump(mode="json"), reference="BT-7K3M-Q9PZ", authored=AT)
    QuestionnaireResponse.model_validate(response)
    assert response["questionnaire"] == f"{form.url}|{fhir.questionnaire(form)['version']}"
    assert form.model.model_validate(fhir.read_response(response)) == stored


def test_the_return_version_changes_with_the_return_model_only(monkeypatch):
    first, back = fhir.questionnaire(fhir.FIRST)["version"], fhir.questionnaire(fhir.RETURN)["version"]
    monkeypatch.setattr(MigraineNow.model_fields["headache_days"], "title", "Headache days last month?")
    fhir.questionnaire.cache_clear()
    try:
        assert fhir.questionnaire(fhir.RETURN)["version"] != back
        assert fhir.questionnaire(fhir.FIRST)["version"] == first
    finally:
        monkeypatch.undo()
        fhir.questionnaire.cache_clear()
    assert fhir.questionnaire(fhir.RETURN)["version"] == back


def test_a_return_response_gives_the_same_field_errors_as_json_answers(typical_return):
    typical_return["migraine_now"]["migraine_days"] = 12  # more than the 8 headache days
    response = fhir.response(typical_return, reference="BT-7K3M-Q9PZ", authored=AT)
    with pytest.raises(ValidationError) as from_json:
        ReturnVisit.model_validate(typical_return)
    with pytest.raises(ValidationError) as from_fhir:
        ReturnVisit.model_validate(fhir.read_response(response))
    assert field_errors(from_fhir.value) == field_errors(from_json.value)
    assert [e["field"] for e in field_errors(from_json.value)] == ["migraine_now.migraine_days"]
    group = next(g for g in response["item"] if g["linkId"] == "plans")
    group["item"].append({"linkId": "plans.smoker", "answer": [{"valueBoolean": True}]})
    with pytest.raises(fhir.ResponseError) as caught:
        fhir.read_response(response)
    assert caught.value.errors == [
        {"field": "plans.smoker", "message": "Not a question of the return-visit questionnaire."}
    ]


def test_a_return_result_is_the_same_observation_citing_the_rule_set(typical_return, ruleset):
    typical_return["effects"]["allergic_reaction"] = "not_sure"
    result, response, observation = screened_bundle(typical_return, ruleset)
    assert response["questionnaire"].startswith(fhir.RETURN_QUESTIONNAIRE_URL + "|")
    assert observation["valueCodeableConcept"]["coding"][0]["code"] == result["triage"] == "needs_review"
    assert [c["code"]["coding"][0]["code"] for c in observation["component"]] == [f["id"] for f in result["flags"]]
    assert "RV-ALLERGY-UNSURE" in [f["id"] for f in result["flags"]]
    assert ruleset.ref.version in observation["method"]["text"] and ruleset.ref.hash in observation["method"]["text"]
    assert observation["derivedFrom"] == [{"reference": f"urn:uuid:{response['id']}"}]


def test_cli_screens_a_return_response_like_the_same_answers_as_json(tmp_path, typical_return):
    typical_return["spread"]["swallowing"] = "yes"
    plain = tmp_path / "answers.json"
    plain.write_text(json.dumps(typical_return), encoding="utf-8")
    response = tmp_path / "response.json"
    bundle = fhir.response(typical_return, reference="BT-7K3M-Q9PZ", authored=AT)
    response.write_text(json.dumps(bundle), encoding="utf-8")
    from_json, from_fhir = run_cli("screen", str(plain)), run_cli("screen", "--fhir", str(response))
    assert from_fhir.returncode == 0, from_fhir.stdout + from_fhir.stderr
    assert json.loads(from_fhir.stdout) == json.loads(from_json.stdout)
    assert "RV-SPREAD" in from_fhir.stdout


def test_cli_prints_the_return_questionnaire():
    done = run_cli("questionnaire", "--visit", "return")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(fhir.questionnaire(fhir.RETURN)))
