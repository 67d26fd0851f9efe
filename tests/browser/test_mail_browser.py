"""Mail in a real browser: a patient on a phone saves for later and asks for the code by email; an urgent
submission's alert reaches the on-call address. The app runs under ``streamlit run`` with mail on, sending
to a real SMTP server in the test process (aiosmtpd); axe checks the save box."""

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from app_server import Server, running_app
from axe_playwright_python.sync_playwright import Axe
from mail_support import ONCALL, Inbox, free_port, mail_env, mail_settings, smtp_server, text_of
from patient_flow import TIMEOUT_MS, complete_patient_flow, fill, fill_step, heading, settle
from playwright.sync_api import Page, expect
from wizard_support import typical_patient

from screening import intake, staff
from screening.messaging.outbox import send_due
from screening.roles import Role
from screening.storage import Database
from screening.ui.draft import STEPS

PASSWORD = "Correct horse battery 9"

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PATIENT_EMAIL = "pat.browser@patient.example"
FIRST_PAGE_MS = 60_000
"""A freshly started server's first page migrates the database and loads the rules: slow on a busy machine."""


@pytest.fixture(scope="module")
def mail_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def inbox(mail_port: int) -> Iterator[Inbox]:
    with smtp_server(mail_port) as received:
        yield received


@pytest.fixture(scope="module")
def mail_server(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory, mail_port: int) -> Iterator[Server]:
    with pytest.MonkeyPatch.context() as env:
        for name, value in mail_env(mail_port).items():
            env.setenv(name, value)
        with running_app(tmp_path_factory.mktemp("mail-browser-data")) as app:
            yield app


def wait_for_mail(inbox: Inbox, count: int) -> None:
    deadline = time.monotonic() + 20
    while len(inbox.received) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def walk_to(page: Page, url: str, answers: dict[str, Any], title: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible(timeout=FIRST_PAGE_MS)
    settle(page)
    while (current := heading(page)) != title:
        step = next(s for s in STEPS if s.title == current)
        fill_step(page, answers, step.key)
        page.get_by_role("button", name="Start" if step.key == "welcome" else "Next", exact=True).click()
        expect(page.locator("h1").first).not_to_have_text(current, timeout=TIMEOUT_MS)
        settle(page)


def save_box(page: Page) -> Any:
    return page.get_by_test_id("stExpander").filter(has_text="Save and continue later")


def test_a_patient_saves_on_a_phone_asks_for_the_code_by_email_and_sees_it_again_on_every_save(
    mail_server, inbox, phone
):
    walk_to(phone, mail_server.url, typical_patient(), "Your headaches")
    box = save_box(phone)
    box.get_by_text("Save and continue later").click()
    settle(phone)
    fill(phone, phone, "Email me the code as well", True)
    fill(phone, phone, "Email address", PATIENT_EMAIL)
    box.get_by_role("button", name="Save my answers").click()
    settle(phone)
    code = box.get_by_test_id("stCode").first.inner_text().strip()
    expect(box.get_by_text("We are emailing this code to you")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    box.get_by_test_id("stCode").first.scroll_into_view_if_needed()
    phone.screenshot(path=str(ARTIFACTS / "mail-save-code-390px.png"))
    blocking = [v["id"] for v in Axe().run(phone).response["violations"] if v["impact"] in ("serious", "critical")]
    assert blocking == []

    wait_for_mail(inbox, 1)
    (mail,) = [m for m in inbox.received if m["To"] == PATIENT_EMAIL]
    assert code in text_of(mail)

    fill(phone, phone, "Email me the code as well", False)
    box.get_by_role("button", name="Save my answers").click()
    settle(phone)
    expect(box.get_by_text("Saved again. Your code is the same as before", exact=False)).to_be_visible()
    assert box.get_by_test_id("stCode").first.inner_text().strip() == code
    box.get_by_test_id("stCode").first.scroll_into_view_if_needed()
    phone.screenshot(path=str(ARTIFACTS / "mail-save-again-390px.png"))
    time.sleep(1)
    assert len([m for m in inbox.received if m["To"] == PATIENT_EMAIL]) == 1, "unticked: no second mail"


def test_an_urgent_submission_reaches_the_oncall_address(mail_server, inbox, phone):
    answers = typical_patient()
    answers["red_flags"]["thunderclap"] = "yes"
    reference = complete_patient_flow(phone, mail_server.url, answers)
    wait_for_mail(inbox, 1)
    alerts = [m for m in inbox.received if m["To"] == ONCALL]
    assert [m["Subject"] for m in alerts] == [f"A new submission needs review today: {reference}"]


def test_staff_see_sent_and_failed_mail_on_a_laptop(mail_server, inbox, mail_port, browser):
    settings = mail_settings(mail_server.data_dir, mail_port, data_dir=mail_server.data_dir)
    db = Database(f"sqlite:///{mail_server.database}", settings=settings)
    db.migrate()  # as the app does at its first page (already done when the other tests ran first)
    staff.add_staff(db, "nina", "Nina", Role.intake, PASSWORD, actor=staff.CONSOLE)
    intake.save_draft(db, {"a": 1}, "about", date(1980, 1, 2), email_to="nobody@patient.example")
    inbox.refuse = "550 5.1.1 mailbox unavailable"
    try:
        send_due(db)
    finally:
        inbox.refuse = None
    db.dispose()
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(mail_server.url + "staff")
        expect(page.get_by_role("heading", name="Staff login")).to_be_visible(timeout=FIRST_PAGE_MS)
        settle(page)
        page.get_by_label("User name").fill("nina")
        page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Review queue")).to_be_visible(timeout=TIMEOUT_MS)
        page.get_by_test_id("stSidebarNavLink").filter(has_text="Mail").click()
        expect(page.get_by_role("heading", name="Mail")).to_be_visible(timeout=TIMEOUT_MS)
        settle(page)
        table = page.get_by_test_id("stDataFrame")
        expect(table).to_be_visible()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "mail-staff-1366px.png"))
        assert "nobody@patient.example" not in page.inner_text("body")
        expect(page.get_by_role("button", name="Send again")).to_be_visible()
        blocking = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
        assert blocking == []
    finally:
        context.close()
