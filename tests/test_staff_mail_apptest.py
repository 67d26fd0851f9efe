"""The staff Mail page (Streamlit AppTest) over a real SQLite file and a real SMTP server in this process."""

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mail_support import ONCALL, Inbox, app_environment, free_port, mail_env, smtp_server
from sqlalchemy import select
from storage_support import login_as, patient
from streamlit.testing.v1 import AppTest
from wizard_support import page_text, start

from screening import intake
from screening.loader import load_ruleset
from screening.messaging import courier
from screening.messaging.outbox import send_due
from screening.roles import Role
from screening.settings import get_settings
from screening.staff import StaffSession
from screening.storage import Database
from screening.storage.models import AuditRow, OutboxRow
from screening.triage import Triage
from screening.ui import auth

pytest_plugins = ["db_fixtures"]

RULES = Path(__file__).resolve().parent.parent / "rules"
MAIL_PAGE = "screening/ui/staff_mail.py"
PATIENT_EMAIL = "someone.private@patient.example"


@pytest.fixture
def port() -> int:
    return free_port()


def _app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated: Path, env: dict[str, str]) -> Database:
    monkeypatch.setenv("SCREENING_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("SCREENING_PASSWORD_MEMORY_KIB", "1024")
    app_environment(monkeypatch, tmp_path, env)
    shutil.copyfile(migrated, tmp_path / "screening.db")
    return Database.from_settings(get_settings())


@pytest.fixture
def mail_db(tmp_path, monkeypatch, migrated_sqlite_file, port) -> Iterator[Database]:
    db = _app_db(tmp_path, monkeypatch, migrated_sqlite_file, mail_env(port))
    yield db
    courier.stop(db)
    db.dispose()
    get_settings.cache_clear()


@pytest.fixture
def plain_db(tmp_path, monkeypatch, migrated_sqlite_file) -> Iterator[Database]:
    db = _app_db(tmp_path, monkeypatch, migrated_sqlite_file, {})
    yield db
    db.dispose()
    get_settings.cache_clear()


def mail_page(session: StaffSession | None) -> AppTest:
    at = start()
    if session is not None:
        at.session_state[auth.SESSION_KEY] = session.token
    return at.switch_page(MAIL_PAGE).run()


def views(db: Database) -> list[tuple[str, str | None]]:
    with db.session() as tx:
        rows = tx.scalars(
            select(AuditRow).where(AuditRow.action.in_(("view_mail", "mail_retry"))).order_by(AuditRow.id)
        )
        return [(row.action, row.username) for row in rows]


def table(at: AppTest) -> list[dict[str, str]]:
    return next(d.value for d in at.dataframe if "Attempts" in d.value.columns).to_dict("records")


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_sees_sent_and_failed_mail_and_the_opening_is_audited(mail_db, port, role):
    rules = load_ruleset(RULES)
    urgent = intake.submit(mail_db, patient(rules, Triage.urgent), rules)
    intake.save_draft(mail_db, {"a": 1}, "about", intake.date(1980, 1, 2), email_to=PATIENT_EMAIL)
    with smtp_server(port, Inbox(refuse="550 5.1.1 mailbox unavailable")):
        send_due(mail_db)  # the first goes to the on-call address: refused for good, as is the patient's
    me = login_as(mail_db, "ivy", role)
    at = mail_page(me)
    assert not at.exception, at.exception
    rows = table(at)
    assert [(r["What"], r["Status"], r["To"]) for r in rows] == [
        ("Resume code to a patient", "Failed", "s•••@patient.example"),
        ("On-call alert", "Failed", ONCALL),
    ]
    assert rows[1]["Reference"] == urgent.reference and "550" in rows[1]["Problem"]
    assert PATIENT_EMAIL not in page_text(at)
    at.selectbox(key="staff_mail_show").set_value("sent").run()
    assert table(at) == []
    assert views(mail_db) == [("view_mail", "ivy")], "one view per opening, not per redraw"


def test_a_failed_mail_is_sent_again_from_the_page(mail_db, port):
    rules = load_ruleset(RULES)
    intake.submit(mail_db, patient(rules, Triage.urgent), rules)
    with smtp_server(port, Inbox(refuse="550 5.1.1 mailbox unavailable")):
        send_due(mail_db)
    at = mail_page(login_as(mail_db, "ivy"))
    assert "The server said: recipient refused: 550 5.1.1 mailbox unavailable" in [t.value for t in at.text]
    with smtp_server(port) as inbox:
        next(b for b in at.button if b.label == "Send again").click().run()
        assert any("Queued again" in s.value for s in at.success)
        deadline = time.monotonic() + 15  # the page woke the app's courier: no wait for its next round
        while not inbox.received and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(inbox.received) == 1
    assert views(mail_db) == [("view_mail", "ivy"), ("mail_retry", "ivy")]
    with mail_db.session() as tx:
        assert tx.scalar(select(OutboxRow.status)) == "sent"


def test_the_page_says_when_mail_is_off(plain_db):
    at = mail_page(login_as(plain_db, "ivy"))
    assert any("Mail is off" in info.value for info in at.info)
    assert table(at) == []


def test_without_a_login_the_mail_page_shows_only_the_login(mail_db):
    at = mail_page(None)
    assert [h.value for h in at.header] == ["Staff login"]
    assert views(mail_db) == []
