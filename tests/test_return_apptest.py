"""The return visit in the wizard, driven through its widgets (AppTest), on a real SQLite file."""

import copy
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from return_support import BORN
from test_wizard_apptest import reopen
from wizard_support import (
    FORBIDDEN,
    ROOT,
    answer,
    box_after,
    click,
    error_after,
    go_to_step,
    header,
    page_text,
    patient_for,
    start,
    walk_to_review,
    widget,
)

from screening import intake
from screening.answers import Submission
from screening.care import information
from screening.loader import load_ruleset
from screening.ruleset import Advice
from screening.settings import get_settings
from screening.storage import Database
from screening.ui import returning
from screening.ui.draft import ACUTE_KINDS, RETURN_STEPS, STEP_BY_KEY
from screening.ui.warning_signs import (
    SAME_DAY,
    SAME_DAY_NEXT,
    SAME_DAY_SENT,
    UNSURE_NOW,
    advice_text,
    next_steps,
    next_steps_after_return,
)

pytest_plugins = ["wizard_fixtures"]


def linked(born: date = BORN, reason: str = "chronic_migraine") -> tuple[Any, str]:
    """The app opened (its database migrated), a first screening stored, and the returning patient linked."""
    at = start()
    db = Database.from_settings(get_settings())
    ruleset = load_ruleset(ROOT / "rules")
    reference = intake.submit(db, Submission.model_validate(patient_for(reason)), ruleset).reference
    db.dispose()
    return link(at, reference, born), reference


def link(at: Any, reference: str, born: date) -> Any:
    at.text_input(key="link-code").input(reference)
    at.date_input(key="link-dob").set_value(born)
    return click(at, "Continue with my record")


def return_answers(**sections: dict[str, Any]) -> dict[str, Any]:
    """The typical return visit, as the wizard keeps it: the last injection 13 weeks before today."""
    answers: dict[str, Any] = {
        "spread": dict.fromkeys(("swallowing", "speaking", "breathing", "double_vision", "general_weakness"), "no"),
        "course": {
            "cycles": 2,
            "last_injection": (date.today() - timedelta(weeks=13)).isoformat(),
            "last_outcome": "helped",
        },
        "migraine_now": {
            "headache_days": 8,
            "migraine_days": 4,
            "month_2_days": 10,
            "month_3_days": 16,
            "acute_days": 4,
            **dict.fromkeys(ACUTE_KINDS, 0),
            "days_triptan": 4,
        },
        "effects": dict.fromkeys(
            ("injection_site_pain", "neck_pain", "eyelid_droop", "weakness_near_site", "flu_like", "allergic_reaction"),
            "no",
        ),
        "plans": {"wants_continue": "yes"},
    }
    for name, changes in sections.items():
        answers[name] = {**answers[name], **copy.deepcopy(changes)}
    return answers


def stored(data_dir: Path, reference: str) -> tuple[str, str, int | None, str]:
    with sqlite3.connect(data_dir / "screening.db") as db:
        return db.execute(  # the flags from their own table: the stored result is sealed with the data key
            "SELECT triage, visit_kind, first_submission_id, (SELECT group_concat(flag_id) FROM submission_flags f "
            "WHERE f.submission_id = s.id) FROM submissions s WHERE reference = ?",
            (reference,),
        ).fetchone()


def send(at: Any, answers: dict[str, Any], seen: list[str]) -> Any:
    walk_to_review(at, answers, seen)
    seen.append(page_text(at))
    click(at, "Send my answers")
    seen.append(page_text(at))
    return at


def test_a_return_that_helped_is_stored_linked_and_the_patient_hears_only_neutral_next_steps(data_dir):
    at, first = linked()
    assert header(at) == STEP_BY_KEY["spread"].title
    assert "Part 1 of 3: Safety first" in page_text(at)
    seen: list[str] = []
    send(at, return_answers(), seen)

    assert header(at) == "Thank you"
    triage, kind, root, result = stored(data_dir, at.code[0].value)
    assert (triage, kind) == ("likely_candidate", "return")
    with sqlite3.connect(data_dir / "screening.db") as db:
        (first_id,) = db.execute("SELECT id FROM submissions WHERE reference = ?", (first,)).fetchone()
    assert root == first_id and "RV-CONTINUE-MET" in result
    for text in seen:
        assert not [word for word in FORBIDDEN if word in text.lower()]
    last = seen[-1].lower()
    assert "what happens next" in last and "stop" not in last and "continue" not in last
    assert [step.title for step in RETURN_STEPS if step.title in " ".join(seen)] == [
        "Since your last injection",
        "Your treatment so far",
        "Your headaches now",
        "Effects since your last injection",
        "Your next treatment",
        "Check your answers",
    ]


def test_a_return_that_wore_off_is_flagged_for_the_clinician(data_dir):
    at, _ = linked()
    send(at, return_answers(course={"last_outcome": "wore_off"}), [])
    triage, _, _, result = stored(data_dir, at.code[0].value)
    assert triage == "likely_candidate" and "RV-WORE-OFF" in result


