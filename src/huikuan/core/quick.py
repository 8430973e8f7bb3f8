"""A quick path for well-formed invoice rows, for imports of millions of rows.

:func:`quick_invoice` converts a row straight to the tuple the ledger inserts, using caches
for the values that repeat (dates, terms, due dates, customers). It only accepts what it is
sure of; for anything else it returns ``None`` and the caller runs the full
:func:`huikuan.core.records.check_invoice`, which reports the problems. Both give the same
result for a row they both accept (tests check this).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from operator import itemgetter
from typing import Any, TypeVar

from huikuan.core.dates import parse_date
from huikuan.core.errors import InvalidValue
from huikuan.core.money import MAX_FEN
from huikuan.core.records import Context, Row
from huikuan.core.terms import parse_terms
from huikuan.core.text import NOT_LINE

# number, customer_id, issue_date, due_date, amount, currency, terms, then — only when one
# of them is given — contract, salesperson, description, milestone. (open_amount = amount.)
InvoiceRow = tuple[Any, ...]
_CURRENCY = re.compile(r"[A-Z]{3}")
_WHOLE = len(str(MAX_FEN // 100))  # longer whole parts: the full check refuses or explains
T = TypeVar("T")
# The columns :meth:`QuickInvoice.convert` takes, in order.
ORDER = (
    "number",
    "customer",
    "issue_date",
    "amount",
    "currency",
    "terms",
    "due_date",
    "contract",
    "salesperson",
    "description",
    "milestone",
)


class QuickInvoice:
    """Callable: ``row -> InvoiceRow | None`` with caches that live for one import.

    Dates are kept as ISO text (their order is the dates' order), so the common row costs
    a few dictionary lookups.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.dates: dict[str, str | None] = {}  # text as written -> ISO date or None
        self.terms: dict[str, str | None] = {}  # text as written -> code or None
        self.dues: dict[tuple[str, str], str] = {}  # (code, issue ISO) -> due ISO
        self.currencies = {ctx.currency}

    def __call__(self, row: Row) -> InvoiceRow | None:
        get = row.get
        return self.convert(*(get(c) for c in ORDER))

    def for_columns(self, cols: list[str]) -> Callable[[list[str]], InvoiceRow | None]:
        """The same conversion for CSV rows given as lists in the order of ``cols``.

        Rows with contract/salesperson/description/milestone take :meth:`convert`; the rest
        take an inlined copy of it (a million rows a few seconds quicker).
        """
        where = {c: i for i, c in enumerate(cols)}
        pick = itemgetter(*(where.get(c, len(cols)) for c in ORDER))
        generic = self.convert
        if any(c not in where for c in ORDER[:4]):  # the header check reports these
            return lambda fields: generic(*pick([*fields, None]))
        extras = [where[c] for c in ORDER[7:] if c in where]
        fast = self._fast(*(where.get(c) for c in ORDER[:7]))
        if not extras:
            return fast
        return lambda fields: (
            generic(*pick([*fields, None])) if any(fields[i] for i in extras) else fast(fields)
        )

    def _fast(
        self, num: Any, cus: Any, iss: Any, amt: Any, cur: Any, ter: Any, due_at: Any
    ) -> Callable[[list[str]], InvoiceRow | None]:
        """:meth:`convert` for rows without extra fields, columns at the given positions."""
        customer, dates, date_of, amount_of = self.ctx.customer, self.dates, self._date, _amount
        bad_text = NOT_LINE.search
        default, currencies, currency_ok = self.ctx.currency, self.currencies, self._currency
        terms, terms_of, dues, due_of = self.terms, self._terms, self.dues, self._due

        def fast(f: list[str]) -> InvoiceRow | None:
            number, cust = f[num], customer(f[cus])
            if (
                cust is None
                or not number
                or len(number) > 64
                or number != number.strip()
                or (not number.isprintable() and bad_text(number))  # printable: no NOT_LINE
            ):
                return None
            text, fen = f[iss], amount_of(f[amt])
            issue = dates[text] if text in dates else date_of(text)
            currency = (f[cur] if cur is not None else None) or default
            if (
                issue is None
                or not fen
                or (currency not in currencies and not currency_ok(currency))
            ):
                return None
            terms_text = f[ter] if ter is not None else None
            code = None
            if terms_text:
                code = terms[terms_text] if terms_text in terms else terms_of(terms_text)
                if code is None:
                    return None
            due_text = f[due_at] if due_at is not None else None
            if due_text:
                due = dates[due_text] if due_text in dates else date_of(due_text)
                if due is None or due < issue:
                    return None
            else:
                code = code or cust.terms
                if code is None:
                    return None
                due = dues.get((code, issue)) or due_of(code, issue)
            return (number, cust.id, issue, due, fen, currency, code)

        return fast

    def convert(
        self,
        number: str | None,
        customer: str | None,
        issue_text: str | None,
        amount: str | None,
        currency: str | None,
        terms_text: str | None,
        due_text: str | None,
        *extra: str | None,
    ) -> InvoiceRow | None:
        """The row to insert, or None when the full check must look at it."""
        cust = self.ctx.customer(customer or "")
        if not number or cust is None or len(number) > 64 or number != number.strip():
            return None
        if NOT_LINE.search(number) or any(e and NOT_LINE.search(e) for e in extra):
            return None
        issue, fen = self._date(issue_text), _amount(amount)
        currency = currency or self.ctx.currency
        if issue is None or not fen or not self._currency(currency):
            return None
        terms = self._terms(terms_text) if terms_text else None
        if terms_text and terms is None:
            return None
        if due_text:
            due = self._date(due_text)
            if due is None or due < issue:
                return None
            code = terms
        else:
            code = terms or cust.terms
            if code is None:
                return None
            due = self._due(code, issue)
        row = (number, cust.id, issue, due, fen, currency, code)
        return (*row, *map(_text, extra)) if any(extra) else row

    def _currency(self, text: str) -> bool:
        if text in self.currencies:
            return True
        if _CURRENCY.fullmatch(text):
            self.currencies.add(text)
            return True
        return False

    def _due(self, code: str, issue: str) -> str:
        key = (code, issue)
        due = self.dues.get(key)
        if due is None:
            due = self.dues[key] = self.ctx.due(code, date.fromisoformat(issue)).isoformat()
        return due

    def _date(self, text: str | None) -> str | None:
        if not text:
            return None
        try:
            return self.dates[text]
        except KeyError:
            parsed = _try(parse_date, text)
            iso = self.dates[text] = parsed.isoformat() if parsed is not None else None
            return iso

    def _terms(self, text: str) -> str | None:
        if text not in self.terms:
            terms = _try(parse_terms, text)
            self.terms[text] = terms.code if terms is not None else None
        return self.terms[text]


def _text(value: str | None) -> str | None:
    return (value.strip() or None) if value else None


def _amount(text: str | None) -> int:
    """分 for ``123``, ``123.4`` or ``123.45``; 0 for anything else (the full check explains)."""
    if not text:
        return 0
    whole, dot, frac = text.partition(".")
    if len(frac) == 2 and text.isascii() and whole.isdigit() and frac.isdigit():  # 1234.50
        return int(whole + frac) if len(whole) <= _WHOLE else 0
    if not (whole.isascii() and whole.isdigit()) or len(whole) > _WHOLE:
        return 0
    if not dot:
        return int(whole) * 100
    if 1 <= len(frac) <= 2 and frac.isascii() and frac.isdigit():
        return int(whole + frac) * (10 if len(frac) == 1 else 1)
    return 0


def _try(fn: Callable[[str], T], text: str) -> T | None:
    try:
        return fn(text)
    except InvalidValue:
        return None
