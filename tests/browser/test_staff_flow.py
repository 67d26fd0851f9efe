"""From a patient's submission to a booked consultation, in Chromium against ``streamlit run``.

A patient with a red-flag answer and markup in their name and in a medicine's name
submits through the wizard; a staff account is made with the real command line; the
staff member logs in, finds the submission at the top of the queue, opens it, reads
the why-cards and refers it on (a patient told to seek urgent care books no video call).
The markup must show up as the characters typed.
"""

import copy
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import ROOT
from patient_flow import TIMEOUT_MS, complete_patient_flow, settle
from playwright.sync_api import Page, expect
from wizard_support import typical_patient

from screening import intake
from screening.answers import Submission
from screening.loader import load_ruleset
from screening.settings import Settings
from screening.storage import Database

pytestmark = pytest.mark.browser

MARKUP = "**bold** <script>alert(1)</script> [link](http://x)"
USERNAME, PASSWORD = "nina", "Correct horse battery 9"
DESKTOP = {"width": 1400, "height": 1000}
STAFF_PATHS = ("staff", "staff_queue", "staff_submission", "staff_admin")
EARLIER_PATIENTS = 3
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def staff_account(server: Any) -> str:
    """Made the way the README tells an administrator to: ``python -m screening staff add``."""
    made = subprocess.run(
        [sys.executable, "-m", "screening", "staff", "add", "--role", "intake", "--display-name", "Nina", USERNAME],
        input=f"{PASSWORD}\n{PASSWORD}\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**_without_database_url(os.environ), "SCREENING_DATA_DIR": str(server.data_dir)},
        check=False,
    )
    assert made.returncode == 0, made.stderr
    return USERNAME


def _without_database_url(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in ("DATABASE_URL", "SCREENING_DATABASE_URL")}


@pytest.fixture(scope="module")
def earlier_patients(server: Any) -> list[str]:
    """Older, non-urgent submissions: an urgent newcomer must still come first."""
    ruleset = load_ruleset(ROOT / "rules")
    db = Database.from_settings(Settings(data_dir=server.data_dir))
    try:
        return [
            intake.submit(db, _submission(ruleset, f"Earlier Patient {n}"), ruleset).reference
            for n in range(EARLIER_PATIENTS)
        ]
    finally:
        db.dispose()


def _submission(ruleset: Any, name: str) -> Submission:
    answers = copy.deepcopy(ruleset.case_defaults)
    answers["contact"]["name"] = name
    return Submission.model_validate(answers)


@pytest.fixture
def desk(browser: Any) -> Iterator[Page]:
    """A desktop browser window with a session of its own."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def urgent_patient_with_markup() -> dict[str, Any]:
    answers = typical_patient()
    answers["red_flags"]["thunderclap"] = "yes"
    answers["contact"]["name"] = MARKUP
    answers["treatments"]["preventives"].append(
        {"drug": "other", "other_name": MARKUP, "weeks": 10, "outcome": "did_not_help"}
    )
    return answers


def log_in(page: Page, url: str) -> None:
    page.goto(url + "staff")
    expect(page.get_by_role("heading", name="Staff login")).to_be_visible()
    settle(page)
    page.get_by_label("User name").fill(USERNAME)
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    settle(page)


def menu(page: Page) -> set[str]:
    """The page titles the navigation offers (each link's last line: the first is its icon's name)."""
    return {text.strip().splitlines()[-1] for text in page.get_by_test_id("stSidebarNavLink").all_inner_texts()}


def open_top_row(page: Page) -> None:
    """Tick the first row of the queue table (a canvas grid: the row's checkbox sits left of its first cell)."""
    box = page.locator(".st-key-queue_table").bounding_box()
    assert box is not None
    header, row = 35, 35
    page.mouse.click(box["x"] + 15, box["y"] + header + row / 2)


def accessibility_problems(page: Page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['nodes'][0]['html'][:120]}" for v in found if v["impact"] in BLOCKING]


def move(page: Page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_text(f"Moved to {label}.")).to_be_visible()
    settle(page)


def test_staff_refer_an_urgent_submission_and_patient_markup_stays_text(
    server: Any, phone: Page, desk: Page, staff_account: str, earlier_patients: list[str]
) -> None:
    reference = complete_patient_flow(phone, server.url, urgent_patient_with_markup())

    dialogs: list[str] = []
    desk.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(desk, server.url)
    assert "?" not in desk.url.removeprefix(server.url), "nothing about the session belongs in the address"
    assert {"Review queue", "My account"} <= menu(desk) and "Staff and audit log" not in menu(desk)
    expect(desk.get_by_role("combobox", name="Or open by reference")).to_have_value(reference)
    assert accessibility_problems(desk) == []
    open_top_row(desk)
    expect(desk.get_by_role("heading", name=f"Submission {reference}")).to_be_visible()
    settle(desk)
    assert accessibility_problems(desk) == []

    card = desk.locator(".st-key-why_RF-THUNDERCLAP")
    expect(card.get_by_role("heading", name='Sudden "worst ever" (thunderclap) headache')).to_be_visible()
    expect(card.get_by_text("Outcome: Urgent")).to_be_visible()
    expect(card.get_by_text("Severity: Critical")).to_be_visible()
    expect(card.get_by_text("Source: SNOOP4 (Dodick) - O, onset sudden · rule set Botox", exact=False)).to_be_visible()
    move(desk, "In review")
    move(desk, "Urgent: referred")
    expect(desk.get_by_test_id("stMetric").filter(has_text="Status")).to_contain_text("Urgent: referred")

    body = desk.inner_text("body")
    assert MARKUP in body, "the patient's text was not shown as typed"
    assert desk.locator("strong", has_text="bold").count() == 0
    assert desk.locator('a[href="http://x"]').count() == 0
    assert not desk.evaluate("[...document.scripts].some(s => s.textContent.includes('alert(1)'))")
    assert dialogs == []
    with sqlite3.connect(server.database) as db:
        (status,) = db.execute(
            "SELECT c.status FROM case_state c JOIN submissions s ON s.id = c.submission_id WHERE s.reference = ?",
            (reference,),
        ).fetchone()
    assert status == "urgent_referred"


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_an_anonymous_visit_to_a_staff_page_shows_only_the_login(
    server: Any, desk: Page, earlier_patients: list[str], path: str
) -> None:
    desk.goto(server.url + path)
    expect(desk.get_by_role("heading", name="Staff login")).to_be_visible()
    settle(desk)
    main = desk.get_by_test_id("stMain")
    assert main.get_by_role("heading").all_inner_texts() == ["Staff login"]
    assert desk.get_by_test_id("stDataFrame").count() == 0
    body = desk.inner_text("body")
    assert not any(reference in body for reference in earlier_patients)
    assert "Earlier Patient" not in body
    assert menu(desk) <= {"Pre-screening", "Staff login"}, "a staff page is offered without a login"
