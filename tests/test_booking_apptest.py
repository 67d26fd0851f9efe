"""The video-call pages driven through Streamlit AppTest on a real SQLite file: the Video calls page,
the case page's call panel, the patient's choice at the end of the questionnaire and their call page."""

from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from booking_support import LINK, a_slot, confirmed_case, tomorrow
from sqlalchemy import select
from storage_support import login_as, patient
from streamlit.testing.v1 import AppTest
from wizard_support import click, page_text, shown_alerts, staff_page, start

from screening import casework, intake
from screening.answers import Submission
from screening.booking import calls, slots
from screening.loader import load_ruleset
from screening.ruleset import Advice
from screening.staff import Role
from screening.storage import Database
from screening.storage.models import AuditRow
from screening.triage import Triage
from screening.ui import auth
from screening.ui.patient import RECEIPT
from screening.workflow import Status

pytest_plugins = ["db_fixtures", "app_fixtures"]
RULES = Path(__file__).resolve().parent.parent / "rules"
SLOTS_PAGE = "screening/ui/staff_slots.py"
DETAIL_PAGE = "screening/ui/staff_detail.py"


@pytest.fixture(scope="module")
def rules() -> Any:
    return load_ruleset(RULES)


def board(at: AppTest) -> list[dict[str, str]]:
    return next(d.value for d in at.dataframe if "Held by" in d.value.columns).to_dict("records")


def test_the_slot_page_needs_a_login_and_intake_may_only_read_it(app_db: Database) -> None:
    at = staff_page(SLOTS_PAGE, None)
    assert not at.exception and "Staff login" in [h.value for h in at.header]
    assert not at.dataframe
    clinician = login_as(app_db, "rivera", Role.clinician)
    a_slot(app_db, clinician)
    at = staff_page(SLOTS_PAGE, login_as(app_db, "ida"))
    assert not at.exception, at.exception
    assert [row["State"] for row in board(at)] == ["Open"]
    assert not [b for b in at.button if b.label.startswith("Publish")]


def test_a_clinician_publishes_one_slot_and_a_weekly_pattern_and_withdraws_one(app_db: Database) -> None:
    me = login_as(app_db, "rivera", Role.clinician)
    at = staff_page(SLOTS_PAGE, me)
    at.date_input(key="one_day").set_value(tomorrow(app_db))
    at.text_input(key="one_clinician").input("Dr **Bold**")
    at.text_input(key="one_link").input(LINK)
    at = click(at, "Publish slot")
    assert not at.exception, at.exception
    assert shown_alerts(at.success) == ["Slot published."]
    rows = board(at)
    assert [(r["Clinician"], r["Minutes"], r["Video link"], r["State"]) for r in rows] == [
        ("Dr **Bold**", "30", LINK, "Open")  # literally, in a cell
    ]
    first = tomorrow(app_db)
    at.multiselect(key="week_days").set_value([first.weekday()])
    at.multiselect(key="week_times").set_value([time(9), time(16)])
    at.date_input(key="week_from").set_value(first)
    at.date_input(key="week_until").set_value(first + timedelta(days=7))
    at.text_input(key="week_clinician").input("Dr Rivera")
    at.text_input(key="week_link").input(LINK)
    at = click(at, "Publish pattern")
    assert shown_alerts(at.success) == ["4 slots published."]
    assert len(board(at)) == 5
    at = click(at, "Withdraw slot")
    assert shown_alerts(at.success) == ["Slot withdrawn."]
    assert [r["State"] for r in board(at)].count("Withdrawn") == 1
    with app_db.session() as tx:
        actions = list(tx.scalars(select(AuditRow.action).where(AuditRow.action.like("%slot%"))))
    assert sorted(actions) == ["publish_slot", "publish_slots", "withdraw_slot"]


def test_a_bad_link_is_refused_on_the_page(app_db: Database) -> None:
    at = staff_page(SLOTS_PAGE, login_as(app_db, "ada", Role.admin))
    at.text_input(key="one_clinician").input("Dr Rivera")
    at.text_input(key="one_link").input("http://plain.example.org")
    at = click(at, "Publish slot")
    assert shown_alerts(at.error) == ["The video link must be a full https:// address (at most 500 characters)."]
    assert board(at) == []


