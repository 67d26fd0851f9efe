"""The staff workspace driven through its pages (Streamlit AppTest, no browser) on a real SQLite file.

Logins go through the real login form or the real staff service; actions go through
the page's buttons and forms, and what they stored is read back from the services.
"""

import csv
import io
import json
import re
import shutil
import tomllib
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rules_support import stricter_candidate, with_migraine_days
from sqlalchemy import update
from storage_support import PASSWORD, login_as, patient
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest, app_test
from wizard_support import click, page_text, shown_alerts, start

from screening import casework, intake, staff
from screening.answers import RedFlags
from screening.casework import waited
from screening.loader import load_ruleset
from screening.settings import get_settings
from screening.staff import Role, StaffSession
from screening.storage import Database
from screening.storage.models import StaffSessionRow, utcnow
from screening.triage import Triage
from screening.ui import auth
from screening.ui.whycard import condition_rows
from screening.workflow import STATUS_LABELS, Status, manual_next

RULES = Path(__file__).resolve().parent.parent / "rules"
PAGES = {
    "login": "screening/ui/staff_login.py",
    "queue": "screening/ui/staff_queue.py",
    "detail": "screening/ui/staff_detail.py",
    "admin": "screening/ui/staff_admin.py",
    "rules": "screening/ui/staff_rules.py",
    "analytics": "screening/ui/staff_analytics.py",
}
MARKUP = "**bold** <script>alert(1)</script> [link](http://x)"
LOGIN_ELEMENTS = {"header", "text_input", "button", "info", "error", "html"}
"""What an anonymous visitor's staff page may draw; "html" is the constant script that marks the page English."""


