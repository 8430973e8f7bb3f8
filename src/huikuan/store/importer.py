"""``huikuan import``: all-or-nothing imports with every bad row reported as FILE:LINE.

Clean rows are inserted as they are read (in chunks) inside one transaction, so the
database's unique indexes find duplicates both in the file and in the ledger without
holding the file in memory; any problem rolls the whole import back.
"""

from __future__ import annotations

import array
import contextlib
import itertools
import operator
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from huikuan.core.calendar import WorkCalendar
from huikuan.core.errors import HuikuanError, ImportFailed
from huikuan.core.headers import map_header, named_currencies
from huikuan.core.quick import QuickInvoice
from huikuan.core.quickpay import QuickPayment
from huikuan.core.records import (
    COLUMNS,
    REQUIRED,
    Context,
    CustomerRef,
    check_customer,
    check_invoice,
)
from huikuan.core.text import printable
from huikuan.runtime import collector_paused
from huikuan.store import bulk, pipeline, setalloc, sheets
from huikuan.store import ledger as L
from huikuan.store.db import Connection, Ledger, LedgerConnection
from huikuan.store.paystream import StreamAllocator
from huikuan.store.paywrite import REPEATED, PaymentWrites
from huikuan.store.sources import (
    FORMATS,
    ROW_PROBLEM,
    FieldRows,
    Records,
    Source,
    as_records,
    not_text,
    read_csv_rows,
    read_json,
)

WORKBOOKS = ("xlsx", "xls")
CHUNK = 5000
BULK_BYTES = 8 << 20  # invoice files from this size may rebuild secondary indexes afterwards
PARALLEL_BYTES = 8 << 20  # CSV invoice files from this size are checked in a second process
Item = tuple[int, Any]
Check = Callable[[Any], tuple[Any, list[tuple[str, str]]]]
_LINE, _REC = operator.itemgetter(0), operator.itemgetter(1)  # of an Item


@dataclass
class ImportOptions:
    """How to read the file and what defaults apply."""

    kind: str
    file: str
    currency: str
    calendar: WorkCalendar
    input_format: str | None = None
    encoding: str | None = None
    ignore_extra: bool = False
    progress: Callable[[int], None] | None = None
    stdin: Any = None
    sheet: str | None = None  # a workbook's sheet [the first]
    mapping: dict[str, str] = field(default_factory=dict)  # header -> column (--map)


@dataclass
class ImportResult:
    """What was imported."""

    kind: str
    file: str
    rows: int
    encoding: str | None = None
    problems: list[str] = field(default_factory=list)
    sheet: str | None = None  # the sheet a workbook was read from
    skipped: list[int] = field(default_factory=list)  # its totals rows, left out


def import_file(led: Ledger, opts: ImportOptions) -> ImportResult:
    """Import ``opts.file`` into the ledger; raise :class:`ImportFailed` listing every problem."""
    src = Source(opts.file, opts.stdin)
    try:
        fmt = input_format(opts.input_format, src.suffix)
        _check_options(fmt, opts)
        if fmt in WORKBOOKS:
            text: Any = sheets.read_rows(src.read(), src.label, opts.kind, opts.sheet, opts.mapping)
        else:
            try:
                text = src.text(opts.encoding, opts.progress)
            except LookupError:
                raise HuikuanError(
                    f"unknown encoding {opts.encoding!r} (try utf-8 or gb18030)"
                ) from None
        with (
            _unchecked_keys(led, opts.kind),
            _collector_paused(opts.kind),
            led.transaction() as conn,
        ):
            result = _run(conn, led.user, src, text, fmt, opts)
        led.optimize()
    finally:
        src.close()
    return result


def _run(
    conn: Connection, user: str, src: Source, text: Any, fmt: str, opts: ImportOptions
) -> ImportResult:
    label, at = (text.label, text.header_row) if fmt in WORKBOOKS else (src.label, 1)
    try:
        header, records, problems = _records(src, text, fmt, opts)
        problems = [f"{label}:{at}: {p}" for p in problems] + _header_problems(
            label, opts.kind, header, opts.ignore_extra, at, problems
        )
        if problems:
            raise ImportFailed(*problems, summary="nothing imported")
        importer = _importer(conn, label, opts, src.size)
        importer.cols = header
        importer.fields = _field_rows(opts.kind, fmt)
        parallel = importer.PARALLEL and (
            _parallel(fmt, opts.kind, src.size) or importer.payments_apart(fmt)
        )
        importer.source = src if parallel else None
        count = importer.run(records, check_columns=not header)
    except UnicodeError as exc:
        raise not_text(src, exc) from None
    if importer.problems:
        bad = len({p.split(": ", 1)[0] for p in importer.problems})
        raise ImportFailed(
            *importer.problems,
            summary=f"nothing imported: {len(importer.problems)} problem(s) in {bad} row(s)",
        )
    if count == 0:
        raise ImportFailed(f"{label}: no rows to import", summary="nothing imported")
    if fmt in WORKBOOKS:
        detail: dict[str, Any] = {"rows": count, "sheet": text.sheet, "skipped": text.skipped}
        L.audit(conn, user, "import", opts.kind, src.label, detail)
        return ImportResult(opts.kind, src.label, count, None, [], text.sheet, text.skipped)
    L.audit(conn, user, "import", opts.kind, src.label, {"rows": count, "encoding": src.encoding})
    return ImportResult(opts.kind, src.label, count, src.encoding)


