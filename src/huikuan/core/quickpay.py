"""A quick path for well-formed payment records, for imports of hundreds of thousands of rows.

:class:`QuickPayment` turns a record straight into the tuple the ledger inserts (the order of
``PAYMENT_ORDER``), with the dates it has seen cached. Like :mod:`huikuan.core.quick` it only
accepts what it is sure of and returns ``None`` for anything else; the caller then runs the
full :func:`huikuan.core.records.check_payment`, which reports the problems. Both give the
same row for a record they both accept (tests check this).
"""

from __future__ import annotations

import re
from typing import Any

from huikuan.core.dates import parse_date
from huikuan.core.errors import InvalidValue
from huikuan.core.quick import _amount
from huikuan.core.records import Context, Row
from huikuan.core.text import NOT_LINE

# customer_id, date (ISO), amount (分), currency, invoice_id, reference, method
PaymentRow = tuple[Any, ...]
PAYMENT_ORDER = ("customer_id", "date", "amount", "currency", "invoice_id", "reference", "method")
_CURRENCY = re.compile(r"[A-Z]{3}")


class QuickPayment:
    """Callable: ``record -> PaymentRow | None``, with caches that live for one import."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.dates: dict[str, str | None] = {}  # text as written -> ISO date or None

    def __call__(self, row: Row) -> PaymentRow | None:
        get = row.get
        cust, text, amount = self.ctx.customer(get("customer") or ""), get("date"), get("amount")
        if cust is None or type(text) is not str or type(amount) is not str:
            return None
        day = self.dates[text] if text in self.dates else self._date(text)
        fen = _amount(amount)
        currency = get("currency") or None
        if day is None or not fen or (currency is not None and not _CURRENCY.fullmatch(currency)):
            return None
        reference, method = _line(get("reference")), _line(get("method"))
        if reference is False or method is False:
            return None
        number = get("invoice")
        if number:
            inv = self.ctx.invoice(number) if number == number.strip() else None
            if inv is None or inv.customer_id != cust.id or currency not in (None, inv.currency):
                return None
            return (cust.id, day, fen, inv.currency, inv.id, reference, method)
        if currency is None:
            invoiced = set(self.ctx.currencies(cust.id))
            if len(invoiced) > 1:
                return None
            currency = invoiced.pop() if invoiced else self.ctx.currency
        return (cust.id, day, fen, currency, None, reference, method)

    def _date(self, text: str) -> str | None:
        try:
            iso: str | None = parse_date(text).isoformat()
        except InvalidValue:
            iso = None
        self.dates[text] = iso
        return iso


def _line(value: Any) -> str | bool | None:
    """A one-line text as the full check keeps it (None when empty), False when unsure."""
    if not value:
        return None
    if type(value) is not str or value != value.strip() or NOT_LINE.search(value):
        return False
    return value
