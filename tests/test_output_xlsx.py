"""The xlsx writer on its own: types, formats, sections, sheet names, long results."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from python_calamine import CalamineWorkbook

from huikuan import output_xlsx
from huikuan.output import Result
from huikuan.output_xlsx import write_xlsx


def _read(data: bytes) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names}


def _write(result: Result) -> dict[str, list[list[Any]]]:
    out = io.BytesIO()
    write_xlsx(result, out)
    return _read(out.getvalue())


def test_cells_are_typed() -> None:
    rows = [
        {"number": "2026-01-01", "day": "2026-01-05", "amount": "1234.56", "n": 3,
         "tags": ["a", "b"], "flag": True, "share": "12.5%", "note": None},
        {"number": "X", "day": "2026-02-30", "amount": "-0.01", "n": 0, "tags": [],
         "flag": False, "share": "n/a", "note": "=1+1"},
    ]  # fmt: skip
    result = Result(list(rows[0]), rows, money={"amount", "share"}, title="T: a/b [c]")
    got = _write(result)
    assert list(got) == ["T  a b  c"]
    assert got["T  a b  c"][1:] == [
        ["2026-01-01", dt.date(2026, 1, 5), 1234.56, 3.0, "a b", True, 0.125, ""],
        ["X", "2026-02-30", -0.01, 0.0, "", False, "n/a", "=1+1"],
    ]


def test_sections_and_totals_rows() -> None:
    main = Result(["key", "amount"], iter([{"key": "A", "amount": "1.00"}]), money={"amount"})
    main.totals = [{"key": "Total", "amount": "1.00"}]
    main.sections = [Result(["x"], [{"x": "y"}], title="Aging as of 2026-01-01 (due basis)")]
    got = _write(main)
    assert got == {
        "Sheet1": [["key", "amount"], ["A", 1.0], ["Total", 1.0]],
        "Aging as of 2026-01-01": [["x"], ["y"]],
    }


def test_a_sheet_continues_past_the_row_limit(monkeypatch: Any) -> None:
    monkeypatch.setattr(output_xlsx, "MAX_ROWS", 3)
    rows = ({"n": str(i)} for i in range(5))
    got = _write(Result(["n"], rows, title="Big"))
    assert got == {
        "Big": [["n"], ["0"], ["1"]],
        "Big (2)": [["n"], ["2"], ["3"]],
        "Big (3)": [["n"], ["4"]],
    }