@contextlib.contextmanager
def _unchecked_keys(led: Ledger, kind: str) -> Iterator[None]:
    """For invoice and payment imports, leave SQLite's foreign-key check off (10-20% of
    the time).

    Every customer and invoice id an imported row carries comes from the tables read inside
    the same write transaction, so the check could never fail.
    """
    if kind == "customers" or not isinstance(led.conn, LedgerConnection) or led.conn.in_transaction:
        yield
        return
    led.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        led.conn.execute("PRAGMA foreign_keys = ON")


def _collector_paused(kind: str) -> contextlib.AbstractContextManager[None]:
    """The cycle collector paused for a payments import (and in the child checking its rows,
    forked meanwhile): collecting while its millions of tuples come and go took a fifth of
    the time at 750K rows."""
    return collector_paused() if kind == "payments" else contextlib.nullcontext()


def input_format(given: str | None, suffix: str) -> str:
    """The file's format: ``--input-format``, else by its extension, else CSV."""
    fmt = given or {"xlsm": "xlsx"}.get(suffix, suffix)
    if given is None and fmt not in FORMATS + WORKBOOKS:
        return "csv"
    if fmt not in FORMATS + WORKBOOKS:
        raise HuikuanError(f"unknown input format {fmt!r} (use csv, json, jsonl, xlsx or xls)")
    return fmt


def _check_options(fmt: str, opts: ImportOptions) -> None:
    if opts.sheet is not None and fmt not in WORKBOOKS:
        raise HuikuanError(f"--sheet is for Excel workbooks (.xlsx, .xls), not {fmt.upper()}")
    if opts.mapping and fmt not in ("csv", *WORKBOOKS):
        raise HuikuanError(f"--map is for CSV and Excel files, not {fmt.upper()}")


def _records(
    src: Source, text: Any, fmt: str, opts: ImportOptions
) -> tuple[list[str], Any, list[str]]:
    """Header (as columns), records and header problems; CSV and sheet invoices stay field
    lists (the quick path reads them so)."""
    if fmt in WORKBOOKS:
        header, rows, problems = text.header, text.rows, text.problems
    elif fmt != "csv":
        return (*read_json(src, text, fmt == "jsonl"), [])
    else:
        cells, rows = read_csv_rows(src, text)
        mapped = map_header(opts.kind, cells, opts.mapping)
        header, problems = mapped.columns, mapped.problems
    rows = named_currencies(rows, header)
    return header, (rows if _field_rows(opts.kind, fmt) else as_records(header, rows)), problems


def _field_rows(kind: str, fmt: str) -> bool:
    """Whether the rows stay field lists (their quick paths read them so): invoices, and
    payments from CSV."""
    return kind == "invoices" or (kind == "payments" and fmt == "csv")


def _header_problems(
    label: str,
    kind: str,
    header: list[str],
    ignore_extra: bool,
    at: int = 1,
    reported: Sequence[str] = (),
) -> list[str]:
    """Missing, unknown and repeated columns (``reported``: the header's own problems)."""
    if not header:  # JSON: columns are checked record by record
        return []
    known = COLUMNS[kind]
    out = [
        f"{label}:{at}: {col}: missing required column"
        for col in REQUIRED[kind]
        if col not in header
    ]
    if not ignore_extra:
        out += [
            f"{label}:{at}: {printable(col) or '(blank)'}: unknown column (known: {', '.join(known)}; or pass --ignore-extra)"
            for col in header
            if col not in known
        ]
    dupes = sorted(c for c, n in Counter(header).items() if n > 1 and c)  # linear: wide headers
    dupes = [c for c in dupes if not any(p.startswith(f"{c}: the headers ") for p in reported)]
    out += [f"{label}:{at}: {col}: column appears more than once" for col in dupes]
    return out


def _parallel(fmt: str, kind: str, size: int) -> bool:
    """Whether to check the rows in a second process (big CSV invoice files, 2+ cores)."""
    return fmt == "csv" and kind == "invoices" and size >= PARALLEL_BYTES and pipeline.available()


