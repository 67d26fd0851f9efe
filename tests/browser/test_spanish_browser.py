"""A Spanish-speaking patient on a phone (390 x 844) completes the migraine pathway in Chromium: every page
in Spanish with <html lang="es">, no English catalog text shown, axe clean; then the video-call page, the
not-found page, a return visit and the information page, and screenshots of the Spanish pages
(tests/artifacts/spanish-*.png)."""

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from patient_flow import LANGUAGE, TIMEOUT_MS, complete_patient_flow, fill, finish_steps, settle
from playwright.sync_api import expect
from return_support import BORN
from spanish_support import english_texts
from test_patient_browser import serious_violations
from test_return_apptest import return_answers
from test_return_browser import TO_TOP, stored_first_screening
from wizard_support import FORBIDDEN, typical_patient

from screening.care import information
from screening.i18n import SPANISH, translate
from screening.returns.answers import Spread
from screening.ui import returning
from screening.ui.warning_signs import EMERGENCY

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SHOTS = ("welcome", "red_flags", "headache", "treatments", "safety", "review", "confirmation")


def english_on(page: Any) -> list[str]:
    """English catalog sentences in what the page shows (its visible text, not its scripts)."""
    text = page.inner_text("body")
    return sorted(english for english in english_texts() if len(english) >= 12 and english in text)


def test_the_migraine_pathway_in_spanish_on_a_phone(server, phone):
    problems: dict[str, list[str]] = {}
    english: dict[str, list[str]] = {}
    languages: dict[str, str] = {}

    def check_page(page: Any, step: str) -> None:
        settle(page)
        languages[step] = page.evaluate("document.documentElement.lang")
        for violation in serious_violations(page):
            targets = [str(node["target"]) for node in violation["nodes"]][:3]
            problems.setdefault(step, []).append(f"{violation['id']} ({violation['impact']}): {targets}")
        if found := english_on(page):
            english[step] = found
        assert not [word for word in FORBIDDEN if word in page.inner_text("body").lower()]
        if step in SHOTS:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"spanish-{step}-390px.png"))

    reference = complete_patient_flow(phone, server.url, typical_patient(), on_step=check_page, language=SPANISH)

    assert problems == {}
    assert english == {}
    assert set(languages.values()) == {"es"}, languages
    with sqlite3.connect(server.database) as db:
        row = db.execute("SELECT triage, language FROM submissions WHERE reference = ?", (reference,)).fetchone()
    assert row == ("likely_candidate", SPANISH)

    # "Por favor llámenme...": the whole option with no open time, the end of "Ninguna de estas: ..." with some
    phone.get_by_text(translate("Please call me to arrange a time", SPANISH)).click()
    phone.get_by_role("button", name=translate("Ask for this time", SPANISH)).click()
    expect(phone.get_by_text(translate("We will call you to arrange a time.", SPANISH)[:20])).to_be_visible()
    settle(phone)
    assert english_on(phone) == [] and serious_violations(phone) == []
    phone.screenshot(path=str(ARTIFACTS / "spanish-call-requested-390px.png"))
    phone.get_by_role("link", name=translate("Your video call", SPANISH)).click()  # opens in Spanish too
    expect(phone.get_by_role("heading", name=translate("Your video call", SPANISH))).to_be_visible()
    settle(phone)
    assert phone.evaluate("document.documentElement.lang") == "es"
    assert english_on(phone) == [] and serious_violations(phone) == []
    phone.screenshot(path=str(ARTIFACTS / "spanish-video-call-390px.png"))


def test_the_not_found_page_in_spanish(server, phone):
    phone.goto(server.url + "no_such_page?lang=es")
    expect(phone.get_by_role("heading", name=translate("Page not found", SPANISH))).to_be_visible()
    settle(phone)
    assert phone.evaluate("document.documentElement.lang") == "es"
    assert english_on(phone) == [] and serious_violations(phone) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "spanish-not-found-390px.png"))
    phone.get_by_role("link", name=translate("Go to the pre-screening questionnaire", SPANISH)).click()
    expect(phone.get_by_role("heading", name=translate("Welcome", SPANISH))).to_be_visible()


def test_a_return_visit_and_the_information_page_in_spanish_on_a_phone(server, phone):
    problems: dict[str, list[str]] = {}
    english: dict[str, list[str]] = {}
    languages: dict[str, str] = {}

    def check_page(page: Any, step: str) -> None:
        settle(page)
        languages[step] = page.evaluate("document.documentElement.lang")
        problems[step] = [violation["id"] for violation in serious_violations(page)]
        english[step] = english_on(page)
        assert not [word for word in FORBIDDEN if word in page.inner_text("body").lower()]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.evaluate(TO_TOP)
        page.screenshot(path=str(ARTIFACTS / f"spanish-return-{step}-390px.png"))

    phone.goto(server.url + "?lang=es")
    expect(phone.get_by_role("heading", name=translate("Welcome", SPANISH))).to_be_visible(timeout=TIMEOUT_MS)
    reference = stored_first_screening(server.data_dir)
    chosen = LANGUAGE.set(SPANISH)
    try:
        phone.get_by_text(translate(returning.LINK_TITLE, SPANISH)).click()
        settle(phone)
        fill(phone, phone, translate("Your reference code", SPANISH), reference)
        fill(phone, phone, translate("Your date of birth", SPANISH), BORN.isoformat())
        phone.get_by_role("button", name=translate("Continue with my record", SPANISH)).click()
        spread = translate("Since your last injection", SPANISH)
        expect(phone.get_by_role("heading", name=spread)).to_be_visible(timeout=TIMEOUT_MS)
        swallowing = translate(Spread.model_fields["swallowing"].title or "", SPANISH)
        fill(phone, phone, swallowing, "yes")  # the distant-spread advice at once, in Spanish
        expect(phone.get_by_text(translate(EMERGENCY, SPANISH)[:40])).to_be_visible(timeout=TIMEOUT_MS)
        check_page(phone, "spread-advice")
        code = finish_steps(phone, return_answers(), on_step=check_page)
    finally:
        LANGUAGE.reset(chosen)
    with sqlite3.connect(server.database) as db:
        row = db.execute("SELECT visit_kind, language FROM submissions WHERE reference = ?", (code,)).fetchone()
    assert row == ("return", SPANISH)

    phone.get_by_role("link", name=translate(information.LINK_LABEL, SPANISH)).click()
    title = translate(information.TITLE, SPANISH)
    expect(phone.get_by_role("heading", name=title, level=1)).to_be_visible(timeout=TIMEOUT_MS)
    check_page(phone, "information")
    assert "lang=es" in phone.url

    assert {step: found for step, found in problems.items() if found} == {}
    assert {step: found for step, found in english.items() if found} == {}
    assert set(languages.values()) == {"es"}, languages
