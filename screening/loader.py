"""Loading a rule folder: every file parsed, checked and its cases run, or the whole set refused.

A clinician edits YAML; a mistake must never half-apply. So every problem in every
file is collected first, and ``RuleSetError`` lists each with its file, rule id (or
case) and what is wrong. Only a rule set whose own example cases all pass is returned.
"""

import copy
import hashlib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from screening.answers import Submission
from screening.conditions import ConditionError, compile_condition
from screening.engine import screen
from screening.facts import FACTS
from screening.ruleset import PLACEHOLDER, Advice, Case, Rule, RuleSet
from screening.triage import RulesetRef, Severity, Triage

MANIFEST = "ruleset.yaml"


class RuleSetError(ValueError):
    """The rule set was refused; ``problems`` holds one line per problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Rule set refused:\n" + "\n".join(f"- {p}" for p in problems))


class _PlainLoader(yaml.SafeLoader):
    """YAML without the 1.1 surprises: ``yes``/``no``/``on``/``off`` stay words; only true/false are booleans."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
    title: str = Field(min_length=3)
    when: str | dict[str, Any]
    triage: Triage | None = None
    severity: Severity
    source: str = Field(min_length=2)
    explain: str = Field(min_length=3)
    advice: Literal[Advice.emergency, Advice.soon] | None = None


class Expect(_Strict):
    triage: Triage
    flags: list[str]


class CaseSpec(_Strict):
    name: str = Field(min_length=3)
    answers: dict[str, Any] = Field(default_factory=dict)
    expect: Expect


class RuleFile(_Strict):
    rules: list[RuleSpec] = Field(default_factory=list)
    cases: list[CaseSpec] = Field(default_factory=list)


class Manifest(_Strict):
    name: str
    version: str = Field(min_length=1)
    default_triage: Triage
    case_defaults: dict[str, Any]


def read_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_PlainLoader)  # noqa: S506 - a SafeLoader subclass


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Case answers are overrides of the manifest's typical patient; ``null`` removes a section."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _pydantic_problems(where: str, err: ValidationError, data: Any = None) -> list[str]:
    return [
        f"{where}{_entry(data, e['loc'])}: {'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in err.errors()
    ]


def _entry(data: Any, loc: tuple[Any, ...]) -> str:
    """``: rule ID`` or ``: case 'name'`` for a problem inside a listed rule or case, so the message names it."""
    if len(loc) < 2 or loc[0] not in ("rules", "cases") or not isinstance(data, dict):
        return ""
    try:
        entry = data[loc[0]][loc[1]]
    except (IndexError, KeyError, TypeError):
        return ""
    if not isinstance(entry, dict):
        return ""
    if loc[0] == "rules" and isinstance(entry.get("id"), str):
        return f": rule {entry['id']}"
    if loc[0] == "cases" and isinstance(entry.get("name"), str):
        return f": case {entry['name']!r}"
    return ""


def _compile_rule(spec: RuleSpec, file: str, problems: list[str]) -> Rule | None:
    where = f"{file}: rule {spec.id}"
    try:
        when = compile_condition(spec.when)
    except ConditionError as exc:
        problems.append(f"{where}: {exc}")
        return None
    unknown = [name for name in PLACEHOLDER.findall(spec.explain) if name not in FACTS]
    if unknown:
        problems.append(f"{where}: explanation refers to unknown fact(s) {', '.join(unknown)}")
        return None
    advice_problem = _advice_problem(spec, when)
    if advice_problem:
        problems.append(f"{where}: {advice_problem}")
        return None
    return Rule(spec.id, spec.title, when, spec.triage, spec.severity, spec.source, spec.explain, file, spec.advice)


ADVICE_FACTS = ("red_flags.", "derived.pathway")
"""What an advice rule may test: the patient sees its advice on the warning-signs step, before anything else."""


