"""Answers stored before the questions changed (rule set 2026.11) still load: for staff, the preview and resume.

The old shape: one "infection, rash or skin problem" question (``injection_site_problem``), no
fever-or-weight-loss, skin, anticholinergic or muscle-relaxant question, and "still taking it"
without "is it helping enough". They are read through ``screening.answers.upgrade`` /
``read_stored``: renamed fields under their new names, questions added since left unanswered.
"""

import copy
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from storage_support import login_as

from screening import casework, intake, rules_preview
from screening.answers import Submission, read_stored, upgrade
from screening.engine import screen
from screening.facts import facts_of
from screening.ruleset import RuleSet
from screening.staff import Role
from screening.storage import Database, cases
from screening.triage import Triage

pytest_plugins = ["db_fixtures"]


def old_answers(ruleset: RuleSet) -> dict[str, Any]:
    answers = copy.deepcopy(ruleset.case_defaults)
    answers["red_flags"].pop("fever_or_weight_loss")
    safety = answers["safety"]
    for added in ("injection_site_skin", "anticholinergics", "muscle_relaxants"):
        safety.pop(added)
    safety["injection_site_problem"] = safety.pop("injection_site_infection")
    answers["treatments"]["preventives"].append({"drug": "candesartan", "weeks": 20, "outcome": "still_taking"})
    return answers


def test_old_answers_are_refused_as_new_input_but_read_back_when_stored(ruleset: RuleSet) -> None:
    old = old_answers(ruleset)
    with pytest.raises(ValueError, match="injection_site_problem"):
        Submission.model_validate(old)

    sub = read_stored(old)

    assert sub.safety.injection_site_infection.value == "no"
    assert sub.safety.anticholinergics is None and sub.red_flags.fever_or_weight_loss is None
    assert sub.treatments is not None and sub.treatments.preventives[-1].helping is None
    facts = facts_of(sub)
    assert facts["safety.muscle_relaxants"] is None  # not asked then: unknown, never "no"
    assert facts["derived.classes_possible"] == 3  # still taking, benefit not asked: possible, not counted
    assert screen(sub, ruleset).triage is Triage.likely_candidate
    assert old["safety"]["injection_site_problem"] == "no"  # the stored copy is not changed


def test_an_old_yes_to_a_skin_problem_keeps_its_meaning_as_an_infection(ruleset: RuleSet) -> None:
    old = old_answers(ruleset)
    old["safety"]["injection_site_problem"] = "yes"
    assert upgrade(old)["safety"]["injection_site_infection"] == "yes"
    assert screen(read_stored(old), ruleset).triage is Triage.not_suitable


def _store_old(db: Database, ruleset: RuleSet) -> tuple[int, str]:
    old = old_answers(ruleset)
    row = intake.stored_form(read_stored(old), ruleset, "BT-OLD0-0000", db.now())
    with db.session() as tx:
        (submission_id,) = cases.insert_submissions(tx, [replace(row, answers=old)])
    return submission_id, row.reference


def test_staff_read_an_old_submission_in_todays_shape(db: Database, ruleset: RuleSet) -> None:
    submission_id, _ = _store_old(db, ruleset)
    found = casework.detail(db, login_as(db, "ivy", Role.intake), submission_id)
    assert found.answers["safety"]["injection_site_infection"] == "no"
    assert "injection_site_problem" not in found.answers["safety"]


def test_the_rule_preview_rescreens_old_submissions_rather_than_skipping_them(db: Database, ruleset: RuleSet) -> None:
    _store_old(db, ruleset)
    preview = rules_preview.rescreen(db, ruleset)
    assert preview.unreadable == 0
    assert preview.screened == 1 and preview.changes == ()


def test_an_old_saved_draft_resumes_in_todays_shape(db: Database, ruleset: RuleSet) -> None:
    born = date(1985, 4, 12)
    code = intake.save_draft(db, old_answers(ruleset), "safety", born).code
    found = intake.resume_draft(db, code, born)
    assert found is not None
    assert found.answers["safety"]["injection_site_infection"] == "no"
