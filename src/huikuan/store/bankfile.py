"""Reading a bank statement file (CSV in UTF-8/GBK/GB18030, .xlsx, .xls) into checked lines.

The rows above the header may say the account (账号) and currency (币种); rows below it are
lines. Every bad line is reported (``FILE:ROW: column: reason``, ``FILE:SHEET:ROW: …`` for a
workbook) and nothing is returned then: an import is all-or-nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from huikuan.core.dates import in_range, parse_date
from huikuan.core.errors import ImportFailed, InvalidValue
from huikuan.core.money import parse_currency, parse_fen
from huikuan.core.text import NOT_LINE, printable, shorten
from huikuan.store.bank_layouts import HEADER_ROWS, Found, Layout, detect, head, locate
from huikuan.store.sources import detect_encoding
from huikuan.store.workbook import is_workbook, read_sheet

CURRENCY_NAMES = {
    "人民币": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "港币": "HKD",
    "港元": "HKD",
    "日元": "JPY",
    "英镑": "GBP",
    "rmb": "CNY",
}
TOTAL_ROW = re.compile(r"^(合计|总计|小计|本页合计|共\d|total)", re.IGNORECASE)
EXCEL_EPOCH = date(1899, 12, 30)
MAX_BYTES = 512 << 20


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One checked line of a statement."""

    row: int
    account: str | None
    date: date
    amount: int
    currency: str | None
    direction: str
    counterparty: str | None
    counterparty_account: str | None
    memo: str | None
    serial: str | None

    def dedup_key(self) -> str:
        """The serial, else date, amount, direction, counterparty and memo (DESIGN §10)."""
        if self.serial:
            return f"serial:{self.serial}"
        parts = (
            self.date.isoformat(),
            str(self.amount),
            self.direction,
            self.counterparty or "",
            self.memo or "",
        )
        return "line:" + "|".join(parts)


@dataclass(frozen=True)
class Statement:
    """A statement read from a file: its layout, what its title rows say, its lines."""

    label: str
    layout: str
    account: str | None
    currency: str | None
    lines: list[StatementLine]


def read_statement(
    path: str,
    layout: Layout | None,
    mapping: dict[str, str],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> Statement:
    """Read and check the statement at ``path`` (``layout`` None: detect it)."""
    rows, where = _rows(path, sheet, encoding)
    head = list(itertools.islice(rows, HEADER_ROWS))
    found = _find(path, head, layout, mapping)
    title = head[: found.row]
    account = _title_value(title, ("账号", "帐号", "账户", "account"))
    currency = _title_currency(title)
    lines, problems = _lines(found, itertools.chain(head[found.row + 1 :], rows), currency, where)
    if problems:
        raise ImportFailed(*problems, summary="nothing imported")
    if not lines:
        raise ImportFailed(f"{where}: no statement lines below the header")
    return Statement(path, found.layout.name, account, currency, lines)


def _lines(
    found: Found, body: Iterator[Sequence[object]], currency: str | None, where: str
) -> tuple[list[StatementLine], list[str]]:
    """The checked lines of the rows below the header, and the problems of the bad ones;
    plain text lines the quick way (:mod:`huikuan.store.bank_rows`), the others here."""
    from huikuan.store.bank_rows import quick_reader

    lines, problems, shared = [], [], dict[str, str]()
    quick = quick_reader(found, currency, shared)
    for n, row in enumerate(body, found.row + 2):
        line = quick(row, n) if quick is not None else None
        if line is None:
            try:
                line = _line(found, row, n, currency, shared)
            except _Bad as bad:
                problems.append(f"{where}:{n}: {bad.column}: {bad.reason}")
                continue
        if line is not None:
            lines.append(line)
    return lines, problems


def _rows(
    path: str, sheet: str | None, encoding: str | None
) -> tuple[Iterator[Sequence[object]], str]:
    """The file's rows as cells, and its label for messages (with the sheet's name)."""
    try:
        data = Path(path).read_bytes() if path != "-" else _stdin()
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot open: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"{path}: larger than {MAX_BYTES >> 20} MB")
    if is_workbook(path) or data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):
        got = read_sheet(data, path, sheet)
        return iter(got.rows), f"{path}:{got.name}"
    if sheet is not None:
        raise ImportFailed(f"{path}: --sheet is for .xlsx/.xls workbooks")
    return _csv_rows(path, data, encoding), path


