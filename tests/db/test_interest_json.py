"""``interest --format json`` spelt by SQLite (:mod:`huikuan.store.interest_json`, and the two
halves at once of :mod:`huikuan.store.interest_split`) gives byte for byte the JSON of the
general path (:func:`huikuan.store.interest.invoice_interest` rows through ``json.dumps``).

Generated ledgers hold the awkward cases: numbers, codes and contracts with quotes,
backslashes, control characters and Chinese; no contract and an empty one; disputed and voided
invoices; reversed payments and counter-entries; partial, early and late payments; two
currencies; amounts too big for the whole-number SQL (those rows take the general path).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from huikuan.core.interest import InterestPolicy, InterestRule, InvoiceInterest, interest_row
from huikuan.db import sqlite as sqlite_engine
from huikuan.db.tables import allocation, customer, invoice, payment
from huikuan.output import json_text
from huikuan.store import aside, interest_split
from huikuan.store.db import Ledger, open_ledger
from huikuan.store.interest import invoice_interest
from huikuan.store.interest_json import (
    BIG,
    SEPARATOR,
    ids_in_code_order,
    json_plan,
    json_rows,
)

pytestmark = pytest.mark.sqlite_only("the JSON text is SQLite's (json_quote, printf)")

D = dt.date
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CODES = ['A"1', "B\\2", "C客户3", "D\x014", "E5", "F6", "G\t7", "H8", "I9"]  # odd: a middle one
CONTRACTS = [None, None, "", 'HT-"1"', "HT\\2", "合同\n3", "HT-1", "ht-1"]
RULES = {
    "default": InterestPolicy(),
    "grace 5, capped": InterestPolicy(InterestRule(grace_days=5, cap=Decimal("0.03"))),
    "own rules": InterestPolicy(
        InterestRule(rate=Decimal("0.00033")),
        customers={"E5": InterestRule(rate=Decimal("0.001"), cap=Decimal("0.125")),
                   'A"1': InterestRule(rate=Decimal(0))},
        contracts={"HT-1": InterestRule(kind="annual", rate=Decimal("0.0365")),
                   'HT-"1"': InterestRule(kind="lpr", lpr=Decimal("0.0365"),
                                          markup=Decimal("1"), cap=Decimal("0.01")),
                   "": InterestRule(rate=Decimal("0.5"))},
    ),
    "grace 2 everywhere": InterestPolicy(
        InterestRule(grace_days=2, cap=Decimal("0.2")),
        customers={"B\\2": InterestRule(grace_days=2, rate=Decimal("0.0007"))},
    ),
}  # fmt: skip
DAYS = (D(2026, 2, 10), D(2026, 4, 30), D(2026, 11, 22))


@pytest.fixture
def ledger(tmp_path: Any) -> Iterator[Ledger]:
    led = open_ledger(tmp_path / "gen.db", "tester", create=True)
    try:
        yield led
    finally:
        led.close()


def _seed(led: Ledger, seed: int, big: bool = False) -> None:
    rnd = random.Random(seed)
    with led.transaction() as conn:
        db = conn.sa
        codes = CODES if seed < 2 else CODES[::-1]  # ids in the codes' order, or not
        for cid, code in enumerate(codes, 1):
            db.execute(sa.insert(customer).values(id=cid, code=code, name=code, created_at=AT))
        pid = 0
        for n in range(1, 121):
            cid = rnd.randint(1, len(CODES))
            issue = D(2025, 10, 1) + dt.timedelta(days=rnd.randint(0, 200))
            due = issue + dt.timedelta(days=rnd.choice([0, 10, 30, 60]))
            amount = rnd.choice([1, 99, 10_000, rnd.randint(1, 10**8)])
            if big and n % 17 == 0:  # beyond the whole-number SQL, in either half
                amount, cid = BIG + rnd.randint(0, 10**6), 1 if n % 34 else len(CODES)
            paid = _payments(rnd, due, amount)
            voided = due + dt.timedelta(days=rnd.randint(-5, 90)) if rnd.random() < 0.08 else None
            db.execute(sa.insert(invoice).values(
                id=n, number=f'N"{n}\\' if n % 7 == 0 else f"发票-{n:03d}\x02" if n % 11 == 0
                else f"N{n:04d}", customer_id=cid, issue_date=issue, due_date=due,
                amount=amount, currency="USD" if n % 9 == 0 else "CNY",
                contract=rnd.choice(CONTRACTS), disputed=rnd.random() < 0.15,
                open_amount=max(0, min(amount, amount - sum(f for _, f, _ in paid))),
                voided_on=voided,
            ))  # fmt: skip
            for day, fen, reversed_on in paid:
                pid += 1
                db.execute(sa.insert(payment).values(
                    id=pid, customer_id=cid, date=day, amount=abs(fen), currency="CNY",
                    unapplied=0, reversed_on=reversed_on,
                ))  # fmt: skip
                db.execute(sa.insert(allocation).values(payment_id=pid, invoice_id=n,
                                                        amount=fen, date=day))  # fmt: skip


def _payments(rnd: random.Random, due: dt.date, amount: int) -> list[tuple[dt.date, int, Any]]:
    """Up to four allocations (date, 分, reversed on) adding up to at most ``amount``; now and
    then a counter-entry (a negative allocation) after a payment."""
    out: list[tuple[dt.date, int, Any]] = []
    left = amount
    for _ in range(rnd.choice([0, 1, 1, 2, 4])):
        if left <= 0:
            break
        fen = rnd.choice([left, rnd.randint(1, left)])
        day = due + dt.timedelta(days=rnd.randint(-20, 250))
        bounced = day + dt.timedelta(days=rnd.randint(1, 60)) if rnd.random() < 0.1 else None
        out.append((day, fen, bounced))
        left -= fen
        if rnd.random() < 0.05:
            out.append((day + dt.timedelta(days=rnd.randint(0, 30)), -fen, None))
            left += fen
    return out


def _general(led: Ledger, policy: InterestPolicy, day: dt.date, code: str | None,
             paid: bool) -> tuple[str, dict[str, list[int]]]:  # fmt: skip
    """The general path's rows as JSON text, and their sums per currency."""
    rows = list(invoice_interest(led.conn, policy, day, code, include_paid=paid))
    sums: dict[str, list[int]] = {}
    for r in rows:
        total = sums.setdefault(r.currency, [0, 0])
        total[0] += r.open_fen
        total[1] += r.interest_fen
    return SEPARATOR.join(json_text(interest_row(r)) for r in rows), sums


