"""The fast invoice import (issue 12's figures): the bulk path gives what the plain one gives.

On PostgreSQL a big file is checked in a forked child that also writes each chunk as ``COPY``
text (:mod:`huikuan.store.pgcopy`), and the table's non-unique indexes and foreign key are
dropped and made again; on SQLite the child sends the checked rows. Both must store the same
rows and report the same problems as the one-process, row-index-kept path: the tests lower
``PARALLEL_BYTES`` and ``BULK_BYTES`` to 0 to take the fast path with small files.
"""

from __future__ import annotations

import array
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from store_helpers import Book, write_csv

from huikuan.core.errors import HuikuanError, ImportFailed
from huikuan.core.quick import _amount
from huikuan.store import importer, pgcopy, pipeline
from huikuan.store.db import sa_of

HEADER = ["number", "customer", "issue_date", "amount", "due_date", "terms", "description"]
ODD = [  # values the COPY text must escape, or that take the full check
    ["A\\1", "C1", "2026-01-05", "1.5", "", "NET30", ""],
    ["A-2", "C1", "2026-01-05", "2", "", "", "a \\t that is no tab"],
    ["A-3", "C2", "2026-01-06", "3", "2026-02-01", "", "two\nlines \\N and \\"],
    ["A-4", "C1", "2026/01/07", "1,000", "", "", ""],
]


def _book(book: Book) -> Book:
    book.customer("C1", terms="NET30")
    book.customer("C2")
    book.invoice("OLD-1", "C1", "2025-12-01", "10")
    return book


def _rows(book: Book) -> list[tuple[Any, ...]]:
    return book.execute(
        "SELECT number, customer_id, issue_date, due_date, amount, currency, terms,"
        " description, open_amount FROM invoice ORDER BY number"
    ).fetchall()


def _run(book: Book, f: Path, fast: bool, mp: pytest.MonkeyPatch) -> Any:
    size = 0 if fast else 1 << 60
    mp.setattr(importer, "PARALLEL_BYTES", size)
    mp.setattr(importer, "BULK_BYTES", size)
    try:
        return book.import_("invoices", f)
    except HuikuanError as exc:
        return exc


def _schema(book: Book) -> tuple[list[str], list[Any]]:
    inspector = sa.inspect(sa_of(book.conn))
    names = sorted(i["name"] for i in inspector.get_indexes("invoice"))
    keys = [(k["constrained_columns"], k["referred_table"]) for k in inspector.get_foreign_keys("invoice")]  # fmt: skip
    return names, keys


