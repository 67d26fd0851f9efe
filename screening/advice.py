"""What a patient is told at once about warning signs, read from the rule set's urgent rules.

The same red-flag rules that make a submission urgent for staff carry the patient's
``advice`` (``emergency``, ``same_day`` or ``soon``). The wizard asks this module, never its own list,
so the advice and the urgent rules cannot drift apart: change a rule's grade, or add a
warning sign with its rule, and the wizard follows. A return visit's signs of distant spread
work the same way, from the return rules' urgent rule (``section="spread"``).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from screening.choices import VisitKind
from screening.conditions import Condition
from screening.facts import FACTS
from screening.ruleset import VISIT_FACT, Advice, Rule, RuleSet

YES, UNSURE = "yes", "not_sure"
ADVICE_SECTIONS: dict[str, VisitKind] = {"red_flags": VisitKind.first, "spread": VisitKind.return_}
"""The questions whose answers get advice at once, and the kind of visit that asks them."""
STRENGTH = (Advice.emergency, Advice.same_day, Advice.soon, Advice.unsure)
"""Strongest first: what the patient reads first, and the one beside a question when several rules fire."""


def holds(condition: Condition, facts: Mapping[str, Any]) -> bool:
    """One condition on one record's facts (missing facts are unknown)."""
    leaves = condition.leaves()
    slot = {leaf.text: index for index, leaf in enumerate(leaves)}
    return condition.combiner(slot)([leaf.test(facts.get(leaf.fact.name)) for leaf in leaves])


def _advice_rules(ruleset: RuleSet, visit: str) -> Iterable[Rule]:
    return (rule for rule in ruleset.rules if rule.advice is not None and rule.visit.value == visit)


def _fired(ruleset: RuleSet, facts: Mapping[str, Any]) -> set[Advice]:
    rules = _advice_rules(ruleset, facts[VISIT_FACT])
    return {rule.advice for rule in rules if rule.advice and holds(rule.when, facts)}


def red_flag_facts(answers: Mapping[str, Any], pathway: str | None, section: str = "red_flags") -> dict[str, Any]:
    """The facts an advice rule may test, from warning-sign answers given so far (the rest unknown)."""
    facts: dict[str, Any] = {f"{section}.{name}": value for name, value in answers.items() if value is not None}
    facts["derived.pathway"] = pathway
    facts[VISIT_FACT] = ADVICE_SECTIONS[section].value
    return {name: value for name, value in facts.items() if name in FACTS}


def answer_advice(
    ruleset: RuleSet, pathway: str | None, question: str, answer: str | None, section: str = "red_flags"
) -> Advice | None:
    """The advice for one warning-sign answer, shown under its question.

    "Not sure" gets ``unsure`` where a "yes" would have been an emergency: the patient is
    told what to do if it is happening now, and that a clinician will check it otherwise.
    """
    if answer not in (YES, UNSURE):
        return None
    if_yes = _strongest(_fired(ruleset, red_flag_facts({question: YES}, pathway, section)))
    if answer == YES:
        return if_yes
    return Advice.unsure if if_yes is Advice.emergency else None


def patient_advice(
    ruleset: RuleSet, answers: Mapping[str, Any], pathway: str | None, section: str = "red_flags"
) -> list[Advice]:
    """Everything to tell the patient about their warning-sign answers, strongest first.

    An emergency says it all; otherwise "call the clinic today", "see a doctor soon" and "if it is happening
    now" can apply together.
    """
    found = _fired(ruleset, red_flag_facts(answers, pathway, section))
    found |= {
        advice
        for question, answer in answers.items()
        if answer == UNSURE and (advice := answer_advice(ruleset, pathway, question, answer, section))
    }
    if Advice.emergency in found:
        return [Advice.emergency]
    return [advice for advice in STRENGTH if advice in found]


def emergency_given(advice: Iterable[Advice]) -> bool:
    """Was the patient told to get emergency care now? Only this grade withholds the video call: a patient
    told to see a doctor soon, or what to do if a sign is happening now, may still ask for one."""
    return Advice.emergency in advice


def advice_given(ruleset: RuleSet, answers: Mapping[str, Any], pathway: str | None) -> list[Advice]:
    """What the wizard told the patient with these stored answers (first or return visit), strongest first."""
    found = {
        grade
        for section in ADVICE_SECTIONS
        if answers.get(section)
        for grade in patient_advice(ruleset, answers[section], pathway, section)
    }
    return [grade for grade in STRENGTH if grade in found]


def emergency_advised(ruleset: RuleSet, answers: Mapping[str, Any], pathway: str | None) -> bool:
    """Did the wizard tell the patient with these stored answers to get emergency care?

    Read from the rule set's graded urgent rules, as the wizard does, never from "any warning sign
    answered yes": a "soon" sign (a headache that began after 50) is not emergency advice.
    """
    return emergency_given(advice_given(ruleset, answers, pathway))


def _strongest(found: set[Advice]) -> Advice | None:
    return next((advice for advice in STRENGTH if advice in found), None)
