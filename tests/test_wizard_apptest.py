"""The patient wizard driven through its widgets (Streamlit AppTest, no browser), on a real SQLite file."""

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest
from wizard_support import (
    APP,
    FORBIDDEN,
    answer,
    click,
    error_after,
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

from screening.settings import get_settings
from screening.storage import Database
from screening.storage.models import AutosaveRow, DraftRow, utcnow
from screening.ui.draft import (
    ACUTE_KINDS,
    KINDS_PATH,
    NUMBER_OR_UNSURE,
    READ_PRIVACY,
    STEP_BY_KEY,
    STEPS,
    TICK_KINDS,
    section_model,
    steps_for,
)

pytest_plugins = ["wizard_fixtures"]  # the data_dir fixture


def draft_of(at) -> dict:
    return at.session_state["draft"]


REASONS = {
    "chronic_migraine": "likely_candidate",
    "other_headache": "needs_review",
    "cervical_dystonia": "likely_candidate",
    "limb_spasticity": "likely_candidate",
    "facial_pain": "needs_review",
    "not_sure": "needs_review",
}


@pytest.mark.parametrize(("reason", "triage"), REASONS.items())
def test_every_pathway_reaches_the_confirmation_and_is_stored_with_its_triage(data_dir, reason, triage):
    answers = patient_for(reason)
    seen: list[str] = []
    at = walk_to_review(start(), answers, seen)
    seen.append(page_text(at))
    click(at, "Send my answers")
    seen.append(page_text(at))

    assert at.title[0].value == "Thank you"
    reference = at.code[0].value
    assert reference.startswith("BT-")
    assert stored_triage(data_dir, reference) == triage
    for text in seen:
        assert not [word for word in FORBIDDEN if word in text.lower()]
    assert triage not in seen[-1]


def test_pathway_steps_follow_the_reason(data_dir):
    at = walk_to_review(start(), patient_for("limb_spasticity"))
    review = page_text(at)
    assert "Your muscle stiffness" in review
    assert "Your headaches" not in review
    assert "Stroke" in review


def test_a_red_flag_yes_shows_the_emergency_message_at_once_and_is_stored_as_urgent(data_dir):
    answers = typical_patient()
    at = go_to_step(start(), answers, "red_flags")
    assert not [e for e in at.error if "911" in e.value]

    answer(at, "red_flags.thunderclap", "yes")

    assert header(at) == STEP_BY_KEY["red_flags"].title
    assert error_after(at, "w:red_flags.thunderclap").startswith("Please get urgent medical help now: call 911")
    answers["red_flags"]["thunderclap"] = "yes"
    walk_to_review(at, answers)
    click(at, "Send my answers")
    assert any("911" in e.value for e in at.error)
    assert stored_triage(data_dir, at.code[0].value) == "urgent"
    assert not [word for word in FORBIDDEN if word in page_text(at).lower()]


def test_a_broken_rule_set_gives_a_plain_sentence_not_a_traceback(data_dir, monkeypatch):
    monkeypatch.setenv("SCREENING_RULES_DIR", str(data_dir))
    get_settings.cache_clear()

    at = start()

    assert not at.exception
    assert [e.value for e in at.error] == [
        "Sorry, the pre-screening is not available right now. Please try again later or call the clinic."
    ]


def test_a_validation_error_is_shown_next_to_its_field_and_every_answer_stays(data_dir):
    answers = typical_patient()
    answers["headache"]["migraine_days"] = 25
    at = go_to_step(start(), answers, "headache")
    fill_step(at, answers, STEP_BY_KEY["headache"])

    click(at, "Next")

    assert header(at) == STEP_BY_KEY["headache"].title
    assert error_after(at, "w:headache.migraine_days") == "Migraine days (25) cannot be more than headache days (20)."
    assert error_after(at, "w:headache.headache_days") is None
    for field, value in answers["headache"].items():
        if value != 0 or field not in ACUTE_KINDS:  # an unticked kind has no box
            assert widget(at, f"w:headache.{field}").value == value
    assert draft_of(at)["headache"].items() >= answers["headache"].items()
    assert draft_of(at)["red_flags"] == answers["red_flags"]

    answer(at, "headache.migraine_days", 12)
    assert error_after(at, "w:headache.migraine_days") is None
    click(at, "Next")
    assert header(at) == STEP_BY_KEY["treatments"].title


def test_an_unanswered_question_is_named_in_plain_words(data_dir):
    at = go_to_step(start(), typical_patient(), "safety")
    click(at, "Next")
    assert error_after(at, "w:safety.toxin_allergy") == "Please answer this question."
    text = page_text(at)
    assert "Field required" not in text
    assert "Traceback" not in text


def test_back_and_next_keep_every_answer(data_dir):
    answers = typical_patient()
    at = go_to_step(start(), answers, "about")
    fill_step(at, answers, STEP_BY_KEY["about"])
    click(at, "Back")
    click(at, "Back")
    assert header(at) == STEP_BY_KEY["seeking"].title
    assert widget(at, "w:seeking.reason").value == "chronic_migraine"
    click(at, "Next")
    assert [widget(at, f"w:red_flags.{f}").value for f in answers["red_flags"]] == list(answers["red_flags"].values())
    click(at, "Next")
    assert widget(at, "w:about.date_of_birth").value.isoformat() == "1985-04-12"
    assert widget(at, "w:about.pregnant").value == "no"


def test_changing_the_pathway_clears_the_hidden_answers(data_dir):
    answers = typical_patient()
    at = go_to_step(start(), answers, "treatments")
    assert draft_of(at)["headache"]["migraine_days"] == 12
    for _ in range(4):
        click(at, "Back")
    assert header(at) == STEP_BY_KEY["seeking"].title

    answer(at, "seeking.reason", "cervical_dystonia")

    assert "headache" not in draft_of(at)
    assert "treatments" not in draft_of(at)
    answer(at, "seeking.reason", "chronic_migraine")
    go_to_step(at, answers, "headache")
    assert widget(at, "w:headache.migraine_days").value is None


def test_a_follow_up_question_hides_and_its_answer_is_cleared(data_dir):
    answers = typical_patient()
    answers["toxin"] = {"prior_toxin": "yes", "weeks_since_last": 20, "toxin_outcome": "helped", "weeks_of_benefit": 10}
    at = go_to_step(start(), answers, "toxin")
    fill_step(at, answers, STEP_BY_KEY["toxin"])
    assert draft_of(at)["toxin"] == answers["toxin"]

    answer(at, "toxin.prior_toxin", "no")

    assert draft_of(at)["toxin"] == {"prior_toxin": "no"}
    with pytest.raises(KeyError):
        widget(at, "w:toxin.weeks_since_last")
    answer(at, "toxin.prior_toxin", "yes")
    assert widget(at, "w:toxin.weeks_since_last").value is None


def test_not_sure_on_a_headache_number_is_kept_as_unknown(data_dir):
    answers = typical_patient()
    answers["headache"]["hours_per_day"] = None
    at = go_to_step(start(), answers, "headache")
    fill_step(at, answers, STEP_BY_KEY["headache"])
    assert draft_of(at)["headache"]["hours_per_day"] is None
    click(at, "Next")
    assert header(at) == STEP_BY_KEY["treatments"].title


@pytest.mark.parametrize("reason", ["chronic_migraine", "cervical_dystonia"])
def test_every_yes_no_question_and_every_number_one_may_not_know_offers_not_sure(data_dir, reason):
    """Each ticked attack medicine's days included (issue 10, item 9)."""
    answers = patient_for(reason)
    answers["toxin"] = {"prior_toxin": "yes", "weeks_since_last": 20, "toxin_outcome": "helped", "weeks_of_benefit": 9}
    at, yes_no, numbers = start(), 0, 0
    while header(at) != "Check your answers":
        fill_step(at, answers, next(s for s in STEPS if s.title == header(at)))
        for radio in at.radio:
            if "Yes" in radio.options:
                yes_no += 1
                assert "Not sure" in radio.options, radio.label
        for box in at.number_input:
            numbers += 1
            assert at.checkbox(key=f"{box.key}:unsure").label == "Not sure", box.label
        click(at, "Start" if header(at) == "Welcome" else "Next")
    assert yes_no >= (6 if reason == "cervical_dystonia" else 10)
    assert numbers >= (2 if reason == "cervical_dystonia" else 6)


def test_a_number_left_empty_asks_for_a_number_or_not_sure(data_dir):
    answers = typical_patient()
    del answers["headache"]["pattern_months"]
    at = go_to_step(start(), answers, "headache")
    fill_step(at, answers, STEP_BY_KEY["headache"])
    click(at, "Next")
    assert error_after(at, "w:headache.pattern_months") == "Please enter a number, or tick Not sure."


def headache_step_with(acute_days: int | None) -> tuple:
    """On the headache step with everything but the attack medicines answered."""
    answers = typical_patient()
    answers["headache"] = {k: v for k, v in answers["headache"].items() if not k.startswith("days_")}
    answers["headache"]["acute_days"] = acute_days
    at = go_to_step(start(), answers, "headache")
    for field in ("headache_days", "migraine_days", "hours_per_day", "pattern_months", "acute_days"):
        answer(at, f"headache.{field}", answers["headache"][field])
    return at, answers


def test_only_the_ticked_attack_medicines_get_a_days_box_and_the_others_are_zero(data_dir):
    at, _ = headache_step_with(8)
    assert [key for key in (f"w:headache.{kind}" for kind in ACUTE_KINDS) if key in at.session_state] == []
    assert page_text(at).count("Why we ask: Taking some of these medicines") == 1

    tick(at, "headache.days_triptan")
    tick(at, "headache.days_opioid")
    answer(at, "headache.days_triptan", 6)
    answer(at, "headache.days_opioid", 2)

    headache = draft_of(at)["headache"]
    assert {kind: headache[kind] for kind in ACUTE_KINDS} == {
        "days_simple_analgesic": 0,
        "days_triptan": 6,
        "days_combination": 0,
        "days_opioid": 2,
        "days_ergot": 0,
        "days_gepant": 0,
    }
    shown_boxes = {n.key for n in at.number_input if n.key.startswith("w:headache.days_")}
    assert shown_boxes == {"w:headache.days_triptan", "w:headache.days_opioid"}
    click(at, "Next")
    assert header(at) == STEP_BY_KEY["treatments"].title


def test_none_of_these_unticks_every_medicine_and_their_days_go_back_to_zero(data_dir):
    at, _ = headache_step_with(3)
    tick(at, "headache.days_triptan")
    answer(at, "headache.days_triptan", 3)

    tick(at, KINDS_PATH)

    assert not at.checkbox(key="w:headache.days_triptan:ticked").value
    assert {draft_of(at)["headache"][kind] for kind in ACUTE_KINDS} == {0}
    click(at, "Next")
    click(at, "Back")
    assert at.checkbox(key=f"w:{KINDS_PATH}:ticked").value
    tick(at, "headache.days_ergot")
    assert not at.checkbox(key=f"w:{KINDS_PATH}:ticked").value
    assert at.number_input(key="w:headache.days_ergot").value is None


def test_attack_medicines_must_be_ticked_and_each_ticked_one_needs_its_days(data_dir):
    at, _ = headache_step_with(None)
    click(at, "Next")
    assert header(at) == STEP_BY_KEY["headache"].title
    assert error_after(at, f"w:{KINDS_PATH}:ticked") == TICK_KINDS

    tick(at, "headache.days_gepant")
    click(at, "Next")
    assert error_after(at, "w:headache.days_gepant") == NUMBER_OR_UNSURE
    assert KINDS_PATH not in at.session_state["errors"]


def test_a_kind_with_more_days_than_any_medicine_is_marked_at_its_own_box(data_dir):
    at, _ = headache_step_with(4)
    tick(at, "headache.days_simple_analgesic")
    tick(at, "headache.days_triptan")
    answer(at, "headache.days_simple_analgesic", 2)
    answer(at, "headache.days_triptan", 6)

    click(at, "Next")

    assert error_after(at, "w:headache.days_triptan") == (
        "This (6 days) cannot be more than the days you take any headache medicine (4)."
    )
    assert error_after(at, "w:headache.days_simple_analgesic") is None
    assert draft_of(at)["headache"]["days_simple_analgesic"] == 2


def test_the_review_lists_the_ticked_medicines_with_their_days_and_numbers_with_their_units(data_dir):
    at = walk_to_review(start(), typical_patient())
    text = page_text(at)
    assert "Triptans: 6 days a month" in text
    assert "Days a month with" not in text
    assert "8 hours" in text
    assert "8.0" not in text


def test_preventives_are_added_and_removed(data_dir):
    answers = typical_patient()
    answers["treatments"]["preventives"].append(
        {"drug": "other", "other_name": "Melatonin", "weeks": 10, "outcome": "did_not_help"}
    )
    at = go_to_step(start(), answers, "treatments")
    fill_step(at, answers, STEP_BY_KEY["treatments"])
    assert len(draft_of(at)["treatments"]["preventives"]) == 3

    click(at, "Remove medicine 1")

    assert [p["drug"] for p in draft_of(at)["treatments"]["preventives"]] == ["propranolol", "other"]
    assert widget(at, "w:treatments.preventives.0.drug").value == "propranolol"
    assert widget(at, "w:treatments.preventives.1.other_name").value == "Melatonin"
    answer(at, "treatments.preventives.1.drug", "topiramate")
    assert "other_name" not in draft_of(at)["treatments"]["preventives"][1]


def _born(answers) -> date:
    return date.fromisoformat(answers["about"]["date_of_birth"])


def save_for_later(at, born: str | None = None) -> str:
    if born is not None:
        at.date_input(key="save-dob").set_value(born)
    click(at, "Save my answers")
    return at.code[0].value


def resume(code: str, born) -> object:
    at = start()
    at.text_input(key="resume-code").input(code)
    at.date_input(key="resume-dob").set_value(born)
    return click(at, "Continue")


def test_save_and_resume_with_the_code_and_date_of_birth(data_dir):
    answers = typical_patient()
    at = go_to_step(start(), answers, "headache")
    fill_step(at, answers, STEP_BY_KEY["headache"])
    code = save_for_later(at)
    saved = draft_of(at)

    back = resume(code.lower(), _born(answers))

    assert header(back) == STEP_BY_KEY["headache"].title
    assert draft_of(back) == saved
    assert widget(back, "w:headache.migraine_days").value == 12
    walk_to_review(back, answers)
    click(back, "Send my answers")
    assert stored_triage(data_dir, back.code[0].value) == "likely_candidate"
    assert header(resume(code, _born(answers))) == "Welcome"


def test_save_before_the_date_of_birth_is_asked_takes_it_in_the_save_box(data_dir):
    at = go_to_step(start(), typical_patient(), "red_flags")
    click(at, "Save my answers")
    assert any("date of birth" in e.value for e in at.error)
    code = save_for_later(at, _born(typical_patient()))
    assert header(resume(code, _born(typical_patient()))) == STEP_BY_KEY["red_flags"].title


def test_resume_refuses_a_wrong_date_of_birth_and_an_expired_draft(data_dir):
    answers = typical_patient()
    at = go_to_step(start(), answers, "red_flags")
    code = save_for_later(at, _born(answers))

    wrong = resume(code, _born(answers) + timedelta(days=1))
    assert header(wrong) == "Welcome"
    assert any("could not find saved answers" in e.value for e in wrong.error)
    assert "red_flags" not in wrong.session_state["draft"]

    db = Database.from_settings(get_settings())
    with db.session() as tx:
        for row in tx.query(DraftRow):
            row.expires_at = utcnow() - timedelta(minutes=1)
    db.dispose()
    expired = resume(code, _born(answers))
    assert header(expired) == "Welcome"
    assert any("could not find saved answers" in e.value for e in expired.error)


def test_no_answer_travels_in_the_address_only_a_random_token_and_the_step(data_dir):
    answers = typical_patient()
    at = walk_to_review(start(), answers)
    address = dict(at.query_params)
    assert set(address) == {"d", "s"}
    assert address["s"] == "review"
    assert len(address["d"]) >= 32
    typed = {str(value) for section in answers.values() for value in section.values() if not isinstance(value, list)}
    assert not [value for value in typed if len(value) > 2 and value in address["d"]]


# --- issue 10: keeping the patient's work, finding errors, wording ------------------------------------------


def reopen(address: dict) -> object:
    """The same tab reloaded: a new browser session with the same address."""
    at = AppTest.from_file(APP, default_timeout=30)
    for name, value in address.items():
        at.query_params[name] = value
    return at.run()


def test_a_reload_mid_way_finds_the_answers_and_the_step(data_dir):
    answers = typical_patient()
    at = go_to_step(start(), answers, "headache")
    fill_step(at, answers, STEP_BY_KEY["headache"])
    address = dict(at.query_params)

    again = reopen(address)

    assert header(again) == STEP_BY_KEY["headache"].title
    assert draft_of(again) == draft_of(at)
    assert widget(again, "w:headache.migraine_days").value == 12
    walk_to_review(again, answers)
    click(again, "Send my answers")
    assert stored_triage(data_dir, again.code[0].value) == "likely_candidate"
    assert dict(again.query_params) == {}
    sent = reopen(address)
    assert header(sent) == "Welcome", "a sent questionnaire's autosave is gone"
    assert "red_flags" not in draft_of(sent)


def test_an_expired_or_made_up_token_opens_nothing(data_dir):
    at = go_to_step(start(), typical_patient(), "about")
    address = dict(at.query_params)
    other = ("y" if address["d"].startswith("x") else "x") + address["d"][1:]
    assert header(reopen(address | {"d": other})) == "Welcome"

    db = Database.from_settings(get_settings())
    with db.session() as tx:
        for row in tx.query(AutosaveRow):
            row.expires_at = utcnow() - timedelta(minutes=1)
    db.dispose()
    expired = reopen(address)

    assert header(expired) == "Welcome"
    assert set(draft_of(expired)) <= {"contact"}
    assert any("no longer kept" in note.value for note in expired.info)
    assert dict(expired.query_params) == {}


def test_the_address_step_is_followed_like_the_back_button(data_dir):
    """The browser's Back button changes the address to the step before; the page shows that step, answers kept."""
    answers = typical_patient()
    at = go_to_step(start(), answers, "about")
    at.query_params["s"] = "red_flags"
    at.run()
    assert header(at) == STEP_BY_KEY["red_flags"].title
    assert widget(at, "w:red_flags.thunderclap").value == "no"
    at.query_params["s"] = "dystonia"  # not one of this patient's steps: ignored
    at.run()
    assert header(at) == STEP_BY_KEY["red_flags"].title
    assert at.query_params["s"] == "red_flags"


def test_change_on_the_review_then_next_returns_to_the_review(data_dir):
    answers = typical_patient()
    at = walk_to_review(start(), answers)
    click(at, "Change", key="change-about")
    assert header(at) == STEP_BY_KEY["about"].title

    click(at, "Next")

    assert header(at) == "Check your answers"
    click(at, "Change", key="change-seeking")
    answer(at, "seeking.reason", "cervical_dystonia")
    click(at, "Next")
    assert header(at) == STEP_BY_KEY["dystonia"].title, "a new pathway's questions come before the review"
    fill_step(at, patient_for("cervical_dystonia"), STEP_BY_KEY["dystonia"])
    click(at, "Next")
    assert header(at) == "Check your answers"


def test_the_error_banner_names_each_question_to_put_right(data_dir):
    answers = typical_patient()
    at = go_to_step(start(), answers, "headache")
    answer(at, "headache.headache_days", 20)
    click(at, "Next")
    banner = at.error[0].value
    headache = section_model("headache").model_fields
    for field in ("migraine_days", "hours_per_day", "pattern_months", "acute_days"):
        assert headache[field].title in banner
    assert headache["headache_days"].title not in banner
    assert at.error[0].value.startswith("Please check these answers:")


def test_a_number_seen_again_shows_as_typed_not_with_a_decimal(data_dir):
    answers = typical_patient()
    at = go_to_step(start(), answers, "headache")
    fill_step(at, answers, STEP_BY_KEY["headache"])
    click(at, "Next")
    click(at, "Back")
    for box in at.number_input:
        assert box.proto.format in ("%d", "%g"), box.label
        assert box.proto.format % 6.0 == "6"
        assert box.proto.format % 8.0 == "8"
    assert widget(at, "w:headache.hours_per_day").value == 8


def test_the_welcome_page_shows_no_error_before_start_and_a_plain_one_after(data_dir):
    at = start()
    assert [e.value for e in at.error] == []
    click(at, "Start")
    assert header(at) == "Welcome"
    assert error_after(at, "w:contact.privacy_ack") == READ_PRIVACY
    assert "send your answers" not in page_text(at)


@pytest.mark.parametrize(("method", "words"), [("phone", "phone"), ("email", "email"), ("either", "phone or email")])
def test_the_thank_you_page_says_how_we_contact_for_every_choice(data_dir, method, words):
    answers = typical_patient()
    given = {"phone": "555 010 0000", "email": "pat@example.org"}
    answers["contact"] = {k: v for k, v in answers["contact"].items() if k not in given} | {"preferred_method": method}
    answers["contact"] |= {k: v for k, v in given.items() if method in (k, "either")}
    at = walk_to_review(start(), answers)
    click(at, "Send my answers")
    assert f"we will contact you by {words} to arrange one" in page_text(at)
    assert "by either" not in page_text(at)


def test_the_progress_line_names_the_part_and_never_goes_back(data_dir):
    at, shown = start(), []
    while header(at) != "Check your answers":
        shown.append((at.get("progress")[0].proto.value, at.get("progress")[0].proto.text))
        fill_step(at, typical_patient(), next(s for s in STEPS if s.title == header(at)))
        click(at, "Start" if header(at) == "Welcome" else "Next")
    values = [value for value, _ in shown]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert {text.split(":")[0].split(" of ")[1] for _, text in shown} == {"4"}


def test_the_review_groups_answers_by_step_with_a_change_button_beside_each(data_dir):
    answers = typical_patient()
    at = walk_to_review(start(), answers)
    steps = [s for s in steps_for(answers) if s.key not in ("welcome", "review")]
    assert [b.key for b in at.button if b.label == "Change"] == [f"change-{s.key}" for s in steps]
    text = page_text(at)
    assert all(each.title in text for each in steps)
    assert "8 hours" in text
    assert "Triptans: 6 days a month" in text


def test_next_and_back_draw_their_step_in_one_run_keeping_what_was_typed_with_the_tap(data_dir, monkeypatch):
    """A tap on Next is one script run (the bench's 0.2 s target): the step's answers, including a number typed
    and sent with the tap itself, are written in the button's callback, and the page never reruns itself."""
    import streamlit

    answers = typical_patient()
    at = go_to_step(start(), answers, "headache")
    fill_step(at, answers, STEP_BY_KEY["headache"])
    reruns: list[str] = []
    real_rerun = streamlit.rerun
    monkeypatch.setattr(streamlit, "rerun", lambda **kw: (reruns.append(header(at)), real_rerun(**kw)))
    widget(at, "w:headache.headache_days").set_value(21)  # typed, not yet sent: it goes with the tap
    widget(at, "w:headache.migraine_days").set_value(11)
    click(at, "Next")
    assert header(at) == STEP_BY_KEY["treatments"].title
    assert draft_of(at)["headache"]["headache_days"] == 21
    assert draft_of(at)["headache"]["migraine_days"] == 11
    click(at, "Back")
    assert header(at) == STEP_BY_KEY["headache"].title
    assert widget(at, "w:headache.headache_days").value == 21
    widget(at, "w:headache.hours_per_day").set_value(None)
    click(at, "Next")  # an empty number stays on the step, with its error, still in one run
    assert header(at) == STEP_BY_KEY["headache"].title
    assert error_after(at, "w:headache.hours_per_day") == NUMBER_OR_UNSURE
    assert widget(at, "w:headache.headache_days").value == 21
    assert reruns == []
