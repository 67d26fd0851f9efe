"""A return visit on the staff side as it stands: its case page shows the return rules' why-cards and trace.

(The staff half of return visits - timeline, returns due, queue label - is built elsewhere; this checks the
engine's output for a return reads in the pages that exist.)
"""

from return_support import BORN, typical_return
from storage_support import login_as
from test_staff_apptest import app_db, open_detail, rules  # noqa: F401 - fixtures
from wizard_support import page_text, typical_patient

from screening import intake
from screening.answers import Submission
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