def _stdin() -> bytes:
    import sys

    return sys.stdin.buffer.read()


def _csv_rows(path: str, data: bytes, encoding: str | None) -> Iterator[Sequence[object]]:
    """The rows of a CSV file, decoded as they are read (a bad byte anywhere: an error)."""
    enc = encoding or detect_encoding(data[: 1 << 20])
    try:
        codecs.lookup(enc)
    except LookupError:
        raise ImportFailed(f"--encoding: unknown encoding {encoding!r}") from None
    if b"\0" in data[:4096]:
        raise ImportFailed(f"{path}: not a CSV text file (binary data)")
    bom = "utf-8-sig" if enc.replace("_", "-").lower() in ("utf-8", "utf8") else enc
    text = io.TextIOWrapper(io.BytesIO(data), encoding=bom, newline="")
    return _decoded(path, enc, csv.reader(text))


def _decoded(path: str, enc: str, reader: Iterator[list[str]]) -> Iterator[Sequence[object]]:
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"{path}: not valid {enc} text ({exc.reason}); try --encoding gb18030 or utf-8",
            summary="nothing imported",
        ) from None
    except csv.Error as exc:
        raise ImportFailed(f"{path}: cannot read the CSV: {exc}") from None


def _find(
    path: str, rows: Sequence[Sequence[object]], layout: Layout | None, mapping: dict[str, str]
) -> Found:
    found = detect(rows, mapping) if layout is None else locate(layout, rows)
    if found is not None:
        return found
    if layout is None:
        raise ImportFailed(
            f"{path}: cannot tell the bank layout (no header row with a date and an amount"
            " column): give --bank, or --bank generic --map 'date=…,amount=…'"
        )
    wanted = ", ".join(layout.required) or "date, amount or credit"
    raise ImportFailed(f"{path}: not a {layout.name} statement: no header row with {wanted}")


def _title_value(rows: Sequence[Sequence[object]], keys: Sequence[str]) -> str | None:
    """A value written next to (or after ``:`` in) a label in the title rows."""
    for row in rows:
        cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
        for i, cell in enumerate(cells):
            label, _, value = re.sub("[：]", ":", cell).partition(":")
            if head(label) in keys:
                value = value.strip() or (cells[i + 1] if i + 1 < len(cells) else "")
                return value.strip() or None
    return None


def _title_currency(rows: Sequence[Sequence[object]]) -> str | None:
    text = _title_value(rows, ("币种", "币别", "货币", "currency"))
    return None if text is None else currency_code(text)


def currency_code(text: str) -> str:
    """``人民币`` -> CNY, ``usd`` -> USD; :class:`InvalidValue` otherwise."""
    t = text.strip()
    return CURRENCY_NAMES.get(t.casefold(), CURRENCY_NAMES.get(t)) or parse_currency(t)


class _Bad(Exception):
    def __init__(self, column: str, reason: str) -> None:
        self.column, self.reason = column, reason


def _cell(found: Found, row: Sequence[object], key: str) -> object:
    at = found.positions.get(key)
    return row[at[0]] if at else None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value.strip() if isinstance(value, str) else str(value).strip()
    if not text:
        return None
    return printable(text) if NOT_LINE.search(text) else text


def _blank_or_total(row: Sequence[object]) -> bool:
    """An empty row, or a totals row (合计, 总计, Total …) below the lines."""
    for cell in row:
        if cell is not None and cell != "":
            text = cell.strip() if isinstance(cell, str) else str(cell)
            if text:
                return bool(TOTAL_ROW.match(text))
    return True


def _line(
    found: Found, row: Sequence[object], n: int, currency: str | None, shared: dict[str, str]
) -> StatementLine | None:
    """One checked line, or None for an empty or totals row; counterparties' names and
    accounts are kept once in ``shared`` (a statement repeats them: memory)."""
    if _blank_or_total(row):
        return None
    if len(row) < found.width:
        row = [*row, *([None] * (found.width - len(row)))]
    day = _checked("date", lambda: to_date(_cell(found, row, "date")))
    amount, direction = _amount(found, row)
    party, account = _party(found, row, direction)
    return StatementLine(
        row=n,
        account=_text(_cell(found, row, "account")),
        date=day,
        amount=amount,
        currency=_line_currency(found, row, currency),
        direction=direction,
        counterparty=shared.setdefault(party, party) if party else party,
        counterparty_account=shared.setdefault(account, account) if account else account,
        memo=_memo(found, row),
        serial=_text(_cell(found, row, "serial")),
    )