def _importer(conn: Connection, label: str, opts: ImportOptions, size: int) -> _Importer:
    """The importer for the ledger's engine (SQLite's own, or :mod:`pgimport`'s)."""
    if not isinstance(conn, LedgerConnection):
        from huikuan.store.pgimport import PgImporter

        return PgImporter(conn, label, opts, size=size)  # PostgreSQL
    return _Importer(conn, label, opts, bulk=_bulk(conn, opts.kind, size), size=size)


def _bulk(conn: LedgerConnection, kind: str, size: int) -> bool:
    """Whether an invoice or payment file is big enough, next to the ledger, to rebuild
    indexes after it (its rows, at about 50 bytes each, outnumber the table's)."""
    if kind == "customers" or size < BULK_BYTES:
        return False
    table = "invoice" if kind == "invoices" else "payment"
    (have,) = conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()
    return bool(size // 60 > have)


class _Importer(PaymentWrites):
    """Checks records of one kind and inserts the clean ones in chunks (SQLite)."""

    PARALLEL = True  # big CSV invoice files may be checked in a second process
    ALLOCATION_WRITER: setalloc.Writer = staticmethod(L.write_allocations)

    def __init__(
        self,
        conn: LedgerConnection,
        label: str,
        opts: ImportOptions,
        *,
        bulk: bool = False,
        size: int = 0,
    ) -> None:
        self.conn, self.label, self.opts, self.bulk, self.size = conn, label, opts, bulk, size
        self.problems: list[str] = []
        self.known = set(COLUMNS[opts.kind])
        customers = {code: CustomerRef(cid, code, terms) for cid, code, terms in self._customers()}
        self.named: dict[str, tuple[int, int, str] | None] = {}  # what a chunk's payments name
        self.asked: set[str] = set()  # the numbers looked up for the chunk
        self.ahead: LedgerConnection | None = None  # see PaymentLookups._with_invoices
        self.currencies: dict[int, list[str]] = {}  # by customer id, as they are needed
        self.all_currencies = False  # read for every customer at once (big imports)
        self.ctx = Context(
            opts.currency, opts.calendar, customers.get, self._invoice_ref, self._currencies_of
        )
        self.quick = QuickInvoice(self.ctx)
        self.quickpay = QuickPayment(self.ctx)
        self.cols: list[str] = []
        self.fields = False  # the records are field lists in the order of cols (CSV)
        self.quick_fields: Callable[[list[str]], Any] | None = None
        self.source: Source | None = None  # set: check the rows in a second process
        table = {"customers": "customer", "invoices": "invoice", "payments": "payment"}[opts.kind]
        self.first_new_id = self._max_id(table) + 1
        self.lines = array.array("q")  # bulk: the line of each row inserted, in id order
        self.keep_lines = bulk and opts.kind == "payments"  # read by _payments_done only
        self.customer_count = len(customers)
        self.stream: StreamAllocator | None = None  # bulk payments: allocated as inserted
        self.reader: str | None = None  # the ledger file a child checking payments reads

    def _customers(self) -> Any:
        return self.conn.execute("SELECT id, code, terms FROM customer")

    def _max_id(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0])

    def run(self, records: Records | FieldRows, *, check_columns: bool) -> int:
        check = {
            "customers": lambda r: check_customer(r),
            "invoices": self._check_invoice,
            "payments": self._check_payment,
        }[self.opts.kind]
        if self.opts.kind == "payments" and not self.fields:
            records = self._prefetched(records)
        tables = ("payment", "allocation") if self.opts.kind == "payments" else ("invoice",)
        dropped = self._drop_indexes(*tables) if self.bulk else []
        count = self._insert_all(self._checked(records, check, check_columns))
        if self.opts.kind == "payments":
            self._payments_done(dropped)
            return count
        self._create_indexes([sql for _, sql in dropped])
        if self.opts.kind == "invoices" and not self.problems:  # else all is rolled back
            L.apply_all_credit(self.conn)
        return count

    def _insert_all(self, chunks: Iterator[Any]) -> int:
        """Insert every chunk; the number of rows inserted."""
        return sum(self._insert(chunk) for chunk in chunks)

    def _drop_indexes(self, *tables: str) -> list[tuple[str, str]]:
        """Before a bulk insert: drop what is cheaper built once afterwards."""
        return L.drop_indexes(self.conn, *tables)

    def _create_indexes(self, sqls: list[str]) -> None:
        """After a bulk insert: make again what :meth:`_drop_indexes` dropped."""
        L.create_indexes(self.conn, sqls)

    def _checked(self, records: Any, check: Check, check_columns: bool) -> Iterator[Any]:
        """Chunks of clean rows, checked here or (``self.source`` set) in a second process."""

        def make() -> Iterator[Any]:
            if self.fields and self.cols and self.opts.kind == "payments":
                return self._packed(self._payment_chunks(records, check, check_columns))
            return self._packed(_chunks(self._cleaner()(records, check, check_columns)))

        def make_apart() -> Iterator[list[Item]]:
            if self.reader is not None:  # the child's own connections for its look-ups
                self.conn = bulk.open_reader(self.reader)
                self.ahead = bulk.open_reader(self.reader)
            return make()

        if self.source is None:
            return make()
        return pipeline.checked_in_child(
            make_apart,
            self.problems,
            self.source.count_reads,
            self.opts.progress,
            self.opts.calendar,
        )

    def _cleaner(self) -> Callable[[Any, Check, bool], Iterator[Item]]:
        """How records become clean rows: invoice field lists (CSV, sheets) by their quick
        path, records by :meth:`_clean` (CSV payments: :meth:`_payment_chunks`)."""
        return self._clean_fields if self.fields and self.cols else self._clean

    def _packed(self, chunks: Iterator[list[Item]]) -> Iterator[Any]:
        """The chunks as :meth:`_insert` takes them, made where the rows are checked (in
        the child when there is one): here, as they are."""
        return chunks

    def _check_invoice(self, raw: Any) -> tuple[Any, list[tuple[str, str]]]:
        if isinstance(raw, list):
            if self.quick_fields is None:
                self.quick_fields = self.quick.for_columns(self.cols)
            row = self.quick_fields(raw)
            raw = dict(zip(self.cols, raw)) if row is None else raw
        else:
            row = self.quick(raw)
        if row is not None:
            return row, []
        rec, probs = check_invoice(raw, self.ctx)
        return (rec if probs else L.invoice_row(rec)), probs

    def _clean(self, records: Any, check: Check, check_columns: bool) -> Iterator[Item]:
        known, extra = self.known, check_columns and not self.opts.ignore_extra
        for line, raw in records:
            bad = raw if isinstance(raw, str) else None
            if bad is None and isinstance(raw, dict):
                bad = raw.get(ROW_PROBLEM)
            if bad is not None:
                self.problems.append(f"{self.label}:{line}: {bad}")
                continue
            rec, probs = check(raw)
            if extra and any(k not in known for k in raw):
                probs = [(k, "unknown column") for k in raw if k not in known] + probs
            if probs:
                self.problems += [f"{self.label}:{line}: {col}: {why}" for col, why in probs]
            else:
                yield line, rec

    def _clean_fields(self, records: Any, check: Check, check_columns: bool) -> Iterator[Item]:
        """:meth:`_clean` for invoice rows read as field lists (CSV, sheets): the quick
        conversion straight away, :meth:`_clean` for a row it leaves to the full check (a
        million rows about half a second quicker)."""
        fast = self.quick.for_columns(self.cols)
        for line, raw in records:
            row = fast(raw) if raw.__class__ is list else None
            if row is not None:
                yield line, row
            else:
                yield from self._clean(iter(((line, raw),)), check, check_columns)

    def _insert(self, chunk: list[Item]) -> int:
        insert: Callable[[LedgerConnection, list[Any]], int | None] = {  # type: ignore[assignment]
            "customers": L.insert_customers,
            "invoices": L.insert_invoice_rows,
            "payments": self._insert_payments,
        }[self.opts.kind]
        self.conn.execute("SAVEPOINT chunk")
        try:
            insert(self.conn, list(map(_REC, chunk)))
            self.conn.execute("RELEASE chunk")
            if self.keep_lines:
                self.lines.extend(map(_LINE, chunk))
            return len(chunk)
        except sqlite3.IntegrityError:
            self.conn.execute("ROLLBACK TO chunk")
            self.conn.execute("RELEASE chunk")
        if self.opts.kind == "payments":
            return self._insert_unrepeated(chunk, insert)
        count = 0
        for line, rec in chunk:  # find the duplicates one by one
            try:
                insert(self.conn, [rec])
                count += 1
                if self.keep_lines:
                    self.lines.append(line)
            except sqlite3.IntegrityError:
                self.problems.append(f"{self.label}:{line}: {self._duplicate(rec)}")
        return count

    def _duplicate(self, rec: Any) -> str:
        if self.opts.kind == "payments":
            return REPEATED.format(reference=rec[5])
        col, table = (
            ("code", "customer") if self.opts.kind == "customers" else ("number", "invoice")
        )
        value = rec[0] if isinstance(rec, tuple) else rec[col]
        (rid,) = self.conn.execute(f"SELECT id FROM {table} WHERE {col} = ?", (value,)).fetchone()
        where = "earlier in this file" if rid >= self.first_new_id else "already in the ledger"
        return f"{col}: duplicate {value!r} ({where})"


def _chunks(items: Iterator[Item]) -> Iterator[list[Item]]:
    while chunk := list(itertools.islice(items, CHUNK)):
        yield chunk