pytest_plugins = ["db_fixtures"]


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_sqlite_file: Path) -> Iterator[Database]:
    """The database the app under test opens: its own data directory and SQLite file per test.

    Cheap password hashing, as in the service tests: these tests check the pages, not argon2's cost.
    """
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SCREENING_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("SCREENING_PASSWORD_MEMORY_KIB", "1024")
    for name in ("DATABASE_URL", "SCREENING_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    shutil.copyfile(migrated_sqlite_file, tmp_path / "screening.db")
    db = Database.from_settings(get_settings())
    yield db
    db.dispose()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def rules() -> Any:
    return load_ruleset(RULES)


def submit(db: Database, rules: Any, triage: Triage = Triage.likely_candidate, name: str = "Case Patient") -> int:
    return intake.submit(db, patient(rules, triage, name=name), rules).submission_id


def at_page(name: str, session: StaffSession | None = None, **state: Any) -> AppTest:
    """The app opened at a staff page's address, logged in as ``session`` (or not at all)."""
    at = start()
    if session is not None:
        at.session_state[auth.SESSION_KEY] = session.token
    for key, value in state.items():
        at.session_state[key] = value
    return at.switch_page(PAGES[name]).run()


def open_detail(session: StaffSession, submission_id: int) -> AppTest:
    return at_page("detail", session, **{auth.OPEN: submission_id})


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return click(at, "Log in")


def element_types(block: Any) -> set[str]:
    children = getattr(block, "children", {})
    own = {block.type} if not children else set()
    return own.union(*(element_types(child) for child in children.values()))


def headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def in_order(block: Any) -> Iterator[Any]:
    for child in getattr(block, "children", {}).values():
        if getattr(child, "children", None):
            yield from in_order(child)
        else:
            yield child


def case_facts(at: AppTest) -> dict[str, str]:
    """The case page's facts: each a bold label (fixed wording) followed by its value as plain text."""
    found, name = {}, None
    for element in in_order(at.main):
        if element.type == "markdown" and re.fullmatch(r"\*\*[^*]+\*\*", element.value):
            name = element.value.strip("*")
        elif element.type == "text" and name:
            found[name], name = element.value, None
    return found


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def audit_actions(db: Database, admin: StaffSession, **filters: Any) -> list[str]:
    return [row.action for row in casework.audit_log(db, admin, **filters).rows]


def assert_only_login(at: AppTest, *secrets: str) -> None:
    assert not at.exception, at.exception
    assert headers(at) == ["Staff login"]
    assert element_types(at.main) <= LOGIN_ELEMENTS | {"form"}, element_types(at.main)
    assert not at.sidebar.children, "a staff page drew its sidebar for an anonymous visitor"
    shown = page_text(at)
    for secret in secrets:
        assert secret not in shown


# --- login, lockout, expiry, logout ---------------------------------------------------------------


def test_login_with_the_right_password_opens_the_queue_and_is_audited(app_db: Database, rules: Any) -> None:
    submit(app_db, rules)
    staff.add_staff(app_db, "nina", "Nina Intake", Role.intake, PASSWORD, actor=staff.CONSOLE)
    at = log_in(at_page("login"), "nina", PASSWORD)
    assert not at.exception, at.exception
    assert headers(at) == ["Review queue"]
    token = at.session_state[auth.SESSION_KEY]
    assert staff.session_for(app_db, token).username == "nina"
    assert not at.query_params, "nothing about the session belongs in the address"
    admin = login_as(app_db, "ada", Role.admin)
    assert "login" in audit_actions(app_db, admin, username="nina")


@pytest.mark.parametrize(("username", "password"), [("nina", "Wrong password 123"), ("nobody", PASSWORD)])
def test_a_failed_login_says_the_same_thing_whatever_was_wrong(app_db: Database, username: str, password: str) -> None:
    staff.add_staff(app_db, "nina", "Nina Intake", Role.intake, PASSWORD, actor=staff.CONSOLE)
    at = log_in(at_page("login"), username, password)
    assert [e.value for e in at.error] == [staff.LOGIN_FAILED]
    assert headers(at) == ["Staff login"]
    assert auth.SESSION_KEY not in at.session_state
    admin = login_as(app_db, "ada", Role.admin)
    assert audit_actions(app_db, admin, username=username) == ["login_failed"]


def test_five_failures_lock_the_account_even_for_the_right_password(app_db: Database) -> None:
    staff.add_staff(app_db, "nina", "Nina Intake", Role.intake, PASSWORD, actor=staff.CONSOLE)
    at = at_page("login")
    for _ in range(app_db.config.lockout_attempts):
        at = log_in(at, "nina", "Wrong password 123")
    at = log_in(at, "nina", PASSWORD)
    assert [e.value for e in at.error] == [staff.LOGIN_FAILED]
    assert headers(at) == ["Staff login"]
    assert auth.SESSION_KEY not in at.session_state


def test_an_idle_session_ends_with_a_plain_message_and_no_data(app_db: Database, rules: Any) -> None:
    submit(app_db, rules, name="Idle Patient")
    me = login_as(app_db, "nina")
    at = at_page("queue", me)
    assert headers(at) == ["Review queue"]
    idle = app_db.config.session_idle_minutes
    with app_db.session() as tx:
        tx.execute(update(StaffSessionRow).values(last_seen=utcnow() - timedelta(minutes=idle + 1)))
    at.run()
    assert_only_login(at, "Idle Patient")
    assert any("session has ended" in i.value for i in at.info)
    assert staff.session_for(app_db, me.token) is None
    assert auth.ROLE not in at.session_state, "the menu would still offer staff pages"


def test_logout_ends_the_session(app_db: Database) -> None:
    me = login_as(app_db, "nina")
    at = click(at_page("login", me), "Log out")
    assert headers(at) == ["Staff login"]
    assert staff.session_for(app_db, me.token) is None


@pytest.mark.parametrize("page", PAGES)
def test_every_staff_page_without_a_session_shows_the_login_and_nothing_else(
    app_db: Database, rules: Any, page: str
) -> None:
    receipt = intake.submit(app_db, patient(rules, Triage.urgent, name="Secret Patient"), rules)
    assert_only_login(at_page(page, **{auth.OPEN: receipt.submission_id}), "Secret Patient", receipt.reference)


@pytest.mark.parametrize("page", PAGES)
def test_a_made_up_session_token_is_refused_on_every_page(app_db: Database, rules: Any, page: str) -> None:
    submission_id = submit(app_db, rules, name="Secret Patient")
    at = start()
    at.session_state[auth.SESSION_KEY] = "not-a-real-token"
    at.session_state[auth.ROLE] = Role.admin.value
    at.session_state[auth.OPEN] = submission_id
    assert_only_login(at.switch_page(PAGES[page]).run(), "Secret Patient")


def test_password_change_through_the_account_page(app_db: Database) -> None:
    me = login_as(app_db, "nina")
    at = at_page("login", me)
    new = "Another good one 42"
    for box, value in zip(at.text_input, (PASSWORD, new, new + "x"), strict=True):
        box.input(value)
    at = click(at, "Change password")
    assert [e.value for e in at.error] == ["The two new passwords are not the same."]
    for box, value in zip(at.text_input, (PASSWORD, new, new), strict=True):
        box.input(value)
    at = click(at, "Change password")
    assert not at.error and at.success
    assert staff.authenticate(app_db, "nina", new) is not None
    assert staff.authenticate(app_db, "nina", PASSWORD) is None


# --- queue ----------------------------------------------------------------------------------------


def test_queue_counts_sorts_urgent_first_and_opens_a_row(app_db: Database, rules: Any) -> None:
    for triage in (Triage.likely_candidate, Triage.needs_review, Triage.urgent, Triage.unlikely):
        submit(app_db, rules, triage, name=f"{triage.value} patient")
    at = at_page("queue", login_as(app_db, "nina"))
    counts = {m.label: m.value for m in at.metric}
    assert counts == {
        "Urgent": "1",
        "Not suitable": "0",
        "Needs review": "1",
        "Likely candidate": "1",
        "Unlikely": "1",
        **{label: "4" if status == Status.new else "0" for status, label in STATUS_LABELS.items()},
    }
    table = queue_table(at)
    assert list(table["Triage"]) == ["Urgent", "Needs review", "Likely candidate", "Unlikely"]
    titles = {rule.id: rule.title for rule in rules.rules}
    assert table["Reason"][0] == titles["RF-THUNDERCLAP"], "the deciding rule's title, in words"
    assert list(table["Status"]) == ["New"] * 4
    assert all(waited < pd.Timedelta(hours=1) for waited in table["In status for"])
    at.selectbox(key="q_open").set_value(table["Reference"][0])
    at = click(at, "Open")
    assert headers(at) == [f"Submission {table['Reference'][0]}"]


def queue_table(at: AppTest) -> Any:
    return next(d.value for d in at.dataframe if "Reference" in d.value.columns)


def test_queue_filters_search_and_pages(app_db: Database, rules: Any) -> None:
    for number in range(55):
        submit(app_db, rules, name=f"Patient {number:02d}")
    urgent = submit(app_db, rules, Triage.urgent, name="Zed Urgent")
    me = login_as(app_db, "nina")
    at = at_page("queue", me)
    assert len(queue_table(at)) == 50
    assert "Page 1 of 2 (56 submissions)" in texts(at)
    at = click(at, "Next page")
    assert len(queue_table(at)) == 6
    at.text_input(key="q_search").input("zed urg")
    at.run()
    assert list(queue_table(at)["Name"]) == ["Zed Urgent"]
    assert "Page 1 of 1 (1 submission)" in texts(at)
    at.text_input(key="q_search").input("")
    at.multiselect(key="q_triage").set_value([Triage.likely_candidate])
    at.run()
    assert len(queue_table(at)) == 50 and set(queue_table(at)["Triage"]) == {"Likely candidate"}
    casework.assign(app_db, me, urgent, me.staff_id)
    at.multiselect(key="q_triage").set_value([])
    at.selectbox(key="q_assignee").set_value("me")
    at.run()
    assert list(queue_table(at)["Name"]) == ["Zed Urgent"]
    at.selectbox(key="q_assignee").set_value("anyone")
    at.selectbox(key="q_flag").set_value("RF-THUNDERCLAP")
    at.run()
    assert list(queue_table(at)["Name"]) == ["Zed Urgent"]
    at.selectbox(key="q_flag").set_value(None)
    casework.change_status(app_db, me, urgent, Status.in_review)
    at.multiselect(key="q_status").set_value([Status.in_review])
    at.run()
    assert list(queue_table(at)["Name"]) == ["Zed Urgent"]
    at.multiselect(key="q_status").set_value([])
    at.date_input(key="q_to").set_value(date.today() - timedelta(days=1))
    at.run()
    assert [i.value for i in at.info] == ["No submissions match these filters."]


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MemoryMediaFileStorage]:
    """The in-memory file stores AppTest makes for its runs, kept so a test can read what a download would send."""
    stores: list[MemoryMediaFileStorage] = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, media_endpoint: str) -> None:
            super().__init__(media_endpoint)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Kept)
    return stores