@pytest.mark.skipif(not pipeline.available(), reason="needs fork and two cores")
def test_the_fast_path_stores_what_the_plain_path_stores(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = [[f"N-{i:05d}", f"C{i % 2 + 1}", "2026-01-05", f"{i}.25", "", "NET30", ""] for i in range(1, 12001)]  # fmt: skip
    f = write_csv(tmp_path / "i.csv", HEADER, ODD + many)
    _book(book)
    schema = _schema(book)
    before = _rows(book)
    plain = _run(book, f, False, monkeypatch)
    assert not isinstance(plain, HuikuanError), plain.messages
    assert plain.rows == 12004
    want = _rows(book)
    book.execute("DELETE FROM invoice WHERE number <> 'OLD-1'")
    assert _rows(book) == before
    fast = _run(book, f, True, monkeypatch)
    assert fast.rows == 12004
    assert _rows(book) == want
    assert _schema(book) == schema  # the indexes and the foreign key are back
    assert want[0][0] == "A-2" and want[0][7] == "a \\t that is no tab"
    assert [r[7] for r in want if r[0] == "A-3"] == ["two\nlines \\N and \\"]
    assert [r[0] for r in want if r[0].startswith("A\\")] == ["A\\1"]


@pytest.mark.skipif(not pipeline.available(), reason="needs fork and two cores")
def test_repeated_numbers_are_reported_alike_in_both_paths(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [[f"N-{i:05d}", "C1", "2026-01-05", "1", "", "", ""] for i in range(9000)]
    rows[10] = ["A\\1", "C1", "2026-01-05", "1", "", "", "x"]
    rows[20] = ["A\\1", "C1", "2026-01-05", "1", "", "", ""]  # same chunk, earlier in the file
    rows[30] = ["A\\1", "C1", "2026-01-05", "1", "", "", ""]
    rows[6000] = ["N-00005", "C1", "2026-01-05", "1", "", "", ""]  # an earlier chunk's
    rows[7000] = ["OLD-1", "C1", "2026-01-05", "1", "", "", ""]  # already in the ledger
    rows[8000] = ["B-1", "C9", "2026-01-05", "1", "", "", ""]  # unknown customer
    f = write_csv(tmp_path / "i.csv", HEADER, rows)
    _book(book)
    schema, before = _schema(book), _rows(book)
    one = _run(book, f, False, monkeypatch)
    two = _run(book, f, True, monkeypatch)
    assert isinstance(one, ImportFailed) and isinstance(two, ImportFailed)
    assert two.messages == one.messages
    # a chunk's checks as its rows are read, then its duplicates as it is inserted
    assert len(two.messages) == 5 and two.messages[2].startswith(f"{f}:8002: customer: ")
    assert two.messages[:2] + two.messages[3:] == [
        f"{f}:22: number: duplicate 'A\\\\1' (earlier in this file)",
        f"{f}:32: number: duplicate 'A\\\\1' (earlier in this file)",
        f"{f}:6002: number: duplicate 'N-00005' (earlier in this file)",
        f"{f}:7002: number: duplicate 'OLD-1' (already in the ledger)",
    ]
    assert _rows(book) == before
    assert _schema(book) == schema


def _parse(data: bytes) -> list[list[str | None]]:
    """COPY text -> fields (the format PostgreSQL reads), for checking :mod:`pgcopy`."""
    escapes = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    out = []
    for line in data.decode("utf-8").split("\n")[:-1]:
        fields: list[str | None] = []
        for raw in line.split("\t"):
            if raw == "\\N":
                fields.append(None)
                continue
            text, i = "", 0
            while i < len(raw):
                if raw[i] == "\\":
                    text, i = text + escapes[raw[i + 1]], i + 2
                else:
                    text, i = text + raw[i], i + 1
            fields.append(text)
        out.append(fields)
    return out


DAY, DUE = "2026-01-05", "2026-02-04"
BLOCKS = [
    [("N-1", 7, DAY, DUE, 150, "CNY", "NET30")] * 3,
    [("N-1", 7, DAY, DUE, 150, "CNY", None)],
    [("N\\1", 7, DAY, DUE, 150, "CNY", None)],  # a backslash: escaped
    [("N\\N", 7, DAY, DUE, 150, "CNY", None)],  # not a NULL
    [("N-1", 7, DAY, DUE, 150, "CNY", "NET30", None, "张三", "a\tb\r\nc", None)],
    [("N-1", 7, DAY, DUE, 150, "CNY", ""), ("N-2", 8, DAY, DUE, 1, "USD", None)],
]


@pytest.mark.parametrize("rows", BLOCKS)
def test_copy_text_reads_back_as_the_rows(rows: list[tuple[Any, ...]]) -> None:
    (chunk,) = pgcopy.packed([[(n + 2, row) for n, row in enumerate(rows)]])
    assert chunk.lines == array.array("q", range(2, len(rows) + 2))
    wide = any(len(r) > 7 for r in rows) or any("\\" in r[0] or r[6] == "" for r in rows)
    assert chunk.columns == (pgcopy.WIDE if wide else pgcopy.NARROW)
    width = len(chunk.columns) - 1
    want = [[*(str(v) if isinstance(v, int) else v for v in r), *[None] * (width - len(r)), str(r[4])] for r in rows]  # fmt: skip
    assert _parse(chunk.data) == want
    assert pgcopy.numbers(pgcopy.lines_of(chunk.data)) == [r[0] for r in rows]


@pytest.mark.parametrize(
    "text",
    ["1", "1.5", "1.50", "0.01", "123456789012.34", "1234567890123.00", "1.234", "1.", ".5", "１.00",
     "٣.٣٣", "1_0.00", "+1.00", " 1.00", "1,000.00", "", "1.5a", "²"],
)  # fmt: skip
def test_quick_amounts_agree_with_the_plain_rule(text: str) -> None:
    whole, dot, frac = text.partition(".")
    ok = whole.isascii() and whole.isdigit() and len(whole) <= 12
    ok = ok and (not dot or (1 <= len(frac) <= 2 and frac.isascii() and frac.isdigit()))
    assert _amount(text) == (int(whole) * 100 + int((frac + "00")[:2] or 0) if ok else 0)


@pytest.mark.postgres_only("PostgreSQL's roles: a role that does not own the invoice table")
def test_a_role_that_may_not_drop_the_indexes_imports_without_dropping(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huikuan.db import postgres

    real, refused = postgres.drop_secondary, []

    def as_reader(conn: sa.Connection, table: str) -> list[tuple[str, str]]:
        conn.execute(sa.text("SET LOCAL ROLE pg_read_all_data"))  # owns nothing
        try:
            return real(conn, table)
        except sa.exc.DBAPIError as exc:
            refused.append(exc.orig.sqlstate)  # type: ignore[union-attr]
            raise

    monkeypatch.setattr(postgres, "drop_secondary", as_reader)
    f = write_csv(tmp_path / "i.csv", HEADER, ODD)
    _book(book)
    schema = _schema(book)
    assert _run(book, f, True, monkeypatch).rows == 4
    assert refused == [postgres.NOT_OWNER]
    assert len(_rows(book)) == 5 and _schema(book) == schema
