"""Checking one input record (a CSV/JSON row or a command's options) for the ledger.

Errors are values: each checker returns the clean record and a list of ``(column, reason)``
problems, so an import can report every bad row at once. Lookups into the ledger are passed
in as plain callables, which keeps this module pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from huikuan.core.calendar import WorkCalendar
from huikuan.core.dates import parse_date
from huikuan.core.errors import InvalidValue
from huikuan.core.money import parse_currency, parse_fen
from huikuan.core.refs import CustomerRef as CustomerRef
from huikuan.core.refs import InvoiceRef as InvoiceRef
from huikuan.core.terms import due_date, parse_terms
from huikuan.core.text import check_line, check_text

Row = Mapping[str, str | None]
Problem = tuple[str, str]

CUSTOMER_COLUMNS = (
    "code",
    "name",
    "segment",
    "region",
    "salesperson",
    "email",
    "phone",
    "language",
    "credit_limit",
    "terms",
)
INVOICE_COLUMNS = (
    "number",
    "customer",
    "issue_date",
    "amount",
    "due_date",
    "terms",
    "currency",
    "contract",
    "salesperson",
    "description",
    "milestone",
)
PAYMENT_COLUMNS = ("customer", "date", "amount", "invoice", "currency", "reference", "method")
REQUIRED = {
    "customers": ("code", "name"),
    "invoices": ("number", "customer", "issue_date", "amount"),
    "payments": ("customer", "date", "amount"),
}
COLUMNS = {"customers": CUSTOMER_COLUMNS, "invoices": INVOICE_COLUMNS, "payments": PAYMENT_COLUMNS}
LANGUAGES = ("zh", "en")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CODE = re.compile(r"^[^\s,]{1,64}$")


@dataclass
class Context:
    """Ledger lookups and settings the checks use."""

    currency: str
    calendar: WorkCalendar
    customer: Callable[[str], CustomerRef | None]
    invoice: Callable[[str], InvoiceRef | None] = lambda number: None
    currencies: Callable[[int], Sequence[str]] = lambda customer_id: ()
    """The currencies a customer has been invoiced in (by customer id)."""
    due_cache: dict[tuple[str, date], date] = field(default_factory=dict)

    def due(self, code: str, issue: date) -> date:
        """Due date for terms ``code`` from ``issue`` (cached: imports repeat both a lot)."""
        key = (code, issue)
        if key not in self.due_cache:
            self.due_cache[key] = due_date(parse_terms(code), issue, self.calendar)
        return self.due_cache[key]


class _Checker:
    """Collects problems while pulling typed values out of a row."""

    def __init__(self, row: Row) -> None:
        self.v = {k: (v.strip() or None) if v is not None else None for k, v in row.items()}
        self.problems: list[Problem] = []

    def need(self, col: str) -> str | None:
        value = self.v.get(col)
        if value is None:
            self.problems.append((col, "is required"))
        return value

    def parse(self, col: str, fn: Callable[[str], Any], *, required: bool = False) -> Any:
        value = self.need(col) if required else self.v.get(col)
        if value is None:
            return None
        try:
            return fn(value)
        except InvalidValue as exc:
            self.problems.append((col, str(exc)))
            return None

    def fail(self, col: str, reason: str) -> None:
        self.problems.append((col, reason))


def check_customer(row: Row) -> tuple[dict[str, Any], list[Problem]]:
    """A customer record: ``code`` and ``name`` required, the rest optional."""
    c = _Checker(row)
    code = c.need("code")
    if code is not None and not _CODE.match(code):
        c.fail("code", f"must be 1-64 characters without spaces or commas: {code!r}")
    elif code is not None:
        c.parse("code", check_line)
    rec: dict[str, Any] = {"code": code, "name": c.parse("name", _line, required=True)}
    for col in ("segment", "region", "salesperson", "phone"):
        rec[col] = c.parse(col, _line)
    rec["email"] = c.parse("email", _email)
    rec["language"] = c.parse("language", _language) or "zh"
    rec["credit_limit"] = c.parse("credit_limit", lambda v: parse_fen(v, allow_zero=True))
    rec["terms"] = c.parse("terms", lambda v: parse_terms(v).code)
    return rec, c.problems


def check_invoice(row: Row, ctx: Context) -> tuple[dict[str, Any], list[Problem]]:
    """An invoice record; the due date comes from ``due_date``, ``terms`` or the customer."""
    c = _Checker(row)
    number = c.need("number")
    if number is not None and len(number) > 64:
        c.fail("number", "is longer than 64 characters")
    elif number is not None:
        c.parse("number", check_line)
    cust = _customer(c, ctx)
    issue: date | None = c.parse("issue_date", parse_date, required=True)
    amount = c.parse("amount", parse_fen, required=True)
    currency = c.parse("currency", parse_currency) or ctx.currency
    terms = c.parse("terms", parse_terms)
    due: date | None = c.parse("due_date", parse_date)
    if due is None and issue is not None and cust is not None:
        code = terms.code if terms else cust.terms
        if code is None and not any(col == "terms" for col, _ in c.problems):
            c.fail(
                "due_date", f"no due_date or terms, and customer {cust.code} has no default terms"
            )
        elif code is not None:
            due = ctx.due(code, issue)
    elif due is not None and issue is not None and due < issue:
        c.fail("due_date", f"{due.isoformat()} is before the issue date {issue.isoformat()}")
    rec = {
        "number": number,
        "customer_id": cust.id if cust else None,
        "issue_date": issue.isoformat() if issue else None,
        "due_date": due.isoformat() if due else None,
        "amount": amount,
        "currency": currency,
        "terms": terms.code
        if terms
        else (cust.terms if cust and not c.v.get("due_date") else None),
    }
    for col in ("contract", "salesperson", "milestone"):
        rec[col] = c.parse(col, _line)
    rec["description"] = c.parse("description", check_text)  # may span lines
    return rec, c.problems


def check_payment(row: Row, ctx: Context) -> tuple[dict[str, Any], list[Problem]]:
    """A payment record; a named invoice must belong to the customer, in the same currency.

    Without a currency it takes the named invoice's, else the one currency the customer is
    invoiced in; a customer invoiced in several must say which; one with no invoices yet
    pays in the ledger's default currency.
    """
    c = _Checker(row)
    cust = _customer(c, ctx)
    paid: date | None = c.parse("date", parse_date, required=True)
    amount = c.parse("amount", parse_fen, required=True)
    currency = c.parse("currency", parse_currency)
    inv = None
    number = c.v.get("invoice")
    if number is not None:
        inv = ctx.invoice(number)
        if inv is None:
            c.fail("invoice", f"unknown invoice {number!r}")
        elif cust is not None and inv.customer_id != cust.id:
            c.fail("invoice", f"invoice {number} belongs to another customer")
        elif currency is not None and currency != inv.currency:
            c.fail("currency", f"{currency} differs from invoice {number}'s {inv.currency}")
    rec = {
        "customer_id": cust.id if cust else None,
        "date": paid.isoformat() if paid else None,
        "amount": amount,
        "currency": currency or (inv.currency if inv else _paid_currency(c, cust, ctx)),
        "invoice_id": inv.id if inv else None,
        "reference": c.parse("reference", _line),
        "method": c.parse("method", _line),
    }
    return rec, c.problems


def _paid_currency(c: _Checker, cust: CustomerRef | None, ctx: Context) -> str:
    """The currency of a payment that names neither a currency nor an invoice."""
    invoiced = sorted(set(ctx.currencies(cust.id))) if cust else []
    if len(invoiced) > 1 and cust:
        c.fail(
            "currency",
            f"is required: customer {cust.code} is invoiced in {', '.join(invoiced)}"
            " (say which currency was paid)",
        )
    return invoiced[0] if len(invoiced) == 1 else ctx.currency


def _customer(c: _Checker, ctx: Context) -> CustomerRef | None:
    code = c.need("customer")
    if code is None:
        return None
    ref = ctx.customer(code)
    if ref is None:
        c.fail("customer", f"unknown customer {code!r}")
    return ref


def _line(value: str) -> str:
    """One line of text: names go into mail headers and letter addresses."""
    return check_line(value)


def _email(value: str) -> str:
    if not _EMAIL.match(check_line(value)):
        raise InvalidValue(f"not an email address: {value!r}")
    return value


def _language(value: str) -> str:
    if value.lower() not in LANGUAGES:
        raise InvalidValue(f"must be zh or en, not {value!r}")
    return value.lower()


ROLES = ("decision_maker", "finance", "purchasing", "legal_rep", "other")
ROLE_NAMES = {  # Chinese names accepted for the codes (the first of each is shown in messages)
    "决策人": "decision_maker",
    "财务": "finance",
    "采购": "purchasing",
    "法人": "legal_rep",
    "其他": "other",
    "决策者": "decision_maker",
    "财务联系人": "finance",
    "法定代表人": "legal_rep",
}


def check_contact(row: Row) -> tuple[dict[str, Any], list[Problem]]:
    """A contact: ``name`` and ``role`` (decision_maker, finance, purchasing, legal_rep, other)."""
    c = _Checker(row)
    rec: dict[str, Any] = {
        "name": c.parse("name", _line, required=True),
        "role": c.parse("role", _role, required=True),
    }
    rec["email"] = c.parse("email", _email)
    for col in ("title", "phone", "wechat"):
        rec[col] = c.parse(col, _line)
    rec["note"] = c.parse("note", check_text)  # free text: may span lines
    return rec, c.problems


def _role(value: str) -> str:
    return contact_role(value)


def contact_role(text: str) -> str:
    """The role code for a code (``finance``, ``decision-maker``) or its Chinese name (财务)."""
    key = text.strip()
    role = ROLE_NAMES.get(key) or key.lower().replace("-", "_").replace(" ", "_")
    if role not in ROLES:
        names = ", ".join(list(ROLE_NAMES)[: len(ROLES)])
        raise InvalidValue(f"must be one of {', '.join(ROLES)} (or {names}), not {text!r}")
    return role


parse_role = _role  # a contact role; contact add checks its option with it
parse_language = _language  # zh or en


def raise_problems(problems: list[Problem]) -> None:
    """For single-record commands: turn problems into one error with a line each."""
    if problems:
        raise InvalidValue(*(f"{col}: {why}" for col, why in problems))
