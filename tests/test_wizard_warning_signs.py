"""Warning signs in the wizard (AppTest): graded advice read from the rule set, the not-sure wording,
one consistent confirmation, questions worded per pathway; and the other question fixes of issues 10 and 11.
"""

import re
import shutil
from pathlib import Path

import pytest
from rules_support import follow_rules
from wizard_support import (
    ROOT,
    answer,
    box_after,
    click,
    fill_step,
    go_to_step,
    header,
    page_text,
    patient_for,
    start,
    stored_triage,
    tick,
    typical_patient,
    walk_to_review,
    widget,
)

from screening.answers import Submission
from screening.settings import get_settings
from screening.ui.draft import STEP_BY_KEY, section_model
from screening.ui.warning_signs import EMERGENCY, EMERGENCY_AFTER, SOON, SOON_AFTER, UNSURE_NOW

pytest_plugins = ["wizard_fixtures"]  # the data_dir fixture
BOXES = ("error", "warning", "info")
BOOKING = "Your free video call"


def advice_after(at, question: str) -> str | None:
    return box_after(at, f"w:red_flags.{question}", BOXES)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("thunderclap", EMERGENCY),
        ("neuro_deficit", EMERGENCY),
        ("fever_stiff_neck", EMERGENCY),
        ("head_injury", EMERGENCY),
        ("pregnancy_new_headache", EMERGENCY),
        ("new_after_50", SOON),
        ("positional_or_straining", SOON),
        ("cancer_or_immune", SOON),
        ("fever_or_weight_loss", SOON),
        ("pattern_change", SOON),
    ],
)
def test_a_yes_gets_the_advice_of_its_grade_at_once(data_dir, question, expected):
    at = go_to_step(start(), typical_patient(), "red_flags")
    answer(at, f"red_flags.{question}", "yes")
    assert advice_after(at, question) == expected
    if expected == SOON:
        assert "911" not in page_text(at)


def test_not_sure_on_an_emergency_sign_says_what_to_do_if_it_is_happening_now(data_dir):
    at = go_to_step(start(), typical_patient(), "red_flags")
    answer(at, "red_flags.thunderclap", "not_sure")
    assert advice_after(at, "thunderclap") == UNSURE_NOW
    answer(at, "red_flags.positional_or_straining", "not_sure")
    assert advice_after(at, "positional_or_straining") is None
    answer(at, "red_flags.thunderclap", "no")
    assert advice_after(at, "thunderclap") is None


def send(at, answers):
    walk_to_review(at, answers)
    click(at, "Send my answers")
    assert header(at) == "Thank you"
    return page_text(at)


def test_after_emergency_advice_the_confirmation_does_not_ask_the_patient_to_wait(data_dir):
    answers = typical_patient()
    answers["red_flags"] |= {"thunderclap": "yes", "positional_or_straining": "yes"}
    at = start()
    text = send(at, answers)
    assert [e.value for e in at.error] == [EMERGENCY_AFTER]
    assert "after you have been seen" in text
    assert "2 working days" not in text and "video call" not in text and SOON_AFTER not in text
    assert not at.radio and BOOKING not in [h.value for h in at.header]
    assert stored_triage(data_dir, at.code[0].value) == "urgent"


def test_after_see_a_doctor_soon_advice_the_clinic_calls_first_and_no_emergency_is_said(data_dir):
    answers = typical_patient()
    answers["red_flags"]["cancer_or_immune"] = "yes"
    at = start()
    text = send(at, answers)
    assert [w.value for w in at.warning] == [SOON_AFTER]
    assert "911" not in text and "contact you first" in text
    assert stored_triage(data_dir, at.code[0].value) == "urgent"
    assert BOOKING in [h.value for h in at.header] and at.radio, "not emergency advice: the call may be requested"


def test_the_review_page_shows_the_cancer_question_with_its_new_or_changed_headache(data_dir):
    answers = typical_patient()
    answers["red_flags"]["cancer_or_immune"] = "yes"
    at = walk_to_review(start(), answers)
    assert "together with a headache that is new or different from your usual headaches" in page_text(at)


def test_after_not_sure_on_an_emergency_sign_the_confirmation_repeats_what_to_do_now(data_dir):
    answers = typical_patient()
    answers["red_flags"]["head_injury"] = "not_sure"
    at = start()
    send(at, answers)
    assert [i.value for i in at.info] == [UNSURE_NOW] and not at.error
    assert stored_triage(data_dir, at.code[0].value) == "needs_review"
    assert BOOKING in [h.value for h in at.header] and at.radio


@pytest.mark.parametrize("reason", ["cervical_dystonia", "limb_spasticity"])
def test_dystonia_and_spasticity_patients_are_asked_the_warning_signs_for_them(data_dir, reason):
    at = go_to_step(start(), patient_for(reason), "red_flags")
    text = page_text(at)
    assert "after the age of 50" not in text and "headache" not in text.lower()
    assert widget(at, "w:red_flags.neuro_deficit").label.startswith("Apart from the stiffness or movements")
    answer(at, "red_flags.neuro_deficit", "yes")
    assert advice_after(at, "neuro_deficit") == EMERGENCY


def test_a_warning_sign_left_unanswered_is_asked_for(data_dir):
    answers = typical_patient()
    del answers["red_flags"]["fever_or_weight_loss"]
    at = go_to_step(start(), answers, "red_flags")
    fill_step(at, answers, STEP_BY_KEY["red_flags"])
    click(at, "Next")
    assert header(at) == STEP_BY_KEY["red_flags"].title
    assert box_after(at, "w:red_flags.fever_or_weight_loss") == "Please answer this question (Not sure is fine)."


