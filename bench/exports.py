"""Exports benchmark: what each file costs to build, without the database (CPU time of this process).

    python -m bench.exports [--rows 10000]

Figures: the FHIR Questionnaire built from the model (once per process, including the
probe that finds which fields are required when asked), a QuestionnaireResponse and its
read-back per submission, the consultation summary PDF per submission, and the queue
spreadsheet of ``--rows`` rows as CSV and as XLSX. No targets are set by the issue; these
say what a staff click costs (a PDF or FHIR file: milliseconds) and how big an export may get.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from screening.engine import screen
from screening.exports import fhir, spreadsheet
from screening.exports.pdf import SummaryInput, summary_pdf
from screening.loader import load_ruleset
from screening.settings import REPO_RULES
from screening.synthetic import synthetic_submissions

CLOCK = time.process_time_ns
AT = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
COLUMNS = ("reference", "received", "name", "phone", "email", "triage", "reason", "flags")


def ms(call: Callable[[], Any], rounds: int = 5) -> float:
    samples = []
    for _ in range(rounds):
        started = CLOCK()
        call()
        samples.append((CLOCK() - started) / 1e6)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.exports", description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args(argv)
    ruleset = load_ruleset(REPO_RULES)
    started = CLOCK()
    fhir.questionnaire()
    build_ms = (CLOCK() - started) / 1e6
    subs = synthetic_submissions(50, seed=4)
    stored = [(s.model_dump(mode="json"), screen(s, ruleset).to_dict(with_trace=True)) for s in subs]
    responses = [fhir.response(a, reference="BT-7K3M-Q9PZ", authored=AT) for a, _ in stored]
    fhir.read_response(responses[0])  # loads the FHIR models once
    per_response = ms(lambda: [fhir.response(a, reference="BT-7K3M-Q9PZ", authored=AT) for a, _ in stored]) / 50
    per_read = ms(lambda: [fhir.read_response(r) for r in responses]) / 50
    per_pdf = ms(
        lambda: [summary_pdf(SummaryInput("BT-7K3M-Q9PZ", AT, a, r, "Bench", AT)) for a, r in stored[:10]], rounds=3
    ) / 10
    rows = [
        {
            "reference": f"BT-{n:04d}-TEST",
            "received": AT,
            "name": "=Alex Morgan",
            "phone": "+1 555 0100",
            "email": "alex@example.org",
            "triage": "Needs review",
            "reason": "Blood thinners or a bleeding disorder",
            "flags": ["PR-BLEEDING", "CM-LIKELY"],
        }
        for n in range(args.rows)
    ]
    csv_ms = ms(lambda: spreadsheet("csv", rows, COLUMNS, sheet="Bench"), rounds=3)
    xlsx_ms = ms(lambda: spreadsheet("xlsx", rows, COLUMNS, sheet="Bench"), rounds=3)
    print(f"{'what':<52} {'CPU time':>12}")
    print(f"{'FHIR Questionnaire from the model (first build)':<52} {build_ms:>9.0f} ms")
    print(f"{'QuestionnaireResponse of one submission':<52} {per_response:>9.2f} ms")
    print(f"{'reading one response back (fhir.resources check)':<52} {per_read:>9.2f} ms")
    print(f"{'consultation summary PDF of one submission':<52} {per_pdf:>9.1f} ms")
    print(f"{f'CSV of {args.rows:,} rows':<52} {csv_ms:>9.0f} ms")
    print(f"{f'XLSX of {args.rows:,} rows':<52} {xlsx_ms:>9.0f} ms")


if __name__ == "__main__":
    main()
