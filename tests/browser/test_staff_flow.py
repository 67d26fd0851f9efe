"""From a patient's submission to an urgent referral, in Chromium against ``streamlit run``.

A patient with a red-flag answer and markup in their name and in a medicine's name
submits through the wizard; a staff account is made with the real command line; the
staff member (whose display name holds markup too) logs in, finds the submission at the
top of the queue, opens it, reads the "for the call" summary and the why-cards, assigns it
to themself and refers it on (a patient told to seek urgent care books no video call).
The markup must show up as the characters typed.

At 1366 x 900, a laptop's screen, the queue's at-a-glance columns sit inside the window,
its 50 rows need no inner scroll box, its counts are whole, and rows can be ticked and
assigned together.
"""

import copy
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import ROOT
from openpyxl import load_workbook
from patient_flow import TIMEOUT_MS, complete_patient_flow, pick, settle
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from wizard_support import typical_patient

from screening import intake
from screening.answers import Submission
from screening.loader import load_ruleset
from screening.settings import Settings
from screening.storage import Database
from screening.ui.queue_table import AT_A_GLANCE, WIDTHS

pytestmark = pytest.mark.browser

MARKUP = "**bold** <script>alert(1)</script> [link](http://x)"
USERNAME, PASSWORD = "nina", "Correct horse battery 9"
DISPLAY_NAME = "Nina **x** :red[y]"
DESKTOP = {"width": 1400, "height": 1000}
LAPTOP = {"width": 1366, "height": 900}
ARTIFACTS = ROOT / "tests" / "artifacts"
QUEUE_PAGE_ROWS = 50
STAFF_PATHS = ("staff", "staff_queue", "staff_submission", "staff_admin", "staff_analytics")
EARLIER_PATIENTS = 3
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def staff_account(server: Any) -> str:
    """Made the way the README tells an administrator to: ``python -m screening staff add``."""
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "screening",
            "staff",
            "add",
            "--role",
            "intake",
            "--display-name",
            DISPLAY_NAME,
            USERNAME,
        ],
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
    db.migrate()  # as the app does on its first page, which may not have been opened yet
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


HEADER, ROW, TICK = 35, 35, 15


def queue_row_at(page: Page, row: int, x: float) -> None:
    """Click in one row of the queue table (a canvas grid), ``x`` pixels from its left edge."""
    box = page.locator(".st-key-queue_table").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + HEADER + ROW * row + ROW / 2)


def open_top_row(page: Page, reference: str) -> None:
    """Click the first row's reference (a button cell just right of the tick box)."""
    settle(page)
    queue_row_at(page, 0, 32 + 40)
    expect(page.get_by_role("heading", name=f"Submission {reference}")).to_be_visible(timeout=TIMEOUT_MS)


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
    open_top_row(desk, reference)
    settle(desk)
    assert accessibility_problems(desk) == []

    card = desk.locator(".st-key-why_RF-THUNDERCLAP")
    expect(card.get_by_role("heading", name='Sudden "worst ever" (thunderclap) headache')).to_be_visible()
    expect(card.get_by_text("Outcome: Urgent")).to_be_visible()
    expect(card.get_by_text("Severity: Critical")).to_be_visible()
    expect(card.get_by_text("Source: SNOOP4 (Dodick) - O, onset sudden", exact=True)).to_be_visible()
    calls = desk.locator(".st-key-for_the_call")
    expect(calls).to_contain_text("They were told to get emergency care now")
    expect(desk.get_by_text("offer a call only once they have been seen")).to_be_visible()
    assert desk.inner_text("body").count(_ruleset_hash(server)) == 1, "the rule set is named once per page"
    settle(desk)
    pick(desk, desk.get_by_role("combobox", name="Assigned to"), DISPLAY_NAME)
    desk.get_by_role("button", name="Assign", exact=True).click()
    # the page also warns, beside the video-call offer, that this patient was told to get emergency care
    expect(desk.get_by_test_id("stAlert").filter(has_text="Assigned to")).to_contain_text(
        f"Assigned to {DISPLAY_NAME}."
    )
    settle(desk)
    expect(desk.locator(".st-key-fact_assigned_to")).to_contain_text(DISPLAY_NAME)
    move(desk, "In review")
    move(desk, "Urgent: referred")
    expect(desk.locator(".st-key-fact_status")).to_contain_text("Urgent: referred")
    assert desk.locator("strong", has_text="x").count() == 0, "a display name went through Markdown"

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
    downloads_are_the_real_files(desk, reference)


def download(page: Page, prepare: str, save: str) -> bytes:
    """Press the button that builds a file, then the one that hands it over; returns what the browser saved."""
    page.get_by_role("button", name=prepare).click()
    settle(page)
    with page.expect_download() as started:
        page.get_by_role("button", name=save).click()
    path = started.value.path()
    assert path is not None
    return Path(path).read_bytes()


