"""``import customers|invoices|payments FILE`` and ``export customers|invoices|payments``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from huikuan.cli.common import App, FormatOpt, done, emit, one_of, parse_day
from huikuan.cli.context import service_context
from huikuan.core.rows import plain_all
from huikuan.output import Result

import_app = App(
    help="Import CSV (UTF-8/BOM/GBK), JSON, JSONL or Excel (.xlsx/.xls); all-or-nothing. "
    "Chinese headers (客户编码, 发票号, 金额, …) are understood; --map names others. "
    "FILE may be - for stdin.\n\n"
    "Example: huikuan import invoices 应收明细.xlsx --sheet 应收 --ignore-extra"
)
export_app = App(
    help="Export with the import columns (re-importable, also as .xlsx).\n\n"
    "Example: huikuan export invoices --format xlsx -o invoices.xlsx"
)

File = Annotated[str, typer.Argument(help="CSV, JSON, JSONL, .xlsx or .xls file, or - for stdin.")]
InputFormat = Annotated[
    str | None,
    typer.Option(
        "--input-format",
        help="csv, json, jsonl, xlsx or xls [from the extension].",
        callback=one_of("csv", "json", "jsonl", "xlsx", "xls"),
    ),
]
Encoding = Annotated[
    str | None, typer.Option(help="Text encoding [detected: utf-8, utf-8-sig or gb18030].")
]
IgnoreExtra = Annotated[
    bool, typer.Option("--ignore-extra", help="Skip unknown columns instead of failing.")
]
Sheet = Annotated[
    str | None, typer.Option("--sheet", help="The workbook's sheet to read [the first].")
]
Map = Annotated[
    str | None,
    typer.Option(
        "--map",
        help="Headers of other names: 'column=表头,…', e.g. 'number=单据编号,amount=应收金额'.",
    ),
]


def _import(
    kind: str,
    file: str,
    input_format: str | None,
    encoding: str | None,
    ignore_extra: bool,
    sheet: str | None,
    mapping: str | None,
) -> None:
    from huikuan.services.transfer import ImportRequest, import_rows

    with service_context(parse_day(None)) as ctx, _progress(file) as progress:
        req = ImportRequest(
            kind, file, input_format, encoding, ignore_extra, sheet, mapping, progress
        )
        result = import_rows(ctx, req)
    if result.sheet is None:
        done(f"Imported {result.rows:,} {kind} from {result.file} ({result.encoding})")
        return
    done(f"Imported {result.rows:,} {kind} from sheet {result.sheet} of {result.file}")
    if result.skipped:
        rows = ", ".join(map(str, result.skipped))
        done(f"Left out the totals row(s) {rows} (合计) of sheet {result.sheet}")


@contextmanager
def _progress(file: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for big files, only when stderr is a terminal."""
    import os

    size = os.path.getsize(file) if file != "-" and os.path.isfile(file) else 0
    workbook = file.lower().endswith((".xlsx", ".xlsm", ".xls"))  # read at once: no bar
    if not sys.stderr.isatty() or size < 1 << 20 or workbook:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(f"Importing {file}", total=size)
        yield lambda n: bar.advance(task, n)


@import_app.command("customers")
def import_customers(
    file: File,
    input_format: InputFormat = None,
    encoding: Encoding = None,
    ignore_extra: IgnoreExtra = False,
    sheet: Sheet = None,
    mapping: Map = None,
) -> None:
    """Import customers: code,name[,segment,region,salesperson,email,phone,language,credit_limit,terms].

    Chinese headers (客户编码, 客户名称, 信用额度, 付款条件, …) are understood.

    Example: huikuan import customers 客户.xlsx --sheet 客户
    """
    _import("customers", file, input_format, encoding, ignore_extra, sheet, mapping)


@import_app.command("invoices")
def import_invoices(
    file: File,
    input_format: InputFormat = None,
    encoding: Encoding = None,
    ignore_extra: IgnoreExtra = False,
    sheet: Sheet = None,
    mapping: Map = None,
) -> None:
    """Import invoices: number,customer,issue_date,amount[,due_date,terms,currency,contract,salesperson,description,milestone].

    Chinese headers (单据编号, 客户编码, 单据日期, 价税合计, 币别, …) are understood; in a
    workbook the header may sit below title rows, and a 合计 row without a number is left out.

    Examples: huikuan import invoices invoices.csv --encoding gb18030;
    huikuan import invoices 应收明细.xlsx --ignore-extra --map 'number=应收单号'
    """
    _import("invoices", file, input_format, encoding, ignore_extra, sheet, mapping)


@import_app.command("payments")
def import_payments(
    file: File,
    input_format: InputFormat = None,
    encoding: Encoding = None,
    ignore_extra: IgnoreExtra = False,
    sheet: Sheet = None,
    mapping: Map = None,
) -> None:
    """Import payments: customer,date,amount[,invoice,currency,reference,method]; allocated by date.

    A row without a currency takes its invoice's, else the one currency the customer is
    invoiced in (a customer invoiced in several needs it), else the ledger's default.

    Chinese headers (客户编码, 收款日期, 收款金额, 银行流水号, …) are understood.

    Examples: cat bank.jsonl | huikuan import payments - --input-format jsonl;
    huikuan import payments 收款.xls
    """
    _import("payments", file, input_format, encoding, ignore_extra, sheet, mapping)


def _export(kind: str, fmt: str) -> None:
    from huikuan.services.transfer import export_rows

    with service_context(parse_day(None)) as ctx:
        found = export_rows(ctx, kind)
        emit(Result(found.columns, plain_all(found.rows), money=found.money), fmt)


@export_app.command("customers")
def export_customers(fmt: FormatOpt = "csv") -> None:
    """Export customers (default CSV). Example: huikuan export customers > customers.csv"""
    _export("customers", fmt)


@export_app.command("invoices")
def export_invoices(fmt: FormatOpt = "csv") -> None:
    """Export invoices (default CSV). Example: huikuan export invoices --format xlsx -o 应收.xlsx"""
    _export("invoices", fmt)


@export_app.command("payments")
def export_payments(fmt: FormatOpt = "csv") -> None:
    """Export payments (cash only; default CSV). Example: huikuan export payments > payments.csv"""
    _export("payments", fmt)


def register(app: typer.Typer) -> None:
    """Add these command groups to the root app."""
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
