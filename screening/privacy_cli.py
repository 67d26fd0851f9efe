"""``python -m screening retention run`` (from cron) and ``python -m screening keys rewrap`` (after a rotation).

``retention run`` erases what has outlived the clinic's retention policy and deletes expired
drafts and autosaves, then prints the counts. Safe to run as often as wanted: a second run
finds nothing left to do, and runs from several hosts at once each erase a submission at most
once (an erased one is no longer a candidate).
"""

import argparse

from screening.wording import count


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    kept = sub.add_parser("retention", help="erase data past the retention policy (for cron) and print the counts")
    kept.add_subparsers(dest="action", required=True).add_parser(
        "run", help="erase expired submissions' identifying data; delete expired drafts and autosaves"
    )
    keys = sub.add_parser("keys", help="data keys: rewrap them under the current secret key after a rotation")
    keys.add_subparsers(dest="action", required=True).add_parser(
        "rewrap", help="wrap every data key under SCREENING_SECRET_KEY (old secrets in SCREENING_PREVIOUS_SECRET_KEYS)"
    )


def cmd_privacy(args: argparse.Namespace) -> int:
    from screening.privacy import retention  # the database only for these commands: screening starts fast
    from screening.settings import get_settings
    from screening.storage import Database, sealing

    db = Database.from_settings(get_settings())
    db.migrate()
    if args.command == "retention":
        print(retention.run(db).describe())
        return 0
    try:
        with db.session() as tx:
            rewrapped = sealing.rewrap(tx)
    except sealing.KeyMissing as exc:
        print(f"Nothing rewrapped: {exc}.")
        return 1
    print(
        f"{count(rewrapped, 'data key')} rewrapped under the current secret key; "
        "the previous secrets are no longer needed."
    )
    return 0
