"""The ledger's use cases without the CLI: customers, contacts, invoices, payments, the
corrections (void, edit, reverse, contact edit/remove) and the audit log."""

from __future__ import annotations

from datetime import date

import pytest
from service_helpers import MakeCtx

from huikuan.core.errors import Conflict, HuikuanError, InvalidValue, NotFound
from huikuan.services import audit as A
from huikuan.services import corrections as K
from huikuan.services import customers as C
from huikuan.services import invoices as I
from huikuan.services import payments as P


def _setup(make_ctx: MakeCtx) -> None:
    ctx = make_ctx("2026-01-01")
    C.add_customer(ctx, {"code": "C001", "name": "明达", "terms": "NET30"})
    I.add_invoice(ctx, {"number": "A", "customer": "C001", "amount": "1000"})
    I.add_invoice(
        make_ctx("2026-01-10"),
        {"number": "B", "customer": "C001", "amount": "500", "due_date": "2026-02-10"},
    )


def test_invoices_and_payments(make_ctx: MakeCtx) -> None:
    _setup(make_ctx)
    ctx = make_ctx("2026-02-20")
    got = P.record_payment(
        ctx, "payment", {"customer": "C001", "amount": "1200", "reference": "S1"}
    )
    assert [(a.invoice, a.amount) for a in got.applied] == [("A", 100000), ("B", 20000)]
    rows = list(P.list_payments(ctx, "C001", False, None, None))
    assert [(r.id, r.date, r.reversed_on) for r in rows] == [
        (got.payment_id, date(2026, 2, 20), None)
    ]
    assert [r.number for r in I.list_invoices(ctx, None, "overdue")] == ["B"]
    shown = I.show_invoice(ctx, "B")
    assert (shown.info.open, len(shown.allocations)) == (30000, 1)
    off = P.write_off(ctx, "B", None, date(2026, 2, 21), "bankrupt")
    assert off.amount == 30000
    with pytest.raises(Conflict, match="already exists"):
        I.add_invoice(ctx, {"number": "A", "customer": "C001", "amount": "1"})


def test_reverse_and_void_through_the_services(make_ctx: MakeCtx) -> None:
    _setup(make_ctx)
    P.record_payment(make_ctx("2026-02-20"), "payment", {"customer": "C001", "amount": "600"})
    reversal = K.reverse_payment(make_ctx("2026-03-01"), "1", "退票")
    assert (reversal.payment_id, reversal.reversed_on, reversal.amount) == (
        1,
        date(2026, 3, 1),
        60000,
    )
    assert [(a.invoice, a.amount) for a in reversal.freed] == [("A", 60000)]
    void = K.void_invoice(make_ctx("2026-03-02"), "B", "duplicate", False)
    assert (void.number, void.amount, void.freed) == ("B", 50000, ())
    with pytest.raises(Conflict, match="already void"):
        K.void_invoice(make_ctx("2026-03-03"), "B", "again", True)
    with pytest.raises(NotFound):
        K.reverse_payment(make_ctx("2026-03-03"), "S404", "x")


def test_invoice_edit(make_ctx: MakeCtx) -> None:
    _setup(make_ctx)
    ctx = make_ctx("2026-01-15")
    edited = K.edit_invoice(ctx, "A", {"amount": "1,100", "salesperson": "王丽"}, "typo")
    assert (edited.before, edited.after) == (
        {"salesperson": None, "amount": 100000},
        {"salesperson": "王丽", "amount": 110000},
    )
    assert I.show_invoice(ctx, "A").info.open == 110000
    with pytest.raises(InvalidValue, match="--due-date"):
        K.edit_invoice(ctx, "A", {"due_date": "soon"}, "x")
    with pytest.raises(HuikuanError, match="nothing to change"):
        K.edit_invoice(ctx, "A", {"salesperson": "王丽"}, "x")


def test_contacts_edit_remove_and_the_audit_log(make_ctx: MakeCtx) -> None:
    _setup(make_ctx)
    ctx = make_ctx("2026-01-20")
    C.add_contact(ctx, "C001", {"name": "李会计", "role": "财务", "email": "li@example.com"})
    edited = K.edit_contact(ctx, "C001", "李会计", {"email": "li@new.example"}, "new address")
    assert edited.after == {"email": "li@new.example"}
    assert K.remove_contact(ctx, "C001", "李会计", "left") == date(2026, 1, 20)
    assert list(C.list_contacts(ctx, "C001")) == []
    assert C.show_customer(ctx, "C001").contacts == []
    entries = list(A.audit_entries(ctx, A.AuditFilter(entity="contact")))
    assert [e.action for e in entries] == ["add", "edit", "remove"]
    assert entries[1].detail["before"] == {"email": "li@example.com"}
    assert entries[2].detail["reason"] == "left"
    assert list(A.audit_entries(ctx, A.AuditFilter(user="someone else"))) == []


def test_customer_edit_and_block(make_ctx: MakeCtx) -> None:
    _setup(make_ctx)
    ctx = make_ctx("2026-01-20")
    C.edit_customer(ctx, "C001", {"segment": "制造"}, legal=True)
    C.set_blocked(ctx, "C001", True, "overdue")
    info = C.show_customer(ctx, "C001").info
    assert (info.segment, info.legal, info.blocked) == ("制造", True, True)
    with pytest.raises(HuikuanError, match="unknown dunning policy"):
        C.edit_customer(ctx, "C001", {}, dunning_policy="nope")
    assert [r.code for r in C.list_customers(ctx, None, None, True)] == ["C001"]