def downloaded(at: AppTest, stores: list[MemoryMediaFileStorage]) -> list[dict[str, str]]:
    """The rows of the CSV file behind the page's download button."""
    name = at.download_button(key="q_download").proto.url.rsplit("/", 1)[-1]
    data = stores[-1].get_file(name).content
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_queue_export_is_built_on_request_with_the_filters_and_audited(
    app_db: Database, rules: Any, media: list[MemoryMediaFileStorage]
) -> None:
    formula = '=HYPERLINK("http://x","click")'
    submit(app_db, rules, Triage.urgent, name=formula)
    submit(app_db, rules, name="Lena Likely")
    me = login_as(app_db, "nina")
    admin = login_as(app_db, "ada", Role.admin)
    at = at_page("queue", me)
    at.multiselect(key="q_triage").set_value([Triage.urgent])
    at.run()
    assert not at.download_button, "nothing is exported before someone asks"
    assert audit_actions(app_db, admin, action="export") == []
    at = click(at, "Prepare export")
    assert not at.exception, at.exception
    assert at.download_button(key="q_download").label == "Download CSV"
    rows = downloaded(at, media)
    assert [(r["name"], r["triage"]) for r in rows] == [("'" + formula, "Urgent")]
    export = casework.audit_log(app_db, admin, action="export").rows
    assert [(e.username, e.target, e.detail) for e in export] == [
        ("nina", "queue.csv", {"filters": {"triage": ["urgent"]}, "rows": 1})
    ]
    at.run()
    assert not at.download_button, "the file is not kept once the page moves on"
    assert len(audit_actions(app_db, admin, action="export")) == 1


