"""The mail path end to end: a real SMTP server in this process (aiosmtpd) and a real database (SQLite, PostgreSQL).

Mail is queued with the submission or draft that caused it, sent after commit, retried with
backoff, never sent twice, and shown to staff; no mail and no log line carries health information.
"""

import logging
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from mail_support import (
    BASE_URL,
    CLINIC,
    ONCALL,
    SENDER,
    Inbox,
    app_environment,
    free_port,
    mail_env,
    mail_settings,
    smtp_server,
    text_of,
)
from sqlalchemy import func, select, update
from storage_support import login_as, patient

from screening import intake
from screening.cli import main
from screening.messaging import courier, outbox
from screening.messaging.outbox import MAX_ATTEMPTS, overview, retry_delay, send_due, try_again
from screening.settings import Settings, get_settings
from screening.storage import Database, cases
from screening.storage.models import AuditRow, OutboxRow, SubmissionRow, utcnow
from screening.triage import TRIAGE_LABELS, Triage

pytest_plugins = ["db_fixtures"]

BORN = date(1985, 6, 30)
NAME = "Zelda Quartermaine"
PATIENT_EMAIL = "zelda.q@patient.example"
HEALTH_WORDS = (
    "urgent",
    "triage",
    "botox",
    "toxin",
    "migraine",
    "headache",
    "thunderclap",
    "warning sign",
    "neurolog",
    "candidate",
    *(label.lower() for label in TRIAGE_LABELS.values() if label.lower() != "needs review"),
)
"""What no mail says. "needs review" alone is not here: the alert's subject says "needs review today"."""


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(tmp_path: Path, port: int) -> Settings:
    """Overrides db_fixtures' settings: mail on, to the test server's port."""
    return mail_settings(tmp_path, port)


@pytest.fixture
def inbox(port: int):
    with smtp_server(port) as received:
        yield received


def later(db: Database, by: timedelta) -> None:
    moved = db.now() + by
    db.clock = lambda: moved


def mails(db: Database) -> list[OutboxRow]:
    with db.session() as tx:
        return list(tx.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def only(db: Database) -> OutboxRow:
    (row,) = mails(db)
    return row


def urgent_patient(ruleset):
    answers = patient(ruleset, Triage.urgent, name=NAME).model_dump(mode="json")
    answers["contact"] |= {"preferred_method": "email", "email": PATIENT_EMAIL}
    return type(patient(ruleset)).model_validate(answers)


def assert_no_health_information(text: str, *extra: str) -> None:
    lowered = text.lower()
    for word in (*HEALTH_WORDS, NAME.lower(), PATIENT_EMAIL, *(e.lower() for e in extra)):
        assert word not in lowered, word


def flag_titles(db: Database) -> list[str]:
    with db.session() as tx:
        (row,) = cases.stored(tx, SubmissionRow.id.is_not(None))
    return [flag["title"] for flag in row.result["flags"]]


# --- the on-call alert --------------------------------------------------------------------------


def test_an_urgent_submission_alerts_the_oncall_address_with_reference_and_queue_link_only(db, ruleset, inbox):
    receipt = intake.submit(db, urgent_patient(ruleset), ruleset)
    assert send_due(db).sent == 1
    (mail,) = inbox.received
    assert mail["To"] == ONCALL
    assert mail["From"] == f"{CLINIC} <{SENDER}>"
    assert mail["Subject"] == f"A new submission needs review today: {receipt.reference}"
    text = text_of(mail)
    assert receipt.reference in text
    assert f"{BASE_URL}/staff_queue" in text
    assert_no_health_information(text, *flag_titles(db), "pathway", "red flag")


@pytest.mark.parametrize("triage", [t for t in Triage if t is not Triage.urgent])
def test_no_alert_for_any_other_triage(db, ruleset, inbox, triage):
    intake.submit(db, patient(ruleset, triage), ruleset)
    assert send_due(db) == outbox.SendReport()
    assert mails(db) == [] and inbox.received == []


def test_no_alert_without_an_oncall_address(tmp_path, port, ruleset):
    db = Database.from_settings(mail_settings(tmp_path, port, oncall_email=None))
    db.migrate()
    intake.submit(db, urgent_patient(ruleset), ruleset)
    assert mails(db) == []


def test_mail_is_off_by_default_and_nothing_is_queued(tmp_path, ruleset):
    plain = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'plain.db'}")
    assert plain.smtp is None
    db = Database.from_settings(plain)
    db.migrate()
    receipt = intake.submit(db, urgent_patient(ruleset), ruleset)
    saved = intake.save_draft(db, {"a": 1}, "about", BORN, email_to=PATIENT_EMAIL)
    assert receipt.triage is Triage.urgent and not saved.emailed
    assert mails(db) == [] and send_due(db) == outbox.SendReport()


