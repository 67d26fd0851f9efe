"""A video call from slot to calendar, in Chromium against ``streamlit run``.

A clinician publishes a slot on the Video calls page (1366 x 900); a patient on a phone (390 x 844)
finishes the questionnaire and asks for it; intake reviews the case and confirms the call; the
patient then finds it on /video_call and downloads its calendar file, which must parse as iCalendar.
"""

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from icalendar import Calendar
from patient_flow import TIMEOUT_MS, complete_patient_flow, settle
from playwright.sync_api import Page, expect
from wizard_support import typical_patient

from screening import staff
from screening.roles import Role
from screening.settings import Settings
from screening.storage import Database

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LAPTOP = {"width": 1366, "height": 900}
PASSWORD = "Correct horse battery 9"
LINK = "https://video.example.org/room/browser-test"
BLOCKING = ("serious", "critical")


def accounts(server: Any) -> None:
    db = Database.from_settings(Settings(data_dir=server.data_dir))
    try:
        db.migrate()  # as the app does on its first page (the same migrations: nothing to do twice)
        for name, role in (("rivera", Role.clinician), ("ida", Role.intake)):
            staff.add_staff(db, name, name.title(), role, PASSWORD, actor=staff.CONSOLE)
    finally:
        db.dispose()


def desk(browser: Any) -> Page:
    page = browser.new_context(viewport=LAPTOP).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def log_in(page: Page, url: str, username: str) -> None:
    page.goto(url + "staff")
    expect(page.get_by_role("heading", name="Staff login")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    settle(page)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def blocking(page: Page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['nodes'][0]['html'][:120]}" for v in found if v["impact"] in BLOCKING]


def publish_slot(page: Page, url: str) -> None:
    log_in(page, url, "rivera")
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Video calls").click()
    expect(page.get_by_role("heading", name="Video calls")).to_be_visible()
    settle(page)
    form = page.locator("[data-testid=stForm]").filter(has=page.get_by_role("button", name="Publish slot"))
    form.get_by_label("Clinician").fill("Dr Rivera")
    form.get_by_label("Video link (https://...)").fill(LINK)
    form.get_by_role("button", name="Publish slot").click()
    expect(page.get_by_text("Slot published.")).to_be_visible()
    settle(page)
    shot(page, "booking-slots-1366px.png")
    assert blocking(page) == []


def request_slot(phone: Page, url: str) -> str:
    reference = complete_patient_flow(phone, url, typical_patient())
    expect(phone.get_by_role("heading", name="Your free video call")).to_be_visible()
    group = phone.get_by_role("radiogroup", name="Times we can offer")
    group.get_by_text("(30 minutes)", exact=False).first.click()
    settle(phone)
    shot(phone, "booking-choose-390px.png")
    phone.get_by_role("button", name="Ask for this time").click()
    expect(phone.get_by_text("You asked for ", exact=False)).to_be_visible()
    settle(phone)
    shot(phone, "booking-requested-390px.png")
    assert blocking(phone) == []
    return reference


def confirm_call(page: Page, url: str, reference: str) -> None:
    log_in(page, url, "ida")
    shot(page, "booking-queue-1366px.png")
    combo = page.get_by_role("combobox", name="Or open by reference")
    expect(combo).to_have_value(reference)
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name="Open", exact=True).click()
    expect(page.get_by_role("heading", name=f"Submission {reference}")).to_be_visible()
    settle(page)
    page.get_by_role("button", name="In review", exact=True).click()
    expect(page.get_by_text("Moved to In review.")).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Confirm this call").click()
    expect(page.get_by_text("Video call confirmed: the consultation is booked.")).to_be_visible()
    settle(page)
    expect(page.locator(".st-key-fact_status")).to_contain_text("Consultation booked")
    page.get_by_role("heading", name="Video call").scroll_into_view_if_needed()
    shot(page, "booking-confirmed-case-1366px.png")


def see_and_download(phone: Page, url: str, reference: str) -> Calendar:
    phone.goto(url + "video_call")
    expect(phone.get_by_role("heading", name="Your video call")).to_be_visible(timeout=TIMEOUT_MS)
    settle(phone)
    phone.get_by_label("Your reference code").fill(reference.lower().replace("-", " "))
    phone.get_by_label("The phone number or email address you gave us").fill(typical_patient()["contact"]["phone"])
    phone.get_by_role("button", name="Show my video call").click()
    expect(phone.get_by_text("Your video call is confirmed.")).to_be_visible()
    settle(phone)
    shot(phone, "booking-my-call-390px.png")
    assert blocking(phone) == []
    with phone.expect_download() as download:
        phone.get_by_role("button", name="Add to my calendar (.ics)").click()
    return Calendar.from_ical(Path(download.value.path()).read_bytes())


def test_a_slot_is_published_requested_confirmed_and_its_calendar_file_parses(
    server: Any, phone: Page, browser: Any
) -> None:
    accounts(server)
    publish_slot(desk(browser), server.url)
    reference = request_slot(phone, server.url)
    confirm_call(desk(browser), server.url, reference)
    calendar = see_and_download(phone, server.url, reference)
    (event,) = calendar.walk("VEVENT")
    assert str(event["location"]) == LINK
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    with sqlite3.connect(server.data_dir / "screening.db") as db:
        status, call_state = db.execute(
            "SELECT status, call_state FROM case_state WHERE reference = ?", (reference,)
        ).fetchone()
    assert (status, call_state) == ("consultation_booked", "confirmed")
