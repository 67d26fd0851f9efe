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
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
WRAPPED = Alignment(wrap_text=True, vertical="top")


def _text(value: Any) -> str:
    """Without the control characters XML cannot hold, and with every line break one line feed: XML reads a
    carriage return back as a line feed, and a CR LF pair as ONE, so the cell holds what a reader will see."""
    if isinstance(value, list | tuple | set):
        value = "; ".join(str(v) for v in value)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")


def _cell(ws: Any, value: Any) -> tuple[WriteOnlyCell, int]:
    """One cell, and how many characters wide it shows."""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if value is None:
        return WriteOnlyCell(ws), 0
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value)
        cell.number_format = DATETIME_FORMAT
        return cell, len(DATETIME_FORMAT)
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = DATE_FORMAT
        return cell, len(DATE_FORMAT)
    if isinstance(value, int | float):
        return WriteOnlyCell(ws, value), len(str(value))
    text = _text(value)
    cell = WriteOnlyCell(ws, text)
    cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
    cell.quotePrefix = True
    if "\n" in text:  # a list of flag reasons or a rule trace: one per line, not one line cut at the column's edge
        cell.alignment = WRAPPED
    return cell, max((len(line) for line in text.splitlines()), default=0)


def to_xlsx(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *, sheet: str = "Export") -> bytes:
    """A streamed (write-only) workbook: the cells are made first, to size the columns, then written in order."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    header = [_cell(ws, name)[0] for name in columns]
    for cell in header:
        cell.font = Font(bold=True)
    widths = [len(name) for name in columns]
    lines = []
    for row in rows:
        made = [_cell(ws, row.get(name)) for name in columns]
        widths = [max(width, shown) for width, (_, shown) in zip(widths, made, strict=True)]
        lines.append([cell for cell, _ in made])
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(lines) + 1}"
    ws.append(header)
    for line in lines:
        ws.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
