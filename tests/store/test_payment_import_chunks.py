"""A CSV payments file (checked a chunk at a time, column by column, or row by row from its
field lists) gives exactly what the same rows as JSON lines give (records, the per-record
quick path and the full check): the same ledger, or the same problems at the same lines.

Generated cases mix the forms the chunk path reads (amounts as ``12.50``, no currency) with
rows it leaves to the row-by-row path (other amount forms, a currency given), on the small-file
path and on the big-file one (rows checked here or in a forked child).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from store_helpers import Book, write_csv

from huikuan.core.errors import ImportFailed

from .test_paystream import _big, _build, _state

pytestmark = pytest.mark.sqlite_only("compares ledger files of the SQLite import paths")

HEADER = ["customer", "date", "amount", "invoice", "currency", "reference"]


def _rows(rng: random.Random, invoices: list[tuple[str, str, str]], plain: float) -> list[Any]:
    """Payments in date order, ``plain`` of them in the chunk path's forms."""
    rows = []
    for i in range(rng.randint(1, 40)):
        number, code, cur = rng.choice(invoices)
        named = number if rng.random() < 0.5 else ""
        if rng.random() < plain:
            amount, cur = f"{rng.randint(1, 4000)}.{rng.randint(0, 99):02d}", ""
        else:
            amount = rng.choice([str(rng.randint(1, 80) * 25), "12.5"])
        ref = f"R{i}" if rng.random() < 0.5 else ""
        rows.append([code, f"2026-05-{rng.randint(1, 28):02d}", amount, named, cur, ref])
    return sorted(rows, key=lambda r: r[1])


def _jsonl(path: Path, rows: list[list[str]]) -> Path:
    lines = (json.dumps(dict(zip(HEADER, r)), ensure_ascii=False) for r in rows)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def _import(base: Path, target: Path, file: Path) -> Any:
    """The ledger after importing ``file`` into a copy of ``base``, or the problems as
    (row number, what) — a CSV row's line is one more than its number, a JSON line's the same."""
    shutil.copy(base, target)
    book = Book(target)
    try:
        book.import_("payments", file)
    except ImportFailed as exc:
        shift = 1 if file.suffix == ".csv" else 0
        found = [m.split(": ", 1) for m in exc.messages]
        return [(int(at.rsplit(":", 1)[1]) - shift, what) for at, what in found]
    finally:
        book.close()
    return _state(target)


@pytest.mark.parametrize("seed", range(24))
def test_csv_chunks_give_what_json_records_give(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    base = tmp_path / "base.db"
    rows = _rows(rng, _build(base, rng), plain=[1.0, 0.9, 0.5][seed % 3])
    csv_file = write_csv(tmp_path / "p.csv", HEADER, rows)
    json_file = _jsonl(tmp_path / "p.jsonl", rows)
    if seed % 2:  # the big-file path, chunks of a few rows, checked here or in a child
        _big(monkeypatch, child=seed % 4 == 1, rows=2, chunk=1 + seed % 5)
    got = _import(base, tmp_path / "csv.db", csv_file)
    assert got == _import(base, tmp_path / "json.db", json_file)


def test_a_bad_row_among_plain_ones_is_reported_at_its_line(tmp_path: Path) -> None:
    rng = random.Random(5)
    base = tmp_path / "base.db"
    invoices = _build(base, rng)
    rows = _rows(rng, invoices, plain=1.0)
    number, code, _ = invoices[0]
    other = next((c for _, c, _ in invoices if c != code), "C9")
    rows.insert(len(rows) // 2, [other, "2026-05-03", "1.00", number, "", ""])
    got = _import(base, tmp_path / "csv.db", write_csv(tmp_path / "p.csv", HEADER, rows))
    assert got == _import(base, tmp_path / "json.db", _jsonl(tmp_path / "p.jsonl", rows))
    at = len(rows) // 2 + 1  # the inserted row's number
    assert isinstance(got, list) and (at, "invoice: ") in [(n, w[:9]) for n, w in got], got
