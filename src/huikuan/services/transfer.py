"""Imports and exports of customers, invoices and payments (CSV, JSON/JSONL, xlsx/xls).

An import is all-or-nothing (:mod:`huikuan.store.importer` does the work in one
transaction); an export streams the rows with the import columns, so it can be imported again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from huikuan.core.headers import parse_map

if TYPE_CHECKING:
    from huikuan.services.context import Context
    from huikuan.store.read_models import ExportRow

KINDS = ("customers", "invoices", "payments")


@dataclass(frozen=True)
class ImportRequest:
    """What to import and how to read it (``mapping`` as ``--map`` gives it)."""

    kind: str
    file: str
    input_format: str | None = None
    encoding: str | None = None
    ignore_extra: bool = False
    sheet: str | None = None
    mapping: str | None = None
    progress: Callable[[int], None] | None = None
    stdin: Any = None


@dataclass(frozen=True)
class Imported:
    """What an import wrote: rows of ``kind`` from ``file`` (its text encoding, or the sheet
    of a workbook and the totals rows left out of it)."""

    kind: str
    file: str
    rows: int
    encoding: str | None = None
    sheet: str | None = None
    skipped: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Export:
    """An export: the import columns, the rows (streamed: read them while the ledger is
    open) and which columns hold money."""

    columns: list[str]
    rows: Iterator[ExportRow]
    money: set[str]


def import_rows(ctx: Context, req: ImportRequest) -> Imported:
    """Import ``req.file`` into the ledger, all or nothing (:class:`ImportFailed` lists why not)."""
    from huikuan.store.importer import ImportOptions, import_file

    opts = ImportOptions(
        req.kind,
        req.file,
        ctx.config.currency,
        ctx.calendar,
        req.input_format,
        req.encoding,
        req.ignore_extra,
        req.progress,
        req.stdin,
        req.sheet,
        parse_map(req.mapping),
    )
    done = import_file(ctx.ledger, opts)
    return Imported(done.kind, done.file, done.rows, done.encoding, done.sheet, done.skipped)


def export_rows(ctx: Context, kind: str) -> Export:
    """The rows of ``kind`` with the import columns (:func:`~huikuan.core.rows.plain` gives
    their output form: amounts as ``"1234.50"``)."""
    from huikuan.store import queries as Q

    money = {"credit_limit"} if kind == "customers" else {"amount"}
    return Export(Q.EXPORT_COLUMNS[kind], Q.export(ctx.ledger.conn, kind), money)
