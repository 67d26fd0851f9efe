"""Issue 11: questions a patient answers truly. The words the rules rest on ([Label], [Red flags] in the clinical
reference), and the rules that read those answers: a side effect is not an allergy, a rash is not an infection, an
interaction is a flag and never an exclusion, migraines simply coming more often are not a warning sign."""

from typing import Any

from pydantic import BaseModel

from screening.answers import PriorToxin, RedFlags, Safety
from screening.exports import fhir
from screening.ruleset import RuleSet
from screening.triage import Triage


def title(model: type[BaseModel], field: str) -> str:
    return model.model_fields[field].title or ""


def rules_reading(ruleset: RuleSet, fact: str) -> list[Any]:
    return [rule for rule in ruleset.rules if any(leaf.fact.name == fact for leaf in rule.when.leaves())]


def test_the_allergy_question_asks_about_a_true_allergic_reaction_and_sends_side_effects_elsewhere():
    allergy = title(Safety, "toxin_allergy").lower()
    assert all(sign in allergy for sign in ("allergic reaction", "hives", "swelling", "wheezing"))
    assert "bad reaction" not in allergy
    assert "drooping eyelid" in allergy and "earlier injections" in allergy  # where side effects are asked
    assert "drooping eyelid" in title(PriorToxin, "toxin_outcome").lower()


def test_only_an_infection_at_the_injection_sites_excludes_and_another_skin_problem_is_a_flag(ruleset):
    infection = title(Safety, "injection_site_infection").lower()
    assert "infection" in infection and "rash" not in infection
    assert all(word in title(Safety, "injection_site_skin").lower() for word in ("rash", "eczema", "psoriasis"))
    assert [rule.triage for rule in rules_reading(ruleset, "safety.injection_site_skin")] == [None]
    assert Triage.not_suitable in {rule.triage for rule in rules_reading(ruleset, "safety.injection_site_infection")}


def test_interactions_are_asked_in_plain_words_with_examples_and_never_exclude(ruleset):
    aminoglycosides = title(Safety, "aminoglycosides").lower()
    assert "inhaled tobramycin" in aminoglycosides and "inhaler or nebuliser" in aminoglycosides
    assert all(drug in title(Safety, "anticholinergics").lower() for drug in ("overactive bladder", "oxybutynin"))
    assert all(drug in title(Safety, "muscle_relaxants").lower() for drug in ("muscle relaxant", "baclofen"))
    for fact in ("safety.aminoglycosides", "safety.anticholinergics", "safety.muscle_relaxants"):
        rules = rules_reading(ruleset, fact)
        assert rules, f"no rule reads {fact}"
        assert all(rule.triage in (None, Triage.needs_review) for rule in rules), fact


def test_pattern_change_asks_about_a_new_kind_or_steadily_worse_not_more_frequent():
    pattern = title(RedFlags, "pattern_change").lower()
    assert "new kind" in pattern and "steadily getting worse" in pattern
    assert "more often is not what we mean" in pattern


def test_fever_or_weight_loss_is_asked_on_its_own_and_means_see_a_doctor_soon(ruleset):
    assert "lost weight" in title(RedFlags, "fever_or_weight_loss").lower()
    assert "stiff neck" not in title(RedFlags, "fever_or_weight_loss").lower()
    (rule,) = rules_reading(ruleset, "red_flags.fever_or_weight_loss")
    assert (rule.triage, rule.advice.value if rule.advice else None) == (Triage.urgent, "soon")


def test_cancer_or_weak_immunity_is_a_warning_sign_only_with_a_new_or_changed_headache(ruleset):
    """[Red flags] "soon": the condition TOGETHER WITH a new or changed headache; well-controlled HIV with the usual
    migraine is not a warning sign. The field keeps its name, so a stored "yes" (to the condition alone) stays
    urgent."""
    info = RedFlags.model_fields["cancer_or_immune"]
    question = (info.title or "").lower()
    assert all(word in question for word in ("cancer", "hiv", "weakened immune system"))
    assert "together with a headache that is new or different from your usual headaches" in question
    assert "same as usual, answer no" in question
    assert not any(char.isdigit() for char in info.description or "")  # why we ask: no threshold
    (rule,) = rules_reading(ruleset, "red_flags.cancer_or_immune")
    assert (rule.id, rule.triage, rule.advice.value if rule.advice else None) == ("RF-SYSTEMIC", Triage.urgent, "soon")
    assert "new or different" in rule.explain and "new or changed headache" in rule.title


def test_the_fhir_questionnaire_carries_the_reworded_question_and_its_why():
    item = next(
        child
        for group in fhir.questionnaire()["item"]
        for child in group.get("item", [])
        if child["linkId"] == "red_flags.cancer_or_immune"
    )
    info = RedFlags.model_fields["cancer_or_immune"]
    assert item["text"] == info.title and "new or different" in item["text"]
    assert next(help_item["text"] for help_item in item["item"] if help_item["type"] == "display").startswith(
        info.description or ""
    )
