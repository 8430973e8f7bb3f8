"""Writing a command's :class:`~huikuan.output.Result` as an Excel workbook (XlsxWriter).

One sheet for the rows (header row frozen, English column names as in CSV, so an export
imports again), one more per section. Money columns are numbers formatted ``#,##0.00``
(from the exact decimal strings), ISO dates are dates formatted ``yyyy-mm-dd``, percentages
(``"12.5%"``) are numbers formatted ``0.0%``. Amounts of several currencies stay on one
sheet with the rows' ``currency`` column; total rows (aging: one per currency) follow the
rows in bold. Column widths fit the widest cell (CJK characters count double). Rows are
written as they stream (XlsxWriter's constant-memory mode); past Excel's 1,048,576 rows a
sheet continues on the next one.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from huikuan.core.errors import HuikuanError
from huikuan.output import Result, grouped

MAX_ROWS = 1_048_576  # Excel's rows per sheet
MAX_WIDTH = 60
MONEY, DATE, PERCENT = "#,##0.00", "yyyy-mm-dd", "0.0%"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")
TEXT_COLUMNS = {"number", "reference", "description", "contract", "name", "key", "memo", "note"}


def write_xlsx(result: Result, target: str | IO[bytes]) -> None:
    """Write ``result`` (and its sections) as a workbook to a file name or binary stream."""
    import xlsxwriter
    import xlsxwriter.exceptions

    book = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    styles = _Styles(book)
    names: set[str] = set()
    for n, part in enumerate([result, *result.sections], 1):
        _Sheet(book, styles, names, part.title or f"Sheet{n}", part.columns).write(part)
    try:
        book.close()
    except xlsxwriter.exceptions.FileCreateError as exc:
        raise HuikuanError(
            f"{target}: cannot write the workbook ({exc.__cause__ or exc})"
        ) from None


class _Styles:
    """The workbook's cell formats, plain and bold (totals)."""

    def __init__(self, book: Any) -> None:
        self.header = book.add_format({"bold": True, "bottom": 1})
        self.plain = {
            k: book.add_format({"num_format": f})
            for k, f in (("money", MONEY), ("date", DATE), ("percent", PERCENT))
        }
        self.bold = {
            k: book.add_format({"num_format": f, "bold": True})
            for k, f in (("money", MONEY), ("date", DATE), ("percent", PERCENT))
        }
        self.bold[""] = book.add_format({"bold": True})


@dataclass
class _Sheet:
    """One worksheet being written (continued on a new one when Excel's rows run out)."""

    book: Any
    styles: _Styles
    names: set[str]
    title: str
    columns: list[str]
    widths: list[int] = field(default_factory=list)
    row: int = 0
    ws: Any = None

    def write(self, result: Result) -> None:
        self._start()
        self._rows(result.rows, result.money, bold=False)
        self._rows(result.totals, result.money, bold=True)  # complete once the rows are out
        self._finish()

    def _start(self) -> None:
        self.ws = self.book.add_worksheet(_sheet_name(self.title, self.names))
        self.widths = [_width(c) for c in self.columns]
        self.ws.write_row(0, 0, self.columns, self.styles.header)
        self.ws.freeze_panes(1, 0)
        self.row = 1

    def _finish(self) -> None:
        for i, w in enumerate(self.widths):
            self.ws.set_column(i, i, min(w, MAX_WIDTH) + 2)

    def _rows(self, rows: Iterable[dict[str, Any]], money: set[str], *, bold: bool) -> None:
        for row in rows:
            if self.row >= MAX_ROWS:
                self._finish()
                self._start()
            for i, col in enumerate(self.columns):
                self._cell(i, col, row.get(col), col in money, bold)
            self.row += 1

    def _cell(self, i: int, col: str, value: Any, money: bool, bold: bool) -> None:
        kind, value, shown = _typed(col, value, money)
        styles = self.styles.bold if bold else self.styles.plain
        style = styles.get(kind) if kind else (self.styles.bold[""] if bold else None)
        if value is None:
            if style is not None and bold:
                self.ws.write_blank(self.row, i, None, style)
            return
        if kind == "date":
            self.ws.write_datetime(self.row, i, value, style)
        elif isinstance(value, str):
            self.ws.write_string(self.row, i, value, style)
        elif isinstance(value, bool):
            self.ws.write_boolean(self.row, i, value, style)
        else:
            self.ws.write_number(self.row, i, value, style)
        self.widths[i] = max(self.widths[i], _width(shown))


def _typed(col: str, value: Any, money: bool) -> tuple[str, Any, str]:
    """``(format kind, cell value, text shown)`` for a result's value."""
    if value is None or value == "":
        return "", None, ""
    if isinstance(value, bool):
        return "", value, "FALSE"
    if isinstance(value, int | float | Decimal):
        return ("money" if money else ""), float(value), grouped(str(value))
    if isinstance(value, list):
        value = " ".join(map(str, value))
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if money:
        return _money(text)
    if _ISO_DATE.fullmatch(text) and col not in TEXT_COLUMNS:
        try:
            return "date", date.fromisoformat(text), text
        except ValueError:
            pass
    return "", text, text


def _money(text: str) -> tuple[str, Any, str]:
    """A money column's text: an amount (exact decimal string) or a percentage.

    An xlsx number cell *is* an IEEE double, so the cell value has to be a float: this is the
    one place money leaves Decimal, at the file boundary. Amounts are at most 15 significant
    digits (999,999,999,999.99), which a double holds exactly to the 分 as Excel shows them.
    """
    try:
        if text.endswith("%"):
            return "percent", float(Decimal(text[:-1]) / 100), text
        amount = Decimal(text)
    except InvalidOperation:
        return "", text, text
    return ("money", float(amount), grouped(text)) if amount.is_finite() else ("", text, text)


def _width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unused sheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    base = _BAD_NAME.sub(" ", title.split(" (")[0]).strip().strip("'")[:31].strip() or "Sheet"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 3]} ({n})"
    taken.add(name.lower())
    return name