def test_table_toolbars_offer_no_unaudited_download() -> None:
    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True


# --- detail: why-cards, answers, workflow, assignment, notes ---------------------------------------


def test_detail_shows_why_cards_and_answers_as_plain_text_and_audits_the_view(app_db: Database, rules: Any) -> None:
    submission_id = submit(app_db, rules, Triage.urgent, name=MARKUP)
    me = login_as(app_db, "nina")
    at = open_detail(me, submission_id)
    assert not at.exception, at.exception
    shown = texts(at)
    assert "RF-THUNDERCLAP" in shown
    assert 'Sudden "worst ever" (thunderclap) headache' in [h.value for h in at.subheader]
    badges = [m.value for m in at.markdown]
    assert any("Outcome: Urgent" in b and ":red-badge[" in b for b in badges), badges
    assert any("Severity: Critical" in b and ":red-badge[" in b for b in badges), badges
    assert "Source: SNOOP4 (Dodick) - O, onset sudden" in shown
    ruleset_hash = casework.detail(app_db, me, submission_id, record_view=False).ruleset_hash[:12]
    assert sum(ruleset_hash in t for t in shown) == 1, "the rule set is named once per page, not on every card"
    facts = case_facts(at)
    assert (facts["Triage"], facts["Status"], facts["Assigned to"]) == ("Urgent", "New", "Nobody")
    assert f"Contact: {MARKUP} · Phone preferred · 555 010 0000 · free in the morning" in shown
    why = next(d.value for d in at.dataframe if "Met" in d.value.columns)
    assert why.to_dict("records") == [
        {
            "Question": RedFlags.model_fields["thunderclap"].title,
            "Rule": "== yes",
            "Patient's value": "Yes",
            "Met": "yes",
        }
    ]
    contact = next(d.value for d in at.dataframe if "Your name" in set(d.value.get("Question", [])))
    assert MARKUP in set(contact["Answer"])
    assert all(MARKUP not in m.value for m in at.markdown), "patient text went through markdown"
    assert not at.expander, "the full trace is for clinicians"
    admin = login_as(app_db, "ada", Role.admin)
    assert audit_actions(app_db, admin, username="nina", action="view")


def views(db: Database, reference: str) -> int:
    """View rows for one submission, read by a fresh administrator."""
    admin = login_as(db, f"audit{uuid.uuid4().hex[:8]}", Role.admin)
    return len(audit_actions(db, admin, action="view", target=reference))


def open_from_queue(at: AppTest, reference: str) -> AppTest:
    at = at.switch_page(PAGES["queue"]).run()
    at.selectbox(key="q_open").set_value(reference)
    return click(at, "Open")


def test_one_view_row_per_opening_not_per_click(app_db: Database, rules: Any) -> None:
    first, second = submit(app_db, rules), submit(app_db, rules, name="Other Patient")
    me = login_as(app_db, "nina")
    one, other = (casework.detail(app_db, me, sid, record_view=False).reference for sid in (first, second))
    at = open_detail(me, first)
    at = move(at, Status.in_review)
    at.text_area[0].input("Called, no answer.")
    at = click(at, "Add note")
    assert [s.value for s in at.success] == ["Note added."]
    assert views(app_db, one) == 1, "redraws of the open submission are not new views"
    at = open_from_queue(at, one)
    assert headers(at) == [f"Submission {one}"]
    at = move(at, Status.contact_attempted)
    assert views(app_db, one) == 2, "opening it again after leaving is a new view"
    at = open_from_queue(at, other)
    assert headers(at) == [f"Submission {other}"]
    assert (views(app_db, one), views(app_db, other)) == (2, 1)


