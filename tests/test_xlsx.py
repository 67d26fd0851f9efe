"""XLSX: text is never a formula (whatever it starts with), dates are dates, the header is frozen, widths readable."""

import io
from datetime import UTC, date, datetime

from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from screening.exports import FORMULA_STARTS, spreadsheet
from screening.exports.xlsx import MAX_WIDTH, to_xlsx

PAYLOADS = ["=1+1", "+1 555 0100", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://x","click")', "|calc"]


def sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def as_read(text: str) -> str:
    """What a reader gets back: control characters dropped, each line break (CR LF, CR or LF) one line feed."""
    return ILLEGAL_CHARACTERS_RE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def test_formula_payloads_are_text_cells_kept_as_typed():
    rows = [{"name": text, "phone": text, "email": text} for text in PAYLOADS]
    ws = sheet(to_xlsx(rows, ["name", "phone", "email"]))
    for row, text in zip(ws.iter_rows(min_row=2), PAYLOADS, strict=True):
        for cell in row:
            assert cell.data_type == "s", (cell.coordinate, cell.value)
            assert cell.value == as_read(text)
            assert cell.quotePrefix, "Excel keeps it text even when the cell is edited"


@example(["\r\n", "a\rb\r\n\nc"])  # XML reads CR LF back as one line feed
@given(st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_no_text_ever_becomes_a_formula(values):
    columns = [f"c{i}" for i in range(len(values))]
    ws = sheet(to_xlsx([dict(zip(columns, values, strict=True))], columns))
    for cell in next(ws.iter_rows(min_row=2, max_row=2)):
        assert cell.data_type != "f"
        assert cell.value is None or isinstance(cell.value, str)
        assert cell.value in (None, *map(as_read, values))


def test_dates_are_real_dates_numbers_numbers_and_the_header_frozen():
    when = datetime(2026, 11, 3, 9, 30, 15, tzinfo=UTC)
    data = to_xlsx(
        [{"received": when, "born": date(1985, 4, 12), "n": 3, "long": "x" * 300}], ["received", "born", "n", "long"]
    )
    ws = sheet(data)
    assert ws["A2"].is_date and ws["A2"].value == datetime(2026, 11, 3, 9, 30, 15)
    assert ws["B2"].is_date and ws["B2"].value.date() == date(1985, 4, 12)
    assert ws["C2"].value == 3 and ws["C2"].data_type == "n"
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCD"}
    assert widths["A"] >= len("yyyy-mm-dd hh:mm") and widths["D"] == MAX_WIDTH
    assert ws.auto_filter.ref == "A1:D2"


def test_a_cell_of_several_lines_wraps_and_a_single_line_does_not():
    """Flag reasons and the rule trace are one per line: without wrapping, a spreadsheet shows them as one line."""
    ws = sheet(to_xlsx([{"reasons": "RF-A: first reason\nRF-B: second reason", "name": "Ann"}], ["reasons", "name"]))
    assert ws["A2"].alignment.wrap_text and ws["A2"].value.splitlines() == ["RF-A: first reason", "RF-B: second reason"]
    assert not ws["B2"].alignment.wrap_text


def test_spreadsheet_writes_either_kind_and_refuses_others():
    rows = [{"a": "=1"}]
    assert spreadsheet("csv", rows, ["a"], sheet="x").decode("utf-8-sig").splitlines()[1] == "'=1"
    assert sheet(spreadsheet("xlsx", rows, ["a"], sheet="x"))["A2"].value == "=1"
    assert all(start for start in FORMULA_STARTS)
    try:
        spreadsheet("ods", rows, ["a"], sheet="x")
    except ValueError as exc:
        assert "ods" in str(exc)
    else:
        raise AssertionError("an unknown kind must be refused")