def test_the_alert_is_stored_with_the_submission_or_not_at_all(db, ruleset, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox.outbox, "add", broken)
    with pytest.raises(RuntimeError):
        intake.submit(db, urgent_patient(ruleset), ruleset)
    with db.session() as tx:
        assert tx.scalar(select(func.count()).select_from(SubmissionRow)) == 0


# --- failure, retry, backoff --------------------------------------------------------------------


def test_a_refused_connection_keeps_the_submission_and_the_mail_and_a_retry_delivers(db, ruleset, port):
    later(db, timedelta(0))  # the clock stands still: the backoff is checked to the microsecond
    receipt = intake.submit(db, urgent_patient(ruleset), ruleset)  # nothing listens on the port yet
    assert send_due(db).retrying == 1
    with db.session() as tx:
        assert tx.scalar(select(SubmissionRow.reference)) == receipt.reference
    row = only(db)
    assert (row.status, row.attempts, row.sent_at) == ("queued", 1, None)
    assert "ConnectionRefusedError" in (row.last_error or "")
    assert row.next_attempt_at == db.now() + timedelta(minutes=1)
    with smtp_server(port) as inbox:
        assert send_due(db) == outbox.SendReport()  # not due yet: the backoff holds
        later(db, timedelta(minutes=1))
        assert send_due(db).sent == 1
    (mail,) = inbox.received
    assert mail["Message-ID"] == row.message_id
    sent = only(db)
    assert (sent.status, sent.attempts, sent.body) == ("sent", 2, None)


def test_backoff_doubles_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4, 7, 8, 20)] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 60, 60, 60)]


def test_after_the_last_attempt_the_mail_is_failed_and_staff_can_send_it_again(db, ruleset, port):
    intake.submit(db, urgent_patient(ruleset), ruleset)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = send_due(db)
        assert report.retrying + report.failed == 1
        later(db, retry_delay(attempt))
    row = only(db)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert send_due(db) == outbox.SendReport()
    clerk = login_as(db, "ivy")
    try_again(db, clerk, row.id)
    with smtp_server(port) as inbox:
        assert send_due(db).sent == 1
    assert len(inbox.received) == 1
    with db.session() as tx:
        audit = tx.scalars(select(AuditRow).where(AuditRow.action == "mail_retry")).one()
    assert (audit.username, audit.target) == ("ivy", row.reference)


def test_a_recipient_refused_for_good_fails_at_once_without_the_address_in_the_problem(db, ruleset, port):
    intake.submit(db, urgent_patient(ruleset), ruleset)
    with smtp_server(port, Inbox(refuse=f"550 5.1.1 <{ONCALL}>: no such mailbox")):
        assert send_due(db).failed == 1
    row = only(db)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in row.last_error and "<address>" in row.last_error and ONCALL not in row.last_error


def test_a_busy_recipient_is_tried_again(db, ruleset, port):
    intake.submit(db, urgent_patient(ruleset), ruleset)
    with smtp_server(port, Inbox(refuse="451 4.3.0 try again later")):
        assert send_due(db).retrying == 1
    assert only(db).status == "queued"


