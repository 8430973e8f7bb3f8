"""A quick path for well-formed payment records, for imports of hundreds of thousands of rows.

:class:`QuickPayment` turns a record straight into the tuple the ledger inserts (the order of
``PAYMENT_ORDER``), with the dates it has seen cached. Like :mod:`huikuan.core.quick` it only
accepts what it is sure of and returns ``None`` for anything else; the caller then runs the
full :func:`huikuan.core.records.check_payment`, which reports the problems. Both give the
same row for a record they both accept (tests check this).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from itertools import repeat
from operator import itemgetter
from typing import Any

from huikuan.core.dates import parse_date
from huikuan.core.errors import InvalidValue
from huikuan.core.quick import _WHOLE, _amount
from huikuan.core.records import Context, Row
from huikuan.core.text import NOT_LINE

# customer_id, date (ISO), amount (分), currency, invoice_id, reference, method
PaymentRow = tuple[Any, ...]
PAYMENT_ORDER = ("customer_id", "date", "amount", "currency", "invoice_id", "reference", "method")
FIELDS = ("customer", "date", "amount", "currency", "invoice", "reference", "method")
NamedRow = tuple[int, int, str]  # an invoice's id, customer id and currency
_CURRENCY = re.compile(r"[A-Z]{3}")
_BLANK = (None, None, None)  # the invoice of a row naming none
_ID, _OWNER, _CURRENCY_OF = (operator.itemgetter(i) for i in range(3))  # of a NamedRow
# a chunk's amounts, one a line, each as _amount's first case takes it (ASCII 1234.50)
_AMOUNTS = re.compile(rf"(?:[0-9]{{1,{_WHOLE}}}\.[0-9][0-9]\n)*[0-9]{{1,{_WHOLE}}}\.[0-9][0-9]")


class QuickPayment:
    """Callable: ``record -> PaymentRow | None``, with caches that live for one import."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.dates: dict[str, str | None] = {}  # text as written -> ISO date or None
        self.single: dict[int, str | None] = {}  # customer id -> :meth:`_single`

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

    def for_columns(
        self, cols: list[str], named: dict[str, NamedRow | None]
    ) -> Callable[[list[str]], PaymentRow | None]:
        """The same conversion for CSV rows given as lists in the order of ``cols``, the
        invoices looked up in ``named`` (number -> id, customer id, currency; the caller fills
        it for each chunk). No record, no invoice object per row. Appends ``""`` to each row
        (the value of a column the file lacks)."""
        where = {c: i for i, c in enumerate(cols)}
        pad = len(cols)  # a column the file lacks: the "" appended to every row
        pick = itemgetter(*(where.get(c, pad) for c in FIELDS))
        customer, dates, date_of = self.ctx.customer, self.dates, self._date
        single, single_of, bad_text = self.single, self._single, NOT_LINE.search

        def fast(f: list[str]) -> PaymentRow | None:
            f.append("")
            code, text, amount, currency, number, reference, method = pick(f)
            cust = customer(code)
            if cust is None or not text:
                return None
            day = dates[text] if text in dates else date_of(text)
            whole, _, frac = amount.partition(".")  # _amount's first case inlined
            if len(frac) == 2 and len(whole) <= _WHOLE and whole.isdigit() and frac.isdigit():
                fen = int(whole + frac) if amount.isascii() else 0
            else:
                fen = _amount(amount)
            if day is None or not fen or (currency and not _CURRENCY.fullmatch(currency)):
                return None
            for value in (reference, method):  # _line's test; printable: no NOT_LINE
                if value and (
                    value != value.strip() or (not value.isprintable() and bad_text(value))
                ):
                    return None
            if number:
                inv = named.get(number) if number == number.strip() else None
                if inv is None or inv[1] != cust.id or (currency and currency != inv[2]):
                    return None
                return (cust.id, day, fen, inv[2], inv[0], reference or None, method or None)
            if not currency:
                currency = single[cust.id] if cust.id in single else single_of(cust.id)
                if currency is None:
                    return None
            return (cust.id, day, fen, currency, None, reference or None, method or None)

        return fast

    def for_chunks(
        self, cols: list[str], named: dict[str, NamedRow | None]
    ) -> Callable[[list[list[str]]], list[PaymentRow] | None]:
        """:meth:`for_columns` for a whole chunk at once, column by column (``map``, ``zip``
        and one regular expression for all amounts: a third of the time per row). It gives
        None, and the caller takes the rows one by one, unless every row is plainly well
        formed: amounts as ``1234.50``, no currency given, printable references and methods.
        """
        where = {c: i for i, c in enumerate(cols)}
        at: dict[str, Any] = {c: where.get(c) for c in FIELDS}
        customer, dates, date_of = self.ctx.customer, self.dates, self._date
        code_ids: dict[str, int | None] = {}  # customer code -> id (None: no such customer)
        required = None not in (at["customer"], at["date"], at["amount"])  # else: the header check

        def whole(rows: list[list[str]]) -> list[PaymentRow] | None:
            columns: list[Any] = list(zip(*rows))
            if not rows or not required:
                return None
            if at["currency"] is not None and any(columns[at["currency"]]):
                return None
            codes = columns[at["customer"]]
            for code in {*codes} - code_ids.keys():
                found = customer(code)
                code_ids[code] = None if found is None else found.id
            ids: list[Any] = list(map(code_ids.__getitem__, codes))
            texts, amounts = columns[at["date"]], columns[at["amount"]]
            for text in {*texts} - dates.keys():
                date_of(text)
            days = list(map(dates.__getitem__, texts))
            if None in ids or None in days or not _AMOUNTS.fullmatch("\n".join(amounts)):
                return None
            fens = list(map(int, map(str.replace, amounts, repeat("."), repeat(""))))
            texts = [self._texts(columns, at[c], len(rows)) for c in ("reference", "method")]
            paid = self._paid(
                ids, columns[at["invoice"]] if at["invoice"] is not None else None, named
            )
            if 0 in fens or None in texts or paid is None:
                return None
            return list(zip(ids, days, fens, paid[0], paid[1], *texts))

        return whole

    @staticmethod
    def _texts(columns: list[Any], at: int | None, rows: int) -> list[str | None] | None:
        """A reference or method column as the rows keep it, or None unless every value
        is one printable line with no space around it."""
        if at is None:
            return [None] * rows
        values = columns[at]
        if not "".join(values).isprintable() or not all(
            map(str.__eq__, values, map(str.strip, values))
        ):
            return None
        return [v or None for v in values]

    def _paid(
        self, ids: list[int], numbers: tuple[str, ...] | None, named: dict[str, NamedRow | None]
    ) -> tuple[list[Any], list[Any]] | None:
        """The currency and invoice id of each row, or None unless each named invoice is
        its customer's and each other row's customer is invoiced in one currency at most
        (column by column: a row naming no invoice gets its customer's one currency)."""
        single = self.single
        for cid in {*ids} - single.keys():
            self._single(cid)
        if numbers is None:
            each = list(map(single.__getitem__, ids))
            return None if None in each else (each, [None] * len(ids))
        if not all(map(str.__eq__, numbers, map(str.strip, numbers))):
            return None
        invoices: list[Any] = list(map({**named, "": _BLANK}.get, numbers))
        if None in invoices:  # an unknown number
            return None
        owners = list(map(_OWNER, invoices))
        if sum(map(operator.eq, owners, ids)) + owners.count(None) != len(ids):
            return None  # an invoice of another customer
        mine = map(single.__getitem__, ids)
        currencies = [c or m for c, m in zip(map(_CURRENCY_OF, invoices), mine)]
        return None if None in currencies else (currencies, list(map(_ID, invoices)))

    def _single(self, customer_id: int) -> str | None:
        """The currency of a payment naming no invoice and no currency (None: the customer
        is invoiced in several, the full check asks which)."""
        invoiced = set(self.ctx.currencies(customer_id))
        found = None if len(invoiced) > 1 else (invoiced.pop() if invoiced else self.ctx.currency)
        self.single[customer_id] = found
        return found

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
