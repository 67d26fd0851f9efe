"""Loader refusals: each mistake a clinician can make in a rule file refuses the whole set, and says where.

Every test copies ``rules/`` into a temporary folder, breaks one thing, and checks that
``load_ruleset`` returns nothing (it raises) with the file, the rule id or case, and the
problem in the message.
"""

import re
import shutil
from pathlib import Path
from textwrap import dedent, indent

import pytest
from core_support import RULES

from screening.loader import RuleSetError, load_ruleset
from screening.rule_files import parse
from screening.triage import Triage


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    return copy


def extra_rule(folder: Path, when: str, *, explain: str = "A test rule.", rule_id: str = "X-TEST") -> None:
    """Add one rule in a file of its own; ``when`` is YAML for the condition, indented as a mapping value."""
    (folder / "extra.yaml").write_text(
        dedent(f"""\
            rules:
              - id: {rule_id}
                title: A rule for the test
                when: {when}
                triage: needs_review
                severity: info
                source: Test
                explain: "{explain}"
            """),
        encoding="utf-8",
    )


def refused(folder: Path) -> str:
    """The refusal message; fails the test if the folder loads."""
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(folder)
    return str(caught.value)


def assert_says(message: str, *parts: str) -> None:
    for part in parts:
        assert part in message, f"{part!r} not in:\n{message}"


def test_the_clinic_rules_load(folder):
    assert len(load_ruleset(folder).rules) > 40


def test_malformed_yaml(folder):
    (folder / "extra.yaml").write_text("rules:\n  - id: X-TEST\n    when: [unclosed\n", encoding="utf-8")
    assert_says(refused(folder), "extra.yaml", "not valid YAML")


def test_unknown_top_level_key(folder):
    (folder / "extra.yaml").write_text("rulez: []\n", encoding="utf-8")
    assert_says(refused(folder), "extra.yaml", "rulez", "Extra inputs are not permitted")


def test_unknown_key_in_a_rule(folder):
    text = (folder / "retreatment.yaml").read_text(encoding="utf-8")
    (folder / "retreatment.yaml").write_text(text.replace("severity: warning", "severty: warning", 1), "utf-8")
    assert_says(refused(folder), "retreatment.yaml: rule RT-INTERVAL: rules.0.severty: Extra inputs are not permitted")


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        ("headache.headach_days >= 15", "unknown fact 'headache.headach_days'"),
        (
            "migraine.headache_days >= 15",
            "unknown fact 'migraine.headache_days' (did you mean headache.headache_days?)",
        ),
        ("headache.headache_days >= many", "headache.headache_days is a number; 'many' is not"),
        ("safety.toxin_allergy == 1", "1.0 is not an option of safety.toxin_allergy"),
        (
            "safety.toxin_allergy == maybe",
            "'maybe' is not an option of safety.toxin_allergy (options: yes, no, not_sure)",
        ),
        ("safety.toxin_allergy in [yes, perhaps]", "'perhaps' is not an option of safety.toxin_allergy"),
        ("safety.toxin_allergy > yes", "safety.toxin_allergy is a choice; '>' compares numbers only"),
        ("safety.toxin_allergy in yes", "'in' needs a list"),
        ("safety.toxin_allergy == [yes, no]", "'==' compares with one option; use 'in' for a list"),
        ("headache.headache_days in 5", "'in' needs options, but headache.headache_days is a number"),
        ("headache.headache_days in [1, 2]", "malformed list '[1, 2]'"),
        ("headache.headache_days > 31", "can never hold: headache.headache_days is between 0 and 31"),
        ("about.age < 0", "can never hold"),
        ("headache.headache_days is 3", "'is' is only used as 'is unknown'"),
        ("derived.classes_tried_names == none", "text for explanations; rules cannot compare it"),
        ("headache.headache_days >== 15", "cannot read"),
        ("'{all: [headache.headache_days >= 20, headache.headache_days < 10]}'", "'all' can never hold"),
        ("{either: [headache.headache_days >= 20]}", "unknown operator 'either': use all, any or not"),
        ("{all: []}", "'all' needs a non-empty list"),
    ],
)
def test_a_bad_condition_is_refused_with_file_rule_and_problem(folder, when, problem):
    extra_rule(folder, when.strip("'"))
    assert_says(refused(folder), "extra.yaml: rule X-TEST:", problem)


