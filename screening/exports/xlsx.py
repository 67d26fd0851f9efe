"""Spreadsheet-safe XLSX: the same rows as the CSV, as a workbook a clinic opens without surprises.

Text is always written as a text cell, never as a formula, and marked "quote prefix" so
that editing a cell such as ``=HYPERLINK(...)`` in Excel keeps it text. Dates and times
are real spreadsheet dates (UTC, said so in the header); the header row is frozen and
filterable, and each column is as wide as its longest value (within limits).
"""

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"


def _text(value: Any) -> str:
    if isinstance(value, list | tuple | set):
        value = "; ".join(str(v) for v in value)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _put(cell: Cell, value: Any) -> int:
    """Writes one value; returns how many characters wide it shows."""
    if value is None:
        return 0
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, datetime):
        cell.value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        cell.number_format = DATETIME_FORMAT
        return len(DATETIME_FORMAT)
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return len(DATE_FORMAT)
    if isinstance(value, int | float):
        cell.value = value
        return len(str(value))
    text = _text(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
    cell.quotePrefix = True
    return max((len(line) for line in text.splitlines()), default=0)


def to_xlsx(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *, sheet: str = "Export") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    widths = [len(name) for name in columns]
    for index, name in enumerate(columns, start=1):
        header = ws.cell(row=1, column=index)
        _put(header, name)
        header.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for index, name in enumerate(columns, start=1):
            cell = ws.cell(row=row_number, column=index)
            widths[index - 1] = max(widths[index - 1], _put(cell, row.get(name)))
            cell.alignment = Alignment(vertical="top")
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, ws.max_row)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
