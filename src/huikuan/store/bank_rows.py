"""The quick way through a statement's plain text lines (used by ``store.bankfile``).

A CSV statement's cells are all text, and almost every line is ordinary: a date, one plain
amount (``1234.50``), no control characters. :func:`quick_reader` checks such a line with the
column positions worked out once, without the per-cell dispatch of ``bankfile._line``; any
line it is not sure of (a cell that is not text, a sign, a grouped or bad amount, a bad date,
both or neither of credit and debit, a currency column) it hands back as :data:`SLOW`, and
the caller checks it the general way, which gives the same line or the same error
(``tests/store/test_bank_rows.py`` compares both on generated lines).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from huikuan.core.errors import InvalidValue
from huikuan.core.money import parse_fen
from huikuan.core.text import NOT_LINE, shorten

if TYPE_CHECKING:
    from huikuan.store.bank_layouts import Found
    from huikuan.store.bankfile import StatementLine

SLOW = None  # a line for the general path (which also skips empty and totals rows)
Quick = Callable[[Sequence[object], int], "StatementLine | None"]


def quick_reader(found: Found, currency: str | None, shared: dict[str, str]) -> Quick | None:
    """A checker of plain text lines for this layout (None: the layout needs the general
    path: a currency or signed amount column, or BOC's payer/payee columns)."""
    from huikuan.store.bankfile import StatementLine, _blank_or_total, _text_date

    at = found.positions
    if "amount" in at or "currency" in at or "credit" not in at:
        return None
    if "counterparty" not in at and "payer" in at:
        return None
    width = found.width
    day_at, credit_at = at["date"][0], at["credit"][0]
    debit_at = at["debit"][0] if "debit" in at else None
    party_at, party_account_at, serial_at, account_at = (
        at[k][0] if k in at else None
        for k in ("counterparty", "counterparty_account", "serial", "account")
    )
    memo_at = at.get("memo", ())

    def text(row: Sequence[str], i: int | None) -> str | None:
        return (row[i].strip() or None) if i is not None else None

    def quick(row: Sequence[object], n: int) -> StatementLine | None:
        cells = _plain(row)
        if cells is None or _blank_or_total(cells):
            return SLOW
        if len(cells) < width:
            cells = [*cells, *([""] * (width - len(cells)))]
        try:
            day = _text_date(cells[day_at].strip())
            credit = _plain_fen(cells[credit_at])
            debit = _plain_fen(cells[debit_at]) if debit_at is not None else 0
        except InvalidValue:
            return SLOW
        if bool(credit) == bool(debit):
            return SLOW
        party, account = text(cells, party_at), text(cells, party_account_at)
        return StatementLine(
            n,
            text(cells, account_at),
            day,
            credit or debit,
            currency,
            "credit" if credit else "debit",
            shared.setdefault(party, party) if party else party,
            shared.setdefault(account, account) if account else account,
            _memo([cells[i].strip() for i in memo_at]),
            text(cells, serial_at),
        )

    return quick


def _plain(row: Sequence[object]) -> Sequence[str] | None:
    """The row's cells when all are text without control characters (else None)."""
    try:
        joined = "".join(row)  # type: ignore[arg-type]
    except TypeError:  # a number, a date, None: a workbook's cell
        return None
    return None if NOT_LINE.search(joined) else row  # type: ignore[return-value]


def _plain_fen(cell: str) -> int:
    """分 of an unsigned amount written plainly (empty: 0); InvalidValue for anything else
    (a sign, spaces inside, ``-``: the general path decides)."""
    text = cell.strip()
    if not text:
        return 0
    if text[0] in "+-" or " " in text:
        raise InvalidValue("for the general path")
    return parse_fen(text, allow_zero=True)


def _memo(parts: list[str]) -> str | None:
    """As ``bankfile._memo`` for stripped text cells."""
    if len(parts) < 2:
        return (parts[0] or None) if parts else None
    joined = " / ".join(dict.fromkeys(p for p in parts if p))
    return shorten(joined, 500) if joined else None
