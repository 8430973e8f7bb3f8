"""An import's rows from an Excel sheet (.xlsx/.xls), as the CSV reader gives them.

The header is the first row holding every required column (under its own name, a Chinese
alias or a ``--map`` header), so title rows above it (``应收账款明细表 2026年11月``) and blank
rows are skipped. Each data row becomes a list of texts, numbered by its row in the sheet:

- numbers as Excel shows them (15 significant digits, so binary-float noise such as
  ``0.30000000000000004`` goes, while ``1234.567`` stays and fails the amount check); whole
  numbers without ``.0`` (a code typed as a number ``1001.0`` -> ``"1001"``, ``20261012.0``
  -> ``"20261012"``);
- date cells as ISO dates (a date-time keeps its day); in a date column, a plain number in
  Excel's serial range (``46307``) is read as the serial date it is, and ``20261012`` or
  ``2026.10.12`` (number or text) as 2026-10-12;
- empty cells as ``""``; fully empty rows are skipped.

A totals row (its first non-empty cell is 合计/总计/小计/Total and the key column — number,
code, date — holds nothing else) is skipped and reported, never imported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from huikuan.core.headers import clean, finds, map_header
from huikuan.core.records import REQUIRED
from huikuan.store.workbook import Cell, Sheet, WorkbookError, read_sheet

HEADER_SEARCH = 100  # the header must be within the sheet's first rows
DATE_COLUMNS = ("issue_date", "due_date", "date")
KEY_COLUMN = {"customers": "code", "invoices": "number", "payments": "date"}
TOTALS = {
    "合计",
    "总计",
    "小计",
    "合计:",
    "合计：",
    "总计:",
    "总计：",
    "total",
    "totals",
    "grand total",
}
_EPOCH = dt.date(1899, 12, 30)  # Excel's serial day 0 (1900 date system)
SERIAL_END = 100_000  # serial day numbers below this are dates (1900-01-01 … 2173)
_DOTTED = re.compile(r"\d{4}\.\d{1,2}\.\d{1,2}")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class SheetRows:
    """The rows of the sheet to import: ``label`` is ``FILE:SHEET`` for messages."""

    label: str
    sheet: str
    header: list[str]
    header_row: int
    problems: list[str]
    rows: Iterator[tuple[int, list[str]]]
    skipped: list[int] = field(default_factory=list)  # totals rows left out


def read_rows(
    data: bytes, file: str, kind: str, sheet: str | None, mapping: Mapping[str, str]
) -> SheetRows:
    """The header and data rows of ``sheet`` (else the first) of the workbook in ``data``."""
    book = _read(data, file, sheet)
    label = f"{file}:{book.name}"
    at = _header_at(book, kind, mapping)
    if at is None:
        need = ", ".join(REQUIRED[kind])
        raise WorkbookError(
            f"{label}: no header row found (a row with the columns {need}, or their Chinese "
            f"names, within the first {HEADER_SEARCH} rows; --map names other headers)"
        )
    header = map_header(kind, _texts(book.rows[at]), mapping)
    keep = _kept_columns(book.rows, at, header.columns)
    columns = [header.columns[i] for i in keep]
    out = SheetRows(label, book.name, columns, at + 1, header.problems, iter(()))
    out.rows = _rows(book.rows, at, keep, columns, kind, out.skipped)
    return out


def _read(data: bytes, file: str, sheet: str | None) -> Sheet:
    if data.startswith(_OLE) and "EncryptedPackage".encode("utf-16-le") in data:
        raise _locked(file)
    try:
        return read_sheet(data, file, sheet)
    except WorkbookError as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise _locked(file) from None
        raise


def _locked(file: str) -> WorkbookError:
    return WorkbookError(
        f"{file}: the workbook is password-protected: save a copy without a password and "
        "import that"
    )


def _texts(row: list[Cell]) -> list[str]:
    return [_text(c).strip() if isinstance(c, str) else _text(c) for c in row]


def _header_at(book: Sheet, kind: str, mapping: Mapping[str, str]) -> int | None:
    for i, row in enumerate(book.rows[:HEADER_SEARCH]):
        if any(isinstance(c, str) for c in row) and finds(kind, _texts(row), mapping):
            return i
    return None


def _kept_columns(rows: list[list[Cell]], at: int, columns: list[str]) -> list[int]:
    """Positions to import: a column with a blank header and nothing below it is left out."""
    return [
        i for i, col in enumerate(columns) if col or any(r[i] is not None for r in rows[at + 1 :])
    ]


def _rows(
    rows: list[list[Cell]],
    at: int,
    keep: list[int],
    columns: list[str],
    kind: str,
    skipped: list[int],
) -> Iterator[tuple[int, list[str]]]:
    convert = [_date_text if c in DATE_COLUMNS else _text for c in columns]
    key = columns.index(KEY_COLUMN[kind]) if KEY_COLUMN[kind] in columns else None
    for n in range(at + 1, len(rows)):
        row = rows[n]
        cells = [row[i] for i in keep]
        if all(c is None for c in cells):
            continue
        fields = [fn(c) for fn, c in zip(convert, cells)]
        if _totals(fields, key):
            skipped.append(n + 1)
            continue
        yield n + 1, fields


def _totals(fields: list[str], key: int | None) -> bool:
    """Whether a row is the sheet's totals row (合计), not a record."""
    first = next((f for f in fields if f), "")
    if clean(first) not in TOTALS:
        return False
    return key is None or fields[key] in ("", first)


def _text(cell: Cell) -> str:
    """A cell as the text a CSV file would hold."""
    if isinstance(cell, str):
        return cell
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return number_text(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def _date_text(cell: Cell) -> str:
    """A date column's cell: a number in Excel's serial range is that serial date;
    ``20261012`` (number or text) and ``2026.10.12`` are 2026-10-12."""
    if isinstance(cell, int | float) and not isinstance(cell, bool) and 1 <= cell < SERIAL_END:
        return (_EPOCH + dt.timedelta(days=int(cell))).isoformat()
    text = _text(cell).strip()
    if len(text) == 8 and text.isdigit() and text[0] in "12":
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if _DOTTED.fullmatch(text):  # 2026.10.15, as Chinese spreadsheets often write dates
        return text.replace(".", "-")
    return text


def number_text(value: float) -> str:
    """A number cell's text: what Excel shows (15 significant digits), without ``.0``."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    return format(Decimal(text), "f") if "e" in text else text