def test_starttls_is_required_not_tried(tmp_path, port, ruleset):
    db = Database.from_settings(mail_settings(tmp_path, port, smtp_tls="starttls"))
    db.migrate()
    intake.submit(db, urgent_patient(ruleset), ruleset)
    with smtp_server(port) as inbox:
        assert send_due(db).retrying == 1
    assert inbox.received == []
    assert "STARTTLS" in (only(db).last_error or "")


def test_two_senders_at_once_send_each_mail_exactly_once(db, ruleset, inbox):
    for _ in range(12):
        intake.submit(db, urgent_patient(ruleset), ruleset)
    senders = [threading.Thread(target=send_due, args=(db,)) for _ in range(3)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sorted(m["Subject"] for m in inbox.received) == sorted(
        f"A new submission needs review today: {row.reference}" for row in mails(db)
    )
    assert {row.status for row in mails(db)} == {"sent"}


def test_a_mail_held_by_a_sender_that_died_is_taken_up_after_its_lease(db, ruleset, inbox):
    intake.submit(db, urgent_patient(ruleset), ruleset)
    mail_id = only(db).id
    with db.session() as tx:
        assert outbox.outbox.claim(tx, mail_id, db.now(), outbox.LEASE) is not None
    assert send_due(db) == outbox.SendReport()
    later(db, outbox.LEASE)
    assert send_due(db).sent == 1 and len(inbox.received) == 1


def test_the_apps_courier_sends_right_after_the_commit(db, ruleset, inbox):
    courier.start(db, poll_seconds=3600)
    try:
        receipt = intake.submit(db, urgent_patient(ruleset), ruleset)
        deadline = time.monotonic() + 15
        while not inbox.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        courier.stop(db)
    assert [m["Subject"] for m in inbox.received] == [f"A new submission needs review today: {receipt.reference}"]


# --- the patient's resume code ------------------------------------------------------------------


def test_a_patient_who_asks_gets_their_resume_code_and_nothing_about_their_health(db, inbox):
    answers = {"seeking": {"reason": "chronic_migraine"}, "headache": {"headache_days": 20}}
    saved = intake.save_draft(db, answers, "headache", BORN, email_to=PATIENT_EMAIL)
    assert saved.emailed
    assert send_due(db).sent == 1
    (mail,) = inbox.received
    assert mail["To"] == PATIENT_EMAIL
    text = text_of(mail)
    assert saved.code in text and CLINIC in text and BASE_URL in text
    assert f"{saved.expires_at:%B} {saved.expires_at.day}, {saved.expires_at.year}" in text
    readable = f"{mail['Subject']}\n{mail.get_body().get_content()}"  # not the Message-ID's random digits
    assert_no_health_information(readable, "chronic", BORN.isoformat(), "1985")
    assert intake.resume_draft(db, saved.code, BORN) is not None


def test_a_patient_answering_in_spanish_gets_the_code_in_spanish(db, inbox):
    saved = intake.save_draft(db, {"a": 1}, "about", BORN, email_to=PATIENT_EMAIL, language="es")
    assert send_due(db).sent == 1
    (mail,) = inbox.received
    text = text_of(mail)
    assert mail["Subject"] == f"Su código para continuar sus respuestas - {CLINIC}"
    assert "\nHola:" in text and saved.code in text and f"{BASE_URL}/?lang=es" in text
    assert format_date(saved.expires_at, "long", locale="es_US") in text  # "16 de diciembre de 2026"
    assert '"Continuar donde me quedé"' in text  # the page's own words for the patient to look for


def test_saving_without_asking_sends_nothing_and_saving_again_keeps_the_code(db, inbox):
    first = intake.save_draft(db, {"a": 1}, "about", BORN)
    again = intake.save_draft(db, {"a": 2}, "about", BORN, first.code, email_to=PATIENT_EMAIL)
    assert not first.emailed and again.emailed and again.code == first.code
    send_due(db)
    assert [first.code in text_of(m) for m in inbox.received] == [True]


def test_the_code_leaves_the_database_once_sent(db, inbox):
    saved = intake.save_draft(db, {"a": 1}, "about", BORN, email_to=PATIENT_EMAIL)
    assert saved.code in (only(db).body or "")
    send_due(db)
    row = only(db)
    stored = " ".join(str(value) for value in vars(row).values())
    assert saved.code not in stored and saved.code.replace("-", "") not in stored


def test_a_code_whose_draft_expired_is_never_sent(db, port):
    intake.save_draft(db, {"a": 1}, "about", BORN, email_to=PATIENT_EMAIL)
    later(db, timedelta(days=db.config.draft_days, seconds=1))
    with smtp_server(port) as inbox:
        assert send_due(db).expired == 1
    assert inbox.received == []
    row = only(db)
    assert (row.status, row.body, row.recipient) == ("expired", None, "z•••@patient.example")


def test_a_sent_code_keeps_the_address_only_while_the_draft_could_exist(db, inbox):
    intake.save_draft(db, {"a": 1}, "about", BORN, email_to=PATIENT_EMAIL)
    send_due(db)
    assert only(db).recipient == PATIENT_EMAIL
    later(db, timedelta(days=db.config.draft_days, seconds=1))
    send_due(db)
    send_due(db)  # a second round changes nothing more
    assert (only(db).status, only(db).recipient) == ("sent", "z•••@patient.example")


def test_one_address_gets_at_most_three_codes_a_day(db):
    results = [intake.save_draft(db, {"a": n}, "about", BORN, email_to=PATIENT_EMAIL).emailed for n in range(5)]
    assert results == [True, True, True, False, False]
    later(db, timedelta(days=1, seconds=1))
    assert intake.save_draft(db, {"a": 9}, "about", BORN, email_to=PATIENT_EMAIL).emailed


# --- what staff see -----------------------------------------------------------------------------


def test_staff_see_what_was_sent_and_what_failed_and_each_opening_is_audited(db, ruleset, port):
    receipt = intake.submit(db, urgent_patient(ruleset), ruleset)
    intake.save_draft(db, {"a": 1}, "about", BORN, email_to=PATIENT_EMAIL)
    with smtp_server(port, Inbox(refuse="550 5.1.1 no such mailbox")):
        send_due(db)
    intake.save_draft(db, {"a": 1}, "about", BORN, email_to="other@patient.example")
    with smtp_server(port):
        send_due(db)
    clerk = login_as(db, "ivy")
    seen = overview(db, clerk)
    assert [(line.kind, line.status, line.recipient) for line in seen.rows] == [
        ("resume_code", "sent", "o•••@patient.example"),
        ("resume_code", "failed", "z•••@patient.example"),
        ("oncall_alert", "failed", ONCALL),
    ]
    assert seen.rows[2].reference == receipt.reference
    assert seen.counts["sent"] == 1 and seen.counts["failed"] == 2
    assert seen.server == f"127.0.0.1:{port} (not encrypted)"
    assert [line.status for line in overview(db, clerk, show="failed", record_view=False).rows] == ["failed"] * 2
    with db.session() as tx:
        views = tx.scalars(select(AuditRow).where(AuditRow.action == "view_mail")).all()
    assert [(v.username, v.target) for v in views] == [("ivy", "outbox")]


def test_only_staff_see_the_outbox_and_only_failed_mail_is_sent_again(db, ruleset, inbox):
    intake.submit(db, urgent_patient(ruleset), ruleset)
    send_due(db)
    with pytest.raises(PermissionError):
        overview(db, None)
    with pytest.raises(ValueError, match="Only a failed mail"):
        try_again(db, login_as(db, "ivy"), only(db).id)


# --- logs ---------------------------------------------------------------------------------------


def test_no_patient_or_health_detail_reaches_a_log(db, ruleset, port, caplog):
    caplog.set_level(logging.DEBUG)
    receipt = intake.submit(db, urgent_patient(ruleset), ruleset)
    saved = intake.save_draft(db, {"a": 1}, "about", BORN, email_to=PATIENT_EMAIL)
    send_due(db)  # refused: nothing listens
    later(db, timedelta(minutes=2))
    with smtp_server(port, Inbox(refuse=f"550 <{PATIENT_EMAIL}> unknown")):
        send_due(db)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("screening"))
    assert "not sent" in ours and "failed for good" in ours
    assert_no_health_information(ours, receipt.reference, saved.code, ONCALL, *flag_titles(db))


