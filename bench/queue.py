"""Queue benchmark: 100,000 stored submissions, then the time to open the queue's first page with its counts.

Target (issue 4): about a second. The queue reads only the narrow ``case_state`` table and
its indexes, sorted, counted and cut by the database, so the figure should stay far below
that and grow little with the number of rows. The CSV exports read every matching row (in
batches, in one read-only transaction that holds up no patient's submit: bench/load.py measures
the submits beside them). The rule-change preview (Rules page) re-screens every stored
submission from its stored facts rows; with the live rules it must change none (the batch path
agrees with the stored one-at-a-time results; bench/preview.py times it alone).

    python -m bench.queue [--rows 100000] [--distinct 5000] [--keep PATH | --url DATABASE_URL]

Filling screens ``--distinct`` synthetic patients (screening.synthetic) and stores them
again and again under new reference codes, names and times: the queue never reads the
answers, so re-using them changes nothing it measures and keeps the fill to seconds.
"""

import argparse
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from screening import casework, intake, rules_preview, staff
from screening.loader import load_ruleset
from screening.settings import REPO_RULES, Settings
from screening.staff import CONSOLE, Role, StaffSession
from screening.storage import Database, cases
from screening.synthetic import synthetic_submissions
from screening.triage import Triage
from screening.workflow import Status

BATCH = 5_000
FIRST_NAMES = ("Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lena")
LAST_NAMES = ("Novak", "Okafor", "Park", "Quinn", "Rossi", "Sato", "Tran", "Ueda", "Vega", "Weber", "Xu", "Young")


def fill(db: Database, rows: int, distinct: int, *, trace: bool = True) -> float:
    """Stores ``rows`` submissions spread over the last year; returns the seconds it took.

    ``trace=False`` stores each result without its rule trace (most of a row's 13 kB): for
    benchmarks that never read the submissions table, so a million rows fill in minutes.
    """
    ruleset = load_ruleset(REPO_RULES)
    started = time.perf_counter()
    patients = synthetic_submissions(distinct, seed=1)
    now = datetime.now(UTC)
    forms = [intake.stored_form(p, ruleset, "", now) for p in patients]
    if not trace:
        forms = [replace(form, result={**form.result, "trace": []}) for form in forms]
    for start in range(0, rows, BATCH):
        end = min(start + BATCH, rows)
        batch = [_copy(forms[i % distinct], i, now - timedelta(minutes=5 * (rows - i))) for i in range(start, end)]
        with db.session() as tx:
            cases.insert_submissions(tx, batch)
    return time.perf_counter() - started


def _copy(form: cases.NewSubmission, i: int, created_at: datetime) -> cases.NewSubmission:
    name = f"{FIRST_NAMES[i % 12]} {LAST_NAMES[(i // 12) % 12]} {i}"
    code = "".join(intake.CROCKFORD[(i >> (5 * k)) & 31] for k in reversed(range(8)))
    reference = f"BT-{code[:4]}-{code[4:]}"  # unique by construction, unlike random codes at this volume
    return cases.NewSubmission(**{**vars(form), "reference": reference, "created_at": created_at, "patient_name": name})


def timed(call: Callable[[], Any], repeat: int = 5) -> tuple[float, float]:
    """Cold (first) and warm (median of the rest) times in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times[1:])


def measure(db: Database, actor: StaffSession) -> list[tuple[str, float, float]]:
    probes: list[tuple[str, Callable[[], Any]]] = [
        ("first page + counts", lambda: casework.queue(db, actor)),
        ("urgent only", lambda: casework.queue(db, actor, triage=Triage.urgent)),
        ("status new", lambda: casework.queue(db, actor, status=Status.new)),
        ("flag RF-THUNDERCLAP", lambda: casework.queue(db, actor, flag="RF-THUNDERCLAP")),
        ("search by name", lambda: casework.queue(db, actor, search="okafor")),
        ("search by reference", lambda: casework.queue(db, actor, search="BT-0000-0000")),
        ("page 1000 of 50", lambda: casework.queue(db, actor, page=1000)),
        ("CSV export, urgent", lambda: casework.export_queue(db, actor, triage=Triage.urgent)),
        ("CSV export, every row", lambda: casework.export_queue(db, actor)),
    ]
    return [(label, *timed(call)) for label, call in probes]


def run(settings: Settings, rows: int, distinct: int) -> None:
    db = Database.from_settings(settings)
    db.migrate()
    username, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16) + "-Aa1"
    staff.add_staff(db, username, "Bench", Role.admin, password, actor=CONSOLE)
    actor = staff.authenticate(db, username, password)
    assert actor is not None
    stored = casework.queue(db, actor, page_size=1).total
    if stored < rows:
        seconds = fill(db, rows - stored, min(distinct, rows))
        print(f"filled {rows - stored:,} submissions in {seconds:.1f} s ({(rows - stored) / seconds:,.0f}/s)")
    total = casework.queue(db, actor, page_size=1).total
    db.dispose()
    db = Database.from_settings(settings)  # a new engine: the first probe pays for opening connections
    print(f"queue over {total:,} submissions on {db.engine.dialect.name}; target about 1000 ms")
    print(f"{'query':<24}{'cold ms':>10}{'warm ms':>10}")
    for label, cold, warm in measure(db, actor):
        print(f"{label:<24}{cold:>10.1f}{warm:>10.1f}")
    preview_figure(db)
    db.dispose()


def preview_figure(db: Database) -> None:
    """The Rules page's preview re-screens every stored submission once per click: timed once, not repeated."""
    started = time.perf_counter()
    preview = rules_preview.rescreen(db, load_ruleset(REPO_RULES))
    seconds = time.perf_counter() - started
    print(
        f"rule-change preview: {preview.screened:,} re-screened in {seconds:.1f} s "
        f"({seconds / max(preview.screened, 1) * 1e6:.0f} µs each; {len(preview.changes)} changed by the same rules)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.queue", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=5_000)
    parser.add_argument("--keep", type=Path, help="SQLite file to fill (and reuse on the next run)")
    parser.add_argument("--url", help="another database to fill and reuse instead, e.g. postgresql+psycopg://...")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
        path = args.keep.resolve() if args.keep else Path(tmp) / "queue.db"
        url = args.url or f"sqlite:///{path}"
        run(Settings(data_dir=Path(tmp), database_url=url), args.rows, args.distinct)


if __name__ == "__main__":
    main()
