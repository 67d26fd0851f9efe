"""Patient advice about warning signs comes from the rule set's urgent rules (screening.advice), and the loader
keeps every urgent rule and its advice together."""

import shutil
from pathlib import Path
from textwrap import dedent

import pytest
from core_support import RULES
from rules_support import regraded

from screening.advice import answer_advice, patient_advice
from screening.answers import RED_FLAGS_ASKED, RedFlags
from screening.care import information
from screening.choices import Pathway
from screening.loader import RuleSetError, load_ruleset
from screening.returns.answers import Spread
from screening.ruleset import Advice
from screening.triage import Triage

EMERGENCY_GROUP = {"thunderclap", "neuro_deficit", "fever_stiff_neck", "head_injury", "pregnancy_new_headache"}
"""[Red flags] "Emergency now"; the rest of the warning signs are "see a doctor soon"."""


def test_the_grades_are_the_reference_s(ruleset):
    graded = {name: answer_advice(ruleset, "headache", name, "yes") for name in RedFlags.model_fields}
    assert {name for name, advice in graded.items() if advice is Advice.emergency} == EMERGENCY_GROUP
    assert {name for name, advice in graded.items() if advice is Advice.soon} == set(RedFlags.model_fields) - (
        EMERGENCY_GROUP
    )


def test_every_urgent_rule_gives_advice_and_no_other_does(ruleset):
    assert {rule.id for rule in ruleset.rules if rule.triage is Triage.urgent} == {
        rule.id for rule in ruleset.rules if rule.advice is not None
    }


def test_not_sure_gets_the_happening_now_line_only_on_an_emergency_sign(ruleset):
    assert answer_advice(ruleset, "headache", "thunderclap", "not_sure") is Advice.unsure
    assert answer_advice(ruleset, "headache", "new_after_50", "not_sure") is None
    assert answer_advice(ruleset, "headache", "thunderclap", "no") is None
    assert answer_advice(ruleset, "headache", "thunderclap", None) is None


def test_an_emergency_says_it_all_otherwise_soon_and_not_sure_both_apply(ruleset):
    assert patient_advice(ruleset, {"thunderclap": "yes", "new_after_50": "yes"}, "headache") == [Advice.emergency]
    assert patient_advice(ruleset, {"new_after_50": "yes", "head_injury": "not_sure"}, "headache") == [
        Advice.soon,
        Advice.unsure,
    ]
    assert patient_advice(ruleset, {"thunderclap": "no"}, "headache") == []


SPREAD_GRADES = {
    "swallowing": Advice.emergency,
    "speaking": Advice.emergency,
    "breathing": Advice.emergency,
    "double_vision": Advice.same_day,
    "general_weakness": Advice.same_day,
}
"""[Label] after an injection trouble swallowing, speaking or breathing is an emergency; the information page tells
the patient to call the clinic the same day about double or blurred vision and general weakness."""


@pytest.mark.parametrize("pathway", list(Pathway))
def test_signs_of_distant_spread_are_graded_as_the_information_page_says(ruleset, pathway):
    graded = {name: answer_advice(ruleset, pathway.value, name, "yes", "spread") for name in Spread.model_fields}
    assert graded == SPREAD_GRADES
    assert answer_advice(ruleset, pathway.value, "breathing", "not_sure", "spread") is Advice.unsure
    assert answer_advice(ruleset, pathway.value, "double_vision", "not_sure", "spread") is None


def test_same_day_comes_after_an_emergency_and_beside_happening_now(ruleset):
    assert patient_advice(ruleset, {"double_vision": "yes", "swallowing": "yes"}, "headache", "spread") == [
        Advice.emergency
    ]
    assert patient_advice(ruleset, {"general_weakness": "yes", "speaking": "not_sure"}, "headache", "spread") == [
        Advice.same_day,
        Advice.unsure,
    ]


def test_the_same_day_rule_reads_exactly_the_information_page_s_same_day_signs(ruleset):
    same_day = [rule for rule in ruleset.rules if rule.advice is Advice.same_day]
    assert [(rule.id, rule.triage) for rule in same_day] == [("RV-SPREAD-SAME-DAY", Triage.urgent)]
    assert {leaf.fact.name for leaf in same_day[0].when.leaves()} == {"spread.double_vision", "spread.general_weakness"}
    assert information.SAME_DAY_SIGNS[0].startswith("double or blurred vision")
    assert "weakness all over your body" in information.SAME_DAY_SIGNS[1]
    emergency = {
        leaf.fact.name for rule in ruleset.rules if rule.advice is Advice.emergency for leaf in rule.when.leaves()
    }
    assert {"spread.swallowing", "spread.speaking", "spread.breathing"} <= emergency
    assert not {"spread.double_vision", "spread.general_weakness"} & emergency


@pytest.mark.parametrize("pathway", [Pathway.dystonia, Pathway.spasticity])
def test_dystonia_and_spasticity_patients_are_asked_only_new_neurological_symptoms(ruleset, pathway):
    assert RED_FLAGS_ASKED[pathway] == ("neuro_deficit",)
    assert answer_advice(ruleset, pathway.value, "neuro_deficit", "yes") is Advice.emergency


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    return copy


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "red_flags.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_changing_a_rule_s_grade_changes_the_advice(tmp_path: Path):
    changed = load_ruleset(regraded(tmp_path / "rules", "RF-POSITIONAL", "emergency"))
    assert answer_advice(changed, "headache", "positional_or_straining", "yes") is Advice.emergency
    assert answer_advice(changed, "headache", "positional_or_straining", "not_sure") is Advice.unsure


def test_an_urgent_rule_without_advice_is_refused(folder):
    _edit(folder, "    advice: emergency\n", "")
    with pytest.raises(RuleSetError, match="RF-THUNDERCLAP: an urgent rule needs 'advice"):
        load_ruleset(folder)


def _extra(folder: Path, when: str, triage: str) -> None:
    (folder / "extra.yaml").write_text(
        dedent(f"""\
            rules:
              - id: X-ADVICE
                title: A rule for the test
                when: {when}
                triage: {triage}
                severity: info
                advice: soon
                source: Test
                explain: "A test rule."
            """),
        encoding="utf-8",
    )


def test_advice_on_a_rule_that_is_not_urgent_is_refused(folder):
    _extra(folder, "red_flags.thunderclap == yes", "needs_review")
    with pytest.raises(RuleSetError, match="X-ADVICE: only an urgent rule gives the patient advice"):
        load_ruleset(folder)


def test_an_advice_rule_may_only_test_what_the_warning_signs_step_knows(folder):
    _extra(folder, "about.age > 50", "urgent")
    with pytest.raises(RuleSetError, match=r"X-ADVICE: advice is shown on the warning-signs step.*about\.age"):
        load_ruleset(folder)