def _text(items: Iterator[str | InvoiceInterest], sums: dict[str, list[int]]) -> str:
    parts = []
    for item in items:
        if isinstance(item, InvoiceInterest):
            total = sums.setdefault(item.currency, [0, 0])
            total[0] += item.open_fen
            total[1] += item.interest_fen
            item = json_text(interest_row(item))
        parts.append(item)
    return SEPARATOR.join(parts)


def _fast(led: Ledger, policy: InterestPolicy, day: dt.date, code: str | None,
          paid: bool) -> tuple[str, dict[str, list[int]]]:  # fmt: skip
    plan = json_plan(policy)
    assert plan is not None
    sums: dict[str, list[int]] = {}
    if code is None:
        items = interest_split.whole_ledger_rows(led, plan, day, paid, sums)
    else:
        items = json_rows(led.conn, plan, day, code, paid, sums)
    return _text(items, sums), sums


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The two halves at once, whatever this machine has; whether each second half was
    complete (False: it met a row for the general path and the first connection read it)."""
    monkeypatch.setattr(aside, "idle_core", lambda: True)
    done: list[bool] = []
    run = interest_split._Spooler.run

    def spool(self: Any) -> None:
        run(self)
        done.append(self.complete)

    monkeypatch.setattr(interest_split._Spooler, "run", spool)
    return done


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", RULES)
def test_sql_text_is_the_general_paths_json(
    ledger: Ledger, seed: int, name: str, two_cores: list[bool]
) -> None:
    _seed(ledger, seed, big=seed % 2 == 1)
    assert ids_in_code_order(ledger.conn) == (seed < 2)  # rows sorted by id, or by code
    policy, rows = RULES[name], 0
    for day in DAYS:
        for paid in (False, True):
            for code in (None, CODES[seed], "H8"):
                expected = _general(ledger, policy, day, code, paid)
                assert _fast(ledger, policy, day, code, paid) == expected, (day, paid, code)
                rows += expected[0].count('{"customer"')
    assert rows > 100  # the cases do accrue
    assert two_cores and (False in two_cores) == (seed % 2 == 1)  # both ways taken


def test_big_amounts_come_from_the_general_path(ledger: Ledger, two_cores: list[bool]) -> None:
    _seed(ledger, 1, big=True)
    plan = json_plan(InterestPolicy())
    assert plan is not None
    items = list(interest_split.whole_ledger_rows(ledger, plan, DAYS[-1], True, {}))
    big = [i for i in items if isinstance(i, InvoiceInterest)]
    assert big and all(i.principal_fen >= BIG for i in big)


def test_halves_that_see_different_ledgers_are_read_one_by_one(
    ledger: Ledger, two_cores: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(ledger, 2)
    expected = _general(ledger, InterestPolicy(), DAYS[-1], None, True)
    monkeypatch.setattr(
        sqlite_engine, "one_snapshot", lambda conn, other: False
    )  # a commit between
    monkeypatch.setattr(interest_split, "_Spooler", None)  # no thread may start
    assert _fast(ledger, InterestPolicy(), DAYS[-1], None, True) == expected


def test_rules_without_exact_whole_number_ratios_take_the_general_path() -> None:
    assert json_plan(InterestPolicy(InterestRule(kind="annual", rate=Decimal("0.06")))) is None
    assert json_plan(InterestPolicy(customers={"X": InterestRule(grace_days=3)})) is None
    assert json_plan(InterestPolicy(InterestRule(rate=Decimal("0.00033")))) is not None