def test_intake_confirms_a_requested_call_on_the_case_page(app_db: Database, rules: Any) -> None:
    slot_id = a_slot(app_db, login_as(app_db, "rivera", Role.clinician))
    submission_id = intake.submit(app_db, patient(rules), rules).submission_id
    calls.request(app_db, rules, submission_id, slot_id)
    ida = login_as(app_db, "ida")
    at = staff_page(DETAIL_PAGE, ida, **{auth.OPEN: submission_id})
    assert at.button(key="call_confirm").disabled, "a New case is reviewed first: the click could only fail"
    casework.change_status(app_db, ida, submission_id, Status.in_review)
    at = staff_page(DETAIL_PAGE, ida, **{auth.OPEN: submission_id})
    assert not at.exception, at.exception
    assert not at.button(key="call_confirm").disabled
    assert "move_consultation_booked" not in [b.key for b in at.button]
    assert "Requested" in page_text(at) and LINK in page_text(at)
    at.button(key="call_confirm").click()
    at = at.run()
    assert shown_alerts(at.success) == ["Video call confirmed: the consultation is booked."]
    assert casework.detail(app_db, ida, submission_id).status == Status.consultation_booked
    timeline = next(d.value for d in at.dataframe if "What" in d.value.columns)["What"].tolist()
    assert any(line.startswith("Video call confirmed: ") for line in timeline)
    assert any(line.startswith("In review → Consultation booked (") for line in timeline)


def test_intake_offers_another_slot_and_cancels(app_db: Database, rules: Any) -> None:
    clinician = login_as(app_db, "rivera", Role.clinician)
    first = a_slot(app_db, clinician)
    second = a_slot(app_db, clinician, day=tomorrow(app_db) + timedelta(days=1))
    submission_id = intake.submit(app_db, patient(rules), rules).submission_id
    calls.request(app_db, rules, submission_id, first)
    ida = login_as(app_db, "ida")
    at = staff_page(DETAIL_PAGE, ida, **{auth.OPEN: submission_id})
    at.selectbox(key="staff_offer_slot").set_value(second)
    at = click(at, "Offer this slot")
    assert shown_alerts(at.success) == ["Slot offered."]
    assert calls.of_case(app_db, ida, submission_id).slot_id == second
    at.button(key="call_cancel").click()
    at = at.run()
    assert shown_alerts(at.success) == ["Video call cancelled."]
    assert {s.id for s in slots.open_slots(app_db)} == {first, second}


def patient_done(rules: Any, submission_id: int, *, advice: tuple[Advice, ...] = ()) -> AppTest:
    """The questionnaire's confirmation, as the wizard leaves it after a submit (with the advice it gave)."""
    at = start()
    at.session_state[RECEIPT] = {
        "reference": "BT-TEST-0000",
        "method": "phone",
        "advice": [grade.value for grade in advice],
        "submission_id": submission_id,
        "email": False,
    }
    return at.run()


def test_the_patient_chooses_a_time_at_the_end_and_it_is_held(app_db: Database, rules: Any) -> None:
    slot_id = a_slot(app_db, login_as(app_db, "rivera", Role.clinician))
    submission_id = intake.submit(app_db, patient(rules), rules).submission_id
    at = patient_done(rules, submission_id)
    assert not at.exception, at.exception
    options = at.radio[0].options
    assert len(options) == 2 and options[-1].startswith("None of these")
    assert "Below you can choose a time" in page_text(at)
    at = click(at, "Ask for this time")
    assert [e.value for e in at.error] == ["Please choose a time, or ask us to call you."]
    at.radio[0].set_value(slot_id)
    at = click(at, "Ask for this time")
    assert not at.exception, at.exception
    assert at.success[-1].value.startswith("You asked for ")
    assert "Below you can choose a time" not in page_text(at), "the time is chosen: no offer to choose again"
    assert slots.open_slots(app_db) == []
    assert calls.of_case(app_db, login_as(app_db, "ida"), submission_id).state == calls.CallState.requested


def test_with_no_open_time_the_patient_is_offered_a_call_without_a_none_of_these(app_db: Database, rules: Any) -> None:
    submission_id = intake.submit(app_db, patient(rules), rules).submission_id
    at = patient_done(rules, submission_id)
    assert at.radio[0].options == ["Please call me to arrange a time"]
    assert "There are no times to choose from just now." in page_text(at)
    at.radio[0].set_value(0)
    at = click(at, "Ask for this time")
    assert calls.of_case(app_db, login_as(app_db, "ida"), submission_id).state == calls.CallState.call_me


