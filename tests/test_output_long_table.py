"""A long table is printed a slice of rows at a time with the whole table's widths: the same
text as one rich table, whatever the layout (natural or fitted), title, totals or colour."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huikuan import output
from huikuan.output import Result, render

CELL = st.text(alphabet="ab 上海明达机械有限公司-_0123456789", max_size=24)
AMOUNT = st.integers(0, 10**9).map(lambda f: f"{f // 100}.{f % 100:02d}")


def _result(rows: list[tuple[str, str, str]], title: str | None, totals: bool) -> Result:
    body = [{"key": k, "name": n, "amount": a} for k, n, a in rows]
    shown = [{"key": "Total", "amount": "1.00"}] if totals else []
    return Result(["key", "name", "amount"], body, title=title, money={"amount"},
                  totals=shown, optional=["name"])  # fmt: skip


def _text(result: Result, slice_rows: int, width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(output, "TABLE_SLICE", slice_rows)
    monkeypatch.setenv("COLUMNS", str(width))
    out = io.StringIO()
    render(result, "table", out)
    return out.getvalue()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.tuples(CELL, CELL, AMOUNT), min_size=0, max_size=12),
    title=st.sampled_from([None, "", "Aging as of 2026-11-22", "诉讼时效 as of 2026-11-22"]),
    totals=st.booleans(),
    width=st.sampled_from([200, 40, 24]),
    slice_rows=st.integers(1, 5),
)
def test_sliced_table_reads_as_one_table(
    rows: list[tuple[str, str, str]],
    title: str | None,
    totals: bool,
    width: int,
    slice_rows: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with monkeypatch.context() as m:
        whole = _text(_result(rows, title, totals), 10**6, width, m)
        sliced = _text(_result(rows, title, totals), slice_rows, width, m)
    assert sliced == whole


def test_a_long_table_keeps_its_header_once_and_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [(f"C{n:04d}", "上海明达", f"{n}.00") for n in range(2500)]
    text = _text(_result(rows, "Long", True), output.TABLE_SLICE, 200, monkeypatch)
    lines = text.splitlines()
    assert lines[0].startswith("Long") and sum("key" in line for line in lines) == 1
    assert [line.split()[0] for line in lines if line.strip().startswith("C")] == [
        f"C{n:04d}" for n in range(2500)
    ]
    assert lines[-2].split() == ["Total", "1.00"]
