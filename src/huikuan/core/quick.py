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
from typing import TypeVar

from huikuan.core.dates import parse_date
from huikuan.core.errors import InvalidValue
from huikuan.core.records import Context, Row
from huikuan.core.terms import parse_terms

# number, customer_id, issue_date, due_date, amount, currency, terms, contract, salesperson,
# description, milestone, open_amount
InvoiceRow = tuple[
    str, int, str, str, int, str, str | None, str | None, str | None, str | None, str | None, int
]
_CURRENCY = re.compile(r"[A-Z]{3}")
T = TypeVar("T")


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
        number, cust = get("number"), self.ctx.customer(get("customer") or "")
        if not number or cust is None or len(number) > 64 or number != number.strip():
            return None
        issue, fen = self._date(get("issue_date")), _amount(get("amount"))
        currency = get("currency") or self.ctx.currency
        if issue is None or not fen or not self._currency(currency):
            return None
        terms_text, due_text = get("terms"), get("due_date")
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
        return (
            number,
            cust.id,
            issue,
            due,
            fen,
            currency,
            code,
            _text(get("contract")),
            _text(get("salesperson")),
            _text(get("description")),
            _text(get("milestone")),
            fen,
        )

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
    if not (whole.isascii() and whole.isdigit()) or len(whole) > 13:
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
