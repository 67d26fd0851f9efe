"""Saving for later in the wizard (Streamlit AppTest): the same code on every save, and by email only on request.

Mail goes through the app's own courier to a real SMTP server in this process (aiosmtpd).
"""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mail_support import CLINIC, app_environment, free_port, mail_env, smtp_server, text_of
from sqlalchemy import select
from wizard_support import click, fill_step, go_to_step, start, typical_patient

from screening.messaging import courier
from screening.settings import get_settings
from screening.storage import Database
from screening.storage.models import OutboxRow
from screening.ui.draft import STEP_BY_KEY

PATIENT_EMAIL = "pat.example@patient.example"


@pytest.fixture
def no_mail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    app_environment(monkeypatch, tmp_path, {})
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def with_mail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, port: int) -> Iterator[Database]:
    app_environment(monkeypatch, tmp_path, mail_env(port))
    db = Database.from_settings(get_settings())
    yield db
    courier.stop(db)  # the app started it for this database
    db.dispose()
    get_settings.cache_clear()


def outbox_rows(db: Database) -> list[OutboxRow]:
    with db.session() as tx:
        return list(tx.scalars(select(OutboxRow)))


def test_every_save_shows_the_same_code_again(no_mail):
    at = go_to_step(start(), typical_patient(), "headache")
    click(at, "Save my answers")
    first = at.code[0].value
    assert any("Here is your code" in s.value for s in at.success)
    click(at, "Back")
    click(at, "Save my answers")
    assert [c.value for c in at.code] == [first]
    assert any("same as before" in s.value for s in at.success)


def test_without_mail_there_is_no_email_choice(no_mail):
    at = go_to_step(start(), typical_patient(), "headache")
    assert not [box for box in at.checkbox if box.label == "Email me the code as well"]


def test_the_code_is_emailed_only_when_the_patient_asks(with_mail, port):
    at = go_to_step(start(), typical_patient(), "headache")
    click(at, "Save my answers")
    assert outbox_rows(with_mail) == []
    at.checkbox(key="save-email-code").check().run()
    at.text_input(key="save-email-to").input(PATIENT_EMAIL).run()
    with smtp_server(port) as inbox:
        click(at, "Save my answers")
        code = at.code[0].value
        assert any("emailing this code" in i.value for i in at.info)
        deadline = time.monotonic() + 15
        while not inbox.received and time.monotonic() < deadline:
            time.sleep(0.05)
    (mail,) = inbox.received
    assert mail["To"] == PATIENT_EMAIL
    assert code in text_of(mail) and CLINIC in text_of(mail)


def test_the_address_given_for_contact_is_offered(with_mail):
    answers = typical_patient()
    answers["contact"] |= {"preferred_method": "email", "email": PATIENT_EMAIL}
    answers["contact"].pop("phone", None)
    at = go_to_step(start(), answers, "contact")
    fill_step(at, answers, STEP_BY_KEY["contact"])
    at.checkbox(key="save-email-code").check().run()
    assert at.text_input(key="save-email-to").value == PATIENT_EMAIL


def test_a_mistyped_address_saves_nothing_and_says_so(with_mail):
    at = go_to_step(start(), typical_patient(), "headache")
    at.checkbox(key="save-email-code").check().run()
    at.text_input(key="save-email-to").input("pat at example").run()
    click(at, "Save my answers")
    assert any("check the email address" in e.value for e in at.error)
    assert not at.code and outbox_rows(with_mail) == []


def test_ticking_email_without_an_address_saves_nothing_and_says_so(with_mail):
    at = go_to_step(start(), typical_patient(), "headache")
    at.checkbox(key="save-email-code").check().run()
    click(at, "Save my answers")
    assert any("type your email address" in e.value for e in at.error)
    assert not at.code
