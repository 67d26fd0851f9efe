"""Return visits: linking to the record (with the resume code's protections), storage, and their facts.

Runs on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set.
"""

import io
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from return_support import BORN, first_screening, typical_return
from rules_support import follow_rules
from sqlalchemy import select
from storage_support import login_as
from wizard_support import patient_for

from screening import analytics, casework, cli, fact_rows, intake, rules_preview
from screening.answers import Submission
from screening.engine import screen, screen_facts
from screening.exports import service
from screening.facts import facts_of
from screening.loader import RuleSetError, load_ruleset
from screening.returns.answers import read_visit
from screening.returns.derived import episodic_months, response_percent, weeks_between
from screening.ruleset import RuleSet
from screening.staff import Role
from screening.storage import Database, cases
from screening.storage.models import AuditRow, CaseState, SubmissionRow
from screening.triage import Triage

pytest_plugins = ["db_fixtures"]

WRONG = BORN + timedelta(days=1)
RULES = Path(__file__).resolve().parent.parent / "rules"


def audit(db: Database) -> list[tuple[str, str | None, dict]]:
    with db.session() as tx:
        return [(r.action, r.target, r.detail) for r in tx.scalars(select(AuditRow).order_by(AuditRow.id))]


def test_a_return_visit_is_stored_as_a_submission_linked_to_the_first_screening(db: Database, ruleset):
    first = first_screening(db)
    link = intake.link_return(db, first.reference.lower().replace("-", " "), BORN)  # typed loosely
    assert link is not None and link.first_submission_id == first.submission_id
    assert link.answers["linked"]["baseline_headache_days"] == 20  # the first screening's answer
    visit = typical_return(link)
    receipt = intake.submit(db, visit, ruleset)
    with db.read() as tx:
        row = cases.submission(tx, receipt.submission_id)
        state = tx.get(CaseState, receipt.submission_id)
        first_row = cases.submission(tx, first.submission_id)
        first_state = tx.get(CaseState, first.submission_id)
        assert (row.visit_kind, row.first_submission_id) == ("return", first.submission_id)
        assert (state.visit_kind, state.first_submission_id, state.headache_days) == ("return", first.submission_id, 8)
        assert (state.patient_name, row.age) == (first_state.patient_name, first_row.age)  # the first screening's
        assert row.triage == "likely_candidate" and row.result["flags"][0]["id"] == "RV-CONTINUE-MET"
        assert (first_row.visit_kind, first_row.first_submission_id) == ("first", None)
        stored = row.answers
    assert read_visit(stored) == visit  # re-screened from its answers alone
    assert screen(read_visit(stored), ruleset).triage.value == "likely_candidate"


def test_a_later_visit_links_with_a_return_visits_code_and_keeps_the_first_as_root(db: Database, ruleset):
    first = first_screening(db)
    link = intake.link_return(db, first.reference, BORN)
    second = intake.submit(db, typical_return(link), ruleset)
    again = intake.link_return(db, second.reference, BORN)
    assert again is not None and again.first_submission_id == first.submission_id
    third = intake.submit(db, typical_return(again, course={"cycles": 3}), ruleset)
    with db.read() as tx:
        assert tx.get(SubmissionRow, third.submission_id).first_submission_id == first.submission_id


def test_wrong_birth_dates_lock_the_code_until_the_clinic_unlocks_it(db: Database):
    first = first_screening(db)
    for _ in range(intake.TRIES_PER_CODE):
        assert intake.link_return(db, first.reference, WRONG) is None
    with pytest.raises(intake.LinkLocked):
        intake.link_return(db, first.reference, BORN)
    actions = [action for action, _, _ in audit(db) if action != "draft_resumed"]
    assert actions[-3:] == ["link_failed", "link_locked", "resume_refused"]
    assert actions.count("link_failed") == intake.TRIES_PER_CODE
    intake.unlock_link(db, first.reference)
    assert intake.link_return(db, first.reference, BORN) is not None
    assert [action for action, _, _ in audit(db)][-2:] == ["link_unlocked", "return_linked"]


