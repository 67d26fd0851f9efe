"""``python -m screening`` run as a real process: output shape, exit codes, another rule folder."""

import contextlib
import copy
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from core_support import RULES, run_cli
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from screening.cli import main
from screening.conditions import compile_condition
from screening.loader import load_ruleset


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


def test_rules_check_prints_rules_and_cases_per_file(ruleset):
    rows = {line.split()[0]: line.split()[1:] for line in run_cli("rules", "check").stdout.splitlines()[2:-1]}
    files = sorted({rule.file for rule in ruleset.rules})
    assert list(rows) == [*files, "total"]
    for name in files:
        counts = [sum(r.file == name for r in ruleset.rules), sum(c.file == name for c in ruleset.cases)]
        assert rows[name] == [str(n) for n in counts]
    assert rows["total"] == [str(len(ruleset.rules)), str(len(ruleset.cases))]


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


def test_screen_uses_another_rule_folder(tmp_path, answers_file, ruleset):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    for path in (folder / "ruleset.yaml", folder / "CHANGELOG.yaml"):  # a new version comes with its entry
        path.write_text(path.read_text(encoding="utf-8").replace(f'"{ruleset.ref.version}"', '"test-9"'), "utf-8")
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


# --- input that is not answers: exit 2 and JSON, never a traceback ---------------------------------


def screen_in_process(raw: bytes, folder: Path) -> tuple[int, str, str]:
    """``main(["screen", file])`` in this process on a file holding ``raw``: exit code, stdout, stderr."""
    path = folder / "input.json"
    path.write_bytes(raw)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["screen", str(path)])
    return code, out.getvalue(), err.getvalue()


def assert_json_answer(code: int, out: str, err: str) -> None:
    """Exit 0 prints a result; exit 2 prints ``{"errors": [...]}`` on one stream; nothing else is allowed."""
    assert code in (0, 2), (code, out, err)
    if code == 0:
        assert json.loads(out)["triage"] and err == ""
        return
    (printed,) = [text for text in (out, err) if text]
    errors = json.loads(printed)["errors"]
    assert errors and all(set(e) == {"field", "message"} and e["message"] for e in errors)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"about": {"age": ' + b"9" * 5000 + b"}}", "a number longer than 30 digits"),
        (b'{"about": {"age": -' + b"9" * 5000 + b"}}", "a number longer than 30 digits"),
        (b'{"contact": {"name": "Jos\xe9"}}', "not UTF-8 text (at byte offset 25)"),
        ('{"a": 1}'.encode("utf-16"), "not UTF-8 text"),
        (b'{"about": {"age": NaN}}', "NaN is not a JSON number"),
        (b"{not json", "not JSON (line 1, column 2"),
        (b" " * 1_000_001, "more than 1,000,000 bytes"),
    ],
    ids=["deep", "5000-digits", "negative-digits", "latin-1", "utf-16", "nan", "not-json", "huge"],
)
def test_input_that_is_not_answers_exits_2_with_a_json_error(tmp_path, raw, says):
    code, out, err = screen_in_process(raw, tmp_path)
    assert (code, out) == (2, "")
    (error,) = json.loads(err)["errors"]
    assert error["field"] == "" and error["message"].startswith("cannot read input: ")
    assert says in error["message"]


def test_a_deep_structure_inside_the_answers_is_a_field_error(tmp_path, typical):
    deep: object = "x"
    for _ in range(300):
        deep = {"a": [deep]}
    typical["about"]["age"] = deep
    code, out, err = screen_in_process(json.dumps(typical).encode(), tmp_path)
    assert (code, err) == (2, "")
    assert [e["field"] for e in json.loads(out)["errors"]] == ["about.age"]


def test_the_real_process_says_the_same(tmp_path):
    (tmp_path / "deep.json").write_bytes(b"[" * 50_000)
    done = run_cli("screen", str(tmp_path / "deep.json"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert json.loads(done.stderr)["errors"][0]["message"] == "cannot read input: nested too deeply to be answers"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=30,
)
SECTIONS = ["about", "seeking", "red_flags", "headache", "treatments", "toxin", "safety", "contact", "extra"]


def _mutated(value: object, section: str, field: str, drop: bool) -> bytes:
    answers = copy.deepcopy(CASE_DEFAULTS)
    target = answers.setdefault(section, {})
    if not isinstance(target, dict) or drop:
        answers.pop(section, None)
    else:
        target[field or next(iter(target), "x")] = value
    return json.dumps(answers).encode()


CASE_DEFAULTS = load_ruleset(RULES).case_defaults
FUZZ_INPUTS = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.builds(lambda n, inner: b"[" * n + inner + b"]" * n, st.integers(0, 5000), st.sampled_from([b"1", b"", b"{"])),
    st.builds(_mutated, JSON_VALUES, st.sampled_from(SECTIONS), st.text(max_size=12), st.booleans()),
    st.builds(
        _mutated,
        st.integers(-1, 40),
        st.just("headache"),
        st.sampled_from(["headache_days", "acute_days"]),
        st.just(False),
    ),
    st.builds(
        _mutated,
        st.sampled_from(["yes", "no", "not_sure"]),
        st.just("red_flags"),
        st.sampled_from(list(CASE_DEFAULTS["red_flags"])),
        st.just(False),
    ),
    st.text(max_size=60).map(lambda text: text.encode("utf-16")),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(raw=FUZZ_INPUTS)
def test_fuzzed_input_always_gets_exit_0_or_2_and_json(raw):
    with tempfile.TemporaryDirectory() as folder:
        code, out, err = screen_in_process(raw, Path(folder))
    event(f"exit {code}")
    assert_json_answer(code, out, err)