def test_unknown_placeholder_in_the_explanation(folder):
    extra_rule(folder, "headache.headache_days >= 20", explain="{headache.headache_day} days")
    assert_says(refused(folder), "extra.yaml: rule X-TEST", "unknown fact(s) headache.headache_day")


def test_duplicate_id_across_files(folder):
    extra_rule(folder, "headache.headache_days >= 20", rule_id="CM-LIKELY")
    assert_says(refused(folder), "extra.yaml: rule CM-LIKELY: duplicate id (also in chronic_migraine.yaml)")


def test_badly_formed_rule_id(folder):
    extra_rule(folder, "headache.headache_days >= 20", rule_id="lower-case")
    assert_says(refused(folder), "extra.yaml: rule lower-case: rules.0.id: String should match pattern")


def test_missing_manifest(folder):
    (folder / "ruleset.yaml").unlink()
    assert_says(refused(folder), "no ruleset.yaml")


def test_not_a_folder(tmp_path):
    assert_says(refused(tmp_path / "nowhere"), "not a folder")


def add_case(folder: Path, case_yaml: str) -> None:
    text = (folder / "retreatment.yaml").read_text(encoding="utf-8")
    (folder / "retreatment.yaml").write_text(text + indent(dedent(case_yaml), "  "), encoding="utf-8")


def test_a_case_with_invalid_answers(folder):
    add_case(
        folder,
        """\
        - name: impossible headache days
          answers: {headache: {headache_days: 40}}
          expect: {triage: likely_candidate, flags: [CM-LIKELY]}
        """,
    )
    assert_says(refused(folder), "retreatment.yaml: case 'impossible headache days'", "headache.headache_days", "31")


def test_a_case_expecting_an_unknown_rule(folder):
    add_case(
        folder,
        """\
        - name: expects a rule that is not there
          expect: {triage: likely_candidate, flags: [CM-LIKELY, NO-SUCH-RULE]}
        """,
    )
    assert_says(refused(folder), "retreatment.yaml: case 'expects a rule that is not there'", "NO-SUCH-RULE")


def test_a_failing_case_refuses_the_whole_set(folder):
    add_case(
        folder,
        """\
        - name: typical patient wrongly expected unlikely
          expect: {triage: unlikely, flags: []}
        """,
    )
    assert_says(
        refused(folder),
        "retreatment.yaml: case 'typical patient wrongly expected unlikely'",
        "expected unlikely with []",
        "got likely_candidate with [CM-LIKELY]",
    )


def test_a_rule_change_that_breaks_another_files_case_is_refused(folder):
    """Changing the threshold in one file must not half-apply: the boundary cases elsewhere catch it."""
    path = folder / "chronic_migraine.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("headache.headache_days >= 15", "headache.headache_days >= 16"),
        "utf-8",
    )
    assert_says(refused(folder), "chronic_migraine.yaml: case '15 headache days meets the threshold'")


def test_every_problem_in_every_file_is_listed(folder):
    extra_rule(folder, "safety.toxin_allergy == maybe")
    (folder / "broken.yaml").write_text("rules: [\n", encoding="utf-8")
    message = refused(folder)
    assert_says(message, "extra.yaml: rule X-TEST", "broken.yaml: not valid YAML")


def test_a_missing_manifest_field(folder):
    path = folder / "ruleset.yaml"
    path.write_text(re.sub(r'version: "[^"]+"', "", path.read_text(encoding="utf-8")), "utf-8")
    assert_says(refused(folder), "ruleset.yaml", "version", "Field required")


def test_the_hash_changes_with_any_rule_file_and_the_version_is_the_declared_one(folder):
    before = load_ruleset(folder).ref
    path = folder / "retreatment.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    after = load_ruleset(folder).ref
    declared = re.search(r'^version: "(.+)"$', (folder / "ruleset.yaml").read_text(encoding="utf-8"), re.M)
    assert declared is not None
    assert before.version == after.version == declared[1]
    assert before.hash != after.hash and len(after.hash) == 64


