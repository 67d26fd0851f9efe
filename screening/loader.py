"""Loading a rule folder: every file parsed, checked and its cases run, or the whole set refused.

A clinician edits YAML; a mistake must never half-apply. So every problem in every
file is collected first, and ``RuleSetError`` lists each with its file, rule id (or
case) and what is wrong. Only a rule set whose own example cases all pass is returned.
"""

import copy
import hashlib
import os
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from screening.choices import VisitKind
from screening.conditions import ConditionError, compile_condition
from screening.engine import screen
from screening.facts import FACTS, QUESTIONNAIRES, return_only
from screening.rule_files import RuleText, read_folder
from screening.ruleset import PLACEHOLDER, Advice, Case, Rule, RuleSet, VersionNote
from screening.triage import RulesetRef, Severity, Triage

MANIFEST = "ruleset.yaml"
CHANGELOG = "CHANGELOG.yaml"
"""Beside the rules: each version, its date and what changed. Not a rule file, and not in the rule set's hash
(a changelog typo fixed changes no result)."""


class RuleSetError(ValueError):
    """The rule set was refused; ``problems`` holds one line per problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Rule set refused:\n" + "\n".join(f"- {p}" for p in problems))


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
    advice: Literal[Advice.emergency, Advice.same_day, Advice.soon] | None = None


class Expect(_Strict):
    triage: Triage
    flags: list[str]


class CaseSpec(_Strict):
    name: str = Field(min_length=3)
    answers: dict[str, Any] = Field(default_factory=dict)
    expect: Expect


class RuleFile(_Strict):
    visit: VisitKind = VisitKind.first
    """The kind of visit every rule of the file reads; its cases are that kind's answers."""
    rules: list[RuleSpec] = Field(default_factory=list)
    cases: list[CaseSpec] = Field(default_factory=list)


class Requires(_Strict):
    """What the rule set cannot be without: files that must hold rules, and rules that must give a triage."""

    files: list[str] = Field(min_length=1)
    rules: dict[str, Triage] = Field(min_length=1)


class Manifest(_Strict):
    name: str
    version: str = Field(min_length=1)
    default_triage: Triage
    requires: Requires
    case_defaults: dict[str, Any]
    return_case_defaults: dict[str, Any] = Field(default_factory=dict)
    """The typical return visit the cases of a ``visit: return`` file start from."""


class VersionEntry(_Strict):
    version: str = Field(min_length=1, max_length=40)
    date: date
    changes: list[str] = Field(min_length=1)

    @field_validator("changes")
    @classmethod
    def _worded(cls, changes: list[str]) -> list[str]:
        if any(not change.strip() or len(change) > 1000 for change in changes):
            raise ValueError("each change is a sentence of 1 to 1,000 characters")
        return changes


class Changelog(_Strict):
    versions: list[VersionEntry] = Field(min_length=1)


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


def _compile_rule(spec: RuleSpec, file: str, visit: VisitKind, problems: list[str]) -> Rule | None:
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
    other = _other_visits_fact([leaf.fact.name for leaf in when.leaves()] + PLACEHOLDER.findall(spec.explain), visit)
    if other:
        problems.append(f"{where}: {other} is never known on a {visit.value} visit (the file's 'visit')")
        return None
    advice_problem = _advice_problem(spec, when, visit)
    if advice_problem:
        problems.append(f"{where}: {advice_problem}")
        return None
    return Rule(
        spec.id, spec.title, when, spec.triage, spec.severity, spec.source, spec.explain, file, spec.advice, visit
    )


BOTH_VISITS = ("derived.pathway", "derived.visit_kind")
"""Derived facts of both kinds of visit; the rest belong to one (``facts.return_only``) or the other."""


def _other_visits_fact(names: list[str], visit: VisitKind) -> str | None:
    """A fact the file's kind of visit never has: a rule on it could never fire, or would read it as unknown."""
    for name in names:
        section = name.split(".", 1)[0]
        on_return = name in BOTH_VISITS or section in QUESTIONNAIRES[VisitKind.return_].model_fields
        on_return = on_return or return_only(name)
        if (visit is VisitKind.first and return_only(name)) or (visit is VisitKind.return_ and not on_return):
            return name
    return None