def test_clinicians_also_see_the_full_trace(app_db: Database, rules: Any) -> None:
    submission_id = submit(app_db, rules)
    at = open_detail(login_as(app_db, "cleo", Role.clinician), submission_id)
    assert [e.label for e in at.expander] == ["Full rule trace (every rule and condition)"]
    trace = next(d.value for d in at.dataframe if "Fired" in d.value.columns)
    assert set(trace["Rule id"]) == {rule.id for rule in rules.rules}


def status_paths(*, urgent: bool) -> dict[Status, list[Status]]:
    """The shortest walk from New to every status the workflow can reach."""
    paths = {Status.new: [Status.new]}
    frontier = [Status.new]
    while frontier:
        current = frontier.pop(0)
        for following in sorted(manual_next(current, urgent=urgent)):
            if following not in paths:
                paths[following] = [*paths[current], following]
                frontier.append(following)
    return paths


TRIAGE_OF = {True: Triage.urgent, False: Triage.likely_candidate}
TRANSITIONS = [
    pytest.param(urgent, current, target, id=f"{'urgent:' if urgent else ''}{current}->{target}")
    for urgent in (False, True)
    for current in status_paths(urgent=urgent)
    for target in sorted(manual_next(current, urgent=urgent))
]


def moved_to(db: Database, session: StaffSession, submission_id: int, *path: Status) -> None:
    for status in path:
        casework.change_status(db, session, submission_id, status)


def offered_moves(at: AppTest) -> set[Status]:
    return {Status(b.key.removeprefix("move_")) for b in at.button if b.key and b.key.startswith("move_")}


def move(at: AppTest, target: Status) -> AppTest:
    at.button(key=f"move_{target.value}").click()
    return at.run()


@pytest.mark.parametrize(("urgent", "current", "target"), TRANSITIONS)
def test_each_workflow_move_through_its_button(
    app_db: Database, rules: Any, urgent: bool, current: Status, target: Status
) -> None:
    submission_id = submit(app_db, rules, TRIAGE_OF[urgent])
    me = login_as(app_db, "nina")
    moved_to(app_db, me, submission_id, *status_paths(urgent=urgent)[current][1:])
    at = open_detail(me, submission_id)
    assert offered_moves(at) == manual_next(current, urgent=urgent)
    at = move(at, target)
    assert not at.exception and not at.error, (at.exception, at.error)
    assert shown_alerts(at.success) == [f"Moved to {STATUS_LABELS[target]}."]
    assert offered_moves(at) == manual_next(target, urgent=urgent)
    found = casework.detail(app_db, me, submission_id)
    assert found.status == target
    last = found.timeline[-1]
    assert (last.kind, last.actor, last.data["from"], last.data["to"]) == ("status", "Nina", current, target)
    admin = login_as(app_db, "ada", Role.admin)
    assert audit_actions(app_db, admin, action="status", target=found.reference)


def test_a_move_no_longer_allowed_is_refused_and_changes_nothing(app_db: Database, rules: Any) -> None:
    submission_id = submit(app_db, rules)
    me = login_as(app_db, "nina")
    moved_to(app_db, me, submission_id, Status.in_review)
    at = open_detail(me, submission_id)
    assert Status.urgent_referred not in offered_moves(at), "urgent moves are only for urgent submissions"
    moved_to(app_db, login_as(app_db, "omar"), submission_id, Status.declined)  # a colleague declined it
    at = move(at, Status.contact_attempted)
    assert [e.value for e in at.error] == [
        "Someone else moved this submission to Declined meanwhile, so your change was not made. "
        "The page now shows the latest; please check it before moving it on."
    ]
    assert casework.detail(app_db, me, submission_id).status == Status.declined


def test_an_action_after_the_session_ended_is_refused_and_shows_the_login(app_db: Database, rules: Any) -> None:
    submission_id = submit(app_db, rules, name="Late Patient")
    me = login_as(app_db, "nina")
    at = open_detail(me, submission_id)
    staff.logout(app_db, me.token)  # e.g. logged out in another tab
    at = move(at, Status.in_review)
    assert_only_login(at, "Late Patient")
    assert casework.detail(app_db, login_as(app_db, "omar"), submission_id).status == Status.new


