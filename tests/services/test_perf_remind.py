"""The fast paths of ``limitation`` and ``remind plan`` give what the plain ones give.

``limitation`` reads stored open amounts when no allocation is dated after the day, and
streams its lines in end order without sorting them all; ``remind plan`` reads debtors by
customer id and puts the rounds back in code order. A generated ledger (customers added out
of code order, part payments before and after the days asked, instalments, acknowledgements,
weekend-rolled ends) is run through both ways on either engine.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from service_helpers import MakeCtx
from store_helpers import Book

from huikuan.core.dunning import plan_debtor
from huikuan.core.money import from_decimal
from huikuan.services import collect, dunning
from huikuan.services.collect import NewContact
from huikuan.store import aside
from huikuan.store import dunning as S
from huikuan.store import limitation as L
from huikuan.store.db import sa_of


@pytest.fixture(autouse=True)
def idle_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second core is used (SQLite) however busy the machine running the tests; the
    tests that compare with one process turn it off themselves."""
    monkeypatch.setattr(aside, "idle_core", lambda: True)


CODES = ["C4", "C1", "C6", "C2", "C5", "C3"]  # added in this order: ids not in code order
DAYS = ["2024-01-15", "2025-06-30", "2026-06-30", "2026-11-20", "2027-03-01"]
WITHIN = [None, 0, 90, 400]


def _ledger(book: Book) -> None:
    rnd = random.Random(12)
    for code in CODES:
        book.customer(code, f"客户{code}")
    first = date(2022, 1, 3)
    for n in range(70):
        issue = first + timedelta(days=rnd.randrange(0, 4 * 365))
        number, code = f"INV-{n:03d}", rnd.choice(CODES)
        due = issue + timedelta(days=rnd.choice([0, 1, 2, 30, 31, 60]))
        book.invoice(number, code, issue.isoformat(), "1000", due=due.isoformat())
        if n % 3 == 0:  # part payments, some after the days asked
            for k in range(rnd.randrange(1, 3)):
                paid = due + timedelta(days=rnd.randrange(10, 800) * (k + 1))
                book.payment(code, min(paid, date(2026, 11, 25)).isoformat(), "100", invoice=number)  # fmt: skip
        elif n % 7 == 0:  # paid in full: open only before its payment
            book.payment(code, (due + timedelta(days=45)).isoformat(), "1000", invoice=number)
    for n, milestone in ((4, "1"), (8, "2"), (16, "3")):  # instalments of one contract
        book.execute(
            "UPDATE invoice SET contract = 'HT-9', milestone = ?, customer_id ="
            " (SELECT customer_id FROM invoice WHERE number = 'INV-004') WHERE number = ?",
            (milestone, f"INV-{n:03d}"),
        )


def _acknowledge(make_ctx: MakeCtx) -> None:
    ctx = make_ctx("2026-11-25")
    collect.log_contact(ctx, "C2", NewContact(date(2025, 3, 3), "letter", acknowledged=True))
    collect.log_contact(
        ctx, "C5", NewContact(date(2024, 9, 9), "phone", invoice="INV-013", acknowledged=True)
    )


