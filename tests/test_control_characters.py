"""Control characters in typed text: refused with a field error, never a database error.

A NUL byte cannot be stored in PostgreSQL text, so before this check a patient's submit failed
on every retry and a NUL in the queue search crashed the page. Every free-text field of the
answers, the staff notes, searches and names go through one check (screening/plaintext.py);
staff pages turn any database failure into a plain message.
"""

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select, text
from storage_support import login_as, patient
from test_staff_apptest import at_page

from screening import casework, intake, staff
from screening.answers import Submission, field_errors
from screening.catalogue import OTHER_DRUG
from screening.plaintext import check_text, control_position
from screening.settings import get_settings
from screening.storage import Database
from screening.storage.models import AuditRow
from screening.ui.staff_common import STORAGE_PROBLEM

pytest_plugins = ["db_fixtures"]

CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
TEXT_FIELDS = ("contact.name", "treatments.preventives.0.other_name")


def _with_text(answers: dict[str, Any], where: str, value: str) -> dict[str, Any]:
    changed = copy.deepcopy(answers)
    if where == "contact.name":
        changed["contact"]["name"] = value
    else:
        changed["treatments"]["preventives"] = [
            {"drug": OTHER_DRUG, "other_name": value, "other_class": None, "weeks": 12, "outcome": "did_not_help"}
        ]
    return changed


def _errors(answers: dict[str, Any]) -> dict[str, str]:
    try:
        Submission.model_validate(answers)
    except ValidationError as err:
        return {e["field"]: e["message"] for e in field_errors(err)}
    return {}


def _stored(answers: dict[str, Any], where: str) -> str:
    submission = Submission.model_validate(answers)
    if where == "contact.name":
        return submission.contact.name
    other = submission.treatments.preventives[0].other_name if submission.treatments else None
    return other or ""


@pytest.mark.parametrize("where", TEXT_FIELDS)
@given(before=st.text(max_size=20), control=st.sampled_from(CONTROLS), after=st.text(max_size=20))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_control_character_in_any_text_answer_is_a_field_error(typical, where, before, control, after):
    """Refused with its position, next to its field; or, at an end, stripped with the spaces."""
    answers = _with_text(typical, where, f"A{before}{control}{after}"[:50])
    errors = _errors(answers)
    if where in errors:
        assert "control character" in errors[where] or "characters" in errors[where], errors
    else:
        assert control_position(_stored(answers, where)) is None


@pytest.mark.parametrize("where", TEXT_FIELDS)
@pytest.mark.parametrize("control", CONTROLS)
def test_each_control_character_inside_a_word_is_refused(typical, where, control):
    errors = _errors(_with_text(typical, where, f"Ann{control}e"))
    assert errors == {where: errors[where]}
    assert "control character" in errors[where]
    assert "(position 4)" in errors[where]


def test_ordinary_text_with_accents_and_symbols_passes(typical):
    for value in ("Zoë O'Brien-Łukasz", "Dr. Müller (née Schmidt)", "李小龍", "Ana\u00a0María"):
        assert _errors(_with_text(typical, "contact.name", value)) == {}


def test_tab_and_newline_are_allowed_only_where_a_field_takes_several_lines():
    assert check_text("line one\n\tline two", multiline=True) == "line one\n\tline two"
    for value in ("a\nb", "a\tb"):
        with pytest.raises(ValueError, match="control character"):
            check_text(value)
    for control in ("\x00", "\r", "\x1b", "\x7f", "\x85"):
        with pytest.raises(ValueError, match="control character"):
            check_text(f"note{control}", multiline=True)


@given(value=st.text(max_size=40))
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_whatever_the_model_accepts_the_database_stores(db: Database, ruleset, value: str):
    """On PostgreSQL a NUL used to fail the insert on every retry; now it never reaches the insert."""
    answers = copy.deepcopy(ruleset.case_defaults)
    answers["contact"]["name"] = value
    try:
        submission = Submission.model_validate(answers)
    except ValidationError:
        return
    receipt = intake.submit(db, submission, ruleset)
    assert casework.queue(db, login_as(db, f"s{receipt.submission_id}"), search=submission.contact.name).total >= 1


def test_staff_text_with_control_characters_is_refused_in_plain_words(db: Database, ruleset):
    me = login_as(db, "ann", staff.Role.admin)
    receipt = intake.submit(db, patient(ruleset), ruleset)
    with pytest.raises(ValueError, match="control character"):
        casework.add_note(db, me, receipt.submission_id, "called\x00")
    casework.add_note(db, me, receipt.submission_id, "Called twice.\nNo answer;\tleft a message.")
    with pytest.raises(ValueError, match="control character"):
        casework.queue(db, me, search="Case\x00")
    for bad in ({"username": "ann\x00"}, {"target": "BT\x00"}):
        with pytest.raises(ValueError, match="control character"):
            casework.audit_log(db, me, **bad)
    with pytest.raises(ValueError, match="control character"):
        staff.add_staff(db, "bob", "Bob\x1b[2J", staff.Role.intake, "Long enough passw0rd", actor=staff.CONSOLE)


def test_a_login_name_with_a_nul_is_a_plain_failed_login(db: Database):
    staff.add_staff(db, "ann", "Ann", staff.Role.intake, "Long enough passw0rd", actor=staff.CONSOLE)
    assert staff.authenticate(db, "ann\x00", "Long enough passw0rd") is None
    with db.session() as tx:
        last = tx.scalars(select(AuditRow).order_by(AuditRow.id.desc())).first()
    assert last is not None
    assert (last.action, last.username) == ("login_failed", "(not a user name)")


@pytest.fixture
def page_db(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The app under AppTest opens the test's own database: a SQLite file, or a PostgreSQL schema."""
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "app-data"))
    monkeypatch.setenv("SCREENING_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("SCREENING_PASSWORD_MEMORY_KIB", "1024")
    monkeypatch.setenv("DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SCREENING_SECRET_KEY", db.config.secret_key.get_secret_value())
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def test_a_nul_in_the_queue_search_shows_a_plain_message(page_db: Database, ruleset):
    me = login_as(page_db, "ann")
    intake.submit(page_db, patient(ruleset, name="Zed Patient"), ruleset)
    at = at_page("queue", me)
    at.text_input(key="q_search").input("Zed\x00").run()
    assert not at.exception, at.exception
    assert any("control character" in error.value for error in at.error)
    at.text_input(key="q_search").input("Zed").run()
    assert not at.exception
    assert not at.error


def test_a_database_failure_on_the_queue_page_is_a_plain_message(page_db: Database, ruleset):
    me = login_as(page_db, "ann")
    intake.submit(page_db, patient(ruleset), ruleset)
    at = at_page("queue", me)
    assert not at.error
    with page_db.engine.begin() as conn:
        conn.execute(text("DROP TABLE case_state"))
    at.run()
    assert not at.exception, at.exception
    assert [error.value for error in at.error] == [STORAGE_PROBLEM]
