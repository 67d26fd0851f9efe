"""Derived facts of issue 11: still-taking preventives, trials too short to count, overuse with kinds not known,
spasticity limbs and goals (counts the rules test, names the why-card shows)."""

import copy
from typing import Any

from screening.answers import Submission
from screening.engine import screen
from screening.facts import facts_of


def facts(typical: dict[str, Any], **sections: dict[str, Any]) -> dict[str, Any]:
    """The facts of the typical patient with some sections' answers changed (``typical`` itself is not)."""
    answers = copy.deepcopy(typical)
    for section, changes in sections.items():
        answers[section] = answers.get(section, {}) | changes
    return facts_of(Submission.model_validate(answers))


def test_a_trial_too_short_is_named_for_staff(typical):
    preventives = [
        {"drug": "topiramate", "weeks": 12, "outcome": "did_not_help"},
        {"drug": "propranolol", "weeks": 4, "outcome": "did_not_help"},
        {
            "drug": "other",
            "other_name": "Bisoprolol",
            "other_class": "beta_blocker",
            "weeks": 6.5,
            "outcome": "still_taking",
            "helping": "no",
        },
    ]
    found = facts(typical, treatments={"preventives": preventives})
    assert found["derived.short_trials"] == (
        "Propranolol: 4 weeks, too short to count; Bisoprolol: 6.5 weeks, too short to count"
    )
    assert found["derived.classes_tried"] == 1 and found["derived.classes_with_short_trials"] == 2


def test_the_staff_explanation_names_a_trial_too_short_and_flags_it_when_it_is_why_fewer_than_two_count(
    typical, ruleset
):
    typical["treatments"]["preventives"] = [
        {"drug": "topiramate", "weeks": 12, "outcome": "did_not_help"},
        {"drug": "propranolol", "weeks": 4, "outcome": "did_not_help"},
    ]
    reasons = {flag.id: flag.reason for flag in screen(Submission.model_validate(typical), ruleset).flags}
    assert set(reasons) == {"CM-FEW-CLASSES", "PT-SHORT-TRIAL"}
    assert all("Propranolol: 4 weeks, too short to count" in reason for reason in reasons.values())


def test_a_medicine_still_taken_counts_only_when_it_does_not_help_enough(typical):
    still = {"drug": "candesartan", "weeks": 10, "outcome": "still_taking"}
    base = [{"drug": "topiramate", "weeks": 12, "outcome": "did_not_help"}]
    counted = {
        helping: facts(typical, treatments={"preventives": [*base, still | {"helping": helping}]})
        for helping in ("no", "yes", "not_sure")
    }
    assert counted["no"]["derived.classes_tried"] == 2
    assert counted["yes"]["derived.classes_tried"] == 1 and counted["yes"]["derived.classes_possible"] == 1
    assert counted["not_sure"]["derived.classes_tried"] == 1 and counted["not_sure"]["derived.classes_possible"] == 2


def test_a_medicine_still_taken_for_under_8_weeks_is_too_short_even_when_not_sure_it_helps(typical):
    """[Payer] a trial under 8 weeks does not count: not a 'might count' while the patient is unsure."""
    base = [{"drug": "topiramate", "weeks": 12, "outcome": "did_not_help"}]
    for weeks, short in ((7, True), (8, False)):
        still = {"drug": "candesartan", "weeks": weeks, "outcome": "still_taking", "helping": "not_sure"}
        found = facts(typical, treatments={"preventives": [*base, still]})
        assert found["derived.classes_possible"] == (1 if short else 2)
        assert found["derived.short_trials"] == ("Candesartan: 7 weeks, too short to count" if short else "none")


def test_acute_medicine_on_many_days_with_no_kind_named_is_kinds_not_known(typical):
    none_named = dict.fromkeys(
        ("days_simple_analgesic", "days_triptan", "days_combination", "days_opioid", "days_ergot", "days_gepant"), 0
    )
    assert facts(typical, headache=none_named | {"acute_days": 12})["derived.acute_kinds_unknown"] == "yes"
    assert (
        facts(typical, headache=none_named | {"acute_days": 12, "days_gepant": 12})["derived.acute_kinds_unknown"]
        == "no"
    )
    assert facts(typical, headache={"acute_days": 12, "days_triptan": None})["derived.acute_kinds_unknown"] == "yes"
    assert facts(typical, headache={"acute_days": 12, "days_triptan": 9})["derived.acute_kinds_unknown"] == "no"


def test_gepants_are_listed_but_not_a_kind_of_overuse(typical):
    found = facts(typical, headache={"acute_days": 12, "days_triptan": 6, "days_gepant": 6})
    assert found["derived.overuse_kinds"] == 1


def test_gepant_days_do_not_make_up_the_days_of_several_kinds_together(typical):
    """acute 13 = simple 4 + triptan 5 + gepant 4: at most 9 days can have had a counted kind."""
    kinds = {"days_simple_analgesic": 4, "days_triptan": 5, "days_gepant": 4}
    assert facts(typical, headache={"acute_days": 13} | kinds)["derived.overuse_together_days"] == 9
    assert (
        facts(typical, headache={"acute_days": 13} | kinds | {"days_gepant": 0})["derived.overuse_together_days"] == 13
    )  # days not explained by a named kind may be any kind, as before gepants were asked
    assert (
        facts(typical, headache={"acute_days": 13} | kinds | {"days_gepant": None})["derived.overuse_together_days"]
        == 13
    )  # gepant days not known: none can be left out
    # gepant days that may also be triptan or painkiller days are not left out: 6 + 6 named on 12 days
    both = {"acute_days": 12, "days_simple_analgesic": 6, "days_triptan": 6, "days_gepant": 6}
    assert facts(typical, headache=both)["derived.overuse_together_days"] == 12


def test_spasticity_limbs_and_goals_are_facts_and_the_reason_names_them(typical, ruleset):
    typical.pop("headache")
    typical.pop("treatments")
    typical["seeking"] = {"reason": "limb_spasticity", "spasticity_cause": "stroke"}
    typical["spasticity"] = {"limbs": ["left_arm", "left_leg"], "goals": ["hygiene"], "current_therapy": "yes"}
    sub = Submission.model_validate(typical)
    found = facts_of(sub)
    assert (found["derived.spasticity_limbs"], found["derived.spasticity_goals"]) == (2, 1)
    (flag,) = screen(sub, ruleset).flags
    assert flag.id == "SP-LIKELY"
    assert "limbs: Left arm, Left leg; goals: Easier washing and dressing" in flag.reason