def test_limitation_streamed_and_from_stored_amounts_equals_the_exact_sorted_records(
    book: Book, make_ctx: MakeCtx, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ledger(book)
    _acknowledge(make_ctx)
    stored = {day: L.stored_amounts_hold(sa_of(book.conn), date.fromisoformat(day)) for day in DAYS}  # fmt: skip
    assert set(stored.values()) == {True, False}  # both paths are taken
    found = {(d, w): _lines(make_ctx, d, w) for d in DAYS for w in WITHIN}
    monkeypatch.setattr(L, "stored_amounts_hold", lambda db, as_of: False)
    for (day, within), lines in found.items():
        ctx = make_ctx(day, calendar="CN")
        exact = sorted(L.limitation_records(ctx.ledger.conn, ctx.as_of, ctx.config.make_calendar(), within))  # fmt: skip
        assert lines == exact, (day, within)
    assert sum(len(lines) for lines in found.values()) > 150
    every = [rec for lines in found.values() for rec in lines]
    assert {rec[-1].kind for rec in every if rec[-1]} == {"payment", "acknowledged"}
    ends = [rec[0] for rec in found["2026-11-20", None]]
    assert len(ends) > len(set(ends))  # groups of equal ends (weekends rolled to Monday)


def _lines(make_ctx: MakeCtx, day: str, within: int | None) -> list[L.Limitation]:
    """The service's lines as store records, in the order given."""
    lines = collect.limitation(make_ctx(day, calendar="CN"), within).lines
    return [
        (li.expires, li.invoice, li.customer, li.name, li.due_date, from_decimal(li.open),
         li.currency, li.restarted_by)
        for li in lines
    ]  # fmt: skip


def test_in_end_order_equals_a_full_sort() -> None:
    rnd = random.Random(3)
    day = date(2026, 1, 1)
    found = []
    for n in range(2000):  # a plain end: a non-decreasing function of the due date
        due = day + timedelta(days=n // 7)
        plain = due + timedelta(days=1000 + (-due.toordinal()) % 3)  # "rolled" to every 3rd day
        moved = rnd.random() < 0.2  # a moved end: no earlier than the plain one
        end = plain + timedelta(days=rnd.randrange(0, 900) if moved else 0)
        number = f"N{rnd.randrange(10**6):06d}-{n}"
        found.append((moved, (end, number, "C", "n", due, 1, "CNY", None)))
    found.sort(key=lambda f: f[1][4])
    ordered = list(L.in_end_order(iter(found)))
    assert ordered == sorted(rec for _, rec in found)


def test_remind_plan_by_customer_id_shows_the_rounds_by_code(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx("2026-11-20")
    planned = dunning.plan(ctx)
    cfg = ctx.config.dunning
    rounds = [plan_debtor(d, cfg, ctx.as_of, ctx.calendar) for d in S.debtors(ctx.ledger.conn, cfg, ctx.as_of)]  # fmt: skip
    assert [d.code for d in S.debtors(ctx.ledger.conn, cfg, ctx.as_of)] == sorted(CODES)
    expected = [
        (p.customer, [s.invoice for s in p.steps], cfg.policies[p.policy][p.level].name, channel)
        for p, _ in rounds
        if p
        for channel in cfg.policies[p.policy][p.level].channels
    ]
    got = [(a.customer, a.invoices, a.level, a.channel) for a in planned.actions]
    assert got[: len(expected)] == expected and len(expected) >= 10
    assert planned.skips == [s for _, why in rounds for s in why]


def test_limitation_within_more_days_than_the_calendar_has_lists_every_line(
    book: Book, make_ctx: MakeCtx
) -> None:
    _ledger(book)
    ctx = make_ctx("2026-11-20")
    every = list(collect.limitation(ctx).lines)
    assert list(collect.limitation(ctx, within=10**9).lines) == every and len(every) > 20


def test_reads_done_aside_give_what_the_ledger_connection_alone_gives(
    book: Book, make_ctx: MakeCtx, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``limitation`` reads its restart events in a thread and ``remind plan`` finds its
    limitation tasks in a forked child (SQLite, two cores); without them, the same."""
    _ledger(book)
    _acknowledge(make_ctx)
    lines = {(d, w): _lines(make_ctx, d, w) for d in DAYS for w in WITHIN}
    plans = {d: dunning.plan(make_ctx(d, calendar="CN")) for d in DAYS}
    monkeypatch.setattr(aside, "_reader_path", lambda conn: None)
    assert {(d, w): _lines(make_ctx, d, w) for d in DAYS for w in WITHIN} == lines
    assert {d: dunning.plan(make_ctx(d, calendar="CN")) for d in DAYS} == plans
    assert sum(a.level.startswith("limitation") for p in plans.values() for a in p.actions) > 5


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_a_plan_split_between_two_processes_is_the_plan_made_in_one(
    book: Book, make_ctx: MakeCtx, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    """The child plans the customers from the split on (none, half, all of them)."""
    _ledger(book)
    _acknowledge(make_ctx)
    with monkeypatch.context() as mp:
        mp.setattr(aside, "_reader_path", lambda conn: None)
        alone = {d: dunning.plan(make_ctx(d, calendar="CN")) for d in DAYS}
    monkeypatch.setattr(dunning, "SHARE", share)
    assert {d: dunning.plan(make_ctx(d, calendar="CN")) for d in DAYS} == alone
    assert sum(len(p.actions) for p in alone.values()) > 20


def test_debtors_in_two_parts_are_the_debtors(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx("2026-11-20")
    conn, cfg, day = ctx.ledger.conn, ctx.config.dunning, ctx.as_of
    split = S.customer_split(conn, 0.5)
    low = list(S.each_debtor(conn, cfg, day, (None, split)))
    high = list(S.each_debtor(conn, cfg, day, (split, None)))
    assert low + high == list(S.each_debtor(conn, cfg, day)) and low and high
    assert S.customer_split(conn, 1.0) is None  # all of them below: no split
    assert list(S.each_debtor(conn, cfg, day, (S.customer_split(conn, 0.0), None))) == low + high
