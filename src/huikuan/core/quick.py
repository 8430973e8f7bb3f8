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
_AMOUNT = re.compile(r"\d{1,13}(?:\.\d{1,2})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
T = TypeVar("T")
_TEXT = ("contract", "salesperson", "description", "milestone")


class QuickInvoice:
    """Callable: ``row -> InvoiceRow | None`` with caches that live for one import."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.dates: dict[str, date | None] = {}
        self.terms: dict[str, str | None] = {}

    def __call__(self, row: Row) -> InvoiceRow | None:
        number, cust = row.get("number"), self.ctx.customer(row.get("customer") or "")
        if not number or cust is None or len(number) > 64 or number != number.strip():
            return None
        issue, fen = self._date(row.get("issue_date")), _amount(row.get("amount"))
        currency = row.get("currency") or self.ctx.currency
        if issue is None or not fen or not _CURRENCY.fullmatch(currency):
            return None
        terms_text, due_text = row.get("terms"), row.get("due_date")
        terms = self._terms(terms_text) if terms_text else None
        if terms_text and terms is None:
            return None
        due = self._due(due_text, terms or cust.terms, issue)
        if due is None:
            return None
        code = terms or (None if due_text else cust.terms)
        extra = [(row.get(col) or "").strip() or None for col in _TEXT]
        return (
            number,
            cust.id,
            issue.isoformat(),
            due.isoformat(),
            fen,
            currency,
            code,
            *extra,
            fen,
        )  # type: ignore[return-value]

    def _due(self, text: str | None, code: str | None, issue: date) -> date | None:
        if text:
            due = self._date(text)
            return due if due is not None and due >= issue else None
        return self.ctx.due(code, issue) if code else None

    def _date(self, text: str | None) -> date | None:
        if not text:
            return None
        if text not in self.dates:
            self.dates[text] = _try(parse_date, text)
        return self.dates[text]

    def _terms(self, text: str) -> str | None:
        if text not in self.terms:
            terms = _try(parse_terms, text)
            self.terms[text] = terms.code if terms is not None else None
        return self.terms[text]


def _amount(text: str | None) -> int:
    """分 for ``123``, ``123.4`` or ``123.45``; 0 for anything else (the full check explains)."""
    if not text or not _AMOUNT.fullmatch(text):
        return 0
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def _try(fn: Callable[[str], T], text: str) -> T | None:
    try:
        return fn(text)
    except InvalidValue:
        return None
