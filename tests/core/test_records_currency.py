"""check_payment: the currency of a payment that names neither a currency nor an invoice."""

from __future__ import annotations

from huikuan.core.calendar import make_calendar
from huikuan.core.records import Context, CustomerRef, InvoiceRef, check_payment

CUSTOMERS = {c: CustomerRef(i, c, None) for i, c in enumerate(("NONE", "EUR1", "BOTH"), 1)}
INVOICED = {1: [], 2: ["EUR", "EUR"], 3: ["USD", "CNY"]}
INVOICES = {"E-1": InvoiceRef(10, 3, "USD")}
CTX = Context("CNY", make_calendar("none"), CUSTOMERS.get, INVOICES.get, INVOICED.__getitem__)


def _check(customer: str, **kw: str) -> tuple[str, list[tuple[str, str]]]:
    rec, problems = check_payment(
        {"customer": customer, "date": "2026-11-01", "amount": "1", **kw}, CTX
    )
    return rec["currency"], problems


def test_the_one_invoiced_currency() -> None:
    assert _check("EUR1") == ("EUR", [])


def test_no_invoices_the_ledger_default() -> None:
    assert _check("NONE") == ("CNY", [])


def test_several_currencies_must_be_named() -> None:
    _, problems = _check("BOTH")
    assert problems == [
        (
            "currency",
            "is required: customer BOTH is invoiced in CNY, USD (say which currency was paid)",
        )
    ]
    assert _check("BOTH", currency="usd") == ("USD", [])
    assert _check("BOTH", invoice="E-1") == ("USD", [])


def test_a_given_currency_wins() -> None:
    assert _check("EUR1", currency="CNY") == ("CNY", [])
