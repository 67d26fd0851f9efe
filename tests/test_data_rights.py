"""Patient data rights on SQLite and PostgreSQL: erasure by crypto-shredding, access export, retention."""

import json
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select
from storage_support import PASSWORD, login_as, patient

from screening import casework, intake
from screening.booking import calls
from screening.exports import service as exports
from screening.privacy import access, erasure, retention
from screening.privacy.people import Lookup
from screening.roles import Role
from screening.staff import authenticate
from screening.storage import Database, cases, sealing
from screening.storage.models import AuditRow, CaseState, DataKey, OutboxRow, SubmissionRow
from screening.triage import Triage
from screening.workflow import Status

pytest_plugins = ["db_fixtures"]

NAME = "Zebediah Quuxworth"
BORN = date(1971, 3, 14)
NOTE = "Spoke to Zebediah Quuxworth, born 14/03/1971, about his neck"
EMAIL = "zeb.quux@example.org"
T0 = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def person(ruleset, triage: Triage = Triage.likely_candidate, name: str = NAME, born: date = BORN):
    answers = patient(ruleset, triage, name=name).model_dump(mode="json")
    answers["about"]["date_of_birth"] = born.isoformat()
    answers["about"]["age"] = (T0.date() - born).days // 365
    answers["contact"]["email"] = EMAIL if name == NAME else "someone@example.org"
    return type(patient(ruleset)).model_validate(answers)


def submit(db: Database, ruleset, when: datetime, **kwargs) -> intake.Receipt:
    db.clock = lambda: when
    return intake.submit(db, person(ruleset, **kwargs), ruleset)


def return_visit(db: Database, ruleset, first: intake.Receipt, when: datetime) -> str:
    """A return visit as the returns work stores it: an ordinary submission pointing at the first screening."""
    db.clock = lambda: when
    row = intake.stored_form(person(ruleset), ruleset, f"BT-RTRN-{when:%H%M}", when)
    row = replace(row, visit_kind="return", first_submission_id=first.submission_id)
    with db.session() as tx:
        cases.insert_submissions(tx, [row])
    return row.reference


# --- where the name and birth date can be found -----------------------------------------------------------


def raw_copies(db: Database, tmp_path: Path) -> bytes:
    """Everything an attacker with the database (not the secret) would get: the SQLite file and its WAL, or a
    pg_dump of the test's schema."""
    if db.engine.dialect.name == "sqlite":
        path = Path(make_url(db.url).database)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    url = make_url(db.url)
    schema = url.query["options"].removeprefix("-csearch_path=")
    plain = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    dump = subprocess.run(
        ["/usr/bin/pg_dump", "--no-owner", f"--schema={schema}", plain], capture_output=True, check=True
    )
    return dump.stdout


FORMS = (NAME.encode(), BORN.isoformat().encode(), b"Quuxworth", b"14/03/1971", EMAIL.encode(), EMAIL.upper().encode())


def findable(blob: bytes) -> set[bytes]:
    return {form for form in FORMS if form in blob}


def mail_row(kind: str, recipient: str, reference: str) -> OutboxRow:
    at = T0 + timedelta(days=101)
    return OutboxRow(
        kind=kind,
        recipient=recipient,
        subject="s",
        body=None,
        message_id=f"<{kind}@x>",
        reference=reference,
        created_at=at,
        status="sent",
        attempts=1,
        next_attempt_at=at,
        sent_at=at,
    )


def triage_counts(tx) -> dict[int, int]:
    return dict(tx.execute(select(CaseState.triage_rank, func.count()).group_by(CaseState.triage_rank)).all())