def test_contact_attempts_are_counted(app_db: Database, rules: Any) -> None:
    submission_id = submit(app_db, rules)
    me = login_as(app_db, "nina")
    moved_to(app_db, me, submission_id, Status.in_review)
    at = move(move(open_detail(me, submission_id), Status.contact_attempted), Status.contact_attempted)
    assert case_facts(at)["Contact attempts"] == "2"
    assert at.button(key="move_contact_attempted").label == "Contact attempted (attempt 3)"
    assert casework.detail(app_db, me, submission_id).contact_attempts == 2


def test_notes_are_added_shown_as_typed_and_audited(app_db: Database, rules: Any) -> None:
    submission_id = submit(app_db, rules)
    me = login_as(app_db, "nina")
    at = open_detail(me, submission_id)
    at = click(at, "Add note")
    assert [e.value for e in at.error] == ["The note is empty."]
    at.text_area[0].input(MARKUP)
    at = click(at, "Add note")
    assert [s.value for s in at.success] == ["Note added."]
    assert MARKUP in texts(at)
    assert all(MARKUP not in m.value for m in at.markdown)
    timeline = next(d.value for d in at.dataframe if "What" in d.value.columns)
    assert list(timeline["What"])[-1] == f"Note: {MARKUP}"
    assert [n.data["text"] for n in casework.detail(app_db, me, submission_id).notes] == [MARKUP]
    admin = login_as(app_db, "ada", Role.admin)
    assert audit_actions(app_db, admin, action="note") == ["note"]


def test_assignment_to_a_colleague(app_db: Database, rules: Any) -> None:
    submission_id = submit(app_db, rules)
    me = login_as(app_db, "nina")
    omar = login_as(app_db, "omar")
    at = open_detail(me, submission_id)
    assert case_facts(at)["Assigned to"] == "Nobody"
    at.selectbox(key="assignee").set_value(omar.staff_id)
    at = click(at, "Assign")
    assert [s.value for s in at.success] == ["Assigned to Omar."]
    assert case_facts(at)["Assigned to"] == "Omar"
    assert casework.detail(app_db, me, submission_id).assignee_id == omar.staff_id
    admin = login_as(app_db, "ada", Role.admin)
    assert audit_actions(app_db, admin, action="assign") == ["assign"]


# --- admin ----------------------------------------------------------------------------------------


def test_admin_adds_and_disables_staff(app_db: Database) -> None:
    at = at_page("admin", login_as(app_db, "ada", Role.admin))
    at.text_input(key="new_username").input("pat")
    at.text_input(key="new_name").input("Pat Clinician")
    at.selectbox(key="new_role").set_value(Role.clinician)
    at.text_input(key="new_password").input(PASSWORD)
    at = click(at, "Add")
    assert not at.error, [e.value for e in at.error]
    people = next(d.value for d in at.dataframe if "User name" in d.value.columns)
    assert ("pat", "Clinician", "yes") in set(zip(people["User name"], people["Role"], people["Active"], strict=True))
    assert staff.authenticate(app_db, "pat", PASSWORD) is not None
    at.selectbox(key="active_who").set_value("pat")
    at = click(at, "Disable")
    assert staff.authenticate(app_db, "pat", PASSWORD) is None
    log = next(d.value for d in at.dataframe if "Action" in d.value.columns)
    assert {"staff_add", "staff_disable"} <= set(log["Action"])


def test_admin_filters_the_audit_log(app_db: Database) -> None:
    staff.authenticate(app_db, "mallory", "guess guess guess")
    at = at_page("admin", login_as(app_db, "ada", Role.admin))
    at.selectbox(key="a_action").set_value("login_failed")
    at.run()
    log = next(d.value for d in at.dataframe if "Action" in d.value.columns)
    assert list(log["Action"]) == ["login_failed"]
    assert list(log["Who"]) == ["mallory"]
    assert "Page 1 of 1 (1 entry)" in texts(at), "a count in English: one entry, not entrys"


@pytest.mark.parametrize("role", [Role.intake, Role.clinician])
def test_the_admin_page_refuses_other_roles(app_db: Database, role: Role) -> None:
    at = at_page("admin", login_as(app_db, "nina", role))
    assert [e.value for e in at.error] == ["This page is not available to your role."]
    assert not at.dataframe and not at.text_input


