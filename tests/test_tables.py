"""huikuan.tables: narrow terminals shorten names and hide optional columns, never wrap money."""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console

from huikuan.output import Result
from huikuan.tables import fit_table


def _text(result: Result, width: int, lang: str = "en") -> list[str]:
    table, notes = fit_table(result, lang, width)
    out = io.StringIO()
    Console(file=out, width=width, no_color=True, color_system=None).print(table)
    return [line.rstrip() for line in out.getvalue().splitlines()] + notes


def _result() -> Result:
    cols = ["key", "name", "a", "b", "c", "total"]
    rows = [{"key": "C1", "name": "上海明达机械有限公司", "a": "1234567.89", "b": "0.00",
             "c": "12.50", "total": "1234580.39"}]  # fmt: skip
    return Result(cols, rows, money={"a", "b", "c", "total"}, optional=["a", "b", "c"])


def test_wide_enough_keeps_the_usual_layout() -> None:
    lines = _text(_result(), 200)
    assert lines[1].startswith("  key   name ") and not any("hidden" in line for line in lines)


def test_narrow_shortens_the_name_with_an_ellipsis_and_keeps_amounts_whole() -> None:
    lines = _text(_result(), 60)
    assert lines[0].split() == ["key", "name", "a", "b", "c", "total"]
    assert "…" in lines[2] and "1,234,567.89" in lines[2] and "1,234,580.39" in lines[2]
    assert max(cell_len(line) for line in lines) <= 60


def test_narrower_hides_empty_optional_columns_first_then_in_order() -> None:
    lines = _text(_result(), 48)
    assert lines[0].split() == ["key", "name", "a", "c", "total"]
    assert lines[-1] == (
        "1 column(s) hidden (b): use --format csv or widen the terminal to see all"
    )
    lines = _text(_result(), 38)
    assert lines[0].split() == ["key", "name", "c", "total"]
    assert lines[-1].startswith("2 column(s) hidden (a, b)")
    assert all(cell_len(line) <= 38 for line in lines[:-1])


def test_headers_in_zh_are_measured_as_double_width() -> None:
    lines = _text(_result(), 60, "zh")
    assert lines[0].split()[:2] == ["分组", "名称"]
    assert max(cell_len(line) for line in lines) <= 60