def test_erasure_leaves_no_name_birth_date_or_note_and_keeps_counts_and_audit(db: Database, ruleset, tmp_path):
    db.migrate()
    admin = login_as(db, "alice", Role.admin)
    nurse = login_as(db, "bob", Role.intake)
    first = submit(db, ruleset, T0)
    second = submit(db, ruleset, T0 + timedelta(days=3), triage=Triage.needs_review)
    other = submit(db, ruleset, T0 + timedelta(days=4), name="Other Person", born=date(1980, 1, 1))
    revisit = return_visit(db, ruleset, first, T0 + timedelta(days=100))
    db.clock = lambda: T0 + timedelta(days=101)
    casework.add_note(db, nurse, first.submission_id, NOTE)
    casework.change_status(db, nurse, second.submission_id, Status.in_review, note=f"Called {NAME}")
    intake.save_draft(db, {"contact": {"name": NAME}, "about": {"date_of_birth": BORN.isoformat()}}, "contact", BORN)
    with db.session() as tx:  # a mail sent to the patient, and the on-call alert about their submission
        for kind, recipient in (("call_confirmed", EMAIL.upper()), ("oncall_alert", "oncall@clinic.example")):
            tx.add(mail_row(kind, recipient, first.reference))
    db.scrub()
    with db.read() as tx:
        triage_before = triage_counts(tx)
        audit_before = tx.scalar(select(func.count()).select_from(AuditRow))

    before = raw_copies(db, tmp_path)
    assert first.reference.encode() in before  # the search works on this file
    plain = {NAME.encode(), b"Quuxworth", EMAIL.upper().encode()}
    assert findable(before) == plain, "only the queue's display name and the mail log are plain before erasure"
    export = access.export(db, admin, Lookup(reference=first.reference))
    assert NAME in export.json and BORN.isoformat() in export.json and NOTE in export.json  # all readable with the key

    done = erasure.erase(db, admin, Lookup(name="  zebediah  QUUXWORTH", born=BORN))
    assert sorted(done.references) == sorted([first.reference, second.reference, revisit])
    assert done.drafts == 1

    after = raw_copies(db, tmp_path)
    assert findable(after) == set()
    with db.read() as tx:
        assert sorted(tx.scalars(select(OutboxRow.recipient))) == ["", "oncall@clinic.example"]
    assert b"Other Person" in after  # someone else's data is untouched
    assert other.reference.encode() in after
    with db.read() as tx:
        assert triage_counts(tx) == triage_before
        assert tx.scalar(select(func.count()).select_from(SubmissionRow)) == 4
        assert tx.scalar(select(func.count()).select_from(DataKey)) == 1
        erased = tx.scalars(select(AuditRow).where(AuditRow.action == "erase", AuditRow.target.like("BT-%"))).all()
        assert {(r.username, r.target) for r in erased} == {
            ("alice", first.reference),
            ("alice", second.reference),
            ("alice", revisit),
        }
        assert all(r.at == T0 + timedelta(days=101) and r.detail["reason"] == "request" for r in erased)
        assert tx.scalar(select(func.count()).select_from(AuditRow)) > audit_before
        row = cases.submission(tx, first.submission_id)
        assert row is not None and row.erased and row.result is None
        assert (row.triage, row.pathway, row.created_at) == ("likely_candidate", "headache", T0)
    # What staff and the patient see afterwards.
    found = casework.detail(db, admin, first.submission_id)
    assert found.erased_at is not None and found.answers == {}
    assert [e.data.get("text") for e in found.notes] == [None]
    with pytest.raises(cases.Erased):
        casework.add_note(db, nurse, first.submission_id, "more")
    with pytest.raises(cases.Erased):
        exports.summary(db, nurse, first.reference)
    with pytest.raises(cases.Erased):
        calls.for_patient(db, first.reference, EMAIL)
    assert casework.queue(db, nurse, search="Quuxworth").total == 0
    assert casework.queue(db, nurse, search="Other Pers").total == 1  # name search still works for the others
    again = erasure.erase(db, admin, Lookup(reference=second.reference))
    assert again.references == ()  # erasing twice changes nothing


