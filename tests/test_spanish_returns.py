"""Spanish on the patient pages that came with ongoing care: the return-visit questionnaire (a return that
helped, and the distant-spread emergency advice) and the patient information page, each walked with no
English shown, the return visit stored in the patient's language."""

import sqlite3
from pathlib import Path
from typing import Any

from return_support import BORN
from spanish_support import english_in, shown_texts
from test_return_apptest import link, return_answers
from wizard_support import ROOT, answer, box_after, click, error_after, fill_step, header, patient_for, start

from screening import intake
from screening.answers import Submission
from screening.care import information
from screening.i18n import ENGLISH, SPANISH, translate
from screening.loader import load_ruleset
from screening.settings import get_settings
from screening.storage import Database
from screening.ui.draft import STEP_BY_KEY
from screening.ui.patient import RETURN_LINE
from screening.ui.warning_signs import EMERGENCY, EMERGENCY_AFTER, SAME_DAY, SAME_DAY_NEXT, SAME_DAY_SENT

pytest_plugins = ["wizard_fixtures"]
INFO_PAGE = "screening/ui/patient_info.py"
AFTER_RETURN = (
    "A member of the clinic team will read your answers, usually within 2 working days, and contact you the "
    "way you chose before. At your next visit the clinician talks through with you how the treatment is "
    "going and what to do next."
)


def es(text: str) -> str:
    return translate(text, SPANISH)


def _linked_in_spanish() -> tuple[Any, str]:
    """The app in Spanish (its database migrated), a first screening stored, the returning patient linked."""
    at = start(language=SPANISH)
    db = Database.from_settings(get_settings())
    first = intake.submit(db, Submission.model_validate(patient_for("chronic_migraine")), load_ruleset(ROOT / "rules"))
    db.dispose()
    assert english_in(shown_texts(at)) == []  # the welcome step with its return link and privacy notice
    return link(at, first.reference, BORN), first.reference


def _walk_return(at: Any, answers: dict[str, Any]) -> list[str]:
    """Each return step: Next with nothing new answered (its errors), then its answers; the review, the send
    and the thank-you page. Returns the English seen."""
    seen: list[str] = []
    while header(at) != "Check your answers":
        step = next(s for s in STEP_BY_KEY.values() if s.title == header(at))
        click(at, "Next")
        if header(at) != step.title:
            click(at, "Back")
        seen += english_in(shown_texts(at))
        fill_step(at, answers, step)
        seen += english_in(shown_texts(at))
        click(at, "Next")
        assert not at.exception, at.exception
        assert header(at) != step.title, f"stuck on {step.title}: {[e.value for e in at.error]}"
    seen += english_in(shown_texts(at))
    click(at, "Send my answers")
    assert header(at) == "Thank you"
    seen += english_in(shown_texts(at))
    return seen


def _languages(data_dir: Path, reference: str) -> tuple[str, str, str]:
    with sqlite3.connect(data_dir / "screening.db") as db:
        return db.execute(
            "SELECT s.visit_kind, s.language, c.language FROM submissions s JOIN case_state c "
            "ON c.submission_id = s.id WHERE s.reference = ?",
            (reference,),
        ).fetchone()


def test_a_return_visit_that_helped_in_spanish_shows_no_english_and_is_stored_in_spanish(data_dir):
    at, _ = _linked_in_spanish()
    assert at.title[0].value == es(STEP_BY_KEY["spread"].title) != STEP_BY_KEY["spread"].title
    assert any(es(RETURN_LINE) in text for text in shown_texts(at))  # the line naming the service
    assert _walk_return(at, return_answers()) == []
    text = " ".join(shown_texts(at))
    assert es(AFTER_RETURN) in text and "2 días hábiles" in text
    assert _languages(data_dir, at.code[0].value) == ("return", SPANISH, SPANISH)


def test_a_sign_of_distant_spread_gets_the_emergency_advice_in_spanish_at_once_and_after_sending(data_dir):
    at, _ = _linked_in_spanish()
    answer(at, "spread.swallowing", "yes")
    advice = error_after(at, "w:spread.swallowing")
    assert advice == es(EMERGENCY) != EMERGENCY and "911" in advice
    assert header(at) == STEP_BY_KEY["spread"].title  # the advice comes before the patient goes on
    assert _walk_return(at, return_answers(spread={"swallowing": "yes"})) == []
    assert [box.value for box in at.error] == [es(EMERGENCY_AFTER)]
    text = " ".join(shown_texts(at))
    assert "después de que le hayan atendido" in text and "2 días hábiles" not in text
    assert _languages(data_dir, at.code[0].value) == ("return", SPANISH, SPANISH)


def test_double_vision_gets_the_same_day_advice_in_spanish_in_the_information_page_s_words(data_dir):
    at, _ = _linked_in_spanish()
    answer(at, "spread.double_vision", "yes")
    cannot_reach = es(information.SAME_DAY_AFTER)
    assert box_after(at, "w:spread.double_vision", ("error", "warning", "info")) == f"{es(SAME_DAY)} {cannot_reach}"
    assert es(SAME_DAY) != SAME_DAY and "hoy" in es(SAME_DAY) and "911" in cannot_reach
    assert _walk_return(at, return_answers(spread={"double_vision": "yes"})) == []
    assert not at.error and [box.value for box in at.warning] == [f"{es(SAME_DAY_SENT)} {cannot_reach}"]
    text = " ".join(shown_texts(at))
    assert f"{es(SAME_DAY_NEXT)} {cannot_reach}" in text and "2 días hábiles" not in text
    assert _languages(data_dir, at.code[0].value) == ("return", SPANISH, SPANISH)


def test_the_information_page_in_spanish_shows_no_english_and_switches_back(data_dir):
    page = start(language=SPANISH).switch_page(INFO_PAGE).run()
    assert not page.exception, page.exception
    assert page.title[0].value == es(information.TITLE) != information.TITLE
    assert [h.value for h in page.header] == [es(p.heading) for p in information.PARTS] + [
        es(information.WARNING_HEADING)
    ]
    assert english_in(shown_texts(page)) == []
    assert "tragar" in page.error[0].value and "911" in page.error[0].value
    back = [link.proto for link in page.get("page_link")]
    assert [link.label for link in back] == [es(information.BACK_LABEL)] * 2
    assert all("lang=es" in link.query_string for link in back)  # the questionnaire opens in Spanish
    assert any("'es'" in node.proto.body for node in page.get("html"))  # the page's lang
    page.segmented_control(key="language_switch").set_value(ENGLISH).run()
    assert page.title[0].value == information.TITLE
    assert all(not link.proto.query_string for link in page.get("page_link"))
