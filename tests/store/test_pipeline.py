"""pipeline.py: big CSV invoice imports checked in a forked child give what the one-process
import gives — the same rows, the same problems, the same errors, progress and calendar notes.

The tests lower ``PARALLEL_BYTES`` (and ``BULK_BYTES``) to 0 so small files take that path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from store_helpers import Book, write_csv

from huikuan.core.calendar import make_calendar
from huikuan.core.errors import HuikuanError, ImportFailed
from huikuan.store import importer, pipeline
from huikuan.store.db import sa_of

pytestmark = pytest.mark.skipif(not pipeline.available(), reason="needs fork and two cores")

HEADER = ["number", "customer", "issue_date", "amount", "due_date", "terms", "contract"]
GOOD = [
    ["A-1", "C1", "2026-01-05", "100.5", "", "NET30", ""],
    ["A-2", "C2", "2026/02/01", "2,000", "2026-03-01", "", "HT-9"],
    ["A-3", "C1", "2026年3月1日", "7", "", "", ""],
]
BAD = [
    ["B-1", "C9", "2026-01-05", "1", "", "", ""],  # unknown customer
    ["B-2", "C1", "2026-02-30", "1", "", "", ""],  # impossible date
    ["A-1", "C1", "2026-01-05", "1", "", "", ""],  # duplicate of line 2
    ["OLD-1", "C1", "2026-01-05", "1", "", "", ""],  # already in the ledger
    ["B-3", "C1", "2026-01-05", "1.234", "", "", ""],  # three decimals
]


def _book(book: Book) -> Book:
    book.customer("C1", terms="NET30")
    book.customer("C2")
    book.invoice("OLD-1", "C1", "2025-12-01", "10")
    return book


def _rows(book: Book) -> list[tuple[Any, ...]]:
    return book.execute(
        "SELECT number, customer_id, issue_date, due_date, amount, currency, terms, contract,"
        " open_amount FROM invoice ORDER BY number"
    ).fetchall()


def _run(book: Book, f: Path, parallel: bool, mp: pytest.MonkeyPatch, **kw: Any) -> Any:
    size = 0 if parallel else 1 << 60
    mp.setattr(importer, "PARALLEL_BYTES", size)
    mp.setattr(importer, "BULK_BYTES", size)
    try:
        return book.import_("invoices", f, **kw)
    except HuikuanError as exc:
        return exc


@pytest.mark.parametrize("parallel", [False, True])
def test_clean_file_gives_the_same_rows(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    f = write_csv(tmp_path / "i.csv", HEADER, GOOD * 1 + [[f"N-{i}", "C1", "2026-01-05", "1", "", "", ""] for i in range(12000)])  # fmt: skip
    result = _run(_book(book), f, parallel, monkeypatch)
    assert result.rows == 12003
    rows = _rows(book)
    assert rows[:3] == [
        ("A-1", 1, "2026-01-05", "2026-02-04", 10050, "CNY", "NET30", None, 10050),
        ("A-2", 2, "2026-02-01", "2026-03-01", 200000, "CNY", None, "HT-9", 200000),
        ("A-3", 1, "2026-03-01", "2026-03-31", 700, "CNY", "NET30", None, 700),
    ]
    assert len(rows) == 12004  # with OLD-1
    names = {i["name"] for i in sa.inspect(sa_of(book.conn)).get_indexes("invoice")}
    assert {"invoice_customer", "invoice_issue", "invoice_open"} <= names  # rebuilt


def test_problems_are_the_same_in_both_paths(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = write_csv(tmp_path / "i.csv", HEADER, GOOD + BAD)
    _book(book)
    before = _rows(book)
    one = _run(book, f, False, monkeypatch)
    two = _run(book, f, True, monkeypatch)
    assert isinstance(one, ImportFailed) and isinstance(two, ImportFailed)
    assert two.messages == one.messages
    assert two.summary == one.summary == "nothing imported: 5 problem(s) in 5 row(s)"
    # checks report as rows are read; duplicates when the insert meets them
    assert [m.split(": ")[0] for m in two.messages] == [f"{f}:{n}" for n in (5, 6, 9, 7, 8)]
    assert two.messages[3] == f"{f}:7: number: duplicate 'A-1' (earlier in this file)"
    assert two.messages[4] == f"{f}:8: number: duplicate 'OLD-1' (already in the ledger)"
    assert _rows(book) == before


def test_a_row_of_the_wrong_width_is_reported(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "i.csv"
    f.write_text("number,customer,issue_date,amount\nA-1,C1,2026-01-05,1\nA-2,C1\n", "utf-8")
    err = _run(_book(book), f, True, monkeypatch)
    assert err.messages == [f"{f}:3: row has 2 fields but the header has 4"]


def test_bad_bytes_after_the_sniffed_head_fail_cleanly(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [[f"N-{i:07d}", "C1", "2026-01-05", "1", "", "", ""] for i in range(40000)]
    f = write_csv(tmp_path / "i.csv", HEADER, rows)
    assert f.stat().st_size > 1 << 20  # past what the encoding detection reads
    f.write_bytes(f.read_bytes() + "N-X,C1,2026-01-05,1,,,测试\n".encode("gbk"))
    err = _run(_book(book), f, True, monkeypatch)
    assert isinstance(err, ImportFailed)
    assert err.messages[0].startswith(f"{f}: not valid utf-8 text")
    assert book.count("invoice") == 1


def test_progress_and_calendar_notes_come_back_from_the_child(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cal = make_calendar("CN", (), ())
    year = cal.data_years.stop + 1  # past chinesecalendar's data: weekends only, noted
    rows = [[f"N-{i}", "C1", f"{year}-01-0{1 + i % 5}", "1", "", "", ""] for i in range(9000)]
    f = write_csv(tmp_path / "i.csv", HEADER, rows)
    book.calendar = cal
    seen: list[int] = []
    result = _run(_book(book), f, True, monkeypatch, progress=seen.append)
    assert result.rows == 9000
    assert sum(seen) == f.stat().st_size
    assert year in cal.missing_years


def test_a_crash_in_the_child_is_raised_not_hidden(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(importer.QuickInvoice, "for_columns", lambda self, cols: broken)
    f = write_csv(tmp_path / "i.csv", HEADER, GOOD)
    with pytest.raises(RuntimeError, match="ZeroDivisionError: boom"):
        _run(_book(book), f, True, monkeypatch)
    assert book.count("invoice") == 1
