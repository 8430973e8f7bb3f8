"""The grouped-SQL paths of the whole-ledger reports give what the row-by-row paths give.

Each test opens the ledger from HUIKUAN_DB (a SQLite file, or a PostgreSQL database when the
suite runs on PostgreSQL) and, when HUIKUAN_TEST_DATABASE_URL is set and HUIKUAN_DB is a file,
also a PostgreSQL ledger in the server's ``huikuan_perf_reports`` database; it seeds edge
cases through SQLAlchemy and compares the fast path with the exact one on the same ledger.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from huikuan.core.calendar import make_calendar
from huikuan.core.interest import InterestPolicy, InterestRule
from huikuan.db.tables import allocation, customer, invoice, payment
from huikuan.store import collections, interest
from huikuan.store.db import Ledger, open_ledger

D = dt.date
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# number, customer id, issue, due, amount, contract, allocations (date, 分)
INVOICES: list[tuple[str, int, dt.date, dt.date, int, str | None, list[tuple[dt.date, int]]]] = [
    ("I01", 1, D(2026, 1, 1), D(2026, 2, 1), 100_000, None, [(D(2026, 1, 20), 100_000)]),
    ("I02", 1, D(2026, 1, 5), D(2026, 2, 5), 90_000, None,
     [(D(2026, 2, 1), 10_000), (D(2026, 3, 1), 30_000)]),
    ("I03", 1, D(2026, 1, 10), D(2026, 2, 10), 80_000, "HT-1",
     [(D(2026, 2, 20), 50_000), (D(2026, 4, 2), 30_000)]),
    ("I04", 2, D(2026, 1, 15), D(2026, 2, 15), 70_000, None,
     [(D(2026, 2, 15), 20_000), (D(2026, 2, 18), 10_000), (D(2026, 2, 21), 5_000)]),
    ("I05", 2, D(2026, 2, 1), D(2026, 3, 1), 60_000, "HT-2",
     [(D(2026, 3, 6), 60_000)]),
    ("I06", 2, D(2026, 2, 10), D(2026, 3, 10), 50_000, None,
     [(D(2026, 5, 1), 20_000), (D(2026, 5, 1), 30_000)]),
    ("I07", 3, D(2026, 3, 1), D(2026, 3, 31), 40_000, None, [(D(2026, 7, 15), 15_000)]),
    ("I08", 3, D(2026, 5, 1), D(2026, 6, 30), 30_000, None, []),
    ("I09", 3, D(2026, 6, 1), D(2026, 8, 1), 20_000, None, []),
    ("I10", 1, D(2025, 6, 1), D(2025, 7, 1), 12_345, "HT-1", [(D(2026, 6, 1), 345)]),
    ("I11", 2, D(2024, 1, 29), D(2024, 2, 29), 9_999, None, []),
    ("I12", 3, D(2023, 3, 1), D(2023, 3, 31), 8_888, None, [(D(2024, 5, 6), 888)]),
]  # fmt: skip
POLICIES = {
    "default": InterestPolicy(),
    "grace 5": InterestPolicy(InterestRule(grace_days=5)),
    "annual, own rules": InterestPolicy(
        InterestRule(kind="annual", rate=Decimal("0.06"), day_count=360),
        customers={"C2": InterestRule(rate=Decimal("0.001"))},
        contracts={"HT-1": InterestRule(cap=Decimal("0.01"))},
    ),
    "grace 3 everywhere, capped": InterestPolicy(
        InterestRule(grace_days=3, cap=Decimal("0.02")),
        customers={"C3": InterestRule(grace_days=3, kind="lpr", lpr=Decimal("0.03"))},
    ),
}
DAYS = (
    D(2026, 2, 5),
    D(2026, 2, 10),
    D(2026, 3, 3),
    D(2026, 3, 31),
    D(2026, 6, 30),
    D(2026, 11, 22),
)


PG_URL = os.environ.get("HUIKUAN_TEST_DATABASE_URL")
WHERE = ["HUIKUAN_DB"] + (
    ["postgresql"] if PG_URL and "://" not in os.environ.get("HUIKUAN_DB", "") else []
)


def _pg_ledger_url() -> str:
    """The test server's ``huikuan_perf_reports`` database, created when missing, emptied."""
    from sqlmodel import SQLModel

    from huikuan.db.engine import parse_ledger_url

    url = sa.engine.make_url(parse_ledger_url(PG_URL or "").url or "")
    eng = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        found = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = 'huikuan_perf_reports'")
        )
        if not found.first():
            conn.execute(sa.text("CREATE DATABASE huikuan_perf_reports"))
    eng.dispose()
    url = url.set(database="huikuan_perf_reports")
    eng = sa.create_engine(url)
    SQLModel.metadata.drop_all(eng)
    with eng.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    eng.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=WHERE)
