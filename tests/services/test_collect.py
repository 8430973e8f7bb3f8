"""``services.collect`` without the CLI: the contact log, promises, the playbook, 诉讼时效."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from service_helpers import MakeCtx
from store_helpers import Book

from huikuan.core.errors import Conflict, InvalidValue, NotFound
from huikuan.services import collect
from huikuan.services.collect import NewContact, NewPromise

DAY = "2026-11-20"


def _ledger(book: Book) -> None:
    book.customer("C1", "上海明达机械有限公司")
    book.customer("C2", "Other Ltd")
    book.invoice("INV-1", "C1", "2026-09-01", "5000", due="2026-10-01")
    book.invoice("INV-2", "C2", "2026-09-01", "800", due="2026-10-01")


def test_a_logged_excuse_schedules_its_follow_up(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    new = NewContact(date(2026, 11, 18), "Phone", "no_answer", "INV-1", excuse="已付款")
    logged = collect.log_contact(ctx, "C1", new)
    assert (logged.channel, logged.outcome, logged.excuse) == ("phone", "no-answer", "paid-already")
    assert logged.follow_up == date(2026, 11, 20)  # paid-already: verify within 2 days
    [entry] = collect.contact_log(ctx, "C1")
    assert (entry.id, entry.day, entry.follow_up) == (logged.id, new.day, logged.follow_up)
    assert (entry.invoice, entry.user, entry.acknowledged) == ("INV-1", "tester", False)


def test_the_log_filters_by_customer_and_days(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    for code, day in (("C1", 3), ("C2", 5), ("C1", 9)):
        collect.log_contact(ctx, code, NewContact(date(2026, 11, day), "email"))
    assert [(e.customer, e.day.day) for e in collect.contact_log(ctx)] == [
        ("C1", 3), ("C2", 5), ("C1", 9),
    ]  # fmt: skip
    assert [e.day.day for e in collect.contact_log(ctx, "C1", since=date(2026, 11, 4))] == [9]
    assert [e.day.day for e in collect.contact_log(ctx, until=date(2026, 11, 5))] == [3, 5]
    assert collect.contact_log(ctx)[0].follow_up is None


def test_a_contact_is_checked_before_it_is_logged(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    with pytest.raises(InvalidValue, match="--channel must be one of phone, email"):
        collect.log_contact(ctx, "C1", NewContact(date(2026, 11, 18), "fax"))
    with pytest.raises(Conflict, match="INV-2 belongs to another customer"):
        collect.log_contact(ctx, "C1", NewContact(date(2026, 11, 18), "phone", invoice="INV-2"))
    with pytest.raises(NotFound):
        collect.log_contact(ctx, "C9", NewContact(date(2026, 11, 18), "phone"))
    assert collect.contact_log(ctx) == []


def test_a_promise_is_kept_when_payments_reach_it_by_its_date(
    book: Book, make_ctx: MakeCtx
) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    made = date(2026, 11, 1)
    kept = collect.add_promise(ctx, "C1", NewPromise(Decimal("1000"), date(2026, 11, 10), made))
    broken = collect.add_promise(ctx, "C2", NewPromise(Decimal("800"), date(2026, 11, 15), made))
    waiting = collect.add_promise(
        ctx, "C1", NewPromise(Decimal("2000"), date(2026, 11, 30), made, invoice="INV-1")
    )
    book.payment("C1", "2026-11-09", "1000")
    found = {p.id: p for p in collect.promises(ctx)}
    assert {i: p.status for i, p in found.items()} == {kept: "kept", broken: "broken", waiting: "open"}  # fmt: skip
    assert (found[kept].paid, found[broken].paid) == (Decimal("1000.00"), Decimal("0.00"))
    assert found[waiting].amount == Decimal("2000.00") and found[waiting].currency == "CNY"
    assert found[waiting].promised_date == date(2026, 11, 30)
    assert [p.id for p in collect.promises(ctx, status="broken")] == [broken]
    assert [p.id for p in collect.promises(ctx, "C1")] == [kept, waiting]
    earlier = make_ctx("2026-11-05")  # before the payment and before the dates: all open
    assert {p.status for p in collect.promises(earlier)} == {"open"}


def test_a_promise_cannot_fall_before_it_was_made(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    late = NewPromise(Decimal("10"), date(2026, 11, 1), date(2026, 11, 2))
    with pytest.raises(InvalidValue, match="before the promise was made"):
        collect.add_promise(ctx, "C1", late)
    with pytest.raises(InvalidValue, match="more than two decimal places"):
        collect.add_promise(ctx, "C1", NewPromise(Decimal("1.005"), date(2026, 11, 30), date(2026, 11, 1)))  # fmt: skip
    assert collect.promises(ctx) == []


def test_the_playbook_finds_an_excuse_by_code_or_chinese_name() -> None:
    assert len(collect.playbook()) == 10
    [found] = collect.playbook("没钱")
    assert found.code == "no-money" and collect.playbook("no_money") == [found]
    with pytest.raises(InvalidValue, match="unknown excuse"):
        collect.playbook("the dog ate it")


def test_limitation_lists_open_invoices_soonest_end_first(book: Book, make_ctx: MakeCtx) -> None:
    book.customer("C1", "上海明达机械有限公司")
    book.invoice("OLD", "C1", "2023-11-01", "5000", due="2023-12-01")
    book.invoice("NEW", "C1", "2026-09-01", "800", due="2026-10-01")
    book.invoice("PAID", "C1", "2023-10-01", "300", due="2023-11-01")
    book.payment("C1", "2023-11-01", "300", invoice="PAID")
    ctx = make_ctx(DAY)
    found = collect.limitation(ctx)
    assert found.as_of == date(2026, 11, 20) and found.missing_years == []
    lines = list(found.lines)  # made as they are read
    assert [(li.invoice, li.expires, li.days_left) for li in lines] == [
        ("OLD", date(2026, 12, 1), 11),
        ("NEW", date(2029, 10, 1), 1046),
    ]
    old = lines[0]
    assert (old.open, old.due_date, old.restarted_by) == (
        Decimal("5000.00"),
        date(2023, 12, 1),
        None,
    )
    assert old.action.startswith("urgent:")
    assert next(iter(collect.limitation(ctx, lang="zh").lines)).action.startswith("紧急")
    assert [li.invoice for li in collect.limitation(ctx, within=30).lines] == ["OLD"]


def test_a_part_payment_restarts_the_limitation_period(book: Book, make_ctx: MakeCtx) -> None:
    book.customer("C1", "上海明达机械有限公司")
    book.invoice("OLD", "C1", "2023-11-01", "5000", due="2023-12-01")
    book.payment("C1", "2025-03-03", "1000", invoice="OLD")
    [line] = collect.limitation(make_ctx(DAY)).lines
    assert line.open == Decimal("4000.00") and line.expires == date(2028, 3, 3)
    assert line.restarted_by is not None
    assert (line.restarted_by.kind, line.restarted_by.date) == ("payment", date(2025, 3, 3))