# --- settings -----------------------------------------------------------------------------------


def test_smtp_url_gives_host_port_tls_and_credentials(tmp_path):
    url = "smtps://mailer%40clinic:p%40ss@mail.clinic.example"
    server = Settings(data_dir=tmp_path, smtp_url=url, smtp_from=SENDER).smtp
    assert server is not None
    assert (server.host, server.port, server.tls.value) == ("mail.clinic.example", 465, "ssl")
    assert server.user == "mailer@clinic"
    assert server.password is not None and server.password.get_secret_value() == "p@ss"
    assert "p@ss" not in server.describe()
    plain = Settings(data_dir=tmp_path, smtp_url="smtp://relay.example", smtp_from=SENDER).smtp
    assert plain is not None and (plain.port, plain.tls.value) == (587, "starttls")


def test_separate_smtp_variables_work_alone_and_override_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_URL", "smtp://u:p@relay.example:2525")
    monkeypatch.setenv("SMTP_TLS", "none")
    monkeypatch.setenv("SMTP_FROM", SENDER)
    server = Settings(data_dir=tmp_path).smtp
    assert server is not None and (server.host, server.port, server.tls.value, server.user) == (
        "relay.example",
        2525,
        "none",
        "u",
    )
    monkeypatch.delenv("SMTP_URL")
    monkeypatch.setenv("SMTP_HOST", "localhost")
    server = Settings(data_dir=tmp_path).smtp
    assert server is not None and (server.host, server.port, server.user) == ("localhost", 25, None)


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"smtp_host": "relay.example"}, "SMTP_FROM"),
        ({"smtp_url": "http://relay.example", "smtp_from": SENDER}, "SMTP_URL"),
        ({"smtp_host": "relay.example", "smtp_from": "not an address"}, "email"),
    ],
)
def test_a_mistyped_mail_setting_stops_the_start(tmp_path, values, problem):
    with pytest.raises(ValueError, match=problem):
        Settings(data_dir=tmp_path, **values)


