"""Copying a ledger to another (empty) ledger, across engines: ``huikuan db copy --to URL``.

The tables are copied in dependency order (parents first), rows by id in batches, ids kept,
all in one transaction on the target; the source is read under its own write lock, so no
huikuan writer changes it meanwhile. Afterwards the target's id sequences are moved past the
copied ids (PostgreSQL) and the copy is checked: row counts per table and the aging totals
per currency (open and unapplied, as of ``as_of``) must be equal on both sides.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

import huikuan.db.models  # noqa: F401  (registers the tables)
from huikuan.core.aging import Buckets
from huikuan.core.errors import HuikuanError
from huikuan.store.db import Ledger, sa_of
from huikuan.store.reports import aging_cells, unapplied_as_of

BATCH = 2000  # rows read and written at a time: the ledger is never in memory whole


@dataclass
class CopyResult:
    """What was copied: rows per table (dependency order) and the checked aging totals."""

    rows: dict[str, int] = field(default_factory=dict)
    totals: dict[str, tuple[int, int]] = field(
        default_factory=dict
    )  # currency: (open, unapplied) 分

    @property
    def total_rows(self) -> int:
        """All rows copied."""
        return sum(self.rows.values())


def ledger_tables() -> list[sa.Table]:
    """The ledger's tables, parents before the tables that refer to them."""
    return list(SQLModel.metadata.sorted_tables)


def copy_to(source: Ledger, to: str, user: str, as_of: date) -> tuple[str, CopyResult]:
    """Open (or create) the ledger at ``to`` (a path or URL), copy ``source`` into it and check
    it; return the target's name and the result. A file made here is removed if that fails."""
    from huikuan.db.engine import parse_ledger_url
    from huikuan.store.db import open_ledger

    where = parse_ledger_url(to)
    new_file = where.path is not None and not os.path.lexists(where.path)
    if _same(source, where.path, where.display()):
        raise HuikuanError(f"{where.display()} is the ledger being copied: give another target")
    try:
        target = open_ledger(to, user, create=True)
        try:
            return target.name, copy_ledger(source, target, as_of)
        finally:
            target.close()
    except BaseException:
        if new_file and where.path is not None:
            _remove(where.path)
        raise


def _same(source: Ledger, path: Path | None, name: str) -> bool:
    if source.path is not None and path is not None:
        return source.path.resolve() == path.resolve()
    return source.path is None and path is None and source.name == name


def _remove(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()


def copy_ledger(source: Ledger, target: Ledger, as_of: date) -> CopyResult:
    """Copy every row of ``source`` into the empty ``target``, then check the copy."""
    with source.transaction(), target.transaction():
        _require_empty(target)
        rows = {t.name: _copy_table(source, target, t) for t in ledger_tables()}
        target.engine.reset_sequences(sa_of(target.conn), ledger_tables())
    result = CopyResult(rows, aging_totals(source, as_of))
    _check(source, target, result, as_of)
    return result


def _require_empty(target: Ledger) -> None:
    db = sa_of(target.conn)
    for table in ledger_tables():
        if db.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            raise HuikuanError(
                f"{target.name} already holds data (table {table.name}): "
                "copy only into a new file or an empty database"
            )


def _copy_table(source: Ledger, target: Ledger, table: sa.Table) -> int:
    """Copy one table's rows in id order, in batches; return how many."""
    out = sa_of(target.conn)
    count = 0
    for batch in _batches(source, table):
        out.execute(table.insert(), batch)
        count += len(batch)
    return count


def _batches(source: Ledger, table: sa.Table) -> Iterator[list[dict[str, Any]]]:
    stmt = sa.select(table).order_by(*table.primary_key.columns)
    result = sa_of(source.conn).execute(stmt.execution_options(yield_per=BATCH))
    for part in result.partitions():
        yield [dict(row._mapping) for row in part]


def table_counts(led: Ledger) -> dict[str, int]:
    """Rows per ledger table."""
    db = sa_of(led.conn)
    return {
        t.name: int(db.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
        for t in ledger_tables()
    }


def aging_totals(led: Ledger, as_of: date) -> dict[str, tuple[int, int]]:
    """Per currency: (open receivables, unapplied credit) in 分 as of ``as_of``."""
    open_: dict[str, int] = {}
    credit: dict[str, int] = {}
    for _k, _n, currency, _b, fen in aging_cells(led.conn, as_of, Buckets(), "customer", False):
        open_[currency] = open_.get(currency, 0) + fen
    for _k, _n, currency, fen in unapplied_as_of(led.conn, as_of, "customer"):
        credit[currency] = credit.get(currency, 0) + fen
    return {c: (open_.get(c, 0), credit.get(c, 0)) for c in sorted(open_.keys() | credit.keys())}


def _check(source: Ledger, target: Ledger, result: CopyResult, as_of: date) -> None:
    """Raise when the two ledgers differ in rows per table or in aging totals."""
    problems = [
        f"table {name}: {n} rows in {source.name}, {m} in {target.name}"
        for (name, n), m in zip(table_counts(source).items(), table_counts(target).values())
        if n != m
    ]
    theirs = aging_totals(target, as_of)
    if theirs != result.totals:
        problems.append(f"aging totals differ: {result.totals} in source, {theirs} in target")
    if problems:
        raise HuikuanError(*(f"copy check failed: {p}" for p in problems))