def ledger(request: pytest.FixtureRequest) -> Iterator[Ledger]:
    where = os.environ["HUIKUAN_DB"] if request.param == "HUIKUAN_DB" else _pg_ledger_url()
    led = open_ledger(where, "tester", create=True)
    try:
        with led.transaction() as conn:
            _seed(conn.sa)  # type: ignore[attr-defined]
        yield led
    finally:
        led.close()


def _seed(db: sa.Connection) -> None:
    for cid in (1, 2, 3):
        db.execute(
            sa.insert(customer).values(id=cid, code=f"C{cid}", name=f"客户{cid}", created_at=AT)
        )
    pid = 0
    for n, (number, cid, issue, due, amount, contract, paid) in enumerate(INVOICES, 1):
        left = amount - sum(f for _, f in paid)
        db.execute(
            sa.insert(invoice).values(
                id=n, number=number, customer_id=cid, issue_date=issue, due_date=due,
                amount=amount, currency="CNY", contract=contract, open_amount=left,
            )
        )  # fmt: skip
        for day, fen in paid:
            pid += 1
            db.execute(sa.insert(payment).values(id=pid, customer_id=cid, date=day, amount=fen,
                                                 currency="CNY", unapplied=0))  # fmt: skip
            db.execute(sa.insert(allocation).values(payment_id=pid, invoice_id=n, amount=fen,
                                                    date=day))  # fmt: skip


def _interest(led: Ledger, policy: InterestPolicy, day: dt.date, **kw: Any) -> list[Any]:
    return list(interest.invoice_interest(led.conn, policy, day, **kw))


