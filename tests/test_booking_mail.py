"""The booking confirmation by email, through the outbox to a real SMTP server in this process (aiosmtpd)."""

from pathlib import Path

import pytest
from booking_support import LINK, a_slot
from mail_support import CLINIC, free_port, mail_settings, smtp_server, text_of
from storage_support import login_as, patient

from screening import casework, intake
from screening.answers import Submission
from screening.booking import calls
from screening.messaging.outbox import send_due
from screening.settings import Settings
from screening.staff import Role
from screening.storage import Database
from screening.workflow import Status

pytest_plugins = ["db_fixtures"]
EMAIL = "quinn.patient@patient.example"
NAME = "Quinn Marlowe"
HEALTH_WORDS = ("migraine", "botox", "toxin", "headache", "triage", "neurolog", "dystonia", "spasticity", "Rivera")


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(tmp_path: Path, port: int) -> Settings:
    """Overrides db_fixtures' settings: mail on, to the test server's port."""
    return mail_settings(tmp_path, port)


def emailing_patient(ruleset) -> Submission:
    answers = patient(ruleset, name=NAME).model_dump(mode="json")
    answers["contact"] |= {"preferred_method": "email", "email": EMAIL}
    return Submission.model_validate(answers)


def booked(db: Database, ruleset, *, email_me: bool, language: str = "en") -> str:
    slot_id = a_slot(db, login_as(db, "rivera", Role.clinician))
    receipt = intake.submit(db, emailing_patient(ruleset), ruleset, language=language)
    calls.request(db, ruleset, receipt.submission_id, slot_id, email_me=email_me)
    ida = login_as(db, "ida")
    casework.change_status(db, ida, receipt.submission_id, Status.in_review)
    calls.confirm(db, ida, receipt.submission_id)
    return receipt.reference


def test_a_confirmed_call_is_emailed_when_asked_with_no_health_information(db: Database, ruleset, port):
    reference = booked(db, ruleset, email_me=True)
    with smtp_server(port) as inbox:
        assert send_due(db).sent == 1
    (mail,) = inbox.received
    assert mail["To"] == EMAIL and mail["Subject"] == f"Your video call is confirmed - {CLINIC}"
    text = text_of(mail)
    assert reference in text and LINK in text and "30 minutes" in text
    assert " at 10:30 AM New York time" in text  # a_slot's 10:30, on the clock US patients read
    lowered = text.lower()
    for word in (*HEALTH_WORDS, NAME):
        assert word.lower() not in lowered, word


def test_a_patient_who_answered_in_spanish_gets_the_confirmation_in_spanish(db: Database, ruleset, port):
    reference = booked(db, ruleset, email_me=True, language="es")
    with smtp_server(port) as inbox:
        assert send_due(db).sent == 1
    (mail,) = inbox.received
    assert mail["Subject"] == f"Su videollamada está confirmada - {CLINIC}"
    text = text_of(mail)
    assert "\nHola:" in text and reference in text and LINK in text and "Duración: 30 minutos" in text
    assert "hora de Nueva York" in text and "video_call?lang=es" in text


def test_no_mail_unless_the_patient_asked(db: Database, ruleset, port):
    booked(db, ruleset, email_me=False)
    with smtp_server(port) as inbox:
        assert send_due(db).sent == 0
    assert inbox.received == []