def _advice_problem(spec: RuleSpec, when: Any) -> str:
    """Every urgent rule tells the patient something, and only urgent rules do, from answers already given."""
    if spec.triage is Triage.urgent and spec.advice is None:
        return "an urgent rule needs 'advice: emergency' or 'advice: soon' (what the patient is told at once)"
    if spec.advice is not None and spec.triage is not Triage.urgent:
        return "only an urgent rule gives the patient advice"
    late = [leaf.fact.name for leaf in when.leaves() if not leaf.fact.name.startswith(ADVICE_FACTS)]
    if spec.advice is not None and late:
        return f"advice is shown on the warning-signs step, so its rule can only test warning signs ({late[0]})"
    return ""


def _read_files(folder: Path, problems: list[str]) -> tuple[Manifest | None, dict[str, RuleFile]]:
    manifest: Manifest | None = None
    files: dict[str, RuleFile] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = read_yaml(path)
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: not valid YAML: {exc}")
            continue
        try:
            if path.name == MANIFEST:
                manifest = Manifest.model_validate(data)
            else:
                files[path.name] = RuleFile.model_validate(data or {})
        except ValidationError as exc:
            problems.extend(_pydantic_problems(path.name, exc, data))
    if manifest is None and not any(p.startswith(MANIFEST) for p in problems):
        problems.append(f"{folder}: no {MANIFEST} (name, version, default_triage, case_defaults)")
    return manifest, files


def _compile_files(files: dict[str, RuleFile], problems: list[str]) -> list[Rule]:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for file, content in files.items():
        for spec in content.rules:
            if spec.id in seen:
                problems.append(f"{file}: rule {spec.id}: duplicate id (also in {seen[spec.id]})")
                continue
            seen[spec.id] = file
            rule = _compile_rule(spec, file, problems)
            if rule is not None:
                rules.append(rule)
    return rules


def _cases(files: dict[str, RuleFile], manifest: Manifest, rule_ids: set[str], problems: list[str]) -> list[Case]:
    cases: list[Case] = []
    for file, content in files.items():
        for spec in content.cases:
            where = f"{file}: case {spec.name!r}"
            answers = merge(manifest.case_defaults, spec.answers)
            try:
                Submission.model_validate(answers)
            except ValidationError as exc:
                problems.extend(_pydantic_problems(where, exc))
                continue
            unknown = set(spec.expect.flags) - rule_ids
            if unknown:
                problems.append(f"{where}: expects unknown rule id(s) {', '.join(sorted(unknown))}")
                continue
            cases.append(Case(file, spec.name, answers, spec.expect.triage, frozenset(spec.expect.flags)))
    return cases


def content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def case_failures(ruleset: RuleSet) -> list[str]:
    """Each example case whose triage or flags differ from what it expects, in words."""
    failures = []
    for case in ruleset.cases:
        result = screen(Submission.model_validate(case.answers), ruleset)
        got = frozenset(f.id for f in result.flags)
        if result.triage != case.triage or got != case.flags:
            failures.append(
                f"{case.file}: case {case.name!r}: expected {case.triage.value} with "
                f"[{', '.join(sorted(case.flags))}], got {result.triage.value} with [{', '.join(sorted(got))}]"
            )
    return failures


def load_ruleset(folder: Path | str) -> RuleSet:
    """The rule set in ``folder``, validated and its cases passing, or ``RuleSetError``."""
    folder = Path(folder)
    problems: list[str] = []
    if not folder.is_dir():
        raise RuleSetError([f"{folder}: not a folder"])
    manifest, files = _read_files(folder, problems)
    rules = _compile_files(files, problems)
    if manifest is None or problems:
        raise RuleSetError(problems)
    cases = _cases(files, manifest, {r.id for r in rules}, problems)
    if problems:
        raise RuleSetError(problems)
    ref = RulesetRef(manifest.name, manifest.version, content_hash(folder))
    ruleset = RuleSet(ref, manifest.default_triage, tuple(rules), manifest.case_defaults, tuple(cases))
    failures = case_failures(ruleset)
    if failures:
        raise RuleSetError(failures)
    return ruleset
