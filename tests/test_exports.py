import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from screening.exports import FORMULA_STARTS, safe_cell, to_csv


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_formula_cells_are_neutralised():
    data = to_csv([{"name": "=HYPERLINK(\"http://x\",\"click\")", "n": 3}], ["name", "n"])
    rows = read_back(data)
    assert rows[0] == ["name", "n"]
    assert rows[1] == ["'=HYPERLINK(\"http://x\",\"click\")", "3"]


def test_negative_numbers_stay_numbers_but_text_minus_is_escaped():
    assert safe_cell(-3) == "-3"
    assert safe_cell("-3+cmd") == "'-3+cmd"


@given(st.lists(st.text(max_size=40), min_size=1, max_size=5))
def test_any_text_round_trips_and_never_starts_a_formula(values):
    columns = [f"c{i}" for i in range(len(values))]
    rows = read_back(to_csv([dict(zip(columns, values, strict=True))], columns))
    assert len(rows) == 2
    for original, cell in zip(values, rows[1], strict=True):
        assert not cell.startswith(FORMULA_STARTS)
        assert cell in (original, "'" + original)
