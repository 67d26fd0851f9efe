"""``python -m screening`` run as a real process: output shape, exit codes, another rule folder."""

import json
import shutil

import pytest
from core_support import RULES, run_cli

from screening.conditions import compile_condition


@pytest.fixture
def answers_file(tmp_path, typical):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(typical), encoding="utf-8")
    return path


def check_result_shape(out: dict, ruleset) -> None:
    assert set(out) == {"triage", "flags", "ruleset"}
    assert out["ruleset"]["version"] == ruleset.ref.version
    assert out["ruleset"]["hash"] == ruleset.ref.hash
    for flag in out["flags"]:
        assert set(flag) == {"id", "title", "severity", "reason", "source"}


def test_screen_a_file(answers_file, ruleset):
    done = run_cli("screen", str(answers_file))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    check_result_shape(out, ruleset)
    assert out["triage"] == "likely_candidate"
    (flag,) = out["flags"]
    assert flag["id"] == "CM-LIKELY"
    assert "20 headache days a month" in flag["reason"]
    assert flag["source"].startswith("ICHD-3 1.3")


def test_screen_stdin(typical, ruleset):
    typical["red_flags"]["thunderclap"] = "yes"
    done = run_cli("screen", "-", stdin=json.dumps(typical))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    check_result_shape(out, ruleset)
    assert out["triage"] == "urgent"
    assert out["flags"][0]["id"] == "RF-THUNDERCLAP"
    assert out["flags"][0]["severity"] == "critical"


def test_screen_with_trace(answers_file, ruleset):
    done = run_cli("screen", str(answers_file), "--trace")
    out = json.loads(done.stdout)
    assert [t["rule"] for t in out["trace"]] == [r.id for r in ruleset.rules]
    likely = next(t for t in out["trace"] if t["rule"] == "CM-LIKELY")
    assert likely["fired"] is True
    assert {"condition": "headache.headache_days >= 15", "value": 20, "held": True} in likely["conditions"]


def test_invalid_answers_exit_2_with_field_errors(typical):
    typical["headache"]["migraine_days"] = 25
    typical["contact"]["consent_contact"] = False
    done = run_cli("screen", "-", stdin=json.dumps(typical))
    assert done.returncode == 2
    errors = {e["field"]: e["message"] for e in json.loads(done.stdout)["errors"]}
    assert set(errors) == {"headache.migraine_days", "contact.consent_contact"}
    assert errors["headache.migraine_days"] == "Migraine days (25) cannot be more than headache days (20)."


def test_unreadable_input_exits_2():
    done = run_cli("screen", "-", stdin="{not json")
    assert done.returncode == 2
    assert "cannot read input" in json.loads(done.stderr)["errors"][0]["message"]


def test_rules_check_passes_on_the_clinic_rules(ruleset):
    done = run_cli("rules", "check")
    assert done.returncode == 0, done.stderr
    assert f"{len(ruleset.rules)} rules, {len(ruleset.cases)} cases passed" in done.stdout
    assert ruleset.ref.version in done.stdout


def test_rules_check_fails_clearly_on_a_broken_folder(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    path = folder / "red_flags.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("red_flags.thunderclap == yes", "red_flags.thunderclap == si"), "utf-8"
    )
    done = run_cli("rules", "check", "--rules", str(folder))
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Rule set refused" in done.stderr
    assert "red_flags.yaml: rule RF-THUNDERCLAP: 'si' is not an option of red_flags.thunderclap" in done.stderr


def test_screen_uses_another_rule_folder(tmp_path, answers_file):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    manifest = folder / "ruleset.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"2026.12.1"', '"test-9"'), "utf-8")
    done = run_cli("screen", str(answers_file), "--rules", str(folder))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ruleset"]["version"] == "test-9"


def test_rules_show_prints_every_rule_with_nested_conditions(ruleset):
    done = run_cli("rules", "show")
    assert done.returncode == 0, done.stderr
    for rule in ruleset.rules:
        assert f"\n{rule.id}: {rule.title}\n" in done.stdout
    interval = done.stdout[done.stdout.index("RT-INTERVAL-UNKNOWN:") :]
    assert (
        "    any of:\n"
        "      toxin.prior_toxin == not_sure\n"
        "      all of:\n"
        "        toxin.prior_toxin == yes\n"
        "        toxin.weeks_since_last is unknown\n"
    ) in interval


def test_describe_indents_every_level_of_all_any_not():
    condition = compile_condition(
        {"all": ["derived.pathway == headache", {"not": {"any": ["about.age < 18", "about.sex == male"]}}]}
    )
    assert condition.describe() == [
        "all of:",
        "  derived.pathway == headache",
        "  not:",
        "    any of:",
        "      about.age < 18",
        "      about.sex == male",
    ]