# --- the command line (cron) --------------------------------------------------------------------


@pytest.fixture
def mail_environment(tmp_path, monkeypatch, port):
    app_environment(monkeypatch, tmp_path, mail_env(port))
    db = Database.from_settings(get_settings())
    db.migrate()
    yield db
    db.dispose()
    get_settings.cache_clear()


def test_mail_send_from_cron_sends_what_is_due(mail_environment, ruleset, port, capsys):
    intake.submit(mail_environment, urgent_patient(ruleset), ruleset)
    assert main(["mail", "send"]) == 0
    assert capsys.readouterr().out.startswith("0 sent, 1 to try again later")
    with mail_environment.session() as tx:  # the command reads the real clock: the retry is made due now
        tx.execute(update(OutboxRow).values(next_attempt_at=utcnow()))
    with smtp_server(port) as inbox:
        assert main(["mail", "send"]) == 0
    assert capsys.readouterr().out.startswith("1 sent")
    assert len(inbox.received) == 1


def test_mail_test_checks_the_settings(mail_environment, port, capsys):
    assert main(["mail", "test", "me@clinic.example"]) == 1
    assert "ConnectionRefusedError" in capsys.readouterr().out
    with smtp_server(port) as inbox:
        assert main(["mail", "test", "me@clinic.example"]) == 0
    assert inbox.received[0]["To"] == "me@clinic.example"


def test_mail_commands_say_when_mail_is_off(tmp_path, monkeypatch, capsys):
    app_environment(monkeypatch, tmp_path, {})
    try:
        assert main(["mail", "send"]) == 1
    finally:
        get_settings.cache_clear()
    assert "Mail is off" in capsys.readouterr().err
