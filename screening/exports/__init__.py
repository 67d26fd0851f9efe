"""Everything that leaves the app as a file: spreadsheets (CSV, XLSX), the consultation summary (PDF) and FHIR.

The modules only format: ``csv``, ``xlsx``, ``pdf`` and ``fhir`` turn rows, answers and
results into bytes or JSON, without the database. ``service`` is what the pages and the
command line call: it checks the caller, reads what the role may see, and writes the
audit row (who, what, how many rows) in the same transaction as its reads.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from screening.exports.csv import FORMULA_STARTS, safe_cell, to_csv

__all__ = ["FORMULA_STARTS", "SPREADSHEETS", "check_kind", "safe_cell", "spreadsheet", "to_csv"]
SPREADSHEETS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
"""The spreadsheet kinds an export can be written as, with their MIME type."""


def check_kind(kind: str) -> None:
    """Refuses an unknown kind before anything is read or audited."""
    if kind not in SPREADSHEETS:
        raise ValueError(f"Unknown spreadsheet kind {kind!r}; choose one of {', '.join(SPREADSHEETS)}.")


def spreadsheet(kind: str, rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *, sheet: str) -> bytes:
    """Rows as a spreadsheet file of ``kind`` (``SPREADSHEETS``), safe to open either way."""
    if kind == "xlsx":
        from screening.exports.xlsx import to_xlsx  # openpyxl only when a workbook is asked for

        return to_xlsx(rows, columns, sheet=sheet)
    check_kind(kind)
    return to_csv(rows, columns)
