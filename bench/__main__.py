"""``python -m bench``: run every benchmark in turn and print its figures; ``python -m bench engine`` runs one.

Each benchmark is a module of this package with ``main(argv: list[str] | None = None)``
that prints its own table. To add one, write the module and add its name to ``BENCHMARKS``.
"""

import importlib
import sys

BENCHMARKS = ["engine", "queue", "preview", "load", "wizard", "rule_folders", "exports", "analytics"]


def main(names: list[str]) -> None:
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    for name in names or BENCHMARKS:
        print(f"\n== {name} ==", flush=True)
        importlib.import_module(f"bench.{name}").main([])


main(sys.argv[1:])
