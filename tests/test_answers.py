"""The answer model: cross-field checks land on the field a page shows them next to; bounds hold."""

import json
from datetime import date, timedelta
from typing import Any

import pytest
from core_support import run_cli
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from screening.answers import Submission, field_errors


def errors_of(answers: dict[str, Any]) -> dict[str, str]:
    """Field → message for invalid answers; fails the test if the answers are accepted."""
    with pytest.raises(ValidationError) as caught:
        Submission.model_validate(answers)
    return {e["field"]: e["message"] for e in field_errors(caught.value)}


def with_changes(answers: dict[str, Any], **sections: dict[str, Any]) -> dict[str, Any]:
    for section, changes in sections.items():
        answers[section] = {**(answers.get(section) or {}), **changes}
    return answers


def test_the_typical_patient_is_valid(typical):
    sub = Submission.model_validate(typical)
    assert sub.headache is not None and sub.headache.headache_days == 20


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"headache": {"headache_days": 10, "migraine_days": 11}}, "headache.migraine_days", "cannot be more"),
        ({"headache": {"acute_days": 5, "days_triptan": 6}}, "headache.days_triptan", "cannot be more"),
        ({"headache": {"acute_days": 3, "days_opioid": 4}}, "headache.days_opioid", "(3)"),
        ({"about": {"age": None}}, "about.date_of_birth", "date of birth"),
        ({"about": {"age": None, "date_of_birth": "2099-01-01"}}, "about.date_of_birth", "future"),
        ({"about": {"age": None, "date_of_birth": "1890-01-01"}}, "about.date_of_birth", "year of birth"),
        ({"about": {"pregnant": None}}, "about.pregnant", "Not sure is fine"),
        ({"about": {"breastfeeding": None}}, "about.breastfeeding", "Please answer"),
        (
            {"seeking": {"reason": "limb_spasticity"}, "spasticity": {"limbs": ["left_arm"], "current_therapy": "yes"}},
            "seeking.spasticity_cause",
            "stiffness",
        ),
        ({"safety": {"neuromuscular": "yes"}}, "safety.neuromuscular_kind", "which one"),
        ({"toxin": {"prior_toxin": "yes", "weeks_since_last": 20}}, "toxin.toxin_outcome", "last injection"),
        (
            {"contact": {"preferred_method": "phone", "phone": None, "email": "a@example.org"}},
            "contact.phone",
            "phone number",
        ),
        ({"contact": {"preferred_method": "email", "email": None}}, "contact.email", "email address"),
        (
            {"contact": {"preferred_method": "either", "phone": None, "email": None}},
            "contact.email",
            "phone number or an email",
        ),
        ({"contact": {"phone": "call me maybe"}}, "contact.phone", "pattern"),
        ({"contact": {"email": "not-an-address"}}, "contact.email", "email"),
        ({"contact": {"consent_contact": False}}, "contact.consent_contact", "tick this box"),
        ({"contact": {"privacy_ack": False}}, "contact.privacy_ack", "tick this box"),
        ({"contact": {"preferred_times": []}}, "contact.preferred_times", "at least 1"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v else None,
)
def test_a_cross_field_problem_is_reported_on_its_field(typical, changes, field, words):
    found = errors_of(with_changes(typical, **changes))
    assert field in found, found
    assert words.lower() in found[field].lower()


def test_other_preventive_needs_a_name_and_unknown_drugs_are_refused(typical):
    typical["treatments"]["preventives"] = [
        {"drug": "other", "weeks": 10, "outcome": "did_not_help"},
        {"drug": "snake oil", "weeks": 10, "outcome": "did_not_help"},
    ]
    found = errors_of(typical)
    assert "type the name" in found["treatments.preventives.0.other_name"]
    assert "from the list" in found["treatments.preventives.1.drug"]


def test_a_named_other_preventive_is_accepted_and_a_catalogue_drug_drops_a_typed_name(typical):
    typical["treatments"]["preventives"] = [
        {"drug": "other", "other_name": "Bisoprolol", "weeks": 10, "outcome": "did_not_help"},
        {"drug": "topiramate", "other_name": "ignored", "weeks": 10, "outcome": "did_not_help"},
    ]
    first, second = Submission.model_validate(typical).treatments.preventives
    assert first.other_name == "Bisoprolol"
    assert second.other_name is None


def test_pregnancy_questions_are_cleared_for_men_and_not_required(typical):
    typical["about"] = {"age": 40, "sex": "male", "pregnant": "yes"}
    about = Submission.model_validate(typical).about
    assert (about.pregnant, about.breastfeeding, about.planning_pregnancy) == (None, None, None)


def test_spasticity_cause_is_cleared_off_the_spasticity_pathway(typical):
    typical["seeking"] = {"reason": "chronic_migraine", "spasticity_cause": "stroke"}
    assert Submission.model_validate(typical).seeking.spasticity_cause is None


def test_hidden_pathway_sections_are_dropped_even_when_invalid(typical):
    typical["seeking"] = {"reason": "cervical_dystonia"}
    typical["dystonia"] = {"diagnosed_by_neurologist": "yes", "head_turning": "yes", "neck_pain": "no"}
    typical["headache"] = {"headache_days": 99, "migraine_days": 120}
    sub = Submission.model_validate(typical)
    assert sub.headache is None and sub.treatments is None
    assert sub.dystonia is not None


def test_the_patients_own_pathway_section_is_required(typical):
    del typical["headache"]
    assert "this part" in errors_of(typical)["headache"]


def test_age_comes_from_the_date_of_birth(typical):
    born = date.today().replace(year=date.today().year - 30) - timedelta(days=1)
    typical["about"] = {**typical["about"], "age": None, "date_of_birth": born.isoformat()}
    assert Submission.model_validate(typical).about.age == 30