def test_an_unknown_code_and_a_wrong_birth_date_answer_the_same_and_count_on_the_browser(db: Database):
    first = first_screening(db)
    assert intake.link_return(db, first.reference, WRONG, browser="tab") is None
    assert intake.link_return(db, "BT-0000-0000", BORN, browser="tab") is None
    reasons = [detail["reason"] for action, _, detail in audit(db) if action == "resume_failed"]
    assert reasons == ["wrong birth date", "unknown reference code"]


def test_linking_and_resuming_share_one_browser_budget(db: Database):
    first = first_screening(db)
    for _ in range(intake.TRIES_PER_BROWSER):
        assert intake.resume_draft(db, intake.random_code(4), BORN, browser="tab-1") is None
    with pytest.raises(intake.TooManyTries):
        intake.link_return(db, first.reference, BORN, browser="tab-1")
    assert intake.link_return(db, first.reference, BORN, browser="tab-2") is not None


def test_a_return_visit_whose_first_screening_is_not_on_record_is_refused(db: Database, ruleset):
    first = first_screening(db)
    link = intake.link_return(db, first.reference, BORN)
    link.answers["linked"]["first_reference"] = "BT-0000-0000"
    with pytest.raises(intake.NotLinked):
        intake.submit(db, typical_return(link), ruleset)


def test_the_facts_row_of_a_return_visit_reads_back_as_its_facts(db: Database):
    first = first_screening(db)
    visit = typical_return(intake.link_return(db, first.reference, BORN))
    facts = facts_of(visit)
    row = fact_rows.values_of(fact_rows.encode(facts))
    assert row == {name: value for name, value in facts.items() if name in row}
    assert row["derived.visit_kind"] == "return" and row["derived.response_percent"] == 60.0
    assert fact_rows.encode_answers(visit.model_dump(mode="json")) == fact_rows.encode(facts)


@pytest.mark.parametrize(
    ("baseline", "now", "percent"),
    [(20, 14, 30.0), (17, 12, 29.4), (12, 6, 50.0), (13, 7, 46.2), (20, 25, -25.0), (0, 0, None), (None, 5, None)],
)
def test_response_is_the_share_of_headache_days_gone(baseline, now, percent):
    assert response_percent(baseline, now) == percent


def test_weeks_and_episodic_months():
    day = date(2026, 12, 1)
    assert [weeks_between(day - timedelta(days=n), day) for n in (76, 77, 83, 84)] == [10, 11, 11, 12]
    assert episodic_months((14, 14, 14)) == 3
    assert episodic_months((14, 15, 14)) == 1
    assert episodic_months((14, None, 3)) == 1
    assert episodic_months((15, 3, 3)) == 0


def looser_return_candidate(folder: Path) -> Path:
    """The clinic's rules with the payer's 50 % read as 40 % (the return file's examples following)."""
    shutil.copytree(RULES, folder)
    path = folder / "returns.yaml"
    text = path.read_text(encoding="utf-8").replace("response_percent >= 50", "response_percent >= 40")
    text = text.replace("response_percent < 50", "response_percent < 40")
    path.write_text(text, encoding="utf-8")
    follow_rules(folder, "returns.yaml")
    manifest = folder / "ruleset.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('version: "', 'version: "candidate-'), "utf-8")
    version = load_version(manifest)
    changelog = folder / "CHANGELOG.yaml"
    entry = f'  - version: "{version}"\n    date: 2026-12-02\n    changes: ["Payer response at 40 %."]\n'
    changelog.write_text(
        changelog.read_text(encoding="utf-8").replace("versions:\n", "versions:\n" + entry, 1), "utf-8"
    )
    return folder