def test_a_folder_with_only_the_manifest_is_refused_for_what_it_requires(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(RULES / "ruleset.yaml", folder)
    assert_says(
        refused(folder),
        "ruleset.yaml: requires red_flags.yaml, which is missing or was refused",
        "ruleset.yaml: requires contraindications.yaml, which is missing or was refused",
        "ruleset.yaml: requires rule RF-THUNDERCLAP, which is missing or was refused",
    )


def test_a_misspelt_key_in_a_case_names_the_case(folder):
    add_case(
        folder,
        """\
        - name: misspelt expectation
          expected: {triage: likely_candidate, flags: [CM-LIKELY]}
        """,
    )
    assert_says(refused(folder), "retreatment.yaml: case 'misspelt expectation': cases.", "expected", "not permitted")


# --- rule-set safety: what the set cannot be without ----------------------------------------------


def test_emptying_red_flags_refuses_the_set(folder):
    """The attack that found this: an empty red_flags.yaml passed, and a thunderclap headache became a candidate."""
    (folder / "red_flags.yaml").write_text("", encoding="utf-8")
    assert_says(
        refused(folder),
        "red_flags.yaml: is empty",
        "ruleset.yaml: requires red_flags.yaml, which is missing or was refused",
        "ruleset.yaml: requires rule RF-THUNDERCLAP, which is missing or was refused",
    )


def test_deleting_a_required_file_refuses_the_set(folder):
    (folder / "contraindications.yaml").unlink()
    assert_says(
        refused(folder),
        "ruleset.yaml: requires contraindications.yaml, which is missing or was refused",
        "ruleset.yaml: requires rule CI-HYPERSENSITIVITY, which is missing or was refused",
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "extra.yaml: is empty"),
        ("# only a comment\n\n", "extra.yaml: is empty"),
        ("rules: []\ncases: []\n", "extra.yaml: holds no rules and no cases"),
        ("{}\n", "extra.yaml: holds no rules and no cases"),
    ],
)
def test_an_empty_rule_file_is_refused(folder, text, problem):
    (folder / "extra.yaml").write_text(text, encoding="utf-8")
    assert_says(refused(folder), problem)


def test_a_required_file_with_only_cases_is_refused(folder):
    path = folder / "red_flags.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[text.index("cases:") :], encoding="utf-8")
    assert_says(refused(folder), "red_flags.yaml: holds no rules, but ruleset.yaml requires it")


def test_a_required_rule_made_flag_only_is_refused(folder):
    path = folder / "red_flags.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("id: RF-THUNDERCLAP")
    flag_only = text[start:].replace("    triage: urgent\n", "", 1).replace("    advice: emergency\n", "", 1)
    path.write_text(text[:start] + flag_only, encoding="utf-8")  # advice too: only urgent rules give it
    assert_says(
        refused(folder), "red_flags.yaml: rule RF-THUNDERCLAP: ruleset.yaml requires it to give urgent; it gives no"
    )


def test_a_required_rule_moved_to_another_file_still_counts(folder):
    red = folder / "red_flags.yaml"
    text = red.read_text(encoding="utf-8")
    start = text.index("  - id: RF-THUNDERCLAP")
    end = text.index("  - id: RF-NEURO")
    case_start = text.index("  - name: thunderclap headache is urgent")
    case_end = text.index("  - name:", case_start + 1)
    red.write_text(text[:start] + text[end:case_start] + text[case_end:], encoding="utf-8")
    moved = "rules:\n" + text[start:end] + "cases:\n" + text[case_start:case_end]
    (folder / "thunderclap.yaml").write_text(moved, encoding="utf-8")
    assert any(r.id == "RF-THUNDERCLAP" and r.file == "thunderclap.yaml" for r in load_ruleset(folder).rules)


@pytest.mark.parametrize("cut", ["requires:", "  rules:\n"])
def test_a_manifest_without_its_requirements_is_refused(folder, cut):
    path = folder / "ruleset.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(cut)
    end = text.index("\n\n", start) if cut == "requires:" else text.index("case_defaults:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    message = refused(folder)
    assert_says(message, "ruleset.yaml: requires", "Field required")


def test_a_duplicate_key_is_refused_at_its_line(folder):
    """YAML keeps the last of two keys; a second ``when`` would silently replace the first."""
    path = folder / "red_flags.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "    when: red_flags.thunderclap == yes\n",
            "    when: red_flags.thunderclap == yes\n    when: red_flags.thunderclap == not_sure\n",
        ),
        encoding="utf-8",
    )
    line = text[: text.index("    when: red_flags.thunderclap")].count("\n") + 2
    assert_says(
        refused(folder),
        f"red_flags.yaml: not valid YAML at line {line}, column 5: a key repeated in the same mapping "
        f"(first at line {line - 1})",
    )


def test_a_duplicate_top_level_key_is_refused(folder):
    path = folder / "retreatment.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "rules: []\n", encoding="utf-8")
    assert_says(refused(folder), "retreatment.yaml: not valid YAML at line", "a key repeated in the same mapping")


