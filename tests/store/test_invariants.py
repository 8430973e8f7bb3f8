"""Property tests: random invoices, payments, credit notes and write-offs on real ledgers.

Each example builds a fresh ledger in its own temp dir and replays the operations both on the
ledger and on a small Python model of the allocation rule (DESIGN §3), then checks:

- the ledger agrees with the model: open amounts, unapplied credit, every allocation;
- Σ aging buckets == Σ open == invoiced − allocated, per customer and currency, at any date;
- aging as of D (buckets, detail, unapplied credit) is unchanged by anything recorded later
  with dates after D.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import Book

from huikuan.core.aging import Buckets
from huikuan.core.money import format_fen

BASE = date(2026, 1, 1)
CUSTOMERS = ("C1", "C2")
CURRENCIES = ("CNY", "USD")
currencies = st.sampled_from(("CNY", "CNY", "CNY", "USD"))  # mostly one, so invoices compete
BUCKETS = Buckets()

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def day(offset: int) -> str:
    return (BASE + timedelta(days=offset)).isoformat()


# --- the model -------------------------------------------------------------------------------


@dataclass
class MInvoice:
    number: str
    cust: str
    cur: str
    issue: str
    due: str
    amount: int
    open: int


@dataclass
class MPayment:
    pid: int
    cust: str
    cur: str
    date: str
    amount: int
    left: int
    allocs: list[tuple[str, int, str]] = field(default_factory=list)


class Model:
    """The allocation rule, replayed in recording order, independently of the store code."""

    def __init__(self) -> None:
        self.invoices: dict[str, MInvoice] = {}
        self.payments: list[MPayment] = []

    def _open(self, cust: str, cur: str) -> list[MInvoice]:
        inv = [i for i in self.invoices.values() if i.cust == cust and i.cur == cur and i.open]
        return sorted(inv, key=lambda i: (i.due, i.issue, i.number))

    def _take(self, p: MPayment, inv: MInvoice) -> None:
        amt = min(p.left, inv.open)
        if amt > 0:
            inv.open -= amt
            p.left -= amt
            p.allocs.append((inv.number, amt, p.date))

    def invoice(self, inv: MInvoice) -> None:
        self.invoices[inv.number] = inv
        credits = [p for p in self.payments if p.cust == inv.cust and p.cur == inv.cur and p.left]
        for p in sorted(credits, key=lambda p: (p.date, p.pid)):
            for target in self._open(inv.cust, inv.cur):
                self._take(p, target)

    def payment(self, p: MPayment, named: str | None) -> None:
        self.payments.append(p)
        if named is not None:
            self._take(p, self.invoices[named])
        for target in self._open(p.cust, p.cur):
            self._take(p, target)

    # what the ledger should say as of D
    def open_as_of(self, d: str) -> dict[str, int]:
        paid: dict[str, int] = defaultdict(int)
        for p in self.payments:
            for number, amt, when in p.allocs:
                if when <= d:
                    paid[number] += amt
        out = {}
        for i in self.invoices.values():
            if i.issue <= d and i.amount - paid[i.number] > 0:
                out[i.number] = i.amount - paid[i.number]
        return out

    def credit_as_of(self, d: str) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = defaultdict(int)
        for p in self.payments:
            if p.date <= d:
                used = sum(a for n, a, _ in p.allocs if self.invoices[n].issue <= d)
                out[(p.cust, p.cur)] += p.amount - used
        return {k: v for k, v in out.items() if v}

    def aging(self, d: str) -> dict[tuple[str, str], list[int]]:
        out: dict[tuple[str, str], list[int]] = {}
        as_of = date.fromisoformat(d)
        for number, amt in self.open_as_of(d).items():
            i = self.invoices[number]
            idx = BUCKETS.index((as_of - date.fromisoformat(i.due)).days)
            out.setdefault((i.cust, i.cur), [0] * len(BUCKETS.labels))[idx] += amt
        return out


# --- operations ------------------------------------------------------------------------------

# 分: a few round values (so payments often cover some invoices but not all) and any others
amounts = st.one_of(st.sampled_from((100, 2_500, 10_000, 30_000)), st.integers(1, 30_000))
pay_amounts = st.one_of(st.sampled_from((50, 2_500, 12_345, 40_000)), st.integers(1, 40_000))
due_in = st.one_of(st.sampled_from((0, 10, 30, 45)), st.integers(0, 60))
invoice_op = st.tuples(
    st.just("inv"),
    st.sampled_from(CUSTOMERS),
    currencies,
    st.integers(0, 90),  # issue offset
    due_in,
    amounts,
)
payment_op = st.tuples(
    st.just("pay"),
    st.sampled_from(CUSTOMERS),
    currencies,
    st.integers(0, 150),  # date offset
    pay_amounts,
    st.one_of(st.none(), st.integers(0, 50)),  # names one of the customer's invoices
    st.sampled_from(("payment", "payment", "credit_note")),
)
writeoff_op = st.tuples(
    st.just("wo"), st.integers(0, 50), st.integers(0, 60), st.one_of(st.none(), amounts)
)
operations = st.lists(
    st.one_of(invoice_op, invoice_op, payment_op, payment_op, writeoff_op), max_size=20
)


class Run:
    """Applies operations to a ledger and the model together."""

    def __init__(self, book: Book) -> None:
        self.book, self.model = book, Model()
        self.n = 0
        for c in CUSTOMERS:
            book.customer(c)

    def apply(self, op: tuple[Any, ...], shift: int = 0) -> None:
        kind = op[0]
        if kind == "inv":
            _, cust, cur, issue, due_in, amount = op
            self.n += 1
            number = f"N{(self.n * 7919) % 1000:03d}"  # unique, not in recording order
            issue_s, due_s = day(issue + shift), day(issue + shift + due_in)
            self.book.invoice(number, cust, issue_s, format_fen(amount), due=due_s, currency=cur)
            self.model.invoice(MInvoice(number, cust, cur, issue_s, due_s, amount, amount))
        elif kind == "pay":
            _, cust, cur, when, amount, name_idx, pkind = op
            mine = [i for i in self.model.invoices.values() if i.cust == cust]
            named = mine[name_idx % len(mine)] if name_idx is not None and mine else None
            if named is not None:
                cur = named.cur
            when_s = day(when + shift)
            pid = self.book.payment(
                cust,
                when_s,
                format_fen(amount),
                invoice=named.number if named else None,
                currency=cur,
                kind=pkind,
            )
            self.model.payment(
                MPayment(pid, cust, cur, when_s, amount, amount), named.number if named else None
            )
        else:
            _, idx, after, amount = op
            invs = list(self.model.invoices.values())
            if not invs:
                return
            inv = invs[idx % len(invs)]
            if inv.open == 0:
                return
            amount = inv.open if amount is None else min(amount, inv.open)
            when = max(date.fromisoformat(inv.issue), BASE + timedelta(days=shift))
            when_s = (when + timedelta(days=after)).isoformat()
            pid = self.book.write_off(inv.number, when_s, format_fen(amount))
            p = MPayment(pid, inv.cust, inv.cur, when_s, amount, amount)
            self.model.payment(p, inv.number)

    def check_against_model(self) -> None:
        b, m = self.book, self.model
        assert b.open() == {n: i.open for n, i in sorted(m.invoices.items())}
        for p in m.payments:
            assert b.allocations(p.pid) == p.allocs
            assert b.unapplied(p.pid) == p.left

    def snapshot(self, d: str) -> tuple[Any, ...]:
        return self.book.aging(d), self.book.open_as_of(d), self.book.credit(d)


def _fresh() -> tuple[tempfile.TemporaryDirectory[str], Book]:
    tmp = tempfile.TemporaryDirectory()
    return tmp, Book(Path(tmp.name) / "ledger.db")


@SETTINGS
@given(ops=operations, d_offsets=st.lists(st.integers(-5, 250), min_size=1, max_size=4))
def test_ledger_matches_model_and_sums_agree(ops: list[Any], d_offsets: list[int]) -> None:
    tmp, book = _fresh()
    try:
        run = Run(book)
        for op in ops:
            run.apply(op)
        run.check_against_model()
        conn = book
        # now: Σ buckets == Σ open == invoiced − allocated, per customer and currency
        far = "2030-01-01"
        aging = book.aging(far)
        per_key = conn.execute(
            "SELECT c.code, i.currency, SUM(i.open_amount), SUM(i.amount)"
            " - COALESCE(SUM((SELECT SUM(a.amount) FROM allocation a WHERE a.invoice_id = i.id)), 0)"
            " FROM invoice i JOIN customer c ON c.id = i.customer_id GROUP BY 1, 2"
        ).fetchall()
        for code, cur, open_sum, net in per_key:
            assert sum(aging.get((code, cur), [])) == open_sum == net
        # money is never lost: every payment is allocated or kept as credit
        assert (
            conn.execute(
                "SELECT COALESCE(SUM(amount), 0) - COALESCE(SUM(unapplied), 0) FROM payment"
            ).fetchone()[0]
            == conn.execute("SELECT COALESCE(SUM(amount), 0) FROM allocation").fetchone()[0]
        )
        # as of any date: exactly what the model says the ledger said then
        for off in d_offsets:
            d = day(off)
            assert book.open_as_of(d) == run.model.open_as_of(d)
            assert book.aging(d) == run.model.aging(d)
            assert book.credit(d) == run.model.credit_as_of(d)
    finally:
        book.close()
        tmp.cleanup()


later_invoice = st.tuples(
    st.just("inv"),
    st.sampled_from(CUSTOMERS),
    currencies,
    st.integers(1, 60),
    due_in,
    amounts,
)
later_payment = st.tuples(
    st.just("pay"),
    st.sampled_from(CUSTOMERS),
    currencies,
    st.integers(1, 60),
    pay_amounts,
    st.one_of(st.none(), st.integers(0, 50)),
    st.sampled_from(("payment", "credit_note")),
)
later_writeoff = st.tuples(
    st.just("wo"), st.integers(0, 50), st.integers(1, 30), st.one_of(st.none(), amounts)
)


@SETTINGS
@given(
    before=operations,
    d_off=st.integers(0, 180),
    after=st.lists(st.one_of(later_invoice, later_payment, later_writeoff), min_size=1, max_size=8),
)
def test_aging_as_of_d_ignores_later_records_dated_after_d(
    before: list[Any], d_off: int, after: list[Any]
) -> None:
    tmp, book = _fresh()
    try:
        run = Run(book)
        for op in before:
            run.apply(op)
        d = day(d_off)
        snap = run.snapshot(d)
        for op in after:  # every date here is after D (the offsets in these ops are >= 1)
            run.apply(op, shift=d_off)
        run.check_against_model()
        assert run.snapshot(d) == snap
    finally:
        book.close()
        tmp.cleanup()
