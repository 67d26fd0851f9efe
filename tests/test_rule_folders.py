"""Broken and hostile rule folders: each refused at once with a message naming the file, never a traceback or a hang.

Each case copies ``rules/`` into a temporary folder and breaks it one way (an alias bomb,
conditions nested hundreds deep, files that are not UTF-8, links, a folder named like a
rule file, a link to /dev/zero, a huge file). Speed is measured by ``python -m bench
rule_folders``; here a generous bound (10 s for what takes milliseconds) only catches a hang.
"""

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from core_support import RULES, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule_corpus import BROKEN, broken_folder

from screening.loader import RuleSetError, load_ruleset
from screening.rule_files import MAX_FILE_BYTES, RuleFileError, parse

HANG = 10.0


def refusal(folder: Path) -> str:
    started = time.perf_counter()
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(folder)
    assert time.perf_counter() - started < HANG, "took long enough to be a hang"
    return str(caught.value)


@pytest.mark.parametrize("name", list(BROKEN))
def test_each_broken_folder_is_refused_with_the_file_and_the_problem(tmp_path: Path, name: str) -> None:
    folder = broken_folder(tmp_path, name)
    message = refusal(folder)
    for part in BROKEN[name].says:
        assert part in message, f"{part!r} not in:\n{message}"


@pytest.mark.parametrize("name", ["alias-bomb", "all-300-deep", "not-1000-deep", "utf-16", "dangling-link"])
def test_the_command_line_refuses_with_exit_1_and_the_message(tmp_path: Path, name: str) -> None:
    folder = broken_folder(tmp_path, name)
    done = run_cli("rules", "check", "--rules", str(folder))
    assert done.returncode == 1 and done.stdout == ""
    assert "Traceback" not in done.stderr
    for part in BROKEN[name].says:
        assert part in done.stderr


def test_a_yaml_error_says_where_and_never_what_the_file_holds(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    (folder / "extra.yaml").write_text("rules:\n  - id: 'root:$6$secret-hash'\n    when: [unclosed\n", "utf-8")
    message = refusal(folder)
    assert "extra.yaml: not valid YAML at line 4, column 1:" in message
    assert "secret" not in message and "unclosed" not in message


def test_a_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    path = folder / "retreatment.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "#" * (MAX_FILE_BYTES - len(text.encode()) - 1) + "\n", encoding="utf-8")
    assert len(path.read_bytes()) == MAX_FILE_BYTES
    assert load_ruleset(folder).ref.name


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """Windows editors write one; it is still UTF-8."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    path = folder / "retreatment.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_ruleset(folder).rules) == len(load_ruleset(RULES).rules)


@pytest.mark.parametrize("make", [lambda f: f.symlink_to(f), lambda f: f.symlink_to(f.parent / "nowhere")])
def test_a_rules_folder_that_is_a_broken_link_is_refused(tmp_path: Path, make: Callable[[Path], None]) -> None:
    folder = tmp_path / "rules"
    make(folder)
    assert "not a folder" in refusal(folder)


@pytest.mark.parametrize("name", ["too-many-files", "too-big-together"])
def test_a_folder_refused_as_a_whole_says_only_why(tmp_path: Path, name: str) -> None:
    (problem,) = refusal(broken_folder(tmp_path, name)).splitlines()[1:]
    assert problem.startswith(f"- {name}: ")


# --- fuzzed rule files: a refusal or a rule set, never anything else ---------------------------------

YAML_BITS = st.sampled_from(
    [
        "rules:",
        "cases:",
        "- ",
        "  ",
        "\n",
        "id: X-A",
        "when: ",
        "{all: [",
        "{not: ",
        "]}",
        "}",
        "&a ",
        "*a",
        "<<: ",
        "!!python/name:os.system",
        "? ",
        ": ",
        "'",
        '"',
        "#",
        "---",
        "\t",
        "\x00",
        "\xff",
        "2026-02-31",
        "9" * 40,
        "yes",
    ]
)
KEYS = st.sampled_from(
    [
        "rules",
        "cases",
        "id",
        "title",
        "when",
        "triage",
        "severity",
        "source",
        "explain",
        "all",
        "any",
        "not",
        "name",
        "answers",
        "expect",
        "flags",
    ]
)
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.sampled_from(["headache.headache_days >= 15", "urgent", "info", "X-A"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)
RULE_FILES = st.one_of(
    st.binary(max_size=200),
    st.lists(YAML_BITS, max_size=30).map(lambda bits: "".join(bits).encode("utf-8", "surrogatepass")),
    VALUES.map(lambda v: yaml.safe_dump(v).encode()),
)


@settings(max_examples=500)
@given(raw=RULE_FILES)
def test_any_bytes_parse_or_are_refused_in_one_line(raw: bytes) -> None:
    try:
        parse(raw)
    except RuleFileError as exc:
        assert "\n" not in str(exc) and str(exc)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(raw=RULE_FILES)
def test_a_fuzzed_extra_file_loads_or_refuses_the_set_line_by_line(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as parent:
        folder = Path(parent) / "rules"
        shutil.copytree(RULES, folder)
        (folder / "extra.yaml").write_bytes(raw)
        try:
            load_ruleset(folder)
        except RuleSetError as exc:
            assert exc.problems and all(p and "\n" not in p for p in exc.problems)