def test_a_sign_of_distant_spread_shows_the_emergency_message_at_once_and_is_stored_urgent(data_dir):
    at, _ = linked()
    answer(at, "spread.swallowing", "yes")
    assert header(at) == STEP_BY_KEY["spread"].title
    assert error_after(at, "w:spread.swallowing").startswith("Please get urgent medical help now: call 911")
    answer(at, "spread.breathing", "not_sure")
    assert box_after(at, "w:spread.breathing", BOXES) == UNSURE_NOW
    seen: list[str] = []
    send(at, return_answers(spread={"swallowing": "yes", "breathing": "not_sure"}), seen)
    assert any("911" in box.value for box in at.error)
    assert "after you have been seen" in seen[-1]
    assert stored(data_dir, at.code[0].value)[0] == "urgent"


BOXES = ("error", "warning", "info")


@pytest.mark.parametrize("sign", ["double_vision", "general_weakness"])
def test_double_vision_or_weakness_all_over_means_call_the_clinic_today_in_the_same_words_throughout(data_dir, sign):
    """Urgent for staff; for the patient what the information page says: call the clinic the same day (or your own
    doctor), 911 if no one can be reached and you feel worse. Beside the question, after sending, and in the next
    steps; never the emergency box, never "within a few days" or "2 working days"."""
    at, _ = linked()
    answer(at, f"spread.{sign}", "yes")
    beside = box_after(at, f"w:spread.{sign}", BOXES)
    assert beside == f"{SAME_DAY} {information.SAME_DAY_AFTER}" == advice_text(Advice.same_day)
    assert "call the clinic today" in beside.lower() and "(or your own doctor)" in beside
    assert not at.error and "few days" not in page_text(at)
    answer(at, f"spread.{sign}", "not_sure")
    assert box_after(at, f"w:spread.{sign}", BOXES) is None  # no "if this is happening now, call 911"
    seen: list[str] = []
    send(at, return_answers(spread={sign: "yes"}), seen)
    assert not at.error and [box.value for box in at.warning] == [f"{SAME_DAY_SENT} {information.SAME_DAY_AFTER}"]
    steps = " ".join(block.value for block in at.markdown)
    assert f"{SAME_DAY_NEXT} {information.SAME_DAY_AFTER}" in steps
    assert "2 working days" not in steps and "after you have been seen" not in steps and "few days" not in steps
    triage, _, _, flags = stored(data_dir, at.code[0].value)
    assert triage == "urgent" and "RV-SPREAD-SAME-DAY" in flags.split(",") and "RV-SPREAD" not in flags.split(",")


def test_the_same_day_words_are_the_information_page_s():
    assert information.SAME_DAY_INTRO.startswith("Call the clinic the same day (or your own doctor)")
    for text in (SAME_DAY, SAME_DAY_SENT, SAME_DAY_NEXT):
        assert "call the clinic today" in text.lower() and "(or your own doctor)" in text
    for steps in (next_steps_after_return([Advice.same_day]), next_steps([Advice.same_day], "phone")):
        assert steps.startswith(f"{SAME_DAY_NEXT} {information.SAME_DAY_AFTER}") and "2 working days" not in steps


def test_answers_stay_on_an_error_and_a_reload_keeps_the_return_visit(data_dir):
    at, _ = linked()
    answers = return_answers()
    go_to_step(at, answers, "migraine_now")
    answer(at, "migraine_now.headache_days", 8)
    answer(at, "migraine_now.migraine_days", 12)  # more than the headache days
    click(at, "Next")
    assert header(at) == STEP_BY_KEY["migraine_now"].title
    assert "cannot be more than headache days" in error_after(at, "w:migraine_now.migraine_days")
    assert widget(at, "w:migraine_now.headache_days").value == 8

    again = reopen(dict(at.query_params))

    assert header(again) == STEP_BY_KEY["migraine_now"].title
    assert again.session_state["draft"]["linked"] == at.session_state["draft"]["linked"]
    assert widget(again, "w:migraine_now.migraine_days").value == 12


def test_a_wrong_birth_date_is_refused_and_the_code_locks_after_its_tries(data_dir):
    at, reference = linked(BORN + timedelta(days=1))
    assert header(at) == "Welcome"
    assert any(box.value == returning.LINK_FAILED.format(tries=intake.TRIES_PER_CODE) for box in at.error)
    for _ in range(intake.TRIES_PER_CODE - 1):
        link(at, reference, BORN + timedelta(days=2))
    link(at, reference, BORN)
    assert header(at) == "Welcome"
    assert any(box.value == returning.LINK_LOCKED for box in at.error)


@pytest.mark.parametrize(
    ("reason", "section", "given", "triage", "flag"),
    [
        (
            "cervical_dystonia",
            "dystonia_now",
            {"weeks_of_benefit": 6, "wearing_off_sooner": "yes"},
            "needs_review",
            "RV-CD-WEARING-OFF",
        ),
        (
            "limb_spasticity",
            "spasticity_now",
            {"goals_met": "partly", "walking": "better", "hygiene": "same", "pain": "not_a_goal"},
            "likely_candidate",
            "RV-SP-GOALS-MET",
        ),
    ],
)
def test_dystonia_and_spasticity_returns_ask_their_own_questions(data_dir, reason, section, given, triage, flag):
    at, _ = linked(reason=reason)
    answers = return_answers()
    del answers["migraine_now"]
    answers[section] = given
    seen: list[str] = []
    send(at, answers, seen)
    assert STEP_BY_KEY[section].title in " ".join(seen) and "Your headaches now" not in " ".join(seen)
    stored_triage, _, _, result = stored(data_dir, at.code[0].value)
    assert stored_triage == triage and flag in result
