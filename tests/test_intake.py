"""Patient-side services: submit with its result in one go, drafts saved and resumed by code + birth date."""

import json
import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from storage_support import TRIAGE_CHANGES, patient

from screening import intake
from screening.engine import screen
from screening.storage import Database, cases
from screening.storage.models import CaseState, DraftRow, Event, SubmissionFlag, SubmissionRow

pytest_plugins = ["db_fixtures"]

BORN = date(1985, 6, 30)
REFERENCE = re.compile(r"^BT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
RESUME = re.compile(r"^([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}$")


@pytest.mark.parametrize("triage", list(TRIAGE_CHANGES))
def test_submit_stores_answers_result_flags_and_a_new_case(db: Database, ruleset, triage):
    submission = patient(ruleset, triage, name="Ada Lovelace")
    receipt = intake.submit(db, submission, ruleset)
    expected = screen(submission, ruleset)
    assert receipt.triage == triage == expected.triage
    assert REFERENCE.match(receipt.reference)
    with db.session() as tx:
        raw = tx.get(SubmissionRow, receipt.submission_id)
        assert raw is not None
        assert "Ada Lovelace" not in json.dumps([raw.answers, raw.result, raw.patient_name, raw.patient_contact])
        row = cases.submission(tx, receipt.submission_id)
        assert row is not None
        assert row.reference == receipt.reference
        assert row.answers == submission.model_dump(mode="json")
        assert row.result == expected.to_dict(with_trace=True)
        assert (row.triage, row.pathway) == (triage.value, "headache")
        assert tx.get(CaseState, receipt.submission_id).patient_name == "Ada Lovelace"
        assert (row.ruleset_version, row.ruleset_hash) == (ruleset.ref.version, ruleset.ref.hash)
        flags = tx.execute(select(SubmissionFlag.flag_id, SubmissionFlag.severity)).all()
        assert sorted(flags) == sorted((f.id, f.severity.value) for f in expected.flags)
        state = tx.get(CaseState, receipt.submission_id)
        assert state is not None
        assert (state.status, state.assignee_id, state.contact_attempts) == ("new", None, 0)
        (event,) = tx.scalars(select(Event)).all()
        assert (event.kind, event.data, event.actor_id) == ("status", {"from": None, "to": "new"}, None)


def test_references_are_unique(db: Database, ruleset):
    receipts = [intake.submit(db, patient(ruleset), ruleset) for _ in range(20)]
    assert len({r.reference for r in receipts}) == 20


def test_a_saved_draft_comes_back_with_the_code_and_birth_date(db: Database):
    answers = {"about": {"date_of_birth": BORN, "sex": "female"}, "seeking": {"reason": "chronic_migraine"}}
    code = intake.save_draft(db, answers, "red_flags", BORN).code
    assert RESUME.match(code)
    draft = intake.resume_draft(db, code, BORN)
    assert draft is not None
    assert draft.step == "red_flags"
    assert draft.answers == {"about": {"date_of_birth": "1985-06-30", "sex": "female"}, "seeking": answers["seeking"]}
    assert draft.expires_at - draft.updated_at == timedelta(days=14)


def test_the_code_is_not_stored(db: Database):
    code = intake.save_draft(db, {"a": 1}, "welcome", BORN).code
    with db.session() as tx:
        row = tx.scalar(select(DraftRow))
        assert row is not None
        stored = " ".join(str(v) for v in (row.code_hash, row.dob_hash, row.answers, row.step))
    assert code not in stored
    assert code.replace("-", "") not in stored
    assert BORN.isoformat() not in stored


def test_a_code_typed_loosely_still_works(db: Database):
    code = intake.save_draft(db, {"a": 1}, "welcome", BORN).code
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert intake.resume_draft(db, typed, BORN) is not None


def test_wrong_birth_date_unknown_code_and_expired_draft_all_give_nothing(db: Database):
    code = intake.save_draft(db, {"a": 1}, "welcome", BORN).code
    assert intake.resume_draft(db, code, BORN + timedelta(days=1)) is None
    assert intake.resume_draft(db, intake.random_code(4), BORN) is None
    saved_at = db.now()
    db.clock = lambda: saved_at + timedelta(days=14, seconds=1)
    assert intake.resume_draft(db, code, BORN) is None
    db.clock = lambda: saved_at + timedelta(days=13, hours=23)
    assert intake.resume_draft(db, code, BORN) is not None


def test_saving_again_keeps_the_code_overwrites_the_answers_and_refreshes_expiry(db: Database):
    code = intake.save_draft(db, {"step": 1}, "welcome", BORN).code
    first = intake.resume_draft(db, code, BORN)
    later = db.now() + timedelta(days=10)
    db.clock = lambda: later
    assert intake.save_draft(db, {"step": 2}, "safety", BORN, code).code == code
    draft = intake.resume_draft(db, code, BORN)
    assert draft is not None and first is not None
    assert (draft.answers, draft.step) == ({"step": 2}, "safety")
    assert draft.expires_at == later + timedelta(days=14) > first.expires_at


def test_a_malformed_code_is_refused_when_saving(db: Database):
    with pytest.raises(ValueError, match="resume code"):
        intake.save_draft(db, {}, "welcome", BORN, "ABC")


def test_submitting_deletes_the_draft(db: Database, ruleset):
    code = intake.save_draft(db, {"a": 1}, "review", BORN).code
    other = intake.save_draft(db, {"b": 2}, "review", BORN).code
    intake.submit(db, patient(ruleset), ruleset, draft_code=code)
    assert intake.resume_draft(db, code, BORN) is None
    assert intake.resume_draft(db, other, BORN) is not None


def test_purge_removes_only_expired_drafts(db: Database):
    start = db.now()
    db.clock = lambda: start
    old = intake.save_draft(db, {"a": 1}, "welcome", BORN).code
    db.clock = lambda: start + timedelta(days=10)
    fresh = intake.save_draft(db, {"b": 1}, "welcome", BORN).code
    now = db.now() + timedelta(days=5)
    db.clock = lambda: now
    assert intake.purge_expired_drafts(db) == 1
    db.clock = lambda: now - timedelta(days=5)
    assert intake.resume_draft(db, old, BORN) is None
    assert intake.resume_draft(db, fresh, BORN) is not None


@given(st.integers(min_value=1, max_value=4))
def test_codes_survive_being_read_aloud_and_retyped(groups):
    code = intake.random_code(groups)
    assert intake.normalise_code(code.lower().replace("-", "")) == code
    assert intake.normalise_code(" ".join(code.split("-"))) == code
    assert len(code.replace("-", "")) == 4 * groups


def test_resume_codes_carry_at_least_80_random_bits():
    code = intake.random_code(intake.RESUME_GROUPS).replace("-", "")
    assert len(code) * 5 >= 80
    assert len({intake.random_code(intake.RESUME_GROUPS) for _ in range(1000)}) == 1000


def test_saving_a_draft_clears_out_expired_ones(db: Database):
    start = db.now()
    db.clock = lambda: start
    old = intake.save_draft(db, {"a": 1}, "welcome", BORN).code
    db.clock = lambda: start + timedelta(days=15)
    intake.save_draft(db, {"b": 1}, "welcome", BORN)
    with db.session() as tx:
        assert len(tx.scalars(select(DraftRow)).all()) == 1
    db.clock = lambda: start
    assert intake.resume_draft(db, old, BORN) is None
