"""A corpus of broken and hostile rule folders, each the clinic's rules with one thing wrong.

Used by tests/test_rule_folders.py (each is refused, with the right message) and by
``python -m bench rule_folders`` (how long each refusal takes). ``says`` lists the parts
the refusal must contain: the file's name and the problem.
"""

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core_support import RULES

from screening.rule_files import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES

LEAF = '"headache.headache_days >= 15"'


@dataclass(frozen=True)
class Broken:
    make: Callable[[Path], None]
    says: tuple[str, ...]


def _rule(when: str, rule_id: str = "X-TEST") -> str:
    return (
        f"rules:\n  - id: {rule_id}\n    title: A rule for the test\n    when: {when}\n"
        "    triage: needs_review\n    severity: info\n    source: Test\n    explain: A test rule.\n"
    )


def _write(name: str, text: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text(text, encoding="utf-8")


def _alias_bomb(folder: Path) -> None:
    """The 'billion laughs': each level is ten of the one before; 9 levels are 10^9 strings if expanded."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    (folder / "extra.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _nested(key: str, depth: int) -> str:
    if key == "not":
        return "{not: " * depth + LEAF + "}" * depth
    return f"{{{key}: [" * depth + LEAF + "]}" * depth


def _re_encode(name: str, encoding: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        path = folder / name
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))

    return make


def _latin1_comment(folder: Path) -> None:
    path = folder / "red_flags.yaml"
    lines = path.read_bytes().split(b"\n")
    lines.insert(2, "# revu par le m\u00e9decin".encode("latin-1"))
    path.write_bytes(b"\n".join(lines))


def _link(name: str, target: Callable[[Path], Path]) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        path = folder / name
        path.unlink(missing_ok=True)
        path.symlink_to(target(folder))

    return make


def _sparse(size: int) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        with open(folder / "extra.yaml", "wb") as handle:
            handle.truncate(size)

    return make


SHIPPED = len(list(RULES.glob("*.yaml")))
"""The clinic's own files, there beside the extra ones."""


def _many_files(folder: Path) -> None:
    for i in range(MAX_FILES):
        (folder / f"extra_{i:02}.yaml").write_text(_rule(LEAF, f"X-{i}"), encoding="utf-8")


def _big_together(folder: Path) -> None:
    for i in range(MAX_TOTAL_BYTES // MAX_FILE_BYTES + 1):
        (folder / f"padding_{i}.yaml").write_text(_rule(LEAF, f"X-{i}") + "#" * (MAX_FILE_BYTES - 300), "utf-8")


def _case_answer(answers: str) -> Callable[[Path], None]:
    case = f"cases:\n  - name: a case for the test\n    answers: {answers}\n"
    return _write("extra.yaml", case + "    expect: {triage: likely_candidate, flags: [CM-LIKELY]}\n")


BROKEN: dict[str, Broken] = {
    "alias-bomb": Broken(_alias_bomb, ("extra.yaml: not valid YAML at line 1, column 5:", "anchors (&name)")),
    "alias-only": Broken(
        _write("extra.yaml", "cases:\n  - *x\n"), ("extra.yaml: not valid YAML at line 2, column 5:", "aliases")
    ),
    "all-300-deep": Broken(
        _write("extra.yaml", _rule(_nested("all", 300))), ("extra.yaml: not valid YAML", "more than 32 levels deep")
    ),
    "not-1000-deep": Broken(
        _write("extra.yaml", _rule(_nested("not", 1000))), ("extra.yaml: not valid YAML", "more than 32 levels deep")
    ),
    "any-11-deep": Broken(
        _write("extra.yaml", _rule(_nested("any", 11))),
        ("extra.yaml: rule X-TEST: all/any/not nested more than 10 levels deep",),
    ),
    "101-comparisons": Broken(
        _write("extra.yaml", _rule("{any: [" + ", ".join([LEAF] * 101) + "]}")),
        ("extra.yaml: rule X-TEST: more than 100 comparisons in one rule",),
    ),
    "not-utf8": Broken(_latin1_comment, ("red_flags.yaml: is not UTF-8 text (line 3); save it as UTF-8",)),
    "utf-16": Broken(_re_encode("contraindications.yaml", "utf-16"), ("contraindications.yaml: is UTF-16 text",)),
    "utf-16-no-bom": Broken(_re_encode("contraindications.yaml", "utf-16-le"), ("contraindications.yaml: holds NUL",)),
    "utf-32": Broken(_re_encode("retreatment.yaml", "utf-32"), ("retreatment.yaml: is UTF-32 text",)),
    "folder-named-yaml": Broken(lambda f: (f / "x.yaml").mkdir(), ("x.yaml: is a folder, not a rule file",)),
    "fifo": Broken(lambda f: os.mkfifo(f / "extra.yaml"), ("extra.yaml: is not a regular file",)),
    "symlink-loop": Broken(_link("loop.yaml", lambda f: f / "loop.yaml"), ("loop.yaml: is a link",)),
    "symlink-pair-loop": Broken(
        lambda f: (_link("a.yaml", lambda g: g / "b.yaml")(f), _link("b.yaml", lambda g: g / "a.yaml")(f)),
        ("a.yaml: is a link", "b.yaml: is a link"),
    ),
    "dangling-link": Broken(_link("gone.yaml", lambda f: f / "nowhere.yaml"), ("gone.yaml: is a link",)),
    "link-to-dev-zero": Broken(_link("zero.yaml", lambda f: Path("/dev/zero")), ("zero.yaml: is a link",)),
    "link-out-of-the-folder": Broken(
        _link("red_flags.yaml", lambda f: RULES / "red_flags.yaml"),
        ("red_flags.yaml: is a link", "requires red_flags.yaml, which is missing or was refused"),
    ),
    "huge-file": Broken(_sparse(50_000_000), ("extra.yaml: is 50,000,000 bytes; a rule file may be at most 100,000",)),
    "too-many-files": Broken(
        _many_files, (f"holds {MAX_FILES + SHIPPED} .yaml files; a rule set has at most {MAX_FILES}",)
    ),
    "too-big-together": Broken(_big_together, (f"the rule files hold over {MAX_TOTAL_BYTES:,} bytes together",)),
    "5000-digit-number": Broken(
        _case_answer("{about: {age: " + "9" * 5000 + "}}"), ("extra.yaml: not valid YAML", "longer than 30 digits")
    ),
    "impossible-date": Broken(
        _case_answer("{about: {date_of_birth: 1980-02-31}}"),
        ("extra.yaml: not valid YAML at line 3, column 38", "a value that cannot be read"),
    ),
    "python-tag": Broken(
        _write("extra.yaml", "rules: !!python/object/apply:os.system [echo]\n"),
        ("extra.yaml: not valid YAML at line 1, column 8: tags (!name) are not allowed",),
    ),
    "two-documents": Broken(
        _write("extra.yaml", _rule(LEAF) + "---\n" + _rule(LEAF)),
        ("extra.yaml: not valid YAML", "expected a single document"),
    ),
    "control-character": Broken(_write("extra.yaml", _rule('"\x07"')), ("extra.yaml: not valid YAML at line 4",)),
}


def broken_folder(parent: Path, name: str) -> Path:
    """The clinic's rules copied into ``parent/name`` and broken the way ``BROKEN[name]`` says."""
    folder = parent / name
    shutil.copytree(RULES, folder)
    BROKEN[name].make(folder)
    return folder