def downloads_are_the_real_files(desk: Page, reference: str) -> None:
    """The submission's PDF and FHIR buttons, then the queue's XLSX call list, as the browser saves them."""
    pdf = download(desk, "Download summary (PDF)", f"Save summary-{reference}.pdf")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert reference in text and "".join(MARKUP.split()) in "".join(text.split())
    desk.screenshot(path=ROOT / "tests" / "artifacts" / "staff-detail-downloads.png")
    desk.set_viewport_size({"width": 390, "height": 844})
    settle(desk)
    expect(desk.get_by_role("button", name="Download FHIR (JSON)")).to_be_visible()
    desk.screenshot(path=ROOT / "tests" / "artifacts" / "staff-detail-downloads-phone.png")
    desk.set_viewport_size(DESKTOP)
    settle(desk)
    bundle = json.loads(download(desk, "Download FHIR (JSON)", f"Save fhir-{reference}.json"))
    assert bundle["entry"][0]["resource"]["identifier"][0]["value"] == reference
    desk.get_by_role("link", name="Back to the queue").click()
    settle(desk)
    desk.get_by_role("combobox", name="Export").click()
    desk.get_by_role("option", name=re.compile("^Call list")).click()
    desk.get_by_text("XLSX", exact=True).click()
    settle(desk)
    sheet = load_workbook(io.BytesIO(download(desk, "Prepare export", "Download XLSX"))).active
    header = [cell.value for cell in sheet[1]]
    assert "phone" in header and "flag reasons" not in header, "intake staff get contact columns, not reasons"
    names = [row[header.index("name")] for row in sheet.iter_rows(min_row=2)]
    assert [(cell.value, cell.data_type) for cell in names if cell.value == MARKUP] == [(MARKUP, "s")]


def _ruleset_hash(server: Any) -> str:
    with sqlite3.connect(server.database) as db:
        (found,) = db.execute("SELECT ruleset_hash FROM submissions ORDER BY id DESC LIMIT 1").fetchone()
    return str(found)[:12]


@pytest.fixture(scope="module")
def full_page_of_patients(server: Any, earlier_patients: list[str]) -> int:
    """Enough submissions for a whole page of the queue, sharing a phone number (so they are possible repeats)."""
    ruleset = load_ruleset(ROOT / "rules")
    db = Database.from_settings(Settings(data_dir=server.data_dir))
    try:
        for n in range(QUEUE_PAGE_ROWS):
            intake.submit(db, _submission(ruleset, f"Page Patient {n} With A Rather Long Name"), ruleset)
    finally:
        db.dispose()
    return QUEUE_PAGE_ROWS


@pytest.fixture
def laptop(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


GRID = """() => {
    const s = document.querySelector(".st-key-queue_table .dvn-scroller");
    const r = s.getBoundingClientRect();
    return {scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, scrollHeight: s.scrollHeight,
            clientHeight: s.clientHeight, left: r.left, right: r.right};
}"""
CUT_OFF = """(key) => [...document.querySelectorAll(`.st-key-${key} [data-testid=stMetric] *`)]
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > window.innerWidth)
    .map(e => e.textContent)"""


def test_the_queue_fits_a_laptop_screen_and_ticked_rows_are_assigned_together(
    server: Any, laptop: Page, staff_account: str, full_page_of_patients: int
) -> None:
    log_in(laptop, server.url)
    ARTIFACTS.mkdir(exist_ok=True)
    laptop.screenshot(path=str(ARTIFACTS / "queue-1366x900.png"))
    grid = laptop.evaluate(GRID)
    glance = sum(WIDTHS[name] for name in AT_A_GLANCE)
    tick = grid["scrollWidth"] - sum(WIDTHS.values())  # the tick-box column, whatever Streamlit makes it
    assert 0 < tick < 60
    assert tick + glance <= grid["clientWidth"], "an at-a-glance column needs a sideways scroll"
    assert grid["left"] >= 0 and grid["right"] <= LAPTOP["width"], "the table runs out of the window"
    header_cells = laptop.locator(".st-key-queue_table [role=columnheader]")
    header_cells.first.wait_for(state="attached")  # the grid draws its header cells a moment after the rerun
    headers = header_cells.all_inner_texts()
    assert set(AT_A_GLANCE) <= set(headers), headers
    assert grid["scrollHeight"] <= grid["clientHeight"] + 1, "the 50 rows sit in an inner scroll box"
    assert grid["clientHeight"] >= HEADER + ROW * QUEUE_PAGE_ROWS
    for key in ("triage_counts", "status_counts"):
        assert laptop.evaluate(CUT_OFF, key) == [], f"{key}: a count is cut off"
    queue_row_at(laptop, 0, TICK)
    settle(laptop)
    queue_row_at(laptop, 1, TICK)
    settle(laptop)
    expect(laptop.get_by_text("2 submissions ticked", exact=False)).to_be_visible()
    laptop.screenshot(path=str(ARTIFACTS / "queue-ticked-1366x900.png"))
    pick(laptop, laptop.get_by_role("combobox", name="Assign ticked to"), DISPLAY_NAME)
    laptop.get_by_role("button", name="Assign ticked").click()
    expect(laptop.get_by_test_id("stAlert")).to_contain_text(f"2 submissions assigned to {DISPLAY_NAME}.")
    settle(laptop)
    with sqlite3.connect(server.database) as db:
        (assigned,) = db.execute("SELECT count(*) FROM case_state WHERE assignee_id IS NOT NULL").fetchone()
        (audited,) = db.execute("SELECT count(*) FROM audit_log WHERE action = 'assign'").fetchone()
    assert assigned >= 2 and audited >= 2
    assert laptop.locator("strong", has_text="x").count() == 0
    assert accessibility_problems(laptop) == []


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_an_anonymous_visit_to_a_staff_page_shows_only_the_login(
    server: Any, desk: Page, earlier_patients: list[str], path: str
) -> None:
    desk.goto(server.url + path)
    # a page's first run also imports its libraries (Altair for analytics): seconds on a busy machine
    expect(desk.get_by_role("heading", name="Staff login")).to_be_visible(timeout=TIMEOUT_MS)
    settle(desk)
    main = desk.get_by_test_id("stMain")
    assert main.get_by_role("heading").all_inner_texts() == ["Staff login"]
    assert desk.get_by_test_id("stDataFrame").count() == 0
    body = desk.inner_text("body")
    assert not any(reference in body for reference in earlier_patients)
    assert "Earlier Patient" not in body
    assert menu(desk) <= {"Pre-screening", "Staff login"}, "a staff page is offered without a login"
