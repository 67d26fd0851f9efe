"""``python -m screening``: screen a file, check or show the rules, print the answer schema.

Exit codes: 0 success, 1 a rule set or case problem, 2 invalid answers.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from screening.answers import Submission, field_errors
from screening.engine import screen
from screening.loader import RuleSetError, load_ruleset
from screening.roles import Role
from screening.ruleset import RuleSet
from screening.triage import TRIAGE_LABELS

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "rules"


def _read_input(source: str) -> Any:
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    return json.loads(text)


def cmd_screen(args: argparse.Namespace, ruleset: RuleSet) -> int:
    try:
        data = _read_input(args.file)
    except (OSError, json.JSONDecodeError) as exc:
        print(json.dumps({"errors": [{"field": "", "message": f"cannot read input: {exc}"}]}), file=sys.stderr)
        return 2
    try:
        submission = Submission.model_validate(data)
    except ValidationError as exc:
        print(json.dumps({"errors": field_errors(exc)}, indent=2))
        return 2
    result = screen(submission, ruleset)
    out = result.to_dict(with_trace=args.trace)
    for flag in out["flags"]:
        flag.pop("triage")
    print(json.dumps(out, indent=2))
    return 0


def cmd_check(_: argparse.Namespace, ruleset: RuleSet) -> int:
    """Loading already ran every case (a failing one refuses the set), so reaching here means all passed."""
    print(
        f"{ruleset.ref.name} {ruleset.ref.version} ({ruleset.ref.hash[:12]}): "
        f"{len(ruleset.rules)} rules, {len(ruleset.cases)} cases passed"
    )
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
    return 0


def cmd_schema(_: argparse.Namespace) -> int:
    print(json.dumps(Submission.model_json_schema(), indent=2))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m screening", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("screen", help="screen one submission (JSON file, or - for stdin)")
    s.add_argument("file")
    s.add_argument("--trace", action="store_true", help="include every condition with its value")
    s.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    rules = sub.add_parser("rules", help="check or show the rule set")
    rules.add_argument("action", choices=["check", "show"])
    rules.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    schema = sub.add_parser("schema", help="print the JSON Schema of the answers")
    schema.add_argument("--rules", type=Path, default=DEFAULT_RULES)
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
    staff_sub.add_parser(
        "unlock-draft", help="let a patient's saved answers, locked after too many wrong tries, be opened again"
    ).add_argument("name", metavar="CODE")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "schema":
        return cmd_schema(args)
    if args.command in ("staff", "migrate"):
        from screening.staff_cli import cmd_migrate, cmd_staff  # the database only here: screening starts fast

        return cmd_staff(args) if args.command == "staff" else cmd_migrate()
    try:
        ruleset = load_ruleset(args.rules)
    except RuleSetError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.command == "screen":
        return cmd_screen(args, ruleset)
    return cmd_check(args, ruleset) if args.action == "check" else cmd_show(args, ruleset)