def _checked(column: str, parse: object) -> date:
    try:
        return parse()  # type: ignore[operator, no-any-return]
    except InvalidValue as exc:
        raise _Bad(column, str(exc)) from None


def _line_currency(found: Found, row: Sequence[object], statement: str | None) -> str | None:
    text = _text(_cell(found, row, "currency"))
    if text is None:
        return statement
    try:
        code = currency_code(text)
    except InvalidValue as exc:
        raise _Bad("currency", str(exc)) from None
    if statement is not None and code != statement:
        raise _Bad("currency", f"{code}, but the statement is in {statement}")
    return code


def _amount(found: Found, row: Sequence[object]) -> tuple[int, str]:
    if "amount" in found.positions:
        signed = _fen(found, row, "amount")
        if signed == 0:
            raise _Bad("amount", "is empty or zero")
        return abs(signed), "credit" if signed > 0 else "debit"
    credit, debit = _fen(found, row, "credit"), _fen(found, row, "debit")
    if credit < 0 or debit < 0:
        raise _Bad("credit" if credit < 0 else "debit", "must not be negative")
    if bool(credit) == bool(debit):
        raise _Bad("credit", "both credit and debit" if credit else "no credit or debit amount")
    return (credit, "credit") if credit else (debit, "debit")


def _fen(found: Found, row: Sequence[object], key: str) -> int:
    try:
        return to_fen(_cell(found, row, key))
    except InvalidValue as exc:
        raise _Bad(key, str(exc)) from None


def to_fen(value: object) -> int:
    """A signed amount in 分 from a cell (text or an Excel number); empty is 0."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise InvalidValue(f"not a number: {value!r}")
    if isinstance(value, int | float):
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not exact.is_finite() or exact != exact.quantize(Decimal("0.01")):
            raise InvalidValue(f"not a whole number of 分: {value!r}")
        return int(exact * 100)
    text = str(value).strip().replace(" ", "")
    if text in ("", "-", "--"):
        return 0
    sign = -1 if text.startswith("-") else 1
    return sign * parse_fen(text.lstrip("+-"), allow_zero=True)


def to_date(value: object) -> date:
    """A date from 20261012, 2026-10-12, 2026/10/12 (a time after it is dropped), an Excel date
    or an Excel serial number."""
    if isinstance(value, datetime):
        return in_range(value.date())
    if isinstance(value, date):
        return in_range(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_date(value)
    return _text_date(str(value).strip() if value is not None else "")


@lru_cache(maxsize=4096)
def _text_date(text: str) -> date:
    text = text.split(" ")[0].split("T")[0]
    if len(text) == 8 and text.isdigit():
        return _number_date(int(text))
    return parse_date(text)


def _number_date(value: float) -> date:
    if value != int(value):
        raise InvalidValue(f"not a date: {value!r}")
    n = int(value)
    try:
        if 19000101 <= n <= 21991231:
            return in_range(date(n // 10000, n // 100 % 100, n % 100))
        if 1 <= n < 100000:
            return in_range(EXCEL_EPOCH + timedelta(days=n))
    except ValueError:
        raise InvalidValue(f"no such date: {n}") from None
    raise InvalidValue(f"not a date: {n}")


def _party(found: Found, row: Sequence[object], direction: str) -> tuple[str | None, str | None]:
    """The counterparty's name and account (BOC: the payer of a credit, the payee of a debit)."""
    if "counterparty" in found.positions or "payer" not in found.positions:
        name, account = "counterparty", "counterparty_account"
    else:
        name, account = (
            ("payer", "payer_account") if direction == "credit" else ("payee", "payee_account")
        )
    return _text(_cell(found, row, name)), _text(_cell(found, row, account))


def _memo(found: Found, row: Sequence[object]) -> str | None:
    parts = [_text(row[i]) for i in found.positions.get("memo", ())]
    if len(parts) < 2:
        return parts[0] if parts else None
    joined = " / ".join(dict.fromkeys(p for p in parts if p))
    return shorten(joined, 500) if joined else None
