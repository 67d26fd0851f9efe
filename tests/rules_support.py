"""Candidate rule sets for the rule-change preview tests (service and page) and the advice-grade tests."""

import copy
import shutil
from pathlib import Path
from unittest.mock import patch

import yaml

from screening.answers import Submission
from screening.engine import screen
from screening.facts import QUESTIONNAIRES
from screening.loader import load_ruleset
from screening.rule_files import parse
from screening.ruleset import RuleSet

RULES = Path(__file__).resolve().parent.parent / "rules"


def stricter_candidate(folder: Path) -> Path:
    """The clinic's rules with chronic migraine needing 10 migraine days instead of 8 (its examples following)."""
    shutil.copytree(RULES, folder)
    path = folder / "chronic_migraine.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("migraine_days >= 8", "migraine_days >= 10").replace("migraine_days < 8", "migraine_days < 10")
    path.write_text(text, encoding="utf-8")
    follow_rules(folder, "chronic_migraine.yaml")
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


def follow_rules(folder: Path, name: str) -> None:
    """Rewrite ``name``'s example cases to expect what the changed rules now give.

    The loader refuses a rule without an example case in its own file (a file cut short loses its
    cases), so a candidate rule set keeps its examples, brought up to date, rather than dropping them.
    Each case's answers stay as written; only ``expect`` follows the candidate's rules.
    """
    with patch("screening.loader.case_failures", return_value=[]), patch("screening.loader._check_shown"):
        candidate = load_ruleset(folder)
    path = folder / name
    data = parse(path.read_bytes())
    for spec, case in zip(data["cases"], [c for c in candidate.cases if c.file == name], strict=True):
        result = screen(QUESTIONNAIRES[case.visit].model_validate(case.answers), candidate)
        spec["expect"] = {"triage": result.triage.value, "flags": sorted(flag.id for flag in result.flags)}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
