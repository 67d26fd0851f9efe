"""The Data requests page (AppTest on a real SQLite file): find a person, export, erase, set and run retention;
and the patient side: the privacy text's figures and contact, an erased case on the staff page."""

import json
from datetime import date
from typing import Any

from storage_support import login_as, patient
from test_staff_apptest import app_db, assert_only_login, at_page, audit_actions, open_detail, rules, texts
from wizard_support import click, shown_alerts, start

from screening import intake
from screening.privacy import erasure, retention
from screening.privacy.access import AccessExport
from screening.privacy.people import Lookup
from screening.settings import get_settings
from screening.staff import Role
from screening.storage import Database
from screening.ui import staff_rights
from screening.ui.patient import RESUME_ERASED

__all__ = ["app_db", "rules"]
pytest_plugins = ["db_fixtures"]
PAGE = "screening/ui/staff_rights.py"
NAME = "Marta Velazquez-Ortiz"
BORN = date(1968, 11, 2)


def submit(db: Database, rules: Any) -> intake.Receipt:
    answers = patient(rules, name=NAME).model_dump(mode="json")
    answers["about"]["date_of_birth"] = BORN.isoformat()
    return intake.submit(db, type(patient(rules)).model_validate(answers), rules)


def rights_page(session: Any) -> Any:
    at = at_page("login", session)
    return at.switch_page(PAGE).run()


def test_the_page_is_for_administrators_only(app_db: Database) -> None:
    at = at_page("login")
    at = at.switch_page(PAGE).run()
    assert_only_login(at)
    nurse = login_as(app_db, "nina", Role.intake)
    at = rights_page(nurse)
    assert not [t for t in texts(at) if "retention" in t.lower()]
    assert at.error or at.warning


def test_find_export_and_erase_a_person_by_name_and_birth_date(app_db: Database, rules: Any) -> None:
    first = submit(app_db, rules)
    second = submit(app_db, rules)
    admin = login_as(app_db, "alice", Role.admin)
    at = rights_page(admin)
    assert not at.exception, at.exception
    at.text_input(key="rights_name").input(NAME.lower())
    at.date_input(key="rights_born").set_value(BORN)
    at = click(at, "Find")
    table = at.dataframe[0].value
    assert set(table["Reference"]) == {first.reference, second.reference}
    assert set(table["Data"]) == {"Held"}
    at = click(at, "Prepare access export")
    prepared: AccessExport = at.session_state[staff_rights.EXPORT]
    assert {s["reference"] for s in json.loads(prepared.json)["submissions"]} == {first.reference, second.reference}
    assert NAME in prepared.html
    at.text_input(key="rights_confirm").input("erase")
    at = click(at, "Erase")
    assert "nothing was erased" in " ".join(e.value for e in at.error)
    at.text_input(key="rights_confirm").input("ERASE")
    at = click(at, "Erase")
    assert shown_alerts(at.success) == ["Erased 2 submissions and 0 saved drafts."]
    assert set(at.dataframe[0].value["Data"]) == {"Erased"}
    actions = audit_actions(app_db, admin)
    assert actions.count("erase") == 2 and "access_export" in actions and "access_search" in actions
    # The case page says so, and shows no answers.
    at = open_detail(admin, first.submission_id)
    assert not at.exception, at.exception
    assert "erased" in at.warning[0].value
    assert NAME not in " ".join(texts(at))


def test_a_bad_reference_is_refused_next_to_its_field(app_db: Database) -> None:
    admin = login_as(app_db, "alice", Role.admin)
    at = rights_page(admin)
    at.text_input(key="rights_reference").input("12-34")
    at = click(at, "Find")
    assert [e.value for e in at.error] == ["not a reference code (it looks like BT-7K3M-Q9PZ)."]
    assert at.text_input(key="rights_reference").value == "12-34"


def test_an_administrator_sets_and_runs_retention(app_db: Database, rules: Any) -> None:
    admin = login_as(app_db, "alice", Role.admin)
    at = rights_page(admin)
    at.number_input(key="rights_months").set_value(18)
    at = click(at, "Save")
    assert shown_alerts(at.success) == ["Retention set to 18 months."]
    assert retention.policy(app_db).months == 18
    at = click(at, "Run retention now")
    assert shown_alerts(at.success)[0].startswith("Erased 0 expired submissions received before ")
    assert "retention_run" in audit_actions(app_db, admin) and "retention_set" in audit_actions(app_db, admin)


def test_the_privacy_text_names_the_figures_and_the_contact(app_db: Database, monkeypatch: Any) -> None:
    monkeypatch.setenv("SCREENING_PRIVACY_CONTACT", "privacy@clinic.example or 555-0100")
    get_settings.cache_clear()
    at = start()
    shown = " ".join(texts(at))
    assert "erased 24 months after you finish" in shown
    assert f"deleted after {get_settings().draft_days} days" in shown
    assert "Contact privacy@clinic.example or 555-0100" in shown


def test_a_patient_resuming_erased_answers_is_told_plainly(app_db: Database, rules: Any) -> None:
    admin = login_as(app_db, "alice", Role.admin)
    submit(app_db, rules)
    saved = intake.save_draft(app_db, {"contact": {"name": NAME}}, "contact", BORN)
    erasure.erase(app_db, admin, Lookup(name=NAME, born=BORN))
    at = start()
    at.text_input(key="resume-code").input(saved.code)
    at.date_input(key="resume-dob").set_value(BORN)
    at = click(at, "Continue")
    assert RESUME_ERASED in [i.value for i in at.info]
