"""Export services: the call list's role columns (enforced in the service), spreadsheet safety of patient text in
every column, and an audit row (who, what, how many rows) for every file, written with the file and never without."""

import copy
import csv
import dataclasses
import io

import pytest
from fhir.resources.bundle import Bundle
from openpyxl import load_workbook
from pypdf import PdfReader
from return_support import BORN, first_screening, typical_return
from sqlalchemy import select
from storage_support import login_as, patient

from screening import casework, intake, staff
from screening.answers import Submission
from screening.exports import fhir, service
from screening.exports.pdf import FontMissingError
from screening.returns.answers import ReturnVisit
from screening.roles import Role
from screening.storage import Database
from screening.storage.models import AuditRow
from screening.triage import Triage

pytest_plugins = ["db_fixtures"]

PAYLOADS = {"name": '=HYPERLINK("http://x","click")', "phone": "+1 (555) 010-0000", "email": "=cmd@example.org"}


def exports(db: Database) -> list[tuple[str, str | None, dict]]:
    with db.session() as tx:
        rows = tx.scalars(select(AuditRow).where(AuditRow.action == "export").order_by(AuditRow.id))
        return [(r.username, r.target, r.detail) for r in rows]


def submit_payload_patient(db: Database, ruleset, triage: Triage = Triage.urgent) -> intake.Receipt:
    answers = copy.deepcopy(patient(ruleset, triage).model_dump(mode="json"))
    answers["contact"] |= PAYLOADS | {"preferred_method": "either", "preferred_times": ["morning", "evening"]}
    return intake.submit(db, Submission.model_validate(answers), ruleset)


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("role", list(Role))
def test_call_list_columns_follow_the_role_in_the_file_itself(db: Database, ruleset, role):
    submit_payload_patient(db, ruleset)
    intake.submit(db, patient(ruleset), ruleset)
    me = login_as(db, "rita", role)
    rows = read_csv(service.call_list(db, me))
    assert list(rows[0]) == list(service.call_list_columns(role))
    has_contact = role in (Role.intake, Role.clinician)
    has_reasons = role in (Role.clinician, Role.admin)
    assert ("phone" in rows[0], "email" in rows[0], "preferred times" in rows[0], "language" in rows[0]) == (
        has_contact,
    ) * 4
    assert ("flag reasons" in rows[0], "rule trace" in rows[0]) == (has_reasons,) * 2
    assert [row["triage"] for row in rows] == ["Urgent", "Likely candidate"]
    if has_contact:
        assert rows[0]["phone"] == "'" + PAYLOADS["phone"] and rows[0]["email"] == "'" + PAYLOADS["email"]
        assert rows[0]["preferred times"] == "Morning; Evening"
    if has_reasons:
        assert "RF-THUNDERCLAP" in rows[0]["flag reasons"] and "RF-THUNDERCLAP" in rows[0]["rule trace"]
    assert exports(db) == [("rita", "call-list.csv", {"filters": {}, "rows": 2, "columns": list(rows[0])})]


def test_call_list_as_xlsx_keeps_every_payload_a_string(db: Database, ruleset):
    submit_payload_patient(db, ruleset)
    me = login_as(db, "carl", Role.clinician)
    ws = load_workbook(io.BytesIO(service.call_list(db, me, "xlsx", triage=[Triage.urgent]))).active
    header = [cell.value for cell in ws[1]]
    row = {name: cell for name, cell in zip(header, ws[2], strict=True)}
    for name, text in PAYLOADS.items():
        assert row[name].data_type == "s" and row[name].value == text
    assert ws.freeze_panes == "A2"
    assert exports(db) == [
        ("carl", "call-list.xlsx", {"filters": {"triage": ["urgent"]}, "rows": 1, "columns": header})
    ]


def test_queue_export_as_xlsx_has_real_dates_and_is_audited(db: Database, ruleset):
    receipt = submit_payload_patient(db, ruleset)
    me = login_as(db, "ivy")
    ws = load_workbook(io.BytesIO(casework.export_queue(db, me, "xlsx"))).active
    header = [cell.value for cell in ws[1]]
    assert header == list(casework.EXPORT_COLUMNS)
    received = ws.cell(row=2, column=header.index("received") + 1)
    assert received.is_date and received.value.date() == receipt.created_at.date()
    name = ws.cell(row=2, column=header.index("name") + 1)
    assert name.data_type == "s" and name.value == PAYLOADS["name"]
    assert exports(db) == [("ivy", "queue.xlsx", {"filters": {}, "rows": 1})]


def test_an_unknown_kind_or_a_missing_session_writes_no_file_and_no_audit_row(db: Database, ruleset):
    receipt = intake.submit(db, patient(ruleset), ruleset)
    me = login_as(db, "ivy")
    with pytest.raises(ValueError, match="ods"):
        service.call_list(db, me, "ods")
    with pytest.raises(ValueError, match="ods"):
        casework.export_queue(db, me, "ods")
    for call in (
        lambda: service.call_list(db, None),
        lambda: service.summary(db, None, receipt.reference),
        lambda: service.fhir_bundle(db, None, receipt.reference),
    ):
        with pytest.raises(PermissionError):
            call()
    with pytest.raises(LookupError):
        service.summary(db, me, "BT-0000-0000")
    assert exports(db) == []


