"""A returning patient on a phone links to their record and sends a return visit, in Chromium against
``streamlit run``; screenshots of the return pages go to tests/artifacts."""

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from patient_flow import TIMEOUT_MS, fill, finish_steps, settle
from playwright.sync_api import expect
from return_support import BORN, first_screening
from test_return_apptest import return_answers
from wizard_support import FORBIDDEN

from screening.settings import Settings
from screening.storage import Database

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TO_TOP = "document.querySelector('[data-testid=stMain]').scrollTo(0, 0)"
SHOTS = ("welcome", "spread", "course", "migraine_now", "effects", "review", "confirmation")


def stored_first_screening(data_dir: Path) -> str:
    """A first screening in the running app's database (the same data directory, so the same secret key)."""
    db = Database.from_settings(Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'screening.db'}"))
    try:
        return first_screening(db).reference
    finally:
        db.dispose()


def test_a_returning_patient_on_a_phone_sends_a_return_visit(server, phone):
    phone.goto(server.url)
    expect(phone.get_by_role("heading", name="Welcome")).to_be_visible(timeout=TIMEOUT_MS)
    reference = stored_first_screening(server.data_dir)
    seen_words: dict[str, list[str]] = {}
    too_wide: list[str] = []

    def look(page: Any, step: str) -> None:
        text = page.inner_text("body").lower()
        if words := [w for w in FORBIDDEN if w in text]:
            seen_words[step] = words
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            too_wide.append(step)
        if step in SHOTS:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.evaluate(TO_TOP)
            page.screenshot(path=str(ARTIFACTS / f"return-{step}-390px.png"))

    phone.get_by_text("I have been treated here before").click()
    settle(phone)
    fill(phone, phone, "Your reference code", reference)
    fill(phone, phone, "Your date of birth", BORN.isoformat())
    look(phone, "welcome")
    phone.get_by_role("button", name="Continue with my record").click()
    expect(phone.get_by_role("heading", name="Since your last injection")).to_be_visible(timeout=TIMEOUT_MS)
    settle(phone)

    code = finish_steps(phone, return_answers(course={"last_outcome": "wore_off"}), on_step=look)

    assert code.startswith("BT-") and code != reference
    with sqlite3.connect(server.database) as db:
        row = db.execute(
            "SELECT s.triage, s.visit_kind, f.reference FROM submissions s "
            "JOIN submissions f ON f.id = s.first_submission_id WHERE s.reference = ?",
            (code,),
        ).fetchone()
    assert row == ("likely_candidate", "return", reference)
    assert seen_words == {}
    assert too_wide == []
