"""Rule-folder benchmark: how long the loader takes to refuse each broken or hostile folder, and to load the clinic's.

Target (issue 13, item 7): every refusal well under a second. Before the loader was
bounded, a 517-byte alias bomb took the preview 18 s (each level doubling it), a file
linked to /dev/zero ran out of memory and three folders hung for over 60 s.

    python -m bench.rule_folders [--repeat 3]

The corpus is tests/rule_corpus.py (the same folders the tests refuse); each is built once
in a temporary folder and loaded ``--repeat`` times, and the best time is printed.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests")]

from rule_corpus import BROKEN, broken_folder  # noqa: E402  (after the test helpers' folder is importable)

from screening.loader import RuleSetError, load_ruleset  # noqa: E402
from screening.settings import REPO_RULES  # noqa: E402

TARGET_S = 1.0


def best_load(folder: Path, repeat: int) -> tuple[float, str]:
    """The fastest of ``repeat`` loads, and its outcome: the first problem, or the rule count."""
    times, outcome = [], ""
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            outcome = f"loaded: {len(load_ruleset(folder).rules)} rules"
        except RuleSetError as exc:
            outcome = exc.problems[0]
        times.append(time.perf_counter() - started)
    return min(times), outcome


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rule_folders", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = [("the clinic's rules", *best_load(REPO_RULES, args.repeat))]
    with tempfile.TemporaryDirectory() as parent:
        for name in BROKEN:
            rows.append((name, *best_load(broken_folder(Path(parent), name), args.repeat)))
    width = max(len(name) for name, _, _ in rows)
    for name, seconds, outcome in rows:
        print(f"{name:<{width}}  {seconds * 1000:8.1f} ms   {outcome[:90]}")
    slowest = max(seconds for _, seconds, _ in rows[1:])
    verdict = "met" if slowest < TARGET_S else "MISSED"
    print(f"\n{len(rows) - 1} broken folders, slowest refusal {slowest * 1000:.1f} ms", end=" ")
    print(f"(target < {TARGET_S:g} s: {verdict})")


if __name__ == "__main__":
    main()