def test_summary_and_fhir_are_audited_per_submission_for_staff_and_the_console(db: Database, ruleset):
    receipt = intake.submit(db, patient(ruleset, name="Zoë Łukasz 王"), ruleset)
    me = login_as(db, "ivy")
    pdf = service.summary(db, me, receipt.reference.lower())
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert receipt.reference in text and "Zoë Łukasz 王" in text and "Ivy" in text
    local = receipt.created_at.astimezone(db.config.clinic_timezone)
    assert f"screened {local:%Y-%m-%d %H:%M} {local.tzname()}" in " ".join(text.split()), "the clinic's time"
    bundle = service.fhir_bundle(db, staff.CONSOLE, receipt.reference)
    assert bundle["entry"][0]["resource"]["identifier"][0]["value"] == receipt.reference
    assert exports(db) == [
        ("ivy", receipt.reference, {"file": "summary.pdf", "rows": 1}),
        ("console", receipt.reference, {"file": "fhir-bundle.json", "rows": 1}),
    ]


def test_a_return_visit_s_fhir_bundle_answers_the_return_questionnaire_and_is_audited(db: Database, ruleset):
    first = first_screening(db)
    back = intake.submit(db, typical_return(intake.link_return(db, first.reference, BORN)), ruleset)
    me = login_as(db, "nora", Role.clinician)
    bundle = service.fhir_bundle(db, me, back.reference)
    Bundle.model_validate(bundle)
    response, observation = (entry["resource"] for entry in bundle["entry"])
    assert response["questionnaire"].startswith(fhir.RETURN_QUESTIONNAIRE_URL + "|")
    assert response["identifier"][0]["value"] == back.reference
    visit = ReturnVisit.model_validate(fhir.read_response(response))
    assert visit.linked.first_reference == first.reference and visit.migraine_now.headache_days == 8
    assert observation["component"][0]["code"]["coding"][0]["code"] == "RV-CONTINUE-MET"
    assert exports(db) == [("nora", back.reference, {"file": "fhir-bundle.json", "rows": 1})]


PAYLOAD_SETS = [
    {"name": "@SUM(A1)", "phone": "-1 555 0100", "email": "+x@example.org"},
    {"name": "-2+3", "phone": "+1 555 0100", "email": "-x@example.org"},
    {"name": "+1+1", "phone": "-44 20 7946 0000", "email": "=1+1@example.org"},
]
"""Each start a spreadsheet reads as a formula, in every column patients type into that the model lets it reach
(an email cannot start with "@"; a tab or carriage return at the start of a name is dropped at intake)."""


@pytest.mark.parametrize("payloads", PAYLOAD_SETS, ids=lambda p: p["name"])
def test_call_list_keeps_each_formula_start_as_text_in_name_phone_and_email(db: Database, ruleset, payloads):
    answers = copy.deepcopy(patient(ruleset).model_dump(mode="json"))
    answers["contact"] |= payloads | {"preferred_method": "either"}
    intake.submit(db, Submission.model_validate(answers), ruleset)
    me = login_as(db, "carl", Role.clinician)
    ws = load_workbook(io.BytesIO(service.call_list(db, me, "xlsx"))).active
    row = {header.value: cell for header, cell in zip(ws[1], ws[2], strict=True)}
    (line,) = read_csv(service.call_list(db, me, "csv"))
    for column, text in payloads.items():
        assert (row[column].data_type, row[column].value) == ("s", text)
        assert line[column] == "'" + text
    assert [detail["rows"] for _, _, detail in exports(db)] == [1, 1]


def test_a_file_that_cannot_be_built_leaves_no_audit_row(db: Database, ruleset, monkeypatch):
    """The row is written in the transaction that builds the file: a failed build rolls it back."""
    receipt = intake.submit(db, patient(ruleset), ruleset)
    me = login_as(db, "ivy")

    def broken(*_: object, **__: object) -> bytes:
        raise FontMissingError("Font DejaVuSans.ttf not found")

    monkeypatch.setattr(service, "summary_pdf", broken)
    monkeypatch.setattr(service, "spreadsheet", broken)
    monkeypatch.setattr(service.fhir, "bundle", broken)
    for build in (service.summary, service.fhir_bundle):
        with pytest.raises(FontMissingError):
            build(db, me, receipt.reference)
    with pytest.raises(FontMissingError):
        service.call_list(db, me, "xlsx")
    assert exports(db) == []
    monkeypatch.undo()
    assert service.summary(db, me, receipt.reference).startswith(b"%PDF-")
    assert [target for _, target, _ in exports(db)] == [receipt.reference]


def test_the_call_list_s_columns_come_from_the_account_s_role_not_the_caller_s_word(db: Database, ruleset):
    """A page holding a session object that claims another role (or a role changed since login) gets the
    columns of the role the account has now."""
    submit_payload_patient(db, ruleset)
    me = login_as(db, "ivy", Role.intake)
    claimed = dataclasses.replace(me, role=Role.clinician)
    (row,) = read_csv(service.call_list(db, claimed))
    assert list(row) == list(service.call_list_columns(Role.intake))
    assert "flag reasons" not in row and "rule trace" not in row
