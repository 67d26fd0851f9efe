"""The ongoing-care pages driven through Streamlit's AppTest on a real SQLite file: the treatment form and the
patient timeline on the case page, returns due, and the patient information page."""

from datetime import timedelta
from typing import Any

import pytest
import test_staff_apptest as staff_pages
from care_support import at, first_visit, return_visit
from storage_support import login_as
from streamlit.testing.v1 import AppTest
from wizard_support import click, page_text, shown_alerts, start, typical_patient, walk_to_review

from screening import casework
from screening.care import information
from screening.care.returns_due import AUDIT_TARGET
from screening.casework import clinic_date
from screening.roles import Role
from screening.storage import Database
from screening.storage.models import CaseState
from screening.ui import auth
from screening.ui.patient_timeline import TABLE
from screening.workflow import Status

pytest_plugins = ["db_fixtures"]
app_db, rules, open_detail = staff_pages.app_db, staff_pages.rules, staff_pages.open_detail
"""The staff pages' fixtures (a fresh app database, the rule set) and how they open a case."""
RETURNS_PAGE = "screening/ui/staff_returns.py"
INFO_PAGE = "screening/ui/patient_info.py"


def table_with(page: AppTest, column: str) -> Any:
    return next(frame.value for frame in page.dataframe if column in frame.value.columns)


def chain_of_three(db: Database, rules: Any) -> tuple[int, int, int]:
    """First screened 30 weeks ago (22 days), back 16 weeks ago (12 days, treated then), back now (8 days)."""
    now = db.now()
    nurse = login_as(db, "setup")
    at(db, now - timedelta(weeks=30))
    root = first_visit(db, rules, headache_days=22, name="Tess Timeline")
    at(db, now - timedelta(weeks=16, days=1))
    second = return_visit(db, rules, root, headache_days=12, name="Tess Timeline")
    at(db, now)
    casework.change_status(db, nurse, second, Status.in_review)
    casework.record_treatment(
        db, nurse, second, {"treated_on": clinic_date(db, now - timedelta(weeks=16)), "units": 155, "sites": 31}
    )
    third = return_visit(db, rules, root, headache_days=8, name="Tess Timeline")
    casework.change_status(db, nurse, third, Status.in_review)
    return root, second, third


def test_a_return_visit_is_treated_through_the_form(app_db: Database, rules: Any) -> None:
    _, _, third = chain_of_three(app_db, rules)
    page = open_detail(login_as(app_db, "nell", Role.clinician), third)
    assert not page.exception, page.exception
    assert page.number_input(key="treatment_units").value == 155
    assert page.number_input(key="treatment_sites").value == 31
    assert "Treated" not in [b.label for b in page.button if b.key and b.key.startswith("move_")]
    page.text_input(key="treatment_areas").input("7 head and neck areas")
    page = click(page, "Record treatment")
    assert not page.exception, page.exception
    assert shown_alerts(page.success)[0].startswith("Treatment recorded: 155 Units at 31 sites")
    found = casework.detail(app_db, login_as(app_db, "check"), third)
    assert found.status == Status.treated
    assert found.visits[-1].treated_on == clinic_date(app_db, app_db.now())
    timeline = table_with(page, "What")
    assert timeline["What"].iloc[-1].startswith("In review → Treated: 155 Units at 31 sites on")
    assert "Correct the recorded treatment" in page_text(page)


def test_a_wrong_treatment_shows_its_error_at_the_field_and_keeps_the_values(app_db: Database, rules: Any) -> None:
    _, _, third = chain_of_three(app_db, rules)
    page = open_detail(login_as(app_db, "nell"), third)
    page.number_input(key="treatment_units").set_value(20)
    page.text_input(key="treatment_areas").input("left neck")
    page = click(page, "Record treatment")
    assert [e.value for e in page.error] == ["More sites (31) than Units (20): each site gets at least 1 Unit."]
    assert page.number_input(key="treatment_units").value == 20
    assert page.text_input(key="treatment_areas").value == "left neck"
    assert casework.detail(app_db, login_as(app_db, "check"), third).status == Status.in_review


