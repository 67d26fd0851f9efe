"""A return visit on the staff side as it stands: its case page shows the return rules' why-cards and trace.

(The staff half of return visits - timeline, returns due, queue label - is built elsewhere; this checks the
engine's output for a return reads in the pages that exist.)
"""

import json

from return_support import BORN, typical_return
from storage_support import login_as
from test_staff_apptest import app_db, media, open_detail, rules  # noqa: F401 - fixtures
from wizard_support import click, page_text, typical_patient

from screening import casework, intake
from screening.answers import Submission
from screening.exports import fhir
from screening.staff import Role

pytest_plugins = ["db_fixtures"]


def test_the_case_page_of_a_return_visit_shows_its_why_cards_and_full_trace(app_db, rules):  # noqa: F811
    first = intake.submit(app_db, Submission.model_validate(typical_patient()), rules)
    link = intake.link_return(app_db, first.reference, BORN)
    visit = intake.submit(app_db, typical_return(link, spread={"swallowing": "yes"}), rules)
    clinician = login_as(app_db, "carla", Role.clinician)

    at = open_detail(clinician, visit.submission_id)

    assert not at.exception, at.exception
    text = page_text(at)
    assert "Possible distant spread of the toxin since the last injection" in text
    assert "Payer continuation criteria met" in text
    trace = next(d.value for d in at.dataframe if "Fired" in d.value.columns)
    fired = set(trace.loc[trace["Fired"].astype(str).isin(["True", "Yes", "yes"]), "Rule id"])
    assert set(trace["Rule id"]) == {rule.id for rule in rules.rules}
    assert fired == {"RV-SPREAD", "RV-CONTINUE-MET"}, trace


def test_the_case_page_of_a_return_visit_offers_its_summary_and_fhir_file_and_audits_each(
    app_db,  # noqa: F811
    rules,  # noqa: F811
    media,  # noqa: F811
):
    first = intake.submit(app_db, Submission.model_validate(typical_patient()), rules)
    visit = intake.submit(app_db, typical_return(intake.link_return(app_db, first.reference, BORN)), rules)
    clinician = login_as(app_db, "carla", Role.clinician)
    admin = login_as(app_db, "ada", Role.admin)

    at = click(open_detail(clinician, visit.submission_id), "Download summary (PDF)")
    assert not at.exception, at.exception
    (button,) = at.download_button
    assert media[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content.startswith(b"%PDF-")
    at = click(at, "Download FHIR (JSON)")
    assert not at.exception, at.exception
    button = at.download_button[0]
    bundle = json.loads(media[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content)
    assert bundle["entry"][0]["resource"]["questionnaire"].startswith(fhir.RETURN_QUESTIONNAIRE_URL + "|")
    rows = casework.audit_log(app_db, admin, action="export").rows
    assert sorted((row.username, row.target, row.detail["file"]) for row in rows) == [
        ("carla", visit.reference, "fhir-bundle.json"),
        ("carla", visit.reference, "summary.pdf"),
    ]