def test_toxin_follow_ups_are_cleared_without_a_prior_injection(typical):
    typical["toxin"] = {"prior_toxin": "no", "weeks_since_last": 3, "toxin_outcome": "helped", "weeks_of_benefit": 9}
    toxin = Submission.model_validate(typical).toxin
    assert (toxin.weeks_since_last, toxin.toxin_outcome, toxin.weeks_of_benefit) == (None, None, None)


@pytest.mark.parametrize(
    ("section", "field", "value"),
    [
        ("headache", "hours_per_day", 24.5),
        ("headache", "headache_days", 32),
        ("headache", "acute_days", 32),
        ("headache", "days_gepant", 32),
        ("headache", "pattern_months", -1),
        ("about", "age", 121),
        ("about", "age", -1),
        ("toxin", "weeks_since_last", -1),
    ],
)
def test_a_number_out_of_bounds_is_refused_on_its_field(typical, section, field, value):
    typical["toxin"] = {"prior_toxin": "yes", "toxin_outcome": "helped"}
    typical[section] = {**typical[section], field: value}
    assert f"{section}.{field}" in errors_of(typical)


def test_negative_weeks_on_a_preventive_are_refused(typical):
    typical["treatments"]["preventives"][0]["weeks"] = -1
    assert "treatments.preventives.0.weeks" in errors_of(typical)


def test_yes_no_questions_take_not_sure_and_nothing_else(typical):
    typical["red_flags"]["thunderclap"] = "not_sure"
    assert Submission.model_validate(typical).red_flags.thunderclap == "not_sure"
    typical["red_flags"]["thunderclap"] = "maybe"
    assert "red_flags.thunderclap" in errors_of(typical)


BOUNDS = {
    ("headache", "headache_days"): (0, 31),
    ("headache", "migraine_days"): (0, 31),
    ("headache", "hours_per_day"): (0, 24),
    ("headache", "pattern_months"): (0, 1200),
    ("headache", "acute_days"): (0, 31),
    ("headache", "days_triptan"): (0, 31),
    ("about", "age"): (0, 120),
    ("toxin", "weeks_since_last"): (0, 5200),
}


@st.composite
def headache_in_bounds(draw: st.DrawFn) -> dict[str, Any]:
    """Any headache answers within bounds: migraine days within headache days, kind days within acute days."""
    headache_days = draw(st.none() | st.integers(0, 31))
    acute_days = draw(st.none() | st.integers(0, 31))
    kind_limit = 31 if acute_days is None else acute_days
    kinds = ("days_simple_analgesic", "days_triptan", "days_combination", "days_opioid", "days_ergot", "days_gepant")
    return {
        "headache_days": headache_days,
        "migraine_days": draw(st.none() | st.integers(0, 31 if headache_days is None else headache_days)),
        "hours_per_day": draw(st.none() | st.floats(0, 24, allow_nan=False)),
        "pattern_months": draw(st.none() | st.integers(0, 1200)),
        "acute_days": acute_days,
        **{kind: draw(st.integers(0, kind_limit)) for kind in kinds},
    }


@given(headache=headache_in_bounds())
def test_any_in_bounds_headache_numbers_validate(typical_answers, headache):
    sub = Submission.model_validate({**typical_answers, "headache": headache})
    assert sub.headache is not None
    assert sub.headache.model_dump() == headache


@given(where=st.sampled_from(sorted(BOUNDS)), offset=st.integers(1, 10_000), above=st.booleans())
def test_a_number_out_of_bounds_always_errors_on_that_field(typical_answers, where, offset, above):
    section, field = where
    low, high = BOUNDS[where]
    answers = {**typical_answers, "toxin": {"prior_toxin": "yes", "toxin_outcome": "helped"}}
    answers[section] = {**answers[section], field: high + offset if above else low - offset}
    assert f"{section}.{field}" in errors_of(answers)


@given(weeks=st.floats(max_value=-1e-9, allow_nan=False) | st.floats(min_value=1040.0001, allow_nan=False))
def test_preventive_weeks_out_of_bounds_always_error(typical_answers, weeks):
    preventive = {"drug": "topiramate", "weeks": weeks, "outcome": "did_not_help"}
    answers = {**typical_answers, "treatments": {"preventives": [preventive], "current_cgrp": "no"}}
    assert "treatments.preventives.0.weeks" in errors_of(answers)


@pytest.fixture(scope="module")
def typical_answers(ruleset) -> dict[str, Any]:
    """The typical patient for hypothesis tests, which must not use function-scoped fixtures: copy before changing."""
    return ruleset.case_defaults


def test_schema_command_prints_json_schema_with_questions_and_reasons(typical):
    done = run_cli("schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    assert validator.is_valid(typical)
    typical["headache"]["headache_days"] = 32
    assert not validator.is_valid(typical)
    assert schema["title"] == "Submission"
    headache = schema["$defs"]["HeadachePattern"]["properties"]["headache_days"]
    assert headache["title"].startswith("On how many days a month")
    assert "How often you have headaches" in headache["description"]
    assert headache["unit"] == "days a month"
    about = schema["$defs"]["AboutYou"]["properties"]
    assert about["age"]["anyOf"][0]["maximum"] == 120
    defs = schema["$defs"]
    every_field = [p for d in defs.values() for p in d.get("properties", {}).values()]
    assert len(every_field) > 60
    for prop in every_field:
        referred = defs.get(prop.get("$ref", "").rsplit("/", 1)[-1], {})
        assert prop.get("title") or referred.get("title"), prop
        assert prop.get("description"), prop