def _rules_with(folder: Path, old: str, new: str) -> Path:
    """The clinic's rules with one change to a warning-sign rule (that file's own examples following it)."""
    shutil.copytree(ROOT / "rules", folder)
    path = folder / "red_flags.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    follow_rules(folder, "red_flags.yaml")
    return folder


def test_the_wizard_follows_the_rule_set_when_a_grade_changes(data_dir, monkeypatch):
    """One source of truth: move positional headaches to the emergency group, and the patient is told so."""
    grade = "positional_or_straining == yes\n    triage: urgent\n    severity: critical\n    advice: soon"
    folder = _rules_with(data_dir / "rules", grade, grade.replace("advice: soon", "advice: emergency"))
    monkeypatch.setenv("SCREENING_RULES_DIR", str(folder))
    get_settings.cache_clear()
    at = go_to_step(start(), typical_patient(), "red_flags")
    answer(at, "red_flags.positional_or_straining", "yes")
    assert advice_after(at, "positional_or_straining") == EMERGENCY
    answer(at, "red_flags.positional_or_straining", "not_sure")
    assert advice_after(at, "positional_or_straining") == UNSURE_NOW


def test_the_video_call_offer_follows_the_rule_set_s_grade(data_dir, monkeypatch):
    """Positional headaches moved to the emergency group: the same answers now get no video-call offer."""
    answers = typical_patient()
    answers["red_flags"]["positional_or_straining"] = "yes"
    at = start()
    send(at, answers)
    assert BOOKING in [h.value for h in at.header]
    grade = "positional_or_straining == yes\n    triage: urgent\n    severity: critical\n    advice: soon"
    folder = _rules_with(data_dir / "rules", grade, grade.replace("advice: soon", "advice: emergency"))
    monkeypatch.setenv("SCREENING_RULES_DIR", str(folder))
    get_settings.cache_clear()
    at = start()
    send(at, answers)
    assert [e.value for e in at.error] == [EMERGENCY_AFTER]
    assert not at.radio and BOOKING not in [h.value for h in at.header]


def test_the_wizard_follows_the_rule_set_when_a_warning_sign_rule_changes_its_question(data_dir, monkeypatch):
    """Point the thunderclap rule at another answer: that answer now gets the emergency advice, thunderclap none."""
    folder = _rules_with(
        data_dir / "rules",
        "when: red_flags.thunderclap == yes",
        "when: red_flags.pattern_change == yes",
    )
    monkeypatch.setenv("SCREENING_RULES_DIR", str(folder))
    get_settings.cache_clear()
    at = go_to_step(start(), typical_patient(), "red_flags")
    answer(at, "red_flags.thunderclap", "yes")
    assert advice_after(at, "thunderclap") is None
    answer(at, "red_flags.pattern_change", "yes")
    assert advice_after(at, "pattern_change") == EMERGENCY


def test_each_ticked_medicine_offers_not_sure_for_its_days_and_it_is_stored_as_unknown(data_dir):
    answers = typical_patient()
    answers["headache"] |= {"acute_days": 12, "days_triptan": 0}
    at = go_to_step(start(), answers, "headache")
    fill_step(at, answers, STEP_BY_KEY["headache"])
    tick(at, "headache.days_combination")
    answer(at, "headache.days_combination", None)  # ticks its "Not sure"
    assert at.session_state["draft"]["headache"]["days_combination"] is None
    click(at, "Next")
    assert header(at) == STEP_BY_KEY["treatments"].title
    answers["headache"]["days_combination"] = None
    at = start()
    walk_to_review(at, answers)
    assert "Combination pills: not sure how many days" in page_text(at)
    click(at, "Send my answers")
    assert stored_triage(data_dir, at.code[0].value) == "needs_review"  # possible overuse, kinds not known


def test_a_medicine_still_taken_asks_whether_it_helps_enough(data_dir):
    answers = typical_patient()
    at = go_to_step(start(), answers, "treatments")
    answer(at, "treatments.current_cgrp", "no")
    click(at, "Add a medicine")
    answer(at, "treatments.preventives.0.drug", "candesartan")
    answer(at, "treatments.preventives.0.weeks", 10)
    answer(at, "treatments.preventives.0.outcome", "helped")
    assert "w:treatments.preventives.0.helping" not in at.session_state
    answer(at, "treatments.preventives.0.outcome", "still_taking")
    click(at, "Next")
    assert box_after(at, "w:treatments.preventives.0.helping") == "Please answer this question (Not sure is fine)."
    answer(at, "treatments.preventives.0.helping", "no")
    click(at, "Next")
    assert header(at) != STEP_BY_KEY["treatments"].title


CUT_OFF = re.compile(
    r"\d+\s*(or more|or fewer|days|hours|weeks|months)|at least|more than \d|two kinds|\b(8|15|12|4)\b", re.I
)


def test_no_why_we_ask_line_gives_away_a_cut_off():
    lines = {
        f"{section}.{name}": info.description or ""
        for section in Submission.model_fields
        for name, info in section_model(section).model_fields.items()
    }
    lines |= {
        f"treatments.preventives.{name}": info.description or ""
        for name, info in section_model("treatments")
        .model_fields["preventives"]
        .annotation.__args__[0]
        .model_fields.items()
    }
    assert {path: line for path, line in lines.items() if CUT_OFF.search(line)} == {}
