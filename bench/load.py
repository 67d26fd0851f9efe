"""Load benchmark: patients submitting while staff export the whole queue, back to back.

Target (issue 13, item 9): with 8 patients submitting at once (threads of one process, as a
Streamlit server runs its sessions) beside back-to-back full CSV exports of 100,000 stored
submissions, a submit's p99 latency under 250 ms on SQLite, and no submit failing
("database is locked" or any other error).

    python -m bench.load [--rows 100000] [--writers 8] [--exports 3] [--keep PATH | --url DATABASE_URL]

A submit is ``intake.submit`` as the wizard calls it: screen, then store the submission, its
flags, event, case state and facts row in one write transaction. Latency is wall time from the
call to its return, so it includes every wait for the write lock.
"""

import argparse
import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench.queue import fill
from screening import casework, intake, staff
from screening.answers import Submission
from screening.loader import load_ruleset
from screening.ruleset import RuleSet
from screening.settings import REPO_RULES, Settings
from screening.staff import CONSOLE, Role, StaffSession
from screening.storage import Database
from screening.synthetic import synthetic_submissions

P99_TARGET_MS = 250.0


class Writers:
    """``count`` threads submitting patients back to back until ``stop`` is set; latencies and failures kept."""

    def __init__(self, db: Database, ruleset: RuleSet, patients: list[Submission], count: int) -> None:
        self.db, self.ruleset, self.patients = db, ruleset, patients
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(count)]

    def _run(self, index: int) -> None:
        i = index
        while not self.stop.is_set():
            patient = self.patients[i % len(self.patients)]
            started = time.perf_counter()
            try:
                intake.submit(self.db, patient, self.ruleset)
            except Exception as exc:
                with self._lock:
                    self.failures.append(type(exc).__name__ + ": " + str(exc).splitlines()[0][:80])
                continue
            finally:
                i += len(self.threads)
            with self._lock:
                self.latencies.append(time.perf_counter() - started)

    def __enter__(self) -> "Writers":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(settings: Settings, rows: int, writers: int, exports: int) -> None:
    db = Database.from_settings(settings)
    db.migrate()
    ruleset = load_ruleset(REPO_RULES)
    username, password = f"bench-{secrets.token_hex(4)}", secrets.token_urlsafe(16) + "-Aa1"
    staff.add_staff(db, username, "Bench", Role.admin, password, actor=CONSOLE)
    actor: StaffSession | None = staff.authenticate(db, username, password)
    assert actor is not None
    stored = casework.queue(db, actor, page_size=1).total
    if stored < rows:
        seconds = fill(db, rows - stored, min(5_000, rows))
        print(f"filled {rows - stored:,} submissions in {seconds:.1f} s")
    patients = synthetic_submissions(500, seed=7)
    quiet = Writers(db, ruleset, patients, writers)
    with quiet:
        time.sleep(5)
    export_times = []
    with Writers(db, ruleset, patients, writers) as busy:
        for _ in range(exports):
            started = time.perf_counter()
            casework.export_queue(db, actor)
            export_times.append(time.perf_counter() - started)
    db.dispose()
    print(f"{db.engine.dialect.name}, {rows:,} stored, {writers} patients submitting back to back")
    print(f"{'':<34}{'submits':>8}{'median ms':>11}{'p99 ms':>9}{'max ms':>9}{'failed':>8}")
    for label, figures in (("alone (5 s)", quiet), (f"during {exports} full exports", busy)):
        ordered = sorted(figures.latencies)
        print(
            f"{label:<34}{len(ordered):>8}{statistics.median(ordered) * 1000:>11.1f}"
            f"{_percentile(ordered, 0.99) * 1000:>9.1f}{ordered[-1] * 1000:>9.1f}{len(figures.failures):>8}"
        )
    print(f"full export of {rows:,}+ rows: {statistics.median(export_times):.1f} s each (median of {exports})")
    p99 = _percentile(sorted(busy.latencies), 0.99) * 1000
    met = p99 < P99_TARGET_MS and not busy.failures and not quiet.failures
    verdict = "met" if met else "NOT met"
    print(f"target: p99 < {P99_TARGET_MS:.0f} ms and no failed submit during the exports: {verdict}")
    for failure in sorted(set(busy.failures + quiet.failures))[:5]:
        print(f"  failure: {failure}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--exports", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="SQLite file to fill (and reuse on the next run)")
    parser.add_argument("--url", help="another database to fill and reuse instead, e.g. postgresql+psycopg://...")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        path = args.keep.resolve() if args.keep else Path(tmp) / "load.db"
        url = args.url or f"sqlite:///{path}"
        run(Settings(data_dir=Path(tmp), database_url=url), args.rows, args.writers, args.exports)


if __name__ == "__main__":
    main()
