"""Everything that leaves the app as a file: spreadsheets (CSV, XLSX), the consultation summary (PDF) and FHIR.

The modules only format: ``csv``, ``xlsx``, ``pdf`` and ``fhir`` turn rows, answers and
results into bytes or JSON, without the database. ``service`` is what the pages and the
command line call: it checks the caller, reads what the role may see, and writes the
audit row (who, what, how many rows) in the same transaction as its reads.
"""

from screening.exports.csv import FORMULA_STARTS, safe_cell, to_csv

__all__ = ["FORMULA_STARTS", "safe_cell", "to_csv"]