def load_version(manifest: Path) -> str:
    return next(
        line.split('"')[1] for line in manifest.read_text(encoding="utf-8").splitlines() if line.startswith("version:")
    )


def test_the_rule_change_preview_rescreens_return_visits_from_their_stored_facts(
    db: Database, ruleset: RuleSet, tmp_path: Path
):
    first = first_screening(db)
    link = intake.link_return(db, first.reference, BORN)
    visits = {
        "46 %": typical_return(link, migraine_now={"headache_days": 7}, linked={"baseline_headache_days": 13}),
        "60 %": typical_return(link),
        "29 %": typical_return(link, migraine_now={"headache_days": 12}, linked={"baseline_headache_days": 17}),
    }
    references = {intake.submit(db, visit, ruleset).reference: name for name, visit in visits.items()}
    db.config.candidate_rules_root = tmp_path
    looser_return_candidate(tmp_path / "candidate")

    preview = rules_preview.preview_candidate(db, login_as(db, "cleo", Role.clinician), "candidate")

    assert preview.problems == () and preview.screened == 4  # the first screening and three returns
    got = {references[c.reference]: (c.before, c.after, c.added, c.removed) for c in preview.changes}
    assert got == {
        "46 %": (Triage.needs_review, Triage.likely_candidate, ("RV-CONTINUE-MET",), ("RV-PARTIAL",)),
    }


@pytest.mark.parametrize(
    ("percent", "fewer", "cycles", "expected"),
    [
        (29.9, 6, 2, {"RV-BELOW-30"}),
        (30.0, 6, 2, {"RV-PARTIAL"}),
        (49.9, 6, 2, {"RV-PARTIAL"}),
        (50.0, 6, 2, {"RV-CONTINUE-MET"}),
        (20.0, 6, 2, {"RV-BELOW-30"}),
        (20.0, 7, 2, {"RV-CONTINUE-MET", "RV-BELOW-30-PAYER-MET"}),
        (49.9, 7, 2, {"RV-CONTINUE-MET"}),
        (10.0, 2, 1, {"RV-TOO-EARLY"}),
        (10.0, 2, 2, {"RV-BELOW-30"}),
    ],
)
def test_response_rules_at_their_exact_boundaries(db: Database, ruleset: RuleSet, percent, fewer, cycles, expected):
    """The thresholds themselves, to the decimal the response is computed to (the rule files' cases use whole days)."""
    facts = facts_of(typical_return(intake.link_return(db, first_screening(db).reference, BORN)))
    facts |= {"derived.response_percent": percent, "derived.days_fewer": fewer, "course.cycles": cycles}
    assert {flag.id for flag in screen_facts(facts, ruleset).flags} == expected


