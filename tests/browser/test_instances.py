"""Two app instances (two ``streamlit run`` processes) on one PostgreSQL database, as a clinic network runs them.

Set up as the README's deployment section says: the owner role migrates (both instances start
at once, so the migrations take turns), the app role serves, both share the secret key. A
patient submits on one and the case is in the other's queue; two staff on different instances
move the same case at once and one is told; failed logins count across instances.
"""

import re
import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from app_server import Server, running_app
from patient_flow import TIMEOUT_MS, complete_patient_flow, settle
from playwright.sync_api import Page, expect
from sqlalchemy import select
from wizard_support import typical_patient

from screening import casework, staff
from screening.settings import Settings
from screening.staff import CONSOLE, LOGIN_FAILED, Role
from screening.storage import Database
from screening.storage.models import AuditRow
from screening.workflow import Status

pytestmark = pytest.mark.browser
pytest_plugins = ["db_fixtures"]

PASSWORD = "Correct horse battery 9"
DESKTOP = {"width": 1366, "height": 900}
FIRST_PAGE_MS = 90_000
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
OUTCOME = re.compile(r"Moved to In review\.|Someone else moved this submission to In review meanwhile")


@pytest.fixture
def network(two_roles: Any, chromium_path: Path, tmp_path: Path) -> Iterator[tuple[Server, Server, Database]]:
    """Instances A and B, and the database as the test reads it (through the app role)."""
    shared = {
        "DATABASE_URL": two_roles.app_url,
        "MIGRATION_DATABASE_URL": two_roles.owner_url,
        "SCREENING_SECRET_KEY": secrets.token_urlsafe(48),
        "SCREENING_DB_POOL_SIZE": "3",
        "SCREENING_DB_MAX_OVERFLOW": "2",
    }
    settings = Settings(
        data_dir=tmp_path / "console",
        database_url=two_roles.app_url,
        migration_database_url=two_roles.owner_url,
        secret_key=shared["SCREENING_SECRET_KEY"],
    )
    with ExitStack() as stack:
        first = stack.enter_context(running_app(_folder(tmp_path / "a"), shared))
        second = stack.enter_context(running_app(_folder(tmp_path / "b"), shared))
        db = Database(two_roles.app_url, settings=settings)
        stack.callback(db.dispose)
        db.migrate()  # as the console's first "staff add" does
        for name in ("nina", "omar"):
            staff.add_staff(db, name, name.title(), Role.intake, PASSWORD, actor=CONSOLE)
        yield first, second, db


def _ready(page: Page, *servers: Server) -> None:
    """A first page from each instance, as a load balancer's readiness check would ask before sending patients:
    the first run of a fresh process imports, migrates and loads the rules, which on a busy machine takes a while."""
    for server in servers:
        page.goto(server.url)
        expect(page.get_by_role("heading", name="Welcome")).to_be_visible(timeout=FIRST_PAGE_MS)


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.fixture
def desks(browser: Any) -> Iterator[tuple[Page, Page]]:
    """Two staff members' browsers, each with its own session."""
    contexts = [browser.new_context(viewport=DESKTOP) for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.set_default_timeout(TIMEOUT_MS)
    yield pages[0], pages[1]
    for context in contexts:
        context.close()


def try_login(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url + "staff")
    expect(page.get_by_role("heading", name="Staff login")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    settle(page)


def log_in(page: Page, url: str, username: str) -> None:
    try_login(page, url, username, PASSWORD)
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)


def open_reference(page: Page, reference: str) -> None:
    expect(page.get_by_role("combobox", name="Or open by reference")).to_have_value(reference, timeout=TIMEOUT_MS)
    page.get_by_test_id("stBaseButton-secondaryFormSubmit").filter(has_text="Open").click()
    expect(page.get_by_role("heading", name=f"Submission {reference}")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)


def test_a_case_submitted_on_one_instance_is_worked_on_the_other(
    network: tuple[Server, Server, Database], phone: Page, desks: tuple[Page, Page]
) -> None:
    first, second, db = network
    nina, omar = desks
    _ready(phone, first, second)
    reference = complete_patient_flow(phone, first.url, typical_patient())

    log_in(nina, second.url, "nina")  # the other instance's queue
    log_in(omar, first.url, "omar")
    open_reference(nina, reference)
    open_reference(omar, reference)

    # Both pages show "New"; both press "In review" at once, one on each instance.
    nina.get_by_role("button", name="In review", exact=True).click()
    omar.get_by_role("button", name="In review", exact=True).click()
    outcomes = {}
    for name, page in (("nina", nina), ("omar", omar)):
        said = page.get_by_text(OUTCOME).first
        expect(said).to_be_visible(timeout=TIMEOUT_MS)  # each page's rerun has ended with one of the two
        settle(page)
        outcomes[name] = "moved" if "Moved to" in said.inner_text() else "told"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"instances-{outcomes[name]}-1366px.png")
    assert sorted(outcomes.values()) == ["moved", "told"], outcomes
    for page in (nina, omar):
        expect(page.locator(".st-key-fact_status")).to_contain_text("In review", timeout=TIMEOUT_MS)

    me = staff.authenticate(db, "nina", PASSWORD)
    assert me is not None
    found = casework.detail(db, me, casework.queue(db, me, search=reference).rows[0].submission_id)
    assert found.status == Status.in_review
    assert [entry.data for entry in found.timeline if entry.kind == "status"] == [
        {"from": None, "to": "new"},
        {"from": "new", "to": "in_review"},
    ]


def test_failed_logins_count_across_instances(network: tuple[Server, Server, Database], desks: tuple[Page, Page]):
    first, second, db = network
    guesser, _ = desks
    _ready(guesser, first, second)
    limit = db.config.lockout_attempts
    for n in range(limit):
        try_login(guesser, (first, second)[n % 2].url, "omar", f"Wrong password {n}")
        expect(guesser.get_by_text(LOGIN_FAILED)).to_be_visible(timeout=TIMEOUT_MS)
    try_login(guesser, second.url, "omar", PASSWORD)
    expect(guesser.get_by_text(LOGIN_FAILED)).to_be_visible(timeout=TIMEOUT_MS)
    try_login(guesser, first.url, "omar", PASSWORD)
    expect(guesser.get_by_text(LOGIN_FAILED)).to_be_visible(timeout=TIMEOUT_MS)
    with db.session() as tx:
        failed = tx.scalars(select(AuditRow).where(AuditRow.action == "login_failed").order_by(AuditRow.id))
        reasons = [row.detail["reason"] for row in failed]
    assert reasons == ["wrong password"] * limit + ["locked", "locked"]