def _cut_at(folder: Path, marker: str) -> None:
    """red_flags.yaml as if a copy or a save stopped just after ``marker``."""
    path = folder / "red_flags.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index(marker) + len(marker)], encoding="utf-8")


def test_a_file_cut_off_inside_a_quoted_explanation_is_a_yaml_error_at_its_line(folder):
    _cut_at(folder, 'explain: "Reported new weakness')
    assert_says(refused(folder), "red_flags.yaml: not valid YAML at line", "found unexpected end of stream")


def test_a_file_cut_off_after_a_rules_title_names_the_rule_and_what_it_lacks(folder):
    _cut_at(folder, "title: New kind of headache, or steadily getting worse\n")
    message = refused(folder)
    for missing in ("when", "severity", "source", "explain"):
        assert_says(message, f"red_flags.yaml: rule RF-PATTERN-CHANGE: rules.9.{missing}: Field required")


def test_a_file_cut_off_inside_a_condition_names_the_rule(folder):
    _cut_at(folder, "when: red_flags.neuro_def")
    assert_says(refused(folder), "red_flags.yaml: rule RF-NEURO:")


@pytest.mark.parametrize(
    ("file", "cut", "unshown"),
    [
        ("red_flags.yaml", "  - id: RF-UNSURE", "RF-THUNDERCLAP"),
        ("red_flags.yaml", "cases:", "RF-UNSURE"),
        ("chronic_migraine.yaml", "  - id: CM-UNDER-18", "CM-LIKELY"),  # a 17-year-old would be a likely candidate
        ("other_indications.yaml", "  - id: SP-CHILD", "CD-LIKELY"),  # a child's boxed warning would go
    ],
)
def test_a_file_cut_off_between_two_rules_is_refused_for_the_rules_left_without_cases(folder, file, cut, unshown):
    """Cut at a rule's start, the file is still valid YAML with no required rule missing, but its later rules
    and all its cases are gone."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index(cut)], encoding="utf-8")
    assert_says(refused(folder), f"{file}: rule {unshown}: no example case in this file expects it")


def test_a_warning_sign_file_cut_off_before_a_required_rule_names_the_rule(folder):
    path = folder / "red_flags.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - id: RF-FEVER-NECK")], encoding="utf-8")
    assert_says(refused(folder), "ruleset.yaml: requires rule RF-FEVER-NECK, which is missing or was refused")


def test_a_file_cut_off_among_its_cases_is_refused_for_the_rule_it_no_longer_shows(folder):
    path = folder / "red_flags.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  - name: not sure about a warning sign needs review")], encoding="utf-8")
    assert_says(refused(folder), "red_flags.yaml: rule RF-UNSURE: no example case in this file expects it")


def test_a_new_rule_without_an_example_case_is_refused(folder):
    extra_rule(folder, "about.age > 119")
    assert_says(refused(folder), "extra.yaml: rule X-TEST: no example case in this file expects it")


@pytest.mark.parametrize(
    ("requires", "problem"),
    [
        ("requires: {files: [], rules: {RF-THUNDERCLAP: urgent}}", "requires.files: List should have at least 1 item"),
        ("requires: {files: [red_flags.yaml], rules: {}}", "requires.rules: Dictionary should have at least 1 item"),
        ("requires: {files: [red_flags.yaml], rules: {RF-THUNDERCLAP: soon}}", "requires.rules.RF-THUNDERCLAP: Input"),
    ],
)
def test_requirements_that_ask_for_nothing_or_nonsense_are_refused(folder, requires, problem):
    path = folder / "ruleset.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("requires:"), text.index("\n\n", text.index("requires:"))
    path.write_text(text[:start] + requires + text[end:], encoding="utf-8")
    assert_says(refused(folder), f"ruleset.yaml: {problem}")


def test_the_clinic_set_requires_every_warning_sign_and_every_contraindication(folder):
    """[Red flags] every warning sign is urgent; [Label] contraindications exclude: none may go by a rule file alone."""
    ruleset = load_ruleset(folder)
    must = {rule.id: rule.triage for rule in ruleset.rules if rule.triage in (Triage.urgent, Triage.not_suitable)}
    declared = parse((folder / "ruleset.yaml").read_bytes())["requires"]["rules"]
    assert {rule_id: Triage(triage) for rule_id, triage in declared.items()} == must