def test_a_first_screening_in_review_has_no_treatment_form(app_db: Database, rules: Any) -> None:
    root = first_visit(app_db, rules)
    me = login_as(app_db, "nell")
    casework.change_status(app_db, me, root, Status.in_review)
    page = open_detail(me, root)
    assert not page.exception, page.exception
    with pytest.raises(KeyError):
        page.number_input(key="treatment_units")
    assert "No return visits yet: 20 headache days a month" in page_text(page)


def test_the_case_page_shows_the_patients_timeline(app_db: Database, rules: Any) -> None:
    root, _, third = chain_of_three(app_db, rules)
    page = open_detail(login_as(app_db, "nell"), third)
    assert not page.exception, page.exception
    table = table_with(page, "Response")
    assert list(table.columns) == [header for header, _ in TABLE.values()]
    assert list(table["Headache days"]) == ["22", "12", "8"]
    assert list(table["Response"]) == ["no change", "45 % fewer", "64 % fewer"]
    assert list(table["Treatments before"]) == [0, 0, 1]
    assert list(table["Weeks since treatment"]) == ["", "", "16"]
    assert sum(e.type == "vega_lite_chart" for e in staff_pages.in_order(page.main)) == 1, "the Altair chart"
    opened = page.button(key=f"visit_{root}").click().run()
    assert opened.session_state[auth.OPEN] == root
    assert opened.header[0].value.startswith("Submission ")


def test_returns_due_lists_links_and_audits(app_db: Database, rules: Any) -> None:
    chain_of_three(app_db, rules)
    me = login_as(app_db, "ivy")
    page = start()
    page.session_state[auth.SESSION_KEY] = me.token
    page = page.switch_page(RETURNS_PAGE).run()
    assert page.info[0].value == "Nobody is due back for a treatment in this window."  # the third visit came back
    assert [m.value for m in page.markdown] == [], "no stray text (a bare string in a page script is shown)"
    now = app_db.now()
    at(app_db, now - timedelta(weeks=13))
    lone = first_visit(app_db, rules, name="Lou Lapsed")
    at(app_db, now)
    with app_db.session() as tx:  # its consultation and treatment, 11 weeks ago (booking is tested elsewhere)
        tx.get(CaseState, lone).treated_at = clinic_date(app_db, now) - timedelta(weeks=11)
    page = page.run()
    rows = table_with(page, "Weeks since")
    assert list(rows["Name"]) == ["Lou Lapsed"]
    assert list(rows["Weeks since"]) == [11]
    admin = login_as(app_db, "ada", Role.admin)
    views = [r for r in casework.audit_log(app_db, admin, action="view").rows if r.target == AUDIT_TARGET]
    assert len(views) == 1, "a redraw of the open page is not another reading"
    page = click(page, "Prepare export")
    assert not page.exception, page.exception
    assert [b.proto.label for b in page.get("download_button")] == ["Download CSV"]
    exports = [r.target for r in casework.audit_log(app_db, admin, action="export").rows]
    assert exports == [f"{AUDIT_TARGET}.csv"]


def test_the_information_page_says_what_patients_need_and_links_back() -> None:
    page = start().switch_page(INFO_PAGE).run()
    assert not page.exception, page.exception
    assert page.title[0].value == information.TITLE
    assert [h.value for h in page.header] == [p.heading for p in information.PARTS] + [information.WARNING_HEADING]
    text = page_text(page)
    for needed in ("15 to 30 minutes", "2 to 4 weeks", "every 12 weeks", "neck", "drooping eyelid", "Call 911"):
        assert needed in text
    assert "trouble swallowing" in page.error[0].value
    assert "double or blurred vision" in page.warning[0].value
    assert links(page) == [information.BACK_LABEL, information.BACK_LABEL]


def links(page: AppTest) -> list[str]:
    return [link.proto.label for link in page.get("page_link")]


def test_the_welcome_step_and_the_confirmation_link_to_the_information_page(app_db: Database) -> None:
    page = start()
    assert information.LINK_LABEL in links(page)
    page = click(walk_to_review(page, typical_patient()), "Send my answers")
    assert page.title[0].value == "Thank you"
    assert information.LINK_LABEL in links(page)