# --- rules page and rule-change preview -------------------------------------------------------------


def test_the_rules_page_refuses_intake_staff(app_db: Database) -> None:
    at = at_page("rules", login_as(app_db, "nina", Role.intake))
    assert [e.value for e in at.error] == ["This page is not available to your role."]
    assert not at.code and not at.text_input


@pytest.mark.parametrize("role", [Role.clinician, Role.admin])
def test_the_rules_page_shows_every_rule_and_audits_each_opening(app_db: Database, rules: Any, role: Role) -> None:
    me = login_as(app_db, "cleo", role)
    at = at_page("rules", me)
    assert not at.exception, at.exception
    shown = texts(at)
    assert f"{rules.ref.name} · version {rules.ref.version} · hash {rules.ref.hash}" in shown
    for rule in rules.rules:
        assert f"{rule.id} · {rule.title}" in shown
        assert f"Source: {rule.source}" in shown
    told = [line for line in shown if line.startswith("Patient is told at once: ")]
    assert len(told) == len([rule for rule in rules.rules if rule.advice is not None]) > 0
    assert "Patient is told at once: emergency now (call 911 / emergency department)" in told
    newest = rules.changelog[0]
    assert f"Version {newest.version} · {newest.day:%B} {newest.day.day}, {newest.day.year}" in shown
    assert "\n".join(f"- {change}" for change in newest.changes) in shown
    examples = pd.concat([d.value for d in at.dataframe if "Example" in d.value.columns])
    assert sorted(examples["Example"]) == sorted(case.name for case in rules.cases)
    at.run()
    admin = me if role == Role.admin else login_as(app_db, "ada", Role.admin)
    assert audit_actions(app_db, admin, action="rules_view") == ["rules_view"], "one row per opening, not per redraw"


def preview_run(at: AppTest, typed: str) -> AppTest:
    at.text_input(key="rules_candidate").input(typed)
    return click(at, "Preview the change")


def preview_problems(at: AppTest) -> list[str]:
    return [t.value for t in at.text if t.value.startswith("• ")]


def test_a_candidate_that_raises_a_threshold_lists_the_submissions_it_moves(
    app_db: Database, rules: Any, tmp_path: Path
) -> None:
    nine = intake.submit(app_db, with_migraine_days(rules, 9, "Nine Days"), rules).reference
    submit(app_db, rules, Triage.likely_candidate)
    submit(app_db, rules, Triage.urgent)
    stricter_candidate(tmp_path / "candidate")
    me = login_as(app_db, "cleo", Role.clinician)
    at = preview_run(at_page("rules", me), "candidate")
    assert not at.exception, at.exception
    assert "1 submission would change triage:" in texts(at), "a count in English: one submission, not submissions"
    changes = next(d.value for d in at.dataframe if "Flags added" in d.value.columns)
    assert changes.to_dict("records") == [
        {
            "Reference": nine,
            "Before": "Likely candidate",
            "After": "Needs review",
            "Flags added": "CM-FEW-MIGRAINE-DAYS",
            "Flags removed": "CM-LIKELY",
        }
    ]
    counts = next(d.value for d in at.dataframe if "Before" in d.value.columns and "Triage" in d.value.columns)
    likely = counts[counts["Triage"] == "Likely candidate"].iloc[0]
    assert (likely["Before"], likely["After"]) == (2, 1)
    queue = casework.queue(app_db, me)
    assert queue.counts_by_triage[Triage.likely_candidate] == 2, "a preview changes no stored triage"


def test_a_broken_candidate_shows_the_loaders_problems_and_changes_nothing(
    app_db: Database, rules: Any, tmp_path: Path
) -> None:
    submit(app_db, rules, Triage.likely_candidate)
    folder = stricter_candidate(tmp_path / "broken")
    (folder / "red_flags.yaml").write_text("rules:\n  - id: RF-BAD\n    title: Bad\n    when: red_flags.nope == yes\n")
    me = login_as(app_db, "cleo", Role.clinician)
    at = preview_run(at_page("rules", me), str(folder))
    assert [e.value for e in at.error] == ["The candidate rule set was refused; nothing was re-screened."]
    assert any(problem.startswith("• red_flags.yaml: rule RF-BAD:") for problem in preview_problems(at))
    assert not any("Flags added" in d.value.columns for d in at.dataframe)
    assert casework.queue(app_db, me).counts_by_triage == {Triage.likely_candidate: 1}


