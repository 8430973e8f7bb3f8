"""The quick path for payment records gives the full check's row, or steps aside."""

from __future__ import annotations

import itertools

from huikuan.core.calendar import make_calendar
from huikuan.core.quickpay import PAYMENT_ORDER, QuickPayment
from huikuan.core.records import Context, CustomerRef, InvoiceRef, check_payment

CUSTOMERS = {c.code: c for c in (CustomerRef(1, "C1", None), CustomerRef(2, "C2", "NET30"))}
CUSTOMERS["C3"] = CustomerRef(3, "C3", None)
INVOICES = {"N1": InvoiceRef(10, 1, "CNY"), "N2": InvoiceRef(11, 2, "USD")}
INVOICED = {1: ["CNY"], 2: ["USD", "CNY"], 3: []}
CTX = Context("CNY", make_calendar("none"), CUSTOMERS.get, INVOICES.get, INVOICED.__getitem__)

VALUES = {
    "customer": ["C1", "C2", "C3", " C1", "C9", ""],
    "date": ["2026-03-01", "2026/3/1", "2026-02-30", " 2026-03-01", ""],
    "amount": ["12", "12.5", "12.50", "0", "1,200", "0012.00", "12.345", "１２", ""],
    "currency": ["", "CNY", "USD", "usd", "XX"],
    "invoice": ["", "N1", "N2", "N9", " N1"],
    "reference": ["", "R-1", " R-1", "a\tb"],
}


def _records() -> list[dict[str, str]]:
    keys = list(VALUES)
    return [dict(zip(keys, combo)) for combo in itertools.product(*VALUES.values())]


def test_the_quick_path_agrees_with_the_full_check() -> None:
    quick = QuickPayment(CTX)
    taken = 0
    for rec in _records():
        row = quick(rec)
        full, problems = check_payment(rec, CTX)
        if row is None:
            continue
        taken += 1
        assert problems == [], rec
        assert row == tuple(full[c] for c in PAYMENT_ORDER), rec
    assert taken > 100  # the common forms do take it


def test_it_steps_aside_for_what_the_full_check_explains() -> None:
    quick = QuickPayment(CTX)
    good = {"customer": "C1", "date": "2026-03-01", "amount": "5", "invoice": "N1"}
    assert quick(good) == (1, "2026-03-01", 500, "CNY", 10, None, None)
    for change in (
        {"customer": "C9"},
        {"amount": "0"},
        {"invoice": "N2"},  # another customer's
        {"currency": "USD"},  # not the invoice's
        {"invoice": "", "customer": "C2"},  # invoiced in two currencies: must say which
        {"method": "a\nb"},
    ):
        rec = {**good, **change}
        assert quick(rec) is None and check_payment(rec, CTX)[1], change