def test_the_command_line_screens_a_return_visits_answers(ruleset: RuleSet, tmp_path: Path, capsys):
    answers = dict(ruleset.return_case_defaults) | {"effects": {**ruleset.return_case_defaults["effects"]}}
    answers["effects"]["allergic_reaction"] = "yes"
    path = tmp_path / "return.json"
    path.write_text(json.dumps(answers, default=str), encoding="utf-8")
    assert cli.main(["screen", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["triage"] == "not_suitable" and out["flags"][0]["id"] == "RV-ALLERGY"


@pytest.mark.parametrize(
    ("file", "before", "after", "problem"),
    [
        (
            "returns.yaml",
            "when: course.cycles is unknown",
            "when: about.age is unknown",
            "returns.yaml: rule RV-CYCLES-UNKNOWN: about.age is never known on a return visit",
        ),
        (
            "retreatment.yaml",
            "when: toxin.weeks_since_last < 12",
            "when: derived.weeks_since_injection < 12",
            "retreatment.yaml: rule RT-INTERVAL: derived.weeks_since_injection is never known on a first visit",
        ),
    ],
)
def test_a_rule_on_a_fact_its_kind_of_visit_never_has_is_refused(tmp_path: Path, file, before, after, problem):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert before in text
    path.write_text(text.replace(before, after), encoding="utf-8")
    with pytest.raises(RuleSetError) as refused:
        load_ruleset(folder)
    assert any(line.startswith(problem) for line in refused.value.problems), refused.value.problems


def test_a_return_visits_case_shows_the_first_screenings_contact_and_has_its_own_files(db: Database, ruleset):
    """A return visit asks no contact details: staff call the number the first screening gave, and its summary
    names the patient from there. Its FHIR bundle answers the return Questionnaire."""
    first = first_screening(db)
    back = intake.submit(db, typical_return(intake.link_return(db, first.reference, BORN)), ruleset)
    nurse = login_as(db, "nora", Role.clinician)
    given = casework.detail(db, nurse, first.submission_id).contact
    assert given["phone"] and casework.detail(db, nurse, back.submission_id).contact == given
    text = " ".join(PdfReader(io.BytesIO(service.summary(db, nurse, back.reference))).pages[0].extract_text().split())
    assert "Botox return visit" in text and given["name"] in text and given["phone"] in text
    assert f"First screening {first.reference}" in text and "Response against baseline" in text
    assert service.fhir_bundle(db, nurse, back.reference)["entry"][0]["resource"]["identifier"][0]["value"] == (
        back.reference
    )
    assert service.summary(db, nurse, first.reference).startswith(b"%PDF")
    exported = [(target, detail["file"]) for action, target, detail in audit(db) if action == "export"]
    assert exported == [
        (back.reference, "summary.pdf"),
        (back.reference, "fhir-bundle.json"),
        (first.reference, "summary.pdf"),
    ]


def test_analytics_counts_headache_days_of_first_screenings_only(db: Database, ruleset):
    """Likely candidates by headache days describes who comes to the clinic, not how treated patients are doing."""
    first = first_screening(db)
    intake.submit(db, typical_return(intake.link_return(db, first.reference, BORN)), ruleset)  # likely, 8 days
    admin = login_as(db, "ada", Role.admin)
    today = db.now().date()
    figures = analytics.summary(db, admin, today - timedelta(days=1), today + timedelta(days=1))
    assert 8 not in [days for days, _count in figures.headache_days]


def _born_years_ago(years: int, days_later: int = 0) -> date:
    today = date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day + timedelta(days=days_later)


@pytest.mark.parametrize(
    ("born", "age", "flagged"),
    [
        (_born_years_ago(18, days_later=1), 17, True),  # 18 tomorrow: still a child
        (_born_years_ago(18), 18, False),
        (_born_years_ago(2), 2, True),
    ],
    ids=["17", "18", "2"],
)
def test_a_child_treated_for_spasticity_carries_the_boxed_warning_flag_at_a_return_too(
    db: Database, ruleset: RuleSet, born: date, age: int, flagged: bool
):
    """[Label] boxed warning: a child (2-17) on the spasticity pathway carries a flag for the clinician at every
    visit. The return visit's age comes from the first screening's date of birth, kept with the return's answers."""
    answers = patient_for("limb_spasticity")
    answers["about"]["date_of_birth"] = born.isoformat()
    first = intake.submit(db, Submission.model_validate(answers), ruleset)
    link = intake.link_return(db, first.reference, born)
    assert link is not None and link.answers["linked"]["age"] == age
    visit = typical_return(
        link, spasticity_now={"goals_met": "yes", "walking": "better", "hygiene": "same", "pain": "better"}
    )
    receipt = intake.submit(db, visit, ruleset)
    with db.read() as tx:
        flags = [flag["id"] for flag in cases.submission(tx, receipt.submission_id).result["flags"]]
    assert ("RV-SP-CHILD" in flags) is flagged
    rescreened = screen(read_visit(visit.model_dump(mode="json")), ruleset)
    assert ("RV-SP-CHILD" in [flag.id for flag in rescreened.flags]) is flagged
