"""The rule set's changelog (rules/CHANGELOG.yaml): every declared version has its entry, or the set is refused."""

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from core_support import RULES

from screening.loader import CHANGELOG, RuleSetError, load_ruleset


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(RULES, tmp_path / "rules")
    return tmp_path / "rules"


def refusal(folder: Path) -> list[str]:
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(folder)
    return caught.value.problems


def bump(folder: Path, version: str) -> None:
    manifest = folder / "ruleset.yaml"
    declared = re.sub(r'^version: ".*"$', f'version: "{version}"', manifest.read_text("utf-8"), count=1, flags=re.M)
    manifest.write_text(declared, "utf-8")


def entry(version: str, day: str, *changes: str) -> str:
    lines = "".join(f'      - "{change}"\n' for change in changes)
    return f'  - version: "{version}"\n    date: {day}\n    changes:\n{lines}'


def with_entry(folder: Path, text: str) -> None:
    path = folder / CHANGELOG
    path.write_text(path.read_text("utf-8").replace("versions:\n", "versions:\n" + text, 1), "utf-8")


def test_the_clinic_rule_set_carries_its_changelog_newest_first():
    ruleset = load_ruleset(RULES)
    assert ruleset.ref.version in [note.version for note in ruleset.changelog]
    days = [note.day for note in ruleset.changelog]
    assert days == sorted(days, reverse=True) and days[-1] == date(2026, 11, 25)
    assert all(note.changes for note in ruleset.changelog)


def test_a_bumped_version_without_an_entry_is_refused_then_loads_with_one(folder: Path):
    bump(folder, "2027.1.1")
    assert refusal(folder) == [
        "CHANGELOG.yaml: no entry for version 2027.1.1, the version ruleset.yaml declares; "
        "add it with its date and what changed"
    ]
    with_entry(folder, entry("2027.1.1", "2027-01-04", "Thunderclap wording clarified."))
    ruleset = load_ruleset(folder)
    assert ruleset.ref.version == ruleset.changelog[0].version == "2027.1.1"
    assert ruleset.changelog[0].changes == ("Thunderclap wording clarified.",)


def test_a_missing_changelog_is_refused(folder: Path):
    (folder / CHANGELOG).unlink()
    assert refusal(folder) == ["no CHANGELOG.yaml: each rule-set version needs an entry there (version, date, changes)"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (entry("2026.11.1", "2026-11-30", "Again."), "CHANGELOG.yaml: version 2026.11.1 has more than one entry"),
        ('  - version: "9"\n    date: 2026-11-30\n    changes: []\n', "changes: List should have at least 1 item"),
        ('  - version: "9"\n    date: 2026-11-30\n    changes: ["  "]\n', "each change is a sentence"),
        ('  - version: "9"\n    date: someday\n    changes: [x]\n', "date: Input should be a valid date"),
        ('  - version: "9"\n    date: 2026-11-30\n    changes: [x]\n    author: me\n', "author: Extra inputs"),
    ],
)
def test_a_malformed_entry_is_refused_with_the_file_and_the_problem(folder: Path, text: str, says: str):
    with_entry(folder, text)
    problems = refusal(folder)
    assert any(p.startswith("CHANGELOG.yaml") and says in p for p in problems), problems


def test_the_changelog_is_not_part_of_the_rules_hash(folder: Path):
    before = load_ruleset(folder).ref.hash
    with_entry(folder, entry("2026.10.1", "2026-10-01", "An older note written down late."))
    assert load_ruleset(folder).ref.hash == before == load_ruleset(RULES).ref.hash
