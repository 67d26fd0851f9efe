"""The wizard hides (and clears) exactly the answers the model drops, whatever the branching answers are."""

from hypothesis import given
from hypothesis import strategies as st
from wizard_support import OTHER_PATHWAYS, typical_patient

from screening.answers import Submission
from screening.choices import ContactMethod, Reason, Sex, YesNoUnsure
from screening.ui.draft import STEP_BY_KEY, check_step, plain, prune, steps_for


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