ADVICE_FACTS: dict[VisitKind, tuple[str, ...]] = {
    VisitKind.first: ("red_flags.", "derived.pathway"),
    VisitKind.return_: ("spread.", "derived.pathway"),
}
"""What an advice rule may test: the patient sees its advice on the warning-signs step (on a return visit, the
distant-spread step), before anything else."""


def _advice_problem(spec: RuleSpec, when: Any, visit: VisitKind) -> str:
    """Every urgent rule tells the patient something, and only urgent rules do, from answers already given."""
    if spec.triage is Triage.urgent and spec.advice is None:
        return (
            "an urgent rule needs 'advice: emergency', 'advice: same_day' or 'advice: soon' "
            "(what the patient is told at once)"
        )
    if spec.advice is not None and spec.triage is not Triage.urgent:
        return "only an urgent rule gives the patient advice"
    late = [leaf.fact.name for leaf in when.leaves() if not leaf.fact.name.startswith(ADVICE_FACTS[visit])]
    if spec.advice is not None and late:
        return f"advice is shown on the warning-signs step, so its rule can only test warning signs ({late[0]})"
    return ""


def _validate(
    texts: list[RuleText], problems: list[str]
) -> tuple[Manifest | None, Changelog | None, dict[str, RuleFile]]:
    manifest: Manifest | None = None
    changelog: Changelog | None = None
    files: dict[str, RuleFile] = {}
    for text in texts:
        if text.data is None:
            problems.append(f"{text.name}: is empty; a rule file holds rules and their cases (delete one not in use)")
            continue
        try:
            if text.name == MANIFEST:
                manifest = Manifest.model_validate(text.data)
            elif text.name == CHANGELOG:
                changelog = Changelog.model_validate(text.data)
            else:
                files[text.name] = RuleFile.model_validate(text.data)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(text.name, exc, text.data))
            continue
        if text.name in files and not (files[text.name].rules or files[text.name].cases):
            problems.append(f"{text.name}: holds no rules and no cases (delete a file not in use)")
    return manifest, changelog, files


def _check_changelog(manifest: Manifest, changelog: Changelog | None, present: bool, problems: list[str]) -> None:
    """A version nobody wrote down is a change nobody can review: the declared version needs its entry."""
    if changelog is None:
        if not present:  # otherwise it was refused, and the problems say why
            problems.append(f"no {CHANGELOG}: each rule-set version needs an entry there (version, date, changes)")
        return
    versions = [entry.version for entry in changelog.versions]
    for version in sorted({v for v in versions if versions.count(v) > 1}):
        problems.append(f"{CHANGELOG}: version {version} has more than one entry")
    if manifest.version not in versions:
        problems.append(
            f"{CHANGELOG}: no entry for version {manifest.version}, the version {MANIFEST} declares; "
            "add it with its date and what changed"
        )


def _notes(changelog: Changelog) -> tuple[VersionNote, ...]:
    return tuple(VersionNote(e.version, e.date, tuple(e.changes)) for e in changelog.versions)


def _check_requires(requires: Requires, files: dict[str, RuleFile], rules: list[Rule], problems: list[str]) -> None:
    """A rule set without its red flags or contraindications would screen a patient in danger as a candidate."""
    for name in requires.files:
        if name not in files:
            problems.append(f"{MANIFEST}: requires {name}, which is missing or was refused")
        elif not files[name].rules:
            problems.append(f"{name}: holds no rules, but {MANIFEST} requires it")
    by_id = {rule.id: rule for rule in rules}
    for rule_id, triage in requires.rules.items():
        rule = by_id.get(rule_id)
        if rule is None:
            problems.append(f"{MANIFEST}: requires rule {rule_id}, which is missing or was refused")
        elif rule.triage != triage:
            gives = rule.triage.value if rule.triage else "no triage (it only flags)"
            problems.append(
                f"{rule.file}: rule {rule_id}: {MANIFEST} requires it to give {triage.value}; it gives {gives}"
            )