@pytest.mark.parametrize("name", POLICIES)
def test_interest_from_grouped_sums_equals_payment_by_payment(
    ledger: Ledger, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = POLICIES[name]
    assert interest.uniform_grace(policy) is not None
    cases = [(day, paid, code) for day in DAYS for paid in (False, True) for code in (None, "C2")]
    fast = [_interest(ledger, policy, d, customer=c, include_paid=p) for d, p, c in cases]
    monkeypatch.setattr(interest, "uniform_grace", lambda _p: None)
    exact = [_interest(ledger, policy, d, customer=c, include_paid=p) for d, p, c in cases]
    assert fast == exact
    assert sum(len(rows) for rows in fast) > 40  # the cases do accrue


def test_interest_cleared_late_counts_days_to_the_last_payment(ledger: Ledger) -> None:
    rows = {
        r.number: r for r in _interest(ledger, InterestPolicy(), D(2026, 11, 22), include_paid=True)
    }
    # I03: due 2026-02-10, 50,000 paid 02-20, the rest 04-02: 9 days on 800, 41 on 300
    assert (rows["I03"].days, rows["I03"].open) == (50, Decimal("0.00"))
    assert rows["I03"].interest == Decimal("9") * Decimal("800") * Decimal("0.0005") + Decimal(
        "41"
    ) * Decimal("300") * Decimal("0.0005")
    assert "I01" not in rows  # paid by the due date
    assert (rows["I09"].days, rows["I09"].principal) == (113, Decimal("200.00"))


def test_rules_with_different_grace_days_take_the_exact_path(ledger: Ledger) -> None:
    policy = InterestPolicy(customers={"C1": InterestRule(grace_days=10)})
    assert interest.uniform_grace(policy) is None
    rows = {r.number: r for r in _interest(ledger, policy, D(2026, 3, 3))}
    assert rows["I02"].days == 26 - 10 and rows["I05"].days == 2


@pytest.mark.parametrize("within", [0, 30, 180, 400, 800])
def test_limitation_within_leaves_out_only_periods_ending_later(
    ledger: Ledger, within: int
) -> None:
    cal = make_calendar("CN")
    for day in (D(2026, 3, 1), D(2026, 9, 1), D(2027, 2, 1), D(2028, 6, 30), D(2029, 1, 1)):
        every = list(collections.limitation_records(ledger.conn, day, cal))
        near = list(collections.limitation_records(ledger.conn, day, cal, within))
        assert near == [r for r in every if (r[0] - day).days <= within]
    ends = {r[1]: r[0] for r in collections.limitation_records(ledger.conn, D(2027, 1, 4), cal)}
    assert ends["I11"] == D(2027, 3, 1)  # 2024-02-29 + 3 years: 2027-02-28, a Sunday
    assert ends["I12"] == D(2027, 5, 6)  # restarted by the partial payment of 2024-05-06
    rows = collections.limitation_sorted(ledger.conn, D(2027, 1, 4), cal, 125)
    assert [r[1] for r in rows] == ["I11", "I12"]


def _credit_extras(db: sa.Connection) -> None:
    """Assessments, a second currency, unapplied credit, a write-off and credit applied to an
    invoice issued later, on top of the seed."""
    from huikuan.db.tables import credit_assessment

    db.execute(
        sa.insert(customer).values(
            id=4, code="C0", name="无发票", credit_limit=5_000, created_at=AT
        )
    )
    db.execute(
        sa.update(customer).where(customer.c.id == 1).values(credit_limit=200_000, terms="NET30")
    )
    db.execute(sa.update(customer).where(customer.c.id == 3).values(credit_limit=1_000))
    for aid, cid, day, rating, total in (
        (1, 1, D(2026, 1, 10), "B", 70),
        (2, 1, D(2026, 5, 1), "A", 85),
        (3, 1, D(2026, 5, 1), "C", 55),
        (4, 2, D(2026, 9, 1), "AAA", 95),
    ):
        db.execute(sa.insert(credit_assessment).values(
            id=aid, customer_id=cid, date=day, assessor="t", inputs="{}", weights="{}", scores="{}",
            total=total, rating=rating, recommended_limit=0, recommended_terms="NET30", currency="CNY",
            reasons="[]", missing="[]", created_at=AT))  # fmt: skip
    db.execute(sa.insert(invoice).values(id=50, number="U1", customer_id=2, issue_date=D(2026, 3, 1),
               due_date=D(2026, 4, 1), amount=5_000, currency="USD", open_amount=5_000))  # fmt: skip
    db.execute(sa.insert(invoice).values(id=51, number="L1", customer_id=3, issue_date=D(2026, 8, 1),
               due_date=D(2026, 9, 1), amount=4_000, currency="CNY", open_amount=1_000))  # fmt: skip
    pays = [(100, "payment", 3, D(2026, 4, 1), 7_000, 4_000), (101, "write_off", 3, D(2026, 4, 2), 500, 500),
            (102, "credit_note", 1, D(2026, 6, 1), 2_000, 2_000)]  # fmt: skip
    for pid, kind, cid, day, amount, left in pays:
        db.execute(sa.insert(payment).values(id=pid, kind=kind, customer_id=cid, date=day, amount=amount,
                                             currency="CNY", unapplied=left))  # fmt: skip
    db.execute(
        sa.insert(allocation).values(
            payment_id=100, invoice_id=51, amount=3_000, date=D(2026, 4, 1)
        )
    )


def test_credit_rows_equal_customer_by_customer(ledger: Ledger) -> None:
    from huikuan.store import creditlist as credit

    with ledger.transaction() as conn:
        _credit_extras(conn.sa)  # type: ignore[attr-defined]
    conn = ledger.conn
    for day in (D(2026, 2, 1), D(2026, 5, 1), D(2026, 7, 1), D(2026, 11, 22)):
        for stale in (None, 0, 60):
            got = list(credit.credit_rows(conn, day, stale, "CNY"))
            assert got == list(_one_by_one(conn, day, stale)), (day, stale)
    rows = {r.code: r for r in credit.credit_rows(conn, D(2026, 7, 1), None, "CNY")}
    assert (rows["C1"].rating, rows["C1"].last_assessed) == ("C", D(2026, 5, 1))
    assert rows["C2"].currency == "CNY" and rows["C0"].exposure == 0
    # open I07 40,000 (paid later), I08 30,000, I09 20,000, I12 8,000, less the 7,000 received
    # 04-01 (4,000 unapplied, 3,000 applied to L1 issued after the day); the write-off is no credit
    assert rows["C3"].exposure == 98_000 - 7_000


def _one_by_one(conn: Any, day: dt.date, stale: int | None) -> Iterator[tuple[Any, ...]]:
    """``credit list`` as it was: a standing, newest assessment and terms per customer."""
    from huikuan.store import credit as S
    from huikuan.store.credit_assessments import latest

    for cid, code, name in S.customer_ids(conn):
        last = latest(conn, cid, day)
        if stale is not None and last and (day - last.date).days < stale:
            continue
        st = S.standing(conn, code, day, "CNY")
        yield (
            code, name, last.rating if last else None, last.total if last else None,
            last.date if last else None, st.limit, S.terms(conn, cid), st.currency,
            st.exposure, None if st.limit is None else st.limit - st.exposure,
        )  # fmt: skip


def _balances_invoice_by_invoice(by: str, periods: Any) -> sa.Select[Any]:
    """The KPI balances as they were computed: every invoice with its allocations summed
    at every bound (the reference for the three passes of :func:`kpi.balances`)."""
    from huikuan.store import kpi

    bounds = kpi._bounds(periods)
    a, i = allocation.c, invoice.c
    sums = (kpi._sum_if(a.date <= b, a.amount).label(f"p{k}") for k, b in enumerate(bounds))
    al = (
        sa.select(a.invoice_id, *sums).where(a.date <= bounds[-1]).group_by(a.invoice_id).subquery()
    )
    paid = (sa.func.coalesce(al.c[f"p{k}"], 0).label(f"p{k}") for k in range(len(bounds)))
    rows = (
        sa.select(
            kpi.group_key(by).label("k"), i.currency, i.issue_date, i.due_date, i.amount, *paid
        )
        .join(customer, customer.c.id == i.customer_id)
        .outerjoin(al, al.c.invoice_id == i.id)
        .where(i.issue_date <= bounds[-1])
        .subquery("r")
    ).c
    cols: list[Any] = []
    for k, b in enumerate(bounds):
        cols.append(kpi._sum_if(rows.issue_date <= b, rows.amount - rows[f"p{k}"]))
        cols.append(
            kpi._sum_if(
                sa.and_(rows.issue_date <= b, rows.due_date >= b), rows.amount - rows[f"p{k}"]
            )
        )
    for k, p in enumerate(periods):
        cols.append(kpi._sum_if(rows.issue_date.between(p[1], bounds[k + 1]), rows.amount))
    return sa.select(rows.k, rows.currency, *cols).group_by(rows.k, rows.currency)


@pytest.mark.parametrize("by", ["customer", "salesperson", "segment", "region", "all"])
def test_kpi_balances_from_open_amounts_equal_invoice_by_invoice(ledger: Ledger, by: str) -> None:
    from huikuan.core.kpi import split
    from huikuan.store import kpi

    with ledger.transaction() as conn:
        _credit_extras(conn.sa)  # type: ignore[attr-defined]
        conn.sa.execute(
            sa.update(customer).where(customer.c.id == 2).values(salesperson="王", segment="A")
        )  # type: ignore[attr-defined]
    db = ledger.conn.sa  # type: ignore[attr-defined]
    for first, last, unit in ((D(2026, 1, 1), D(2026, 6, 30), "month"), (D(2025, 7, 1), D(2026, 11, 22), "quarter"),
                              (D(2026, 2, 15), D(2026, 3, 20), None)):  # fmt: skip
        periods = split(first, last, unit)
        n = len(periods) + 1
        want: dict[tuple[str, str, str], tuple[int, int, int, int]] = {}
        for row in db.execute(_balances_invoice_by_invoice(by, periods)):
            vals = [v or 0 for v in row[2:]]
            for j, (label, _, _) in enumerate(periods):
                got = (vals[2 * n + j], vals[2 * j], vals[2 * (j + 1)], vals[2 * (j + 1) + 1])
                if got[:3] != (0, 0, 0):
                    want[(row[0], row[1], label)] = got
        sums = kpi.kpi_sums(ledger.conn, by, periods)
        have = {
            key: (s.credit_sales, s.opening, s.closing, s.closing_current)
            for key, s in sums.items()
            if (s.credit_sales, s.opening, s.closing) != (0, 0, 0)
        }
        assert have == want and len(want) >= len(periods)