def test_a_folder_outside_the_data_directory_is_refused(app_db: Database, rules: Any) -> None:
    me = login_as(app_db, "cleo", Role.clinician)
    at = preview_run(at_page("rules", me), str(RULES))
    assert preview_problems(at) == [f"• The candidate folder must be inside {get_settings().data_dir.resolve()}."]
    admin = login_as(app_db, "ada", Role.admin)
    assert audit_actions(app_db, admin, action="rules_preview") == ["rules_preview"]


def test_a_file_linked_out_of_the_data_directory_is_refused_without_showing_its_text(
    app_db: Database, rules: Any, tmp_path: Path
) -> None:
    secret = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    secret.write_text("password: hunter2-secret\n[unclosed", encoding="utf-8")
    folder = stricter_candidate(tmp_path / "candidate")
    (folder / "red_flags.yaml").unlink()
    (folder / "red_flags.yaml").symlink_to(secret)
    (folder / "extra.yaml").write_text("rules: [\n  token-9876\n", encoding="utf-8")
    me = login_as(app_db, "cleo", Role.clinician)
    at = preview_run(at_page("rules", me), "candidate")
    assert not at.exception, at.exception
    problems = preview_problems(at)
    assert "• red_flags.yaml: is a link; a rule file must be a plain file inside the rules folder itself" in problems
    assert any(p.startswith("• extra.yaml: not valid YAML at line 3, column 1:") for p in problems)
    shown = [e.value for e in (*at.text, *at.error, *at.markdown, *at.caption)]
    assert not any("hunter2" in value or "token-9876" in value for value in shown)


# --- why-card rows --------------------------------------------------------------------------------


def test_why_card_rows_say_unknown_in_words_and_split_the_threshold() -> None:
    rows = condition_rows(
        [
            {"condition": "headache.headache_days >= 15", "value": None, "held": False},
            {"condition": "derived.classes_tried >= 2", "value": 2.0, "held": True},
        ]
    )
    assert rows.to_dict("records") == [
        {
            "Question": "On how many days a month do you have a headache? (average of the last 3 months)",
            "Rule": ">= 15",
            "Patient's value": "Not answered / not sure",
            "Met": "no",
        },
        {"Question": "Preventive classes adequately tried", "Rule": ">= 2", "Patient's value": "2", "Met": "yes"},
    ]


# --- time in status -------------------------------------------------------------------------------

WAITED = re.compile(r"^(?:(?P<d>\d+) d (?P<dh>\d+) h|(?P<h>\d+) h (?P<hm>\d+) min|(?P<m>\d+) min)$")


@given(st.integers(min_value=-3600, max_value=400 * 24 * 3600))
def test_time_in_status_reads_in_the_two_largest_units(seconds: int) -> None:
    shown = WAITED.match(waited(timedelta(seconds=seconds)))
    assert shown is not None
    parts = {k: int(v) for k, v in shown.groupdict().items() if v is not None}
    minutes = max(0, seconds) // 60
    if "d" in parts:
        assert (parts["d"], parts["dh"]) == (minutes // 1440, minutes % 1440 // 60) and parts["d"] >= 1
    elif "h" in parts:
        assert (parts["h"], parts["hm"]) == (minutes // 60, minutes % 60) and 1 <= parts["h"] < 24
    else:
        assert parts["m"] == minutes < 60


def test_detail_page_builds_the_summary_pdf_and_fhir_on_request_and_audits_each(
    app_db: Database, rules: Any, media: list[MemoryMediaFileStorage]
) -> None:
    submission_id = submit(app_db, rules, name="Zoë Łukasz 王")
    me = login_as(app_db, "nina")
    admin = login_as(app_db, "ada", Role.admin)
    at = open_detail(me, submission_id)
    assert not at.exception, at.exception
    assert not at.download_button, "nothing is exported before someone asks"
    at = click(at, "Download summary (PDF)")
    assert not at.exception, at.exception
    button = at.download_button[0]
    data = media[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content
    assert data.startswith(b"%PDF-")
    at = click(at, "Download FHIR (JSON)")
    button = at.download_button[0]
    bundle = json.loads(media[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["QuestionnaireResponse", "Observation"]
    exports = casework.audit_log(app_db, admin, action="export").rows
    assert sorted(e.detail["file"] for e in exports) == ["fhir-bundle.json", "summary.pdf"]
    assert {e.username for e in exports} == {"nina"}