def test_only_an_administrator_handles_data_requests(db: Database, ruleset):
    db.migrate()
    nurse = login_as(db, "bob", Role.clinician)
    first = submit(db, ruleset, T0)
    for call in (access.look_up, access.export, erasure.erase):
        with pytest.raises(PermissionError):
            call(db, nurse, Lookup(reference=first.reference))
    with pytest.raises(PermissionError):
        retention.set_months(db, nurse, 12)


def test_lookup_errors_name_the_field():
    with pytest.raises(ValueError, match=r"^reference"):
        Lookup(reference="12-345").checked()
    with pytest.raises(ValueError, match=r"^name"):
        Lookup(name=" ", born=BORN).checked()
    with pytest.raises(ValueError, match=r"^born"):
        Lookup(name=NAME).checked()


# --- access export ---------------------------------------------------------------------------------------


def test_access_export_holds_every_item_for_two_submissions_and_a_return_visit(db: Database, ruleset):
    db.migrate()
    admin = login_as(db, "alice", Role.admin)
    nurse = login_as(db, "bob", Role.intake)
    first = submit(db, ruleset, T0)
    second = submit(db, ruleset, T0 + timedelta(days=3), triage=Triage.needs_review)
    submit(db, ruleset, T0 + timedelta(days=4), name="Other Person", born=date(1980, 1, 1))
    revisit = return_visit(db, ruleset, first, T0 + timedelta(days=100))
    db.clock = lambda: T0 + timedelta(days=101)
    casework.detail(db, nurse, second.submission_id)  # a view
    exports.summary(db, nurse, first.reference)  # an export
    casework.change_status(db, nurse, first.submission_id, Status.in_review, note="first call")
    casework.add_note(db, nurse, first.submission_id, NOTE)
    intake.save_draft(db, {"contact": {"name": NAME}, "about": {"date_of_birth": BORN.isoformat()}}, "contact", BORN)

    held = access.look_up(db, admin, Lookup(reference=revisit))  # from the return visit, along the chain
    assert set(held.references) == {first.reference, second.reference, revisit} and held.drafts == 1
    found = access.export(db, admin, Lookup(name=NAME, born=BORN))
    data = json.loads(found.json)
    by_ref = {item["reference"]: item for item in data["submissions"]}
    assert set(by_ref) == {first.reference, second.reference, revisit}
    assert by_ref[revisit]["visit"] == "return" and by_ref[revisit]["first_visit"] == first.reference
    one, two = by_ref[first.reference], by_ref[second.reference]
    assert one["answers"]["contact"]["name"] == NAME and one["answers"]["about"]["date_of_birth"] == "1971-03-14"
    assert two["result"]["flags"] and all(f["reason"] and f["source"] for f in two["result"]["flags"])
    assert [(h["from"], h["to"]) for h in one["status_history"]] == [(None, "new"), ("new", "in_review")]
    assert [n["text"] for n in one["notes"]] == ["first call", NOTE]
    assert all(n["by"] == "Bob" for n in one["notes"])
    assert ("bob", "view") in {(a["who"], a["action"]) for a in two["record_access"]}
    assert ("bob", "export") in {(a["who"], a["action"]) for a in one["record_access"]}
    assert data["drafts"][0]["answers"]["contact"]["name"] == NAME
    assert "Other Person" not in found.json
    page = found.html
    for text in (first.reference, second.reference, revisit, NAME, "first call", "Saved draft 1", "Status history"):
        assert text in page
    with db.read() as tx:
        audited = tx.scalars(select(AuditRow.target).where(AuditRow.action == "access_export")).all()
        searched = tx.scalars(select(AuditRow.detail).where(AuditRow.action == "access_search")).all()
    assert set(audited) >= {first.reference, second.reference, revisit}
    assert NAME not in json.dumps(searched) and BORN.isoformat() not in json.dumps(searched)


def test_html_export_escapes_patient_text(db: Database, ruleset):
    db.migrate()
    admin = login_as(db, "alice", Role.admin)
    first = submit(db, ruleset, T0, name="<script>alert(1)</script> Smith")
    page = access.export(db, admin, Lookup(reference=first.reference)).html
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Smith" in page


