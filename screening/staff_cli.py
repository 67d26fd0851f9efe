"""``python -m screening staff ...``: accounts from the server console, where the first administrator is made.

Kept apart from ``screening.cli`` so that screening and rule checks never load the database.
"""

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from screening import intake, staff
from screening.exports import service
from screening.exports.pdf import FontMissingError
from screening.settings import get_settings, owner_only
from screening.storage import Database


def _new_password() -> str:
    """Typed twice at a terminal, or two lines on standard input for scripts; never an argument (shell history)."""
    if sys.stdin.isatty():
        first, second = getpass.getpass("Password: "), getpass.getpass("Password again: ")
    else:
        first, second = sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")
    if first != second:
        raise ValueError("The two passwords differ.")
    return first


def cmd_migrate() -> int:
    """A release step in the two-role PostgreSQL setup: the owner migrates, the app instances only check."""
    db = Database.from_settings(get_settings())
    try:
        db.migrate()
        print(f"The database schema is up to date (revision {db.revision()}).")
    finally:
        db.dispose()
    return 0


def cmd_staff(args: argparse.Namespace) -> int:
    db = _database()
    try:
        if args.action == "add":
            info = staff.add_staff(db, args.name, args.display_name, args.role, _new_password(), actor=staff.CONSOLE)
            print(f"Added {info.username} ({info.role.value}).")
        elif args.action == "list":
            for info in staff.list_staff(db, staff.CONSOLE):
                state = "active" if info.active else "disabled"
                print(f"{info.username:<20} {info.role.value:<10} {state:<9} {info.display_name}")
        elif args.action == "unlock-draft":
            intake.unlock_draft(db, args.name)
            print("Unlocked: the patient can open the saved answers with the code and date of birth again.")
        elif args.action == "unlock-return":
            intake.unlock_link(db, args.name)
            print("Unlocked: the patient can link a return visit with this reference code and date of birth again.")
        elif args.action == "password":
            staff.reset_password(db, staff.CONSOLE, args.name, _new_password())
            print(f"New password set for {staff.normalise_username(args.name)}; their sessions have ended.")
        else:
            info = staff.set_active(db, staff.CONSOLE, args.name, args.action == "enable")
            print(f"{info.username} is now {'active' if info.active else 'disabled'}.")
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


def _database() -> Database:
    db = Database.from_settings(get_settings())
    db.migrate()
    return db


def cmd_export(args: argparse.Namespace) -> int:
    """``summary`` (PDF) or ``fhir`` (JSON) of one submission, as the console: audited like a staff download."""
    try:
        if args.command == "summary":
            data = service.summary(_database(), staff.CONSOLE, args.reference)
        else:
            bundle = service.fhir_bundle(_database(), staff.CONSOLE, args.reference)
            data = (json.dumps(bundle, indent=2, ensure_ascii=False) + "\n").encode()
    except (LookupError, ValueError) as exc:  # unknown or erased: said in one sentence
        print(str(exc), file=sys.stderr)
        return 2
    except FontMissingError as exc:  # a server set up without the PDF fonts: which packages, not a traceback
        print(str(exc), file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(data.decode())
        return 0
    _write_owner_only(args.out, data)
    print(f"Wrote {args.out} ({len(data)} bytes).")
    return 0


def _write_owner_only(path: Path, data: bytes) -> None:
    """A patient's summary or record on the server's disk is readable by its owner only (0600), like the data
    folder: the default umask would let every account on the machine read it."""
    owner_only(path, 0o600)  # an existing file is tightened before it is overwritten
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(data)