def test_a_patient_given_emergency_advice_is_offered_no_slot(app_db: Database, rules: Any) -> None:
    a_slot(app_db, login_as(app_db, "rivera", Role.clinician))
    submission_id = intake.submit(app_db, patient(rules, Triage.urgent), rules).submission_id
    at = patient_done(rules, submission_id, advice=(Advice.emergency,))
    assert not at.radio and "Your free video call" not in [h.value for h in at.header]


def test_a_patient_told_to_see_a_doctor_soon_may_still_choose_a_time(app_db: Database, rules: Any) -> None:
    slot_id = a_slot(app_db, login_as(app_db, "rivera", Role.clinician))
    answers = patient(rules).model_dump(mode="json")
    answers["red_flags"]["new_after_50"] = "yes"
    submission_id = intake.submit(app_db, Submission.model_validate(answers), rules).submission_id
    at = patient_done(rules, submission_id, advice=(Advice.soon, Advice.unsure))
    at.radio[0].set_value(slot_id)
    at = click(at, "Ask for this time")
    assert not at.exception, at.exception
    assert at.success[-1].value.startswith("You asked for ")
    assert calls.of_case(app_db, login_as(app_db, "ida"), submission_id).state == calls.CallState.requested


@pytest.mark.parametrize(("sign", "told_emergency"), [("thunderclap", True), ("new_after_50", False)])
def test_the_case_page_warns_before_offering_a_slot_to_a_patient_told_to_get_emergency_care(
    app_db: Database, rules: Any, sign: str, told_emergency: bool
) -> None:
    a_slot(app_db, login_as(app_db, "rivera", Role.clinician))
    answers = patient(rules).model_dump(mode="json")
    answers["red_flags"][sign] = "yes"
    submission_id = intake.submit(app_db, Submission.model_validate(answers), rules).submission_id
    at = staff_page(DETAIL_PAGE, login_as(app_db, "ida"), **{auth.OPEN: submission_id})
    assert not at.exception, at.exception
    assert [s.label for s in at.selectbox if s.key == "staff_offer_slot"] == ["Offer a slot"]
    warned = [w.value for w in at.warning if "told to get emergency care" in w.value]
    assert bool(warned) is told_emergency


def test_the_patient_sees_the_confirmed_call_and_downloads_its_calendar(app_db: Database, rules: Any) -> None:
    submission_id = confirmed_case(
        app_db, rules, login_as(app_db, "rivera", Role.clinician), ida := login_as(app_db, "ida")
    )
    reference = casework.detail(app_db, ida, submission_id).reference
    at = start().switch_page("screening/ui/my_call.py").run()
    at.text_input[0].input("someone")
    at.text_input[1].input("555 010 0000")
    at = click(at, "Show my video call")
    assert [e.value for e in at.error] == [
        "We could not find a video call for that reference and phone number or email address."
    ]
    at.text_input[0].input(reference)
    at = click(at, "Show my video call")
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Your video call is confirmed."]
    assert LINK in at.text[0].value
    download = at.get("download_button")[0]
    assert download.proto.label == "Add to my calendar (.ics)"


def test_the_queue_shows_the_requested_then_confirmed_time(app_db: Database, rules: Any) -> None:
    slot_id = a_slot(app_db, login_as(app_db, "rivera", Role.clinician))
    submission_id = intake.submit(app_db, patient(rules), rules).submission_id
    calls.request(app_db, rules, submission_id, slot_id)
    ida = login_as(app_db, "ida")
    start_local = next(s.starts_at for s in slots.board(app_db, ida)).astimezone(app_db.config.clinic_timezone)
    when = f"{start_local:%d %b %H:%M}"

    def cell() -> str:
        at = staff_page("screening/ui/staff_queue.py", ida)
        assert not at.exception, at.exception
        return next(d.value for d in at.dataframe if "Video call" in d.value.columns)["Video call"].tolist()[0]

    assert cell() == f"Requested {when}"
    casework.change_status(app_db, ida, submission_id, Status.in_review)
    calls.confirm(app_db, ida, submission_id)
    assert cell() == f"Confirmed {when}"