# --- retention -------------------------------------------------------------------------------------------


def book(db: Database, submission_id: int) -> None:
    """As confirming a video call does it (the only way to "Consultation booked"), by someone logged in then."""
    staff = authenticate(db, "alice", PASSWORD)
    casework.change_status(db, staff, submission_id, Status.in_review)
    with db.session() as tx:
        casework.book_consultation(tx, db, staff, submission_id, {})


def test_retention_erases_exactly_the_expired_unbooked_and_is_idempotent(db: Database, ruleset):
    db.migrate()
    admin = login_as(db, "alice", Role.admin)
    retention.set_months(db, admin, 24)
    now = datetime(2028, 6, 15, 12, 0, tzinfo=UTC)
    cutoff = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    assert retention.months_before(now, 24) == cutoff
    day = timedelta(days=1)
    kept_new = submit(db, ruleset, cutoff + day, name="Kept Newer", born=date(1990, 1, 1))
    kept_edge = submit(db, ruleset, cutoff, name="Kept Boundary", born=date(1990, 1, 2))
    gone = submit(db, ruleset, cutoff - day, name="Gone Older", born=date(1990, 1, 3))
    gone_second = submit(db, ruleset, cutoff - timedelta(seconds=1), name="Gone Second", born=date(1990, 1, 4))
    booked = submit(db, ruleset, cutoff - day, name="Booked Patient", born=date(1990, 1, 5))
    chained = submit(db, ruleset, cutoff - 30 * day, name="Chained Patient", born=date(1990, 1, 6))
    db.clock = lambda: cutoff - 29 * day
    book(db, booked.submission_id)
    revisit = return_visit(db, ruleset, chained, cutoff - 20 * day)
    db.clock = lambda: cutoff - 19 * day
    book(db, chained.submission_id)
    db.clock = lambda: now
    report = retention.run(db)
    assert report.submissions == 2 and report.cutoff == cutoff
    with db.read() as tx:
        erased = {s.reference for s in tx.scalars(select(CaseState).where(CaseState.erased_at.is_not(None)))}
        names = set(tx.scalars(select(CaseState.patient_name)))
        audit = tx.scalars(select(AuditRow).where(AuditRow.action == "erase")).all()
    assert erased == {gone.reference, gone_second.reference}
    assert {"Kept Newer", "Kept Boundary", "Booked Patient", "Chained Patient"} <= names
    assert {(a.username, a.target) for a in audit} == {("retention", r.reference) for r in (gone, gone_second)}
    assert retention.run(db).submissions == 0  # idempotent
    db.clock = lambda: now + day  # a day later the boundary one has expired too
    assert retention.run(db).submissions == 1
    with db.read() as tx:
        assert tx.get(CaseState, kept_edge.submission_id).erased_at is not None
        assert tx.get(CaseState, kept_new.submission_id).erased_at is None
        assert {r.reference for r in cases.stored(tx, SubmissionRow.reference == revisit)} == {revisit}
        assert all(not row.erased for row in cases.stored(tx, SubmissionRow.reference == revisit))


def test_retention_at_app_start_runs_at_most_once_a_day(db: Database, ruleset):
    db.migrate()
    db.clock = lambda: T0
    assert retention.run_if_due(db) is not None
    db.clock = lambda: T0 + timedelta(hours=23)
    assert retention.run_if_due(db) is None
    db.clock = lambda: T0 + timedelta(hours=24, seconds=1)
    assert retention.run_if_due(db) is not None
    assert retention.policy(db).last_run_at == T0 + timedelta(hours=24, seconds=1)


def test_retention_deletes_expired_drafts(db: Database, ruleset):
    db.migrate()
    db.clock = lambda: T0
    intake.save_draft(db, {"contact": {"name": NAME}}, "contact", BORN)
    db.clock = lambda: T0 + timedelta(days=db.config.draft_days, seconds=1)
    assert retention.run(db).drafts == 1


