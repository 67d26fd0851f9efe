"""The wizard hides (and clears) exactly the answers the model drops, whatever the branching answers are."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wizard_support import OTHER_PATHWAYS, typical_patient

from screening.answers import Submission
from screening.choices import ContactMethod, Reason, Sex, YesNoUnsure
from screening.i18n import ENGLISH
from screening.i18n.formats import amount as amount_in
from screening.ui.draft import (
    KINDS_PATH,
    KINDS_QUESTION,
    PARTS,
    READ_PRIVACY,
    REVIEW,
    STEP_BY_KEY,
    STEPS,
    check_step,
    next_step,
    plain,
    progress,
    prune,
    question_name,
    section_model,
    steps_for,
)
from screening.ui.wording import CONTACT_BY


def everything_answered(sex: str, reason: str, prior_toxin: str, neuromuscular: str, method: str, acute: int | None):
    """A draft where every question, shown or not, has an answer, as if the patient had changed their mind."""
    draft = typical_patient()
    draft["about"] |= {"sex": sex, "pregnant": "no", "breastfeeding": "no", "planning_pregnancy": "no"}
    draft["seeking"] = {"reason": reason, "spasticity_cause": "stroke"}
    for extra in OTHER_PATHWAYS.values():
        draft |= extra[1]
    draft["headache"] |= {"acute_days": acute, "days_triptan": acute or 0}
    draft["treatments"]["preventives"][0] |= {"other_name": "Melatonin"}
    draft["toxin"] = {
        "prior_toxin": prior_toxin,
        "weeks_since_last": 20,
        "toxin_outcome": "helped",
        "weeks_of_benefit": 9,
    }
    draft["safety"] |= {"neuromuscular": neuromuscular, "neuromuscular_kind": "als"}
    draft["contact"] |= {"preferred_method": method, "phone": "555 010 0000", "email": "pat@example.org"}
    return draft


@given(
    st.sampled_from(list(Sex)),
    st.sampled_from(list(Reason)),
    st.sampled_from(list(YesNoUnsure)),
    st.sampled_from(list(YesNoUnsure)),
    st.sampled_from(list(ContactMethod)),
    st.sampled_from([0, 6, None]),
)
def test_pruning_clears_exactly_what_the_model_drops(sex, reason, prior_toxin, neuromuscular, method, acute):
    full = everything_answered(sex, reason, prior_toxin, neuromuscular, method, acute)
    pruned = everything_answered(sex, reason, prior_toxin, neuromuscular, method, acute)

    prune(pruned)

    kept_by_model = Submission.model_validate(full).model_dump(exclude={"contact": {"phone", "email"}})
    assert Submission.model_validate(pruned).model_dump(exclude={"contact": {"phone", "email"}}) == kept_by_model
    stored = Submission.model_validate(pruned).model_dump()
    for section, answers in pruned.items():
        assert not [name for name, value in answers.items() if value is not None and stored[section][name] is None]
    chosen = {"phone": ["phone"], "email": ["email"], "either": ["phone", "email"]}[method]
    assert [name for name in ("phone", "email") if name in pruned["contact"]] == chosen
    for step in steps_for(pruned):
        assert check_step(pruned, step) == {}


def test_other_pathway_steps_are_not_walked():
    draft = {"seeking": {"reason": "facial_pain"}}
    keys = [step.key for step in steps_for(draft)]
    assert "facial_pain" in keys
    assert not {"headache", "treatments", "dystonia", "spasticity"} & set(keys)
    assert "headache" not in [step.key for step in steps_for({"seeking": {"reason": "not_sure"}})]


def test_a_step_reports_only_its_own_questions():
    errors = check_step({}, STEP_BY_KEY["welcome"])
    assert list(errors) == ["contact.privacy_ack"]


@given(st.integers(min_value=1, max_value=99))
def test_pydantic_messages_become_plain_sentences(limit):
    assert plain(f"Input should be less than or equal to {limit}") == f"Please enter a number no bigger than {limit}."
    assert plain(f"List should have at most {limit} items after validation, not {limit + 1}") == (
        f"Please choose no more than {limit}."
    )
    assert plain("Field required") == "Please answer this question."
    assert plain("Migraine days (9) cannot be more than headache days (8).") == (
        "Migraine days (9) cannot be more than headache days (8)."
    )


# --- progress, returning to the review, naming errors, sentences built from answers (issue 10) ----------------


@given(st.sampled_from(list(Reason)))
def test_progress_only_grows_and_its_parts_never_change_count_whatever_the_pathway(reason):
    """Walking forward, from before the pathway is known (welcome, reason) into the chosen pathway's steps."""
    unknown: dict = {}
    known = {"seeking": {"reason": reason}}
    walk = [(unknown, STEP_BY_KEY["welcome"]), (unknown, STEP_BY_KEY["seeking"])]
    walk += [(known, step) for step in steps_for(known)[2:]]
    shown = [progress(draft, step) for draft, step in walk]
    assert all(later.done > earlier.done for earlier, later in pairwise(shown))
    assert all(later.part >= earlier.part for earlier, later in pairwise(shown))
    assert {p.parts for p in shown} == {len(PARTS)}
    assert shown[-1].done == 1
    assert shown[0].text == "Part 1 of 4: Getting started"


