"""``python -m screening``: screen a file, check or show the rules, print the answer schema.

Exit codes: 0 success, 1 a rule set or case problem, 2 invalid answers (or input that is
not answers at all: not UTF-8, not JSON, too big, nested too deep). Whatever the input,
``screen`` answers with JSON, never a traceback.
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from screening import privacy_cli
from screening.answers import Submission, field_errors
from screening.choices import VisitKind
from screening.engine import screen
from screening.loader import RuleSetError, load_ruleset
from screening.returns.answers import ReturnVisit, is_return
from screening.roles import Role
from screening.rules_table import readme_section
from screening.ruleset import RuleSet
from screening.triage import TRIAGE_LABELS

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "rules"


MAX_INPUT_BYTES = 1_000_000
"""A submission is a few kilobytes of JSON; reading more would only cost memory."""
MAX_NUMBER_DIGITS = 30


class InputError(ValueError):
    """The input is not JSON answers could be read from; the message says why in a line."""


def _refuse_constant(name: str) -> None:
    raise InputError(f"{name} is not a JSON number")


def _short_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise InputError(f"a number longer than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _read_bytes(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    with open(source, "rb") as handle:
        return handle.read(MAX_INPUT_BYTES + 1)


def _read_input(source: str) -> Any:
    """The JSON in ``source`` (a path or - for stdin), or ``InputError``/``OSError`` saying why it cannot be read."""
    raw = _read_bytes(source)
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(f"more than {MAX_INPUT_BYTES:,} bytes; a submission is a few kilobytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (at byte offset {exc.start})") from None
    try:
        return json.loads(text, parse_int=_short_int, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise InputError("nested too deeply to be answers") from None


def _answers(data: Any, from_fhir: bool) -> Any:
    """The answers dict: the file itself, or read out of a FHIR QuestionnaireResponse to our Questionnaire."""
    if not from_fhir:
        return data
    from screening.exports.fhir import read_response  # FHIR models load only for --fhir

    return read_response(data)


def _read_submission(source: str, from_fhir: bool) -> tuple[Submission | ReturnVisit | None, int]:
    """The submission (a first screening, or a return visit's answers), or ``None`` and the exit code after
    printing the errors as JSON."""
    try:
        data = _read_input(source)
    except (OSError, InputError) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(json.dumps({"errors": [{"field": "", "message": f"cannot read input: {message}"}]}), file=sys.stderr)
        return None, 2
    try:
        answers = _answers(data, from_fhir)
        model = ReturnVisit if isinstance(answers, dict) and is_return(answers) else Submission
        return model.model_validate(answers), 0
    except ValidationError as exc:
        print(json.dumps({"errors": field_errors(exc)}, indent=2))
        return None, 2
    except ValueError as exc:  # a response that is not one to our Questionnaire
        print(json.dumps({"errors": getattr(exc, "errors", [{"field": "", "message": str(exc)}])}, indent=2))
        return None, 2


def cmd_screen(args: argparse.Namespace, submission: Submission | ReturnVisit, ruleset: RuleSet) -> int:
    result = screen(submission, ruleset)
    out = result.to_dict(with_trace=args.trace)
    for flag in out["flags"]:
        flag.pop("triage")
    print(json.dumps(out, indent=2))
    return 0


def _counts_by_file(ruleset: RuleSet) -> list[tuple[str, int, int]]:
    rules = Counter(rule.file for rule in ruleset.rules)
    cases = Counter(case.file for case in ruleset.cases)
    return [(file, rules[file], cases[file]) for file in sorted(rules.keys() | cases.keys())]


def cmd_check(_: argparse.Namespace, ruleset: RuleSet) -> int:
    """Loading already ran every case (a failing one refuses the set), so reaching here means all passed."""
    print(f"{ruleset.ref.name} {ruleset.ref.version} ({ruleset.ref.hash[:12]})")
    rows = _counts_by_file(ruleset)
    width = max(len("total"), *(len(file) for file, _, _ in rows))
    print(f"  {'file':<{width}}  rules  cases")
    for file, rules, cases in rows:
        print(f"  {file:<{width}}  {rules:>5}  {cases:>5}")
    print(f"  {'total':<{width}}  {len(ruleset.rules):>5}  {len(ruleset.cases):>5}")
    print(f"{len(ruleset.rules)} rules, {len(ruleset.cases)} cases passed")
    return 0


def cmd_show(_: argparse.Namespace, ruleset: RuleSet) -> int:
    print(f"{ruleset.ref.name}, version {ruleset.ref.version} (hash {ruleset.ref.hash[:12]})")
    print(f"When no rule decides: {TRIAGE_LABELS[ruleset.default_triage]}")
    current = ""
    for rule in ruleset.rules:
        if rule.file != current:
            current = rule.file
            print(f"\n== {current} ==")
        outcome = TRIAGE_LABELS[rule.triage] if rule.triage else "flag only"
        print(
            f"\n{rule.id}: {rule.title}\n  outcome: {outcome}, severity {rule.severity.value}\n  source: {rule.source}"
        )
        print("  when:")
        print("\n".join("    " + line for line in rule.when.describe()))
        print(f"  says: {rule.explain}")
        if rule.advice is not None:
            print(f"  patient is told at once: {rule.advice.value}")
    return 0


def cmd_table(_: argparse.Namespace, ruleset: RuleSet) -> int:
    print(readme_section(ruleset))
    return 0


def cmd_schema(_: argparse.Namespace) -> int:
    print(json.dumps(Submission.model_json_schema(), indent=2))
    return 0


def cmd_questionnaire(args: argparse.Namespace) -> int:
    from screening.exports.fhir import FIRST, RETURN, questionnaire

    form = RETURN if args.visit == VisitKind.return_ else FIRST
    print(json.dumps(questionnaire(form), indent=2, ensure_ascii=False))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m screening", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("screen", help="screen one submission (JSON file, or - for stdin)")
    s.add_argument("file")
    s.add_argument("--trace", action="store_true", help="include every condition with its value")
    s.add_argument("--fhir", action="store_true", help="the file is a FHIR R5 QuestionnaireResponse")
    s.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    rules = sub.add_parser("rules", help="check or show the rule set, or print its outcome table (for the README)")
    rules.add_argument("action", choices=["check", "show", "table"])
    rules.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    schema = sub.add_parser("schema", help="print the JSON Schema of the answers")
    schema.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    form = sub.add_parser("questionnaire", help="print a FHIR R5 Questionnaire generated from its answer model")
    form.add_argument(
        "--visit", choices=[kind.value for kind in VisitKind], default=VisitKind.first.value, help="which questionnaire"
    )
    summary = sub.add_parser("summary", help="staff console: write a submission's one-page consultation summary (PDF)")
    summary.add_argument("reference")
    summary.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    fhir = sub.add_parser("fhir", help="staff console: print a submission as FHIR R5 (response and result, a Bundle)")
    fhir.add_argument("reference")
    fhir.add_argument("--out", type=Path, help="write to this file instead of standard output")
    sub.add_parser("migrate", help="bring the database schema up to date (as MIGRATION_DATABASE_URL if set)")
    staff_cmd = sub.add_parser("staff", help="add, list, disable staff accounts or reset a password (first admin here)")
    staff_sub = staff_cmd.add_subparsers(dest="action", required=True)
    add = staff_sub.add_parser("add", help="add an account; asks for the password twice")
    add.add_argument("name")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.intake.value)
    add.add_argument("--display-name", default="")
    staff_sub.add_parser("list", help="list the accounts")
    for action in ("disable", "enable"):
        staff_sub.add_parser(action, help=f"{action} an account").add_argument("name")
    staff_sub.add_parser("password", help="set a new password for an account (asks twice)").add_argument("name")
    mail = sub.add_parser("mail", help="send the mail that is due (for cron), or a test message")
    mail_sub = mail.add_subparsers(dest="action", required=True)
    mail_sub.add_parser("send", help="send every mail that is due, retries included; run from cron every few minutes")
    mail_sub.add_parser("test", help="send a test message now, to check the SMTP settings").add_argument("address")
    privacy_cli.add_commands(sub)
    staff_sub.add_parser(
        "unlock-draft", help="let a patient's saved answers, locked after too many wrong tries, be opened again"
    ).add_argument("name", metavar="CODE")
    staff_sub.add_parser(
        "unlock-return", help="let a returning patient link with a reference code locked after too many wrong tries"
    ).add_argument("name", metavar="REFERENCE")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "schema":
        return cmd_schema(args)
    if args.command == "questionnaire":
        return cmd_questionnaire(args)
    if args.command == "migrate":
        from screening.staff_cli import cmd_migrate  # the database only here: screening starts fast

        return cmd_migrate()
    if args.command in ("staff", "summary", "fhir"):
        from screening import staff_cli  # the database only for staff commands: screening starts fast

        return staff_cli.cmd_staff(args) if args.command == "staff" else staff_cli.cmd_export(args)
    if args.command in ("retention", "keys"):
        return privacy_cli.cmd_privacy(args)
    if args.command == "mail":
        from screening.mail_cli import cmd_mail  # the database and SMTP only for mail commands

        return cmd_mail(args)
    submission = None
    if args.command == "screen":  # the answers first: input that is not answers is refused without loading rules
        submission, code = _read_submission(args.file, args.fhir)
        if submission is None:
            return code
    try:
        ruleset = load_ruleset(args.rules)
    except RuleSetError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if submission is not None:
        return cmd_screen(args, submission, ruleset)
    return {"check": cmd_check, "show": cmd_show, "table": cmd_table}[args.action](args, ruleset)
