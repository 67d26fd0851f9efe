"""Stored facts rows on real SQLite and PostgreSQL: written at submit, rebuilt when stale, read by the preview.

The preview's result is checked against the one-submission engine (``screen``) run on every
stored submission with the live and the candidate rule set.
"""

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from rules_support import stricter_candidate, with_migraine_days
from sqlalchemy import delete, text, update
from storage_support import patient

from screening import fact_rows, fact_store, intake, rules_preview
from screening.engine import screen
from screening.facts import facts_of
from screening.loader import load_ruleset
from screening.ruleset import RuleSet
from screening.storage import Database
from screening.storage import facts as stored
from screening.storage.models import SubmissionFacts
from screening.synthetic import synthetic_submissions
from screening.triage import Triage

pytest_plugins = ["db_fixtures"]


def _row(db: Database, submission_id: int) -> SubmissionFacts | None:
    with db.read() as tx:
        return tx.get(SubmissionFacts, submission_id)


def _stale(db: Database) -> int:
    with db.read() as tx:
        return stored.count_stale(tx, fact_rows.VERSION)


def test_a_submit_stores_the_facts_it_was_screened_on(db: Database, ruleset: RuleSet):
    submission = patient(ruleset, Triage.urgent)
    receipt = intake.submit(db, submission, ruleset)
    row = _row(db, receipt.submission_id)
    assert row is not None and row.version == fact_rows.VERSION and row.facts is not None
    facts = facts_of(submission)
    assert fact_rows.values_of(row.facts) == {name: facts[name] for name in fact_rows.values_of(row.facts)}
    assert _stale(db) == 0


def test_stale_and_missing_rows_are_rebuilt_and_the_preview_equals_screening_each_alone(
    db: Database, ruleset: RuleSet, tmp_path: Path
):
    moved = [with_migraine_days(ruleset, days, f"Moved {days}") for days in (8, 9)]
    submissions = [*synthetic_submissions(88, seed=5), *moved]
    receipts = [intake.submit(db, s, ruleset) for s in submissions]
    ids = [r.submission_id for r in receipts]
    with db.session() as tx:  # as if facts changed since a third were stored, and one predates facts rows
        tx.execute(
            update(SubmissionFacts)
            .where(SubmissionFacts.submission_id.in_(ids[::3]))
            .values(version="0" * 16, facts=b"an older layout")
        )
        tx.execute(delete(SubmissionFacts).where(SubmissionFacts.submission_id == ids[1]))
    assert _stale(db) == 31
    candidate = load_ruleset(stricter_candidate(tmp_path / "candidate"))
    lines: list[tuple[float, str]] = []

    preview = rules_preview.rescreen(db, candidate, lambda share, line: lines.append((share, line)))

    assert _stale(db) == 0
    assert all(fact_rows.values_of(_row(db, i).facts) is not None for i in ids[::3])  # type: ignore[union-attr]
    alone = [(screen(s, ruleset), screen(s, candidate)) for s in submissions]
    assert preview.before == Counter(before.triage for before, _ in alone)
    assert preview.after == Counter(after.triage for _, after in alone)
    expected = {
        receipt.reference: (before.triage, after.triage)
        for receipt, (before, after) in zip(receipts, alone, strict=True)
        if before.triage != after.triage
    }
    assert {c.reference: (c.before, c.after) for c in preview.changes} == expected
    assert expected, "the candidate moves some of these patients"
    for change in preview.changes:
        before, after = alone[[r.reference for r in receipts].index(change.reference)]
        old, new = {f.id for f in before.flags}, {f.id for f in after.flags}
        assert (change.added, change.removed) == (tuple(sorted(new - old)), tuple(sorted(old - new)))
    assert lines[0][1].startswith("Updating stored facts") and lines[-1] == (
        1.0,
        f"Re-screening stored submissions: {len(ids)} of {len(ids)}",
    )


def test_rebuilding_twice_at_once_ends_with_the_same_rows(db: Database, ruleset: RuleSet):
    receipts = [intake.submit(db, s, ruleset) for s in synthetic_submissions(5, seed=2)]
    with db.session() as tx:
        tx.execute(update(SubmissionFacts).values(version="old"))
    with db.read() as tx:
        stale = stored.stale_answers(tx, fact_rows.VERSION, after=0, size=100)
    assert [sid for sid, _ in stale] == [r.submission_id for r in receipts]
    fact_store.rebuild(db)
    with db.session() as tx:  # a second rebuilder that read the same stale rows writes after the first
        stored.write(tx, fact_rows.VERSION, [(sid, fact_rows.encode_answers(answers)) for sid, answers in stale])
    assert _stale(db) == 0


def test_the_migration_fills_rows_for_submissions_stored_before_it(blank_db: Database, ruleset: RuleSet):
    blank_db.migrate("0003")
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    when = {"at": at if blank_db.engine.dialect.name != "sqlite" else at.replace(tzinfo=None)}
    good = patient(ruleset, Triage.unlikely)
    with blank_db.engine.begin() as conn:
        for sid, stored_answers in ((1, good.model_dump(mode="json")), (2, {"about": "no longer fits"})):
            values = {**when, "id": sid, "ref": f"BT-AAAA-000{sid}", "answers": json.dumps(stored_answers)}
            conn.execute(
                text(
                    "INSERT INTO submissions (id, reference, created_at, pathway, patient_name, patient_contact, "
                    "age, triage, triage_rank, answers, result, ruleset_version, ruleset_hash) VALUES (:id, :ref, "
                    ":at, 'headache', 'Old Patient', '555', 40, 'unlikely', 4, :answers, '{}', 'v1', 'h1')"
                ),
                values,
            )
            conn.execute(
                text(
                    "INSERT INTO case_state (submission_id, reference, created_at, patient_name, pathway, "
                    "triage_rank, status, status_since, contact_attempts) "
                    "VALUES (:id, :ref, :at, 'Old Patient', 'headache', 4, 'new', :at, 0)"
                ),
                values,
            )
    blank_db.migrate()
    first, second = _row(blank_db, 1), _row(blank_db, 2)
    assert first is not None and first.version == fact_rows.VERSION
    assert first.facts == fact_rows.encode(facts_of(good))
    assert second is not None and second.version == fact_rows.VERSION and second.facts is None
    preview = rules_preview.rescreen(blank_db, ruleset)
    assert (preview.screened, preview.unreadable, preview.changes) == (1, 1, ())