def _compile_files(files: dict[str, RuleFile], problems: list[str]) -> list[Rule]:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for file, content in files.items():
        for spec in content.rules:
            if spec.id in seen:
                problems.append(f"{file}: rule {spec.id}: duplicate id (also in {seen[spec.id]})")
                continue
            seen[spec.id] = file
            rule = _compile_rule(spec, file, content.visit, problems)
            if rule is not None:
                rules.append(rule)
    return rules


def _cases(files: dict[str, RuleFile], manifest: Manifest, rule_ids: set[str], problems: list[str]) -> list[Case]:
    cases: list[Case] = []
    for file, content in files.items():
        for spec in content.cases:
            where = f"{file}: case {spec.name!r}"
            defaults = manifest.return_case_defaults if content.visit is VisitKind.return_ else manifest.case_defaults
            answers = merge(defaults, spec.answers)
            try:
                QUESTIONNAIRES[content.visit].model_validate(answers)
            except ValidationError as exc:
                problems.extend(_pydantic_problems(where, exc))
                continue
            unknown = set(spec.expect.flags) - rule_ids
            if unknown:
                problems.append(f"{where}: expects unknown rule id(s) {', '.join(sorted(unknown))}")
                continue
            case = Case(file, spec.name, answers, spec.expect.triage, frozenset(spec.expect.flags), content.visit)
            cases.append(case)
    return cases


def _check_shown(rules: list[Rule], cases: list[Case], problems: list[str]) -> None:
    """Every rule is shown firing by an example case in its own file.

    The cases stand after the rules, so a file cut short between two rules (a copy or a save
    that stopped) keeps valid YAML but loses its later rules and every case: without this, the
    rules that were lost would simply be gone, and a fever with a stiff neck no longer urgent.
    """
    shown = {(case.file, rule_id) for case in cases for rule_id in case.flags}
    for rule in rules:
        if (rule.file, rule.id) not in shown:
            problems.append(
                f"{rule.file}: rule {rule.id}: no example case in this file expects it; every rule needs one "
                "beside it (a file cut short loses its cases)"
            )


def content_hash(texts: list[RuleText]) -> str:
    """Of the bytes the rules were built from (not the folder read again), so the hash is of what was applied."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.name.encode() + b"\0" + text.raw + b"\0")
    return digest.hexdigest()


def case_failures(ruleset: RuleSet) -> list[str]:
    """Each example case whose triage or flags differ from what it expects, in words."""
    failures = []
    for case in ruleset.cases:
        result = screen(QUESTIONNAIRES[case.visit].model_validate(case.answers), ruleset)
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
    try:
        texts = read_folder(folder, problems)
    except OSError as exc:
        raise RuleSetError([f"{folder}: cannot be read: {exc.strerror}"]) from None
    manifest, changelog, files = _validate(texts, problems)
    rules = _compile_files(files, problems)
    if manifest is None:
        if not os.path.lexists(folder / MANIFEST):  # otherwise it was refused, and the problems say why
            problems.append(f"{folder}: no {MANIFEST} (name, version, default_triage, requires, case_defaults)")
        raise RuleSetError(problems)
    _check_requires(manifest.requires, files, rules, problems)
    _check_changelog(manifest, changelog, os.path.lexists(folder / CHANGELOG), problems)
    if problems:
        raise RuleSetError(problems)
    cases = _cases(files, manifest, {r.id for r in rules}, problems)
    if not problems:  # a case refused above would only repeat itself here as a rule without a case
        _check_shown(rules, cases, problems)
    if problems:
        raise RuleSetError(problems)
    ref = RulesetRef(manifest.name, manifest.version, content_hash([t for t in texts if t.name != CHANGELOG]))
    notes = _notes(changelog) if changelog else ()
    ruleset = RuleSet(
        ref,
        manifest.default_triage,
        tuple(rules),
        manifest.case_defaults,
        tuple(cases),
        notes,
        manifest.return_case_defaults,
    )
    failures = case_failures(ruleset)
    if failures:
        raise RuleSetError(failures)
    return ruleset