# --- the patient side ------------------------------------------------------------------------------------


def test_a_resuming_patient_whose_draft_was_erased_is_told(db: Database, ruleset):
    db.migrate()
    admin = login_as(db, "alice", Role.admin)
    submit(db, ruleset, T0)
    saved = intake.save_draft(db, {"contact": {"name": NAME}, "about": {"date_of_birth": "1971-03-14"}}, "about", BORN)
    erasure.erase(db, admin, Lookup(name=NAME, born=BORN))
    with pytest.raises(intake.DraftErased):
        intake.resume_draft(db, saved.code, BORN)
    assert intake.resume_draft(db, saved.code, date(1971, 3, 15)) is None  # the wrong birth date learns nothing


# --- keys ------------------------------------------------------------------------------------------------


def test_sealed_values_need_the_secret_and_rotation_rewraps(db: Database, ruleset):
    db.migrate()
    first = submit(db, ruleset, T0)
    with db.read() as tx:
        raw = tx.get(SubmissionRow, first.submission_id)
        assert sealing.is_sealed(raw.answers) and raw.patient_name == ""
    stranger = Database(db.url, settings=db.config.model_copy(update={"secret_key": _secret("another secret")}))
    with pytest.raises(sealing.KeyMissing), stranger.read() as tx:
        cases.submission(tx, first.submission_id)
    stranger.dispose()
    rotated = db.config.model_copy(
        update={"secret_key": _secret("a brand new secret"), "previous_secret_keys": [db.config.secret_key]}
    )
    after = Database(db.url, settings=rotated)
    with after.session() as tx:
        assert sealing.rewrap(tx) == 1
    new_only = Database(db.url, settings=rotated.model_copy(update={"previous_secret_keys": []}))
    with new_only.read() as tx:
        assert cases.submission(tx, first.submission_id).answers["contact"]["name"] == NAME
    for other in (after, new_only):
        other.dispose()


def _secret(text: str):
    from pydantic import SecretStr

    return SecretStr(text)


def test_an_envelope_moved_to_another_row_does_not_open():
    key = sealing.new_key()
    envelope = sealing.seal(key, {"a": 1}, "BT-AAAA-AAAA:answers")
    assert sealing.unseal(key, envelope, "BT-AAAA-AAAA:answers") == {"a": 1}
    with pytest.raises(ValueError, match="does not open"):
        sealing.unseal(key, envelope, "BT-BBBB-BBBB:answers")


def test_a_backup_restored_after_an_erasure_forgets_the_person_again(sqlite_db: Database, ruleset, tmp_path):
    db = sqlite_db
    admin = login_as(db, "alice", Role.admin)
    first = submit(db, ruleset, T0)
    db.scrub()
    path = Path(make_url(db.url).database)
    backup = tmp_path / "backup.db"
    backup.write_bytes(path.read_bytes())  # last night's backup, taken before the erasure
    erasure.erase(db, admin, Lookup(reference=first.reference))
    db.dispose()
    for side in path.parent.glob(path.name + "-*"):
        side.unlink()
    path.write_bytes(backup.read_bytes())  # the backup restored
    restored = Database(db.url, settings=db.config)
    with restored.read() as tx:
        assert not cases.submission(tx, first.submission_id).erased  # the backup brought the key back
    restored.clock = lambda: T0 + timedelta(days=1)
    report = retention.run(restored)  # what the first start (or cron) does
    assert report.reapplied == 1 and "restored backup" in report.describe()
    with restored.read() as tx:
        assert cases.submission(tx, first.submission_id).erased
    assert findable(raw_copies(restored, tmp_path)) == set()
    assert retention.run(restored).reapplied == 0
    restored.dispose()


# --- migration 0013 seals what was stored before it --------------------------------------------------------


