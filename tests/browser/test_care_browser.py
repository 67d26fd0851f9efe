"""Ongoing care in Chromium against ``streamlit run``: a return visit treated through the case page's form, the
patient's timeline, the patient then listed in Returns due (and opened from it), and the patient
information page on a phone.

The patient's earlier visits are stored through the services with the clock set back (the return
questionnaire itself is another part of the app); everything after that goes through the pages.
"""

import sqlite3
from datetime import timedelta
from typing import Any

import pytest
from care_support import at, first_visit, return_visit
from patient_flow import TIMEOUT_MS, pick, settle
from playwright.sync_api import Page, expect
from storage_support import login_as
from test_booking_browser import PASSWORD, blocking, shot

from screening import casework, staff
from screening.care import information
from screening.casework import clinic_date
from screening.loader import load_ruleset
from screening.roles import Role
from screening.settings import Settings
from screening.storage import Database
from screening.workflow import Status

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}
NAME = "Tess Timeline"


@pytest.fixture(scope="module")
def patient_back(server: Any) -> dict[str, Any]:
    """First screened 30 weeks ago (22 headache days); back 25 weeks ago (14) and treated 24 weeks ago; back again
    12 weeks ago (9 days), reviewed but its treatment 11 weeks ago not recorded yet. And a nurse's account."""
    from conftest import ROOT

    rules = load_ruleset(ROOT / "rules")
    db = Database.from_settings(Settings(data_dir=server.data_dir))
    try:
        db.migrate()
        staff.add_staff(db, "nell", "Nell Nurse", Role.clinician, PASSWORD, actor=staff.CONSOLE)
        now = db.now()
        at(db, now - timedelta(weeks=30))
        root = first_visit(db, rules, headache_days=22, name=NAME)
        at(db, now - timedelta(weeks=25))
        second = return_visit(db, rules, root, headache_days=14, name=NAME)
        at(db, now - timedelta(weeks=12))
        third = return_visit(db, rules, root, headache_days=9, name=NAME)
        at(db, now)
        setup = login_as(db, "setup")
        for sid in (second, third):
            casework.change_status(db, setup, sid, Status.in_review)
        treated = {"treated_on": clinic_date(db, now - timedelta(weeks=24)), "units": 155, "sites": 31}
        casework.record_treatment(db, setup, second, treated)
        references = {
            sid: casework.detail(db, setup, sid, record_view=False).reference for sid in (root, second, third)
        }
        return {"third": references[third], "day": clinic_date(db, now - timedelta(weeks=11))}
    finally:
        db.dispose()


def log_in(page: Page, url: str) -> None:
    page.goto(url + "staff")
    expect(page.get_by_role("heading", name="Staff login")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    page.get_by_label("User name").fill("nell")
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    settle(page)


def test_a_return_visit_is_treated_and_the_patient_comes_up_in_returns_due(
    server: Any, browser: Any, patient_back: dict[str, Any]
) -> None:
    page = browser.new_context(viewport=LAPTOP).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, server.url)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("combobox", name="Visit").click()
    page.get_by_role("option", name="Return visits only").click()
    settle(page)
    queue = page.locator(".st-key-queue_table")
    expect(queue).to_contain_text("Return")  # a canvas grid: its text is in the accessible table behind it
    pick(page, page.get_by_role("combobox", name="Or open by reference"), patient_back["third"])
    shot(page, "queue-return-visits-1366x900.png")
    page.get_by_test_id("stBaseButton-secondaryFormSubmit").filter(has_text="Open").click()
    expect(page.get_by_role("heading", name=f"Submission {patient_back['third']}")).to_be_visible()
    settle(page)
    expect(page.locator(".st-key-fact_visit")).to_contain_text("Return visit")
    expect(page.get_by_test_id("stVegaLiteChart")).to_be_visible()

    form = page.get_by_test_id("stForm").filter(has_text="Record treatment")
    when = patient_back["day"]
    for segment, value in (("year", f"{when:%Y}"), ("month", f"{when:%m}"), ("day", f"{when:%d}")):
        box = form.get_by_role("spinbutton", name=f"{segment}, Date of treatment")  # the date's typed segments
        box.click()
        box.press_sequentially(value)
    form.get_by_role("spinbutton", name="day, Date of treatment").press("Tab")
    form.get_by_role("textbox", name="Muscles or areas (optional)").fill("7 head and neck areas")
    form.screenshot(path=str(_artifact("treatment-form-1366x900.png")))
    form.get_by_role("button", name="Record treatment").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="Treatment recorded")).to_contain_text(
        f"155 Units at 31 sites on {patient_back['day']:%d %b %Y}"
    )
    settle(page)
    expect(page.locator(".st-key-fact_status")).to_contain_text("Treated")
    page.get_by_role("heading", name="Patient timeline").evaluate("e => e.scrollIntoView({block: 'start'})")
    settle(page)
    page.screenshot(path=str(_artifact("case-timeline-1366x900.png")))
    assert blocking(page) == []

    page.get_by_test_id("stSidebarNavLink").filter(has_text="Returns due").click()
    expect(page.get_by_role("heading", name="Returns due")).to_be_visible()
    settle(page)
    table = page.locator(".st-key-returns_table")
    expect(table).to_be_visible()
    shot(page, "returns-due-1366x900.png")
    assert blocking(page) == []
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 40, box["y"] + 35 + 35 / 2)  # the first row's reference (a button cell)
    expect(page.get_by_role("heading", name=f"Submission {patient_back['third']}")).to_be_visible()
    with sqlite3.connect(server.database) as db:
        (treated_at,) = db.execute(
            "SELECT treated_at FROM case_state WHERE reference = ?", (patient_back["third"],)
        ).fetchone()
        viewed = db.execute("SELECT count(*) FROM audit_log WHERE action = 'view' AND target = 'returns_due'")
    assert treated_at.startswith(patient_back["day"].isoformat())
    assert viewed.fetchone() == (1,)


def _artifact(name: str) -> Any:
    from conftest import ROOT

    folder = ROOT / "tests" / "artifacts"
    folder.mkdir(exist_ok=True)
    return folder / name


def test_the_information_page_on_a_phone(server: Any, phone: Page) -> None:
    phone.goto(server.url)
    link = phone.get_by_role("link", name=information.LINK_LABEL)
    expect(link).to_be_visible(timeout=TIMEOUT_MS)
    settle(phone)
    link.click()
    expect(phone.get_by_role("heading", name=information.TITLE, level=1)).to_be_visible()
    settle(phone)
    for part in information.PARTS:
        expect(phone.get_by_role("heading", name=part.heading, level=2)).to_be_visible()
    expect(phone.get_by_text("trouble swallowing")).to_be_visible()
    sideways = phone.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
    assert not sideways, "the page scrolls sideways on a phone"
    shot(phone, "information-390x844.png")
    phone.get_by_role("heading", name=information.WARNING_HEADING).evaluate("e => e.scrollIntoView({block: 'start'})")
    settle(phone)
    shot(phone, "information-warnings-390x844.png")
    assert blocking(phone) == []
    phone.get_by_role("link", name=information.BACK_LABEL).first.click()
    expect(phone.get_by_role("heading", name="Welcome", level=1)).to_be_visible()
