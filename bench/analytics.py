"""Analytics benchmark: the analytics page's queries over 100,000 stored submissions.

Target (issue 12): under 1 s for the whole page (every figure and chart) on SQLite and on
PostgreSQL. The figures are GROUP BY / ORDER BY ... LIMIT 1 over the narrow case table,
so the database returns a few dozen numbers however many submissions there are.

    python -m bench.analytics [--rows 100000] [--keep PATH | --url DATABASE_URL]

The database is filled as bench/queue.py fills it (submissions spread over the last year,
every five minutes); then two in three are given a first contact 1 to 72 hours after they
arrived, and one in five of those is booked, so the percentiles and shares have data.
"""

import argparse
import secrets
import tempfile
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import bindparam, select, update

from bench.queue import fill, timed
from screening import analytics, casework, staff
from screening.settings import Settings
from screening.staff import CONSOLE, Role
from screening.storage import Database
from screening.storage.models import CaseState
from screening.workflow import Status

BATCH = 5_000


def _contact(db: Database) -> int:
    """First contact for two in three (status contact attempted), bookings for one in five of those."""
    with db.session() as tx:
        rows = tx.execute(
            select(CaseState.submission_id, CaseState.created_at).where(CaseState.first_contact_at.is_(None))
        ).all()
    changes = [
        {
            "sid": sid,
            "at": created + timedelta(hours=1 + sid % 72),
            "status": (Status.consultation_booked if sid % 5 == 0 else Status.contact_attempted).value,
        }
        for sid, created in rows
        if sid % 3
    ]
    statement = (
        update(CaseState)
        .where(CaseState.submission_id == bindparam("sid"))
        .values(first_contact_at=bindparam("at"), status=bindparam("status"), status_since=bindparam("at"))
    )
    for start in range(0, len(changes), BATCH):
        with db.session() as tx:
            tx.connection().execute(statement, changes[start : start + BATCH])
    return len(changes)


def run(settings: Settings, rows: int) -> None:
    db = Database.from_settings(settings)
    db.migrate()
    username, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16) + "-Aa1"
    staff.add_staff(db, username, "Bench", Role.admin, password, actor=CONSOLE)
    actor = staff.authenticate(db, username, password)
    assert actor is not None
    stored = casework.queue(db, actor, page_size=1).total
    if stored < rows:
        seconds = fill(db, rows - stored, min(5_000, rows))
        print(f"filled {rows - stored:,} submissions in {seconds:.1f} s; {_contact(db):,} given a first contact")
    db.dispose()
    db = Database.from_settings(settings)  # a new engine: the first probe pays for opening connections
    actor = staff.authenticate(db, username, password)
    assert actor is not None
    today = date.today()
    probes = {
        "whole page, last year": (today - timedelta(days=365), today),
        "whole page, 12 weeks": (today - timedelta(weeks=12), today),
        "whole page, one week": (today - timedelta(weeks=1), today),
    }
    total = analytics.summary(db, actor, *probes["whole page, last year"]).total
    print(f"analytics over {total:,} submissions on {db.engine.dialect.name}; target under 1000 ms")
    print(f"{'query':<24}{'cold ms':>10}{'warm ms':>10}")
    for label, (start, end) in probes.items():
        cold, warm = timed(lambda start=start, end=end: analytics.summary(db, actor, start, end))
        print(f"{label:<24}{cold:>10.1f}{warm:>10.1f}")
    db.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.analytics", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="SQLite file to fill (and reuse on the next run)")
    parser.add_argument("--url", help="another database to fill and reuse instead, e.g. postgresql+psycopg://...")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-analytics-") as tmp:
        path = args.keep.resolve() if args.keep else Path(tmp) / "analytics.db"
        url = args.url or f"sqlite:///{path}"
        run(Settings(data_dir=Path(tmp), database_url=url), args.rows)


if __name__ == "__main__":
    main()
