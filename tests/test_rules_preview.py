"""The rule-change preview service: candidate folders, the re-screen of stored submissions, its audit.

The expected changes come from the one-submission engine (``screen``) run with the candidate,
so the batch re-screen is checked against the other path, on real SQLite and PostgreSQL.
"""

from pathlib import Path

import pytest
from rule_corpus import BROKEN, broken_folder
from rules_support import stricter_candidate, with_migraine_days
from sqlalchemy import select
from storage_support import login_as, patient

from screening import intake, rules_preview
from screening.answers import Submission
from screening.engine import screen
from screening.loader import load_ruleset
from screening.ruleset import RuleSet
from screening.staff import Role
from screening.storage import Database
from screening.storage.models import AuditRow
from screening.triage import Triage

pytest_plugins = ["db_fixtures"]
RULES = Path(__file__).resolve().parent.parent / "rules"


def store(db: Database, ruleset: RuleSet) -> dict[str, Submission]:
    """A mix of patients: the ones with 8 or 9 migraine days are the ones the candidate should move."""
    patients = [
        with_migraine_days(ruleset, 9, "Nine Days"),
        with_migraine_days(ruleset, 8, "Eight Days"),
        with_migraine_days(ruleset, 12, "Twelve Days"),
        patient(ruleset, Triage.urgent),
        patient(ruleset, Triage.unlikely),
        patient(ruleset, Triage.not_suitable),
    ]
    return {intake.submit(db, p, ruleset).reference: p for p in patients}


def settings_root(db: Database, root: Path) -> None:
    db.config.candidate_rules_root = root


def test_the_preview_lists_exactly_the_submissions_whose_triage_changes(
    db: Database, ruleset: RuleSet, tmp_path: Path
) -> None:
    stored = store(db, ruleset)
    settings_root(db, tmp_path)
    candidate_folder = stricter_candidate(tmp_path / "candidate")
    candidate = load_ruleset(candidate_folder)
    me = login_as(db, "cleo", Role.clinician)

    preview = rules_preview.preview_candidate(db, me, "candidate")

    assert preview.problems == ()
    assert preview.candidate is not None and preview.candidate.ref.version.startswith("candidate-")
    expected = {}
    for reference, submission in stored.items():
        before, after = screen(submission, ruleset), screen(submission, candidate)
        if before.triage != after.triage:
            old, new = {f.id for f in before.flags}, {f.id for f in after.flags}
            expected[reference] = (before.triage, after.triage, tuple(sorted(new - old)), tuple(sorted(old - new)))
    got = {c.reference: (c.before, c.after, c.added, c.removed) for c in preview.changes}
    assert got == expected
    assert {screen(stored[r], candidate).triage for r in got} == {Triage.needs_review}
    assert len(got) == 2, "the patients with 8 and 9 migraine days"
    assert preview.screened == len(stored)
    assert preview.before[Triage.likely_candidate] - preview.after[Triage.likely_candidate] == 2
    with db.session() as tx:
        row = tx.scalars(select(AuditRow).where(AuditRow.action == "rules_preview")).one()
    assert row.username == "cleo" and row.detail["changed"] == 2 and row.detail["screened"] == len(stored)


def test_a_broken_candidate_shows_the_loaders_problems_and_rescreens_nothing(
    db: Database, ruleset: RuleSet, tmp_path: Path
) -> None:
    store(db, ruleset)
    settings_root(db, tmp_path)
    folder = stricter_candidate(tmp_path / "broken")
    path = folder / "red_flags.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("red_flags.thunderclap", "red_flags.thunderklap"))
    preview = rules_preview.preview_candidate(db, login_as(db, "ada", Role.admin), str(folder))
    assert preview.candidate is None and preview.changes == () and preview.screened == 0
    assert any("RF-THUNDERCLAP" in problem and "thunderklap" in problem for problem in preview.problems)


@pytest.mark.parametrize("typed", ["../", "/etc", "candidate/../../outside", "", "nowhere"])
def test_only_folders_inside_the_configured_root_are_read(tmp_path: Path, typed: str) -> None:
    root = tmp_path / "root"
    (root / "candidate").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    with pytest.raises(ValueError):
        rules_preview.resolve_candidate(typed, root.resolve())


def test_a_link_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "sneaky").symlink_to(RULES)
    with pytest.raises(ValueError, match="must be inside"):
        rules_preview.resolve_candidate("sneaky", root.resolve())
    assert rules_preview.resolve_candidate(str(root / "."), root.resolve()) == root.resolve()


def test_intake_staff_may_neither_read_the_rules_nor_preview(db: Database, ruleset: RuleSet, tmp_path: Path) -> None:
    me = login_as(db, "ivy", Role.intake)
    with pytest.raises(PermissionError):
        rules_preview.record_rules_view(db, me, ruleset)
    with pytest.raises(PermissionError):
        rules_preview.preview_candidate(db, me, str(tmp_path))


# --- links, sizes and what a refusal may say --------------------------------------------------------


def refused_problems(db: Database, tmp_path: Path, typed: str) -> tuple[str, ...]:
    settings_root(db, tmp_path)
    preview = rules_preview.preview_candidate(db, login_as(db, "cleo", Role.clinician), typed)
    assert preview.candidate is None and preview.screened == 0
    return preview.problems


def test_a_file_linked_out_of_the_root_is_refused_and_its_text_never_shown(db: Database, tmp_path: Path) -> None:
    """The attack: red_flags.yaml linked to a file outside the root, whose YAML error quoted the file on the page."""
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("root:$6$very-secret-hash:19000:0:99999:7:::\n[broken", encoding="utf-8")
    folder = stricter_candidate(tmp_path / "candidate")
    (folder / "red_flags.yaml").unlink()
    (folder / "red_flags.yaml").symlink_to(outside)
    problems = refused_problems(db, tmp_path, "candidate")
    assert "red_flags.yaml: is a link; a rule file must be a plain file inside the rules folder itself" in problems
    assert not any("secret" in p or "root:" in p for p in problems)


def test_a_yaml_error_shows_its_location_and_not_the_files_text(db: Database, tmp_path: Path) -> None:
    folder = stricter_candidate(tmp_path / "candidate")
    (folder / "extra.yaml").write_text("rules:\n  - id: X\n    title: 'api-key-1234\n", encoding="utf-8")
    (problem,) = refused_problems(db, tmp_path, "candidate")
    assert problem.startswith(
        "extra.yaml: not valid YAML at line 4, column 1: while scanning a quoted scalar (from line 3, column 12)"
    )
    assert "api-key" not in problem


@pytest.mark.parametrize("name", ["alias-bomb", "link-to-dev-zero", "huge-file", "fifo", "utf-16", "not-1000-deep"])
def test_the_broken_folder_corpus_is_refused_by_the_preview(db: Database, tmp_path: Path, name: str) -> None:
    broken_folder(tmp_path, name)
    problems = refused_problems(db, tmp_path, name)
    for part in BROKEN[name].says:
        assert any(part in p for p in problems), (part, problems)


def test_a_candidate_folder_that_is_a_link_loop_is_refused_in_words(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(ValueError, match="a link that leads back to itself"):
        rules_preview.resolve_candidate("loop", tmp_path.resolve())
