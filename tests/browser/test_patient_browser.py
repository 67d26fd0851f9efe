"""A patient on a phone completes the migraine pathway in Chromium against ``streamlit run``; axe checks each page."""

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from patient_flow import complete_patient_flow, fill
from playwright.sync_api import expect
from wizard_support import FORBIDDEN, typical_patient

from screening.ui.draft import section_model

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

BLOCKING = ("serious", "critical")
HEADING_LINKS = ":is(h1, h2, h3, h4) a"
MAIN_SCROLL = "document.querySelector('[data-testid=stMain]').scrollTop"
STREAMLIT_LIMITATIONS: dict[str, str] = {}
"""axe rule id -> why it cannot be fixed from the app (listed in the README); empty while none remain."""


def serious_violations(page: Any) -> list[dict[str, Any]]:
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def test_migraine_patient_on_a_phone_is_stored_with_the_expected_triage(server, phone):
    problems: dict[str, list[str]] = {}
    seen_words: dict[str, list[str]] = {}
    too_wide: list[str] = []
    headings: dict[str, tuple[int, int]] = {}

    def check_page(page: Any, step: str) -> None:
        for violation in serious_violations(page):
            if violation["id"] not in STREAMLIT_LIMITATIONS:
                targets = [str(node["target"]) for node in violation["nodes"]][:3]
                problems.setdefault(step, []).append(f"{violation['id']} ({violation['impact']}): {targets}")
        text = page.inner_text("body").lower()
        if words := [w for w in FORBIDDEN if w in text]:
            seen_words[step] = words
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            too_wide.append(step)
        headings[step] = (page.locator("h1").count(), page.locator(HEADING_LINKS).count())
        if step in ("headache", "review", "confirmation"):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"patient-{step}-390px.png"))

    reference = complete_patient_flow(phone, server.url, typical_patient(), on_step=check_page)

    assert reference.startswith("BT-")
    with sqlite3.connect(server.database) as db:
        row = db.execute("SELECT triage, pathway FROM submissions WHERE reference = ?", (reference,)).fetchone()
    assert row == ("likely_candidate", "headache")
    assert problems == {}
    assert seen_words == {}
    assert too_wide == []
    assert set(headings.values()) == {(1, 0)}, "each page has one h1 (its title) and no heading link icons"
    assert set(parse_qs(urlsplit(phone.url).query)) <= {"d", "s"}, "only the tab's random token and the step"


def open_warning_signs(phone: Any, url: str, reason: str) -> None:
    phone.goto(url)
    fill(phone, phone, "I have read how the clinic keeps and uses my answers.", True)
    phone.get_by_role("button", name="Start").click()
    fill(phone, phone, "What would you like help with?", reason)
    phone.get_by_role("button", name="Next").click()
    expect(phone.get_by_role("heading", name="Warning signs")).to_be_visible()


def test_a_red_flag_message_appears_in_the_browser_at_once(server, phone):
    open_warning_signs(phone, server.url, "not_sure")
    thunderclap = section_model("red_flags").model_fields["thunderclap"].title

    fill(phone, phone, thunderclap, "yes")

    expect(phone.get_by_role("heading", name="Warning signs")).to_be_visible()
    expect(phone.get_by_text("call 911 or go to the nearest emergency department").first).to_be_visible()
    assert serious_violations(phone) == []


def test_a_new_step_opens_at_its_top_with_its_title_focused(server, phone):
    """On a phone Next sits at the bottom of a long step; the next step must not open half-way down."""
    open_warning_signs(phone, server.url, "chronic_migraine")
    for field, value in typical_patient()["red_flags"].items():
        fill(phone, phone, section_model("red_flags").model_fields[field].title, value)
    assert phone.evaluate(MAIN_SCROLL) > 0

    phone.get_by_role("button", name="Next").click()

    expect(phone.get_by_role("heading", name="About you")).to_be_focused()
    assert phone.evaluate(MAIN_SCROLL) == 0