def test_every_step_belongs_to_exactly_one_named_part():
    keys = [key for _, part in PARTS for key in part]
    assert sorted(keys) == sorted(step.key for step in STEPS)


def test_after_a_change_next_returns_to_the_review_unless_new_questions_opened():
    draft = typical_patient()
    assert next_step(draft, STEP_BY_KEY["about"], back_to_review=True) is REVIEW
    assert next_step(draft, STEP_BY_KEY["about"], back_to_review=False) is STEP_BY_KEY["headache"]
    draft["seeking"] = {"reason": "cervical_dystonia"}
    prune(draft)
    assert next_step(draft, STEP_BY_KEY["seeking"], back_to_review=True) is STEP_BY_KEY["dystonia"]


def test_an_error_is_named_by_the_question_the_patient_sees():
    headache = section_model("headache").model_fields
    assert question_name("headache.migraine_days") == headache["migraine_days"].title
    assert question_name(KINDS_PATH) == KINDS_QUESTION
    assert question_name("treatments.preventives.1.weeks") == "Medicine 2: For how many weeks did you take it?"
    assert question_name("treatments") == STEP_BY_KEY["treatments"].title


def test_the_welcome_page_asks_for_the_privacy_tick_without_talking_of_sending():
    welcome = STEP_BY_KEY["welcome"]
    assert check_step({"contact": {"privacy_ack": False}}, welcome) == {"contact.privacy_ack": READ_PRIVACY}
    assert "send" not in READ_PRIVACY
    assert check_step({"contact": {"privacy_ack": True}}, welcome) == {}


@pytest.mark.parametrize("method", list(ContactMethod))
def test_the_contact_sentence_reads_right_for_every_method(method):
    words = CONTACT_BY[method]
    assert words in ("phone", "email", "phone or email")
    assert "either" not in words


UNITS = sorted(
    {
        info.json_schema_extra["unit"]
        for section in Submission.model_fields
        for info in section_model(section).model_fields.values()
        if isinstance(info.json_schema_extra, dict) and "unit" in info.json_schema_extra
    }
    | {"weeks", "days a month"}
)


def amount(value, unit):
    return amount_in(value, unit, ENGLISH)


@pytest.mark.parametrize("unit", UNITS)
def test_an_amount_is_singular_for_one_and_plural_otherwise(unit):
    one, two, half = amount(1, unit), amount(2.0, unit), amount(0.5, unit)
    assert one.startswith("1 ") and not one.split(" ")[1].endswith("s")
    assert two == f"2 {unit}"
    assert half == f"0.5 {unit}"
    assert ".0" not in amount(6.0, unit)
