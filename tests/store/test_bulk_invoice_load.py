"""A bulk invoice load (issue 12, PostgreSQL's import figure): one streamed ``COPY``, the
unique index on the number dropped for it and made again afterwards.

The ids, the sequence after the load and the repeated numbers must come out as the
chunk-by-chunk path gives them (on SQLite both paths are SQLite's own; the tests hold there too).
Lowering ``PARALLEL_BYTES`` and ``BULK_BYTES`` to 0 takes the bulk path with small files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from store_helpers import Book, write_csv

from huikuan.core.errors import HuikuanError, ImportFailed
from huikuan.store import importer, pipeline

HEADER = ["number", "customer", "issue_date", "amount", "due_date", "terms", "description"]
needs_fork = pytest.mark.skipif(not pipeline.available(), reason="needs fork and two cores")


def _book(book: Book) -> Book:
    book.customer("C1", terms="NET30")
    book.customer("C2")
    book.invoice("OLD-1", "C1", "2025-12-01", "10")
    book.invoice("OLD-2", "C1", "2025-12-01", "10")
    return book


def _run(book: Book, f: Path, bulk: bool, mp: pytest.MonkeyPatch) -> Any:
    size = 0 if bulk else 1 << 60
    mp.setattr(importer, "PARALLEL_BYTES", size)
    mp.setattr(importer, "BULK_BYTES", size)
    try:
        return book.import_("invoices", f)
    except HuikuanError as exc:
        return exc


def _ids(book: Book) -> list[tuple[int, str]]:
    return book.execute("SELECT id, number FROM invoice ORDER BY id").fetchall()


@needs_fork
def test_rows_get_the_next_ids_in_file_order_and_the_sequence_moves_past_them(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _book(book)
    bad = write_csv(tmp_path / "bad.csv", HEADER, [["X-1", "C1", "2026-01-05", "1", "", "", ""], ["X-2", "C9", "2026-01-05", "1", "", "", ""]])  # fmt: skip
    assert isinstance(_run(book, bad, True, monkeypatch), ImportFailed)  # ids may be spent
    rows = [[f"N-{i:05d}", "C1", "2026-01-05", f"{i}.5", "", "", ""] for i in range(12000, 0, -1)]
    f = write_csv(tmp_path / "i.csv", HEADER, rows)
    assert _run(book, f, True, monkeypatch).rows == 12000
    ids = _ids(book)
    assert [n for _, n in ids] == ["OLD-1", "OLD-2"] + [r[0] for r in rows]
    new = [i for i, _ in ids[2:]]
    assert new == list(range(new[0], new[0] + 12000)) and new[0] > ids[1][0]
    book.invoice("AFTER", "C1", "2026-02-01", "3")
    assert _ids(book)[-1] == (new[-1] + 1, "AFTER")


@needs_fork
def test_repeats_across_chunks_are_reported_as_the_chunk_by_chunk_path_does(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [[f"N-{i:05d}", "C1", "2026-01-05", "1", "", "", ""] for i in range(16000)]
    for at in (3, 4999, 5000, 11000):  # the same number four times, two at a chunk's edge
        rows[at] = ["R-1", "C1", "2026-01-05", "1", "", "", ""]
    rows[7000] = rows[12000] = ["OLD-2", "C1", "2026-01-05", "1", "", "", ""]
    rows[5001] = ["B-1", "C9", "2026-01-05", "1", "", "", ""]  # a check problem between
    rows[10999] = ["B-2", "C1", "2026-13-05", "1", "", "", ""]
    rows[15999] = ["N-00001", "C2", "2026-01-05", "1", "2026-02-01", "", "wide"]
    f = write_csv(tmp_path / "i.csv", HEADER, rows)
    _book(book)
    before = _ids(book)
    plain = _run(book, f, False, monkeypatch)
    bulk = _run(book, f, True, monkeypatch)
    assert isinstance(plain, ImportFailed) and isinstance(bulk, ImportFailed)
    assert bulk.messages == plain.messages
    assert bulk.summary == plain.summary
    # a chunk's check problems as its rows are read, then its repeats (chunks of 5,000
    # clean rows: lines 2-5001, 5002-10002 without 5003, 10003-15003 without 11001, …)
    assert [m.split(": ")[0].rsplit(":", 1)[1] for m in bulk.messages] == [
        "5001", "5003", "5002", "7002", "11001", "11002", "12002", "16001",
    ]  # fmt: skip
    assert bulk.messages[0].endswith("number: duplicate 'R-1' (earlier in this file)")
    assert bulk.messages[3].endswith("number: duplicate 'OLD-2' (already in the ledger)")
    assert bulk.messages[7].endswith("number: duplicate 'N-00001' (earlier in this file)")
    assert _ids(book) == before
