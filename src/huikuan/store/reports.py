"""Report queries computed in SQL: open balances as of a date, grouped and streamed.

An invoice is open as of D when issued on or before D and its amount minus the allocations
dated on or before D is positive. The ledger keeps each invoice's current open amount, so
open(D) = open_now + allocations dated after D; for D = today that second term is empty and
the partial index on open invoices does all the work.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

from huikuan.core.aging import Buckets

GROUPS = {
    "customer": ("c.code", "c.name"),
    "salesperson": ("COALESCE(NULLIF(i.salesperson, ''), c.salesperson, '')", None),
    "segment": ("COALESCE(c.segment, '')", None),
    "region": ("COALESCE(c.region, '')", None),
}
GROUP_OF_CUSTOMER = {
    "customer": "c.code",
    "salesperson": "COALESCE(c.salesperson, '')",
    "segment": "COALESCE(c.segment, '')",
    "region": "COALESCE(c.region, '')",
}

_AS_OF = """
WITH late_rows AS MATERIALIZED (SELECT invoice_id, amount FROM allocation WHERE date > :d),
late AS MATERIALIZED (SELECT invoice_id, SUM(amount) AS amt FROM late_rows GROUP BY invoice_id),
open_inv AS (
  SELECT i.id, i.open_amount + COALESCE((SELECT SUM(a.amount) FROM allocation a
                                         WHERE a.invoice_id = i.id AND a.date > :d), 0) AS open
  FROM invoice i WHERE i.open_amount > 0 AND i.issue_date <= :d
  UNION ALL
  SELECT i.id, late.amt FROM late JOIN invoice i ON i.id = late.invoice_id
  WHERE i.open_amount = 0 AND i.issue_date <= :d
)
"""
# Open invoices as of D as (cte, FROM clause giving rows ``i`` with an ``open`` column).
_CURRENT_FROM = ("", "(SELECT *, open_amount AS open FROM invoice WHERE open_amount > 0"
                 " AND issue_date <= :d) i")  # fmt: skip
_AS_OF_FROM = (_AS_OF, "(SELECT v.*, o.open FROM open_inv o JOIN invoice v ON v.id = o.id) i")


def _open_as_of(conn: sqlite3.Connection, as_of: date) -> tuple[str, str]:
    """Stored open amounts when no allocation is dated after D (the partial index does it all)."""
    later = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM allocation WHERE date > ?)", (as_of.isoformat(),)
    ).fetchone()[0]
    return _AS_OF_FROM if later else _CURRENT_FROM


def _bucket_sql(buckets: Buckets, as_of: date) -> tuple[str, dict[str, str]]:
    col = "i.due_date" if buckets.basis == "due" else "i.issue_date"
    cuts = buckets.cutoffs(as_of)
    whens = " ".join(f"WHEN {col} >= :b{n} THEN {n}" for n in range(len(cuts)))
    return f"CASE {whens} ELSE {len(cuts)} END", {
        f"b{n}": c.isoformat() for n, c in enumerate(cuts)
    }


def aging_cells(
    conn: sqlite3.Connection, as_of: date, buckets: Buckets, by: str, overdue_only: bool
) -> Iterator[tuple[str, str, str, int, int]]:
    """``(key, name, currency, bucket index, open 分)`` summed per group, currency and bucket.

    By customer, the sums per bucket are taken in one pass over the covering partial index
    (customer, currency, due, issue, …, open) of open invoices: one row per customer.
    """
    cte, source = _open_as_of(conn, as_of)
    bucket, params = _bucket_sql(buckets, as_of)
    where = "WHERE i.due_date < :d" if overdue_only else ""
    n = len(buckets.labels)
    sums = ", ".join(f"SUM(CASE WHEN b = {k} THEN open ELSE 0 END)" for k in range(n))
    if by == "customer":
        inner = f"SELECT i.customer_id AS k, i.currency AS cur, i.open, {bucket} AS b FROM {source} {where}"
        sql = f"""{cte} SELECT c.code, c.name, g.* FROM (
          SELECT k, cur, {sums} FROM ({inner}) GROUP BY k, cur) g JOIN customer c ON c.id = g.k"""
    else:
        key = GROUPS[by][0]
        inner = f"""SELECT {key} AS k, i.currency AS cur, i.open, {bucket} AS b FROM {source}
          JOIN customer c ON c.id = i.customer_id {where}"""
        sql = f"{cte} SELECT k, k, k, cur, {sums} FROM ({inner}) GROUP BY k, cur"
    for row in conn.execute(sql, {"d": as_of.isoformat(), **params}):
        key_, name_, currency = row[0], row[1], row[3]
        for k, fen in enumerate(row[4:]):
            if fen:
                yield key_, name_, currency, k, fen


def unapplied_as_of(
    conn: sqlite3.Connection, as_of: date, by: str
) -> Iterator[tuple[str, str, str, int]]:
    """``(key, name, currency, 分)``: credit received by D and not applied to invoices issued by D."""
    key = GROUP_OF_CUSTOMER[by]
    name = "c.name" if by == "customer" else key
    sql = f"""
    WITH new_inv AS MATERIALIZED (SELECT id FROM invoice WHERE issue_date > :d),
    credit AS (
      SELECT p.customer_id, p.currency, p.unapplied AS amt FROM payment p
      WHERE p.unapplied > 0 AND +p.date <= :d  -- "+": use the partial index of credit
      UNION ALL
      SELECT p.customer_id, p.currency, a.amount FROM new_inv n
      JOIN allocation a ON a.invoice_id = n.id JOIN payment p ON p.id = a.payment_id
      WHERE p.date <= :d
    )
    SELECT {key} AS k, {name} AS n, cr.currency, SUM(cr.amt)
    FROM credit cr JOIN customer c ON c.id = cr.customer_id GROUP BY k, n, cr.currency"""
    yield from conn.execute(sql, {"d": as_of.isoformat()})


def aging_invoices(
    conn: sqlite3.Connection, as_of: date, overdue_only: bool, customer: str | None = None
) -> Iterator[tuple[str, str, str, str, str, int, str]]:
    """Open invoices as of D: ``(number, customer, name, issue, due, open 分, currency)``."""
    where = ["1 = 1"]
    if overdue_only:
        where.append("i.due_date < :d")
    if customer is not None:
        where.append("c.code = :c")
    cte, source = _open_as_of(conn, as_of)
    sql = f"""{cte}
    SELECT i.number, c.code, c.name, i.issue_date, i.due_date, i.open, i.currency
    FROM {source} JOIN customer c ON c.id = i.customer_id
    WHERE {" AND ".join(where)} ORDER BY i.due_date, i.issue_date, i.number"""
    yield from conn.execute(sql, {"d": as_of.isoformat(), "c": customer})
