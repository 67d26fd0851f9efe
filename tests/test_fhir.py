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

from screening.answers import PATHWAY_SECTIONS, HeadachePattern, Submission, field_errors
from screening.branching import ASKED_WHEN, NOT_ASKED, reasons_for
from screening.catalogue import DRUG_CHOICES
from screening.engine import screen
from screening.exports import fhir
from screening.synthetic import synthetic_answers

AT = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def items_by_link(items: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for item in fhir.questionnaire()["item"] if items is None else items:
        found[item["linkId"]] = item
        found |= items_by_link(item.get("item", []))
    return found


def model_fields() -> list[tuple[str, str, Any]]:
    """(scope, field, FieldInfo) for every field of every section, and of the preventive list's items."""
    out = []
    for section in Submission.model_fields:
        model = fhir.section_model(section)
        for name, info in model.model_fields.items():
            out.append((section, name, info))
            kind, _ = fhir._unwrap(info.annotation)
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                out += [(f"{section}.{name}", inner, i) for inner, i in kind.model_fields.items()]
    return out


def test_the_questionnaire_is_a_valid_r5_resource_with_a_url_and_a_content_version():
    form = fhir.questionnaire()
    Questionnaire.model_validate(form)
    assert form["url"] == fhir.QUESTIONNAIRE_URL
    assert len(form["version"]) == 16
    assert [group["linkId"] for group in form["item"]] == list(Submission.model_fields)


@pytest.mark.parametrize(("scope", "name", "info"), model_fields(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_field_is_an_item_with_its_question_help_options_unit_and_bounds(scope, name, info):
    item = items_by_link()[f"{scope}.{name}"]
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
    assert bool(hidden) is ((scope, name) in NOT_ASKED)


def test_enable_when_mirrors_the_core_branching_rule():
    items = items_by_link()
    for (scope, name), rule in ASKED_WHEN.items():
        conditions = items[f"{scope}.{name}"]["enableWhen"]
        assert {c["question"] for c in conditions} == {f"{rule.section or scope}.{rule.on}"}
        if rule.unless is not None:
            assert [(c["operator"], c.get("answerInteger")) for c in conditions] == [("!=", rule.unless)]
        else:
            assert [c["answerCoding"]["code"] for c in conditions] == [str(v) for v in rule.values]
            assert {c["operator"] for c in conditions} == {"="}
        assert items[f"{scope}.{name}"].get("enableBehavior", "any") == "any"
    for section in PATHWAY_SECTIONS:
        codes = [c["answerCoding"]["code"] for c in items[section]["enableWhen"]]
        assert codes == [reason.value for reason in reasons_for(section)]
    conditional = {link for link, item in items.items() if "enableWhen" in item}
    assert conditional == {f"{s}.{n}" for s, n in ASKED_WHEN} | set(PATHWAY_SECTIONS)


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


@settings(max_examples=60)
@given(answers())
def test_a_stored_submission_round_trips_through_its_questionnaire_response(drawn):
    submission = Submission.model_validate(drawn)
    response = fhir.response(submission.model_dump(mode="json"), reference="BT-7K3M-Q9PZ", authored=AT)
    QuestionnaireResponse.model_validate(response)
    assert response["questionnaire"] == f"{fhir.QUESTIONNAIRE_URL}|{fhir.questionnaire()['version']}"
    assert Submission.model_validate(fhir.read_response(response)) == submission


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


def test_the_result_is_an_observation_with_the_triage_each_flag_and_the_rule_set(typical, ruleset):
    typical["safety"]["blood_thinners"] = "not_sure"
    result = screen(Submission.model_validate(typical), ruleset).to_dict()
    bundle = fhir.bundle(typical, result, reference="BT-7K3M-Q9PZ", at=AT)
    Bundle.model_validate(bundle)
    response, observation = (entry["resource"] for entry in bundle["entry"])
    Observation.model_validate(observation)
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
