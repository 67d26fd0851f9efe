"""Candidate rule sets for the rule-change preview tests (service and page) and the advice-grade tests."""

import copy
import shutil
from pathlib import Path

import yaml

from screening.answers import Submission
from screening.ruleset import RuleSet

RULES = Path(__file__).resolve().parent.parent / "rules"


def stricter_candidate(folder: Path) -> Path:
    """The clinic's rules with chronic migraine needing 10 migraine days instead of 8 (its examples dropped)."""
    shutil.copytree(RULES, folder)
    path = folder / "chronic_migraine.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("migraine_days >= 8", "migraine_days >= 10").replace("migraine_days < 8", "migraine_days < 10")
    path.write_text(text[: text.index("\ncases:")] + "\n", encoding="utf-8")
    manifest = folder / "ruleset.yaml"
    version = "candidate-" + yaml.safe_load(manifest.read_text(encoding="utf-8"))["version"]
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('version: "', 'version: "candidate-'), "utf-8")
    changelog = folder / "CHANGELOG.yaml"
    entry = (
        f'  - version: "{version}"\n    date: 2026-12-01\n    changes: ["Chronic migraine needs 10 migraine days."]\n'
    )
    changelog.write_text(
        changelog.read_text(encoding="utf-8").replace("versions:\n", "versions:\n" + entry, 1), "utf-8"
    )
    return folder


def regraded(folder: Path, rule_id: str, advice: str) -> Path:
    """The clinic's rules with one urgent rule's patient advice changed (e.g. ``soon`` to ``emergency``)."""
    shutil.copytree(RULES, folder)
    path = folder / "red_flags.yaml"
    text = path.read_text(encoding="utf-8")
    line = text.index("    advice: ", text.index(f"- id: {rule_id}\n"))
    end = text.index("\n", line)
    path.write_text(f"{text[:line]}    advice: {advice}{text[end:]}", encoding="utf-8")
    return folder


def with_migraine_days(ruleset: RuleSet, days: int, name: str) -> Submission:
    answers = copy.deepcopy(ruleset.case_defaults)
    answers["headache"]["migraine_days"] = days
    answers["contact"]["name"] = name
    return Submission.model_validate(answers)