def _store_plain(db: Database, ruleset) -> tuple[str, dict]:
    """A submission, a note and a draft as the code before 0013 stored them: in plain text, into the tables as
    they are at that revision (read from the database: later revisions add columns the models know)."""
    from sqlalchemy import MetaData, Table, insert

    form = intake.stored_form(person(ruleset), ruleset, "BT-PQAN-0001", T0)
    with db.session() as tx:
        tables = MetaData()
        submissions, case_state, events, drafts = (
            Table(name, tables, autoload_with=tx.connection())
            for name in ("submissions", "case_state", "events", "drafts")
        )
        row = {k: v for k, v in vars(form).items() if k in submissions.c} | {"patient_contact": "555 0100"}
        (sid,) = tx.execute(insert(submissions).returning(submissions.c.id), [row]).scalars().all()
        tx.execute(
            insert(case_state).values(
                submission_id=sid,
                reference=form.reference,
                created_at=T0,
                patient_name=NAME,
                pathway="headache",
                triage_rank=form.triage_rank,
                status="new",
                status_since=T0,
                contact_attempts=0,
            )
        )
        tx.execute(
            insert(events),
            [{"submission_id": sid, "at": T0, "actor_id": None, "kind": "note", "data": {"text": NOTE}}],
        )
        tx.execute(
            insert(drafts).values(
                code_hash=db.config.keyed_hash("resume:AAAA-BBBB-CCCC-DDDD"),
                dob_hash=intake.dob_hash(db, BORN),
                answers={"contact": {"name": NAME}},
                step="contact",
                created_at=T0,
                updated_at=T0,
                expires_at=datetime.now(UTC) + timedelta(days=3),
                failed_tries=0,
            )
        )
    return form.reference, form.answers


def _check_sealed(db: Database, tmp_path: Path, reference: str, answers: dict) -> None:
    from sqlalchemy import text

    with db.read() as tx:
        raw = tx.execute(select(SubmissionRow).where(SubmissionRow.reference == reference)).scalar_one()
        assert sealing.is_sealed(raw.answers) and sealing.is_sealed(raw.result) and raw.patient_name == ""
        opened = cases.by_reference(tx, reference)
        assert opened.answers == answers
        assert [e.data["text"] for e, _ in cases.timeline(tx, opened.id) if e.kind == "note"] == [NOTE]
    assert intake.resume_draft(db, "AAAA-BBBB-CCCC-DDDD", BORN).answers["contact"]["name"] == NAME
    assert findable(raw_copies(db, tmp_path)) <= {NAME.encode(), b"Quuxworth"}  # only the queue's copy is plain
    with pytest.raises(Exception, match=r"append-only|permission denied"), db.session() as tx:  # trigger is back
        tx.execute(text("UPDATE submissions SET pathway = 'x'"))


def test_migration_0013_seals_rows_stored_before_it(blank_db: Database, ruleset, tmp_path):
    blank_db.migrate("0010")
    reference, answers = _store_plain(blank_db, ruleset)
    blank_db.migrate()
    if blank_db.engine.dialect.name == "sqlite":
        raw = blank_db.engine.raw_connection()  # as the README says to after this upgrade (outside a transaction)
        raw.cursor().execute("VACUUM")
        raw.close()
        blank_db.scrub()
    _check_sealed(blank_db, tmp_path, reference, answers)


def test_migration_0013_in_the_two_role_setup(two_roles, two_role_settings, ruleset, tmp_path):
    db = Database(two_roles.app_url, settings=two_role_settings)
    db.migrate("0010")
    reference, answers = _store_plain(db, ruleset)
    db.migrate()
    _check_sealed(db, tmp_path, reference, answers)
    admin = login_as(db, "alice", Role.admin)
    assert erasure.erase(db, admin, Lookup(reference=reference)).references == (reference,)  # as the app role
    assert findable(raw_copies(db, tmp_path)) == set()
    db.dispose()
