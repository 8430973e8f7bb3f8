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

_CURRENT = "WITH open_inv AS (SELECT id, open_amount AS open FROM invoice WHERE open_amount > 0)"
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


def _open_as_of(conn: sqlite3.Connection, as_of: date) -> str:
    """The ``open_inv(id, open)`` CTE: the stored open amounts when nothing is dated after D."""
    d = as_of.isoformat()
    later = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM allocation WHERE date > ?)"
        " OR EXISTS (SELECT 1 FROM invoice WHERE issue_date > ?)",
        (d, d),
    ).fetchone()[0]
    return _AS_OF if later else _CURRENT


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
    """``(key, name, currency, bucket index, open 分)`` summed per group, currency and bucket."""
    key, name = GROUPS[by]
    bucket, params = _bucket_sql(buckets, as_of)
    where = "WHERE i.due_date < :d" if overdue_only else ""
    sql = f"""{_open_as_of(conn, as_of)}
    SELECT {key} AS k, {name or key} AS n, i.currency, {bucket} AS b, SUM(o.open)
    FROM open_inv o JOIN invoice i ON i.id = o.id JOIN customer c ON c.id = i.customer_id
    {where} GROUP BY k, n, i.currency, b"""
    yield from conn.execute(sql, {"d": as_of.isoformat(), **params})


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
      WHERE p.unapplied > 0 AND p.date <= :d
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
    sql = f"""{_open_as_of(conn, as_of)}
    SELECT i.number, c.code, c.name, i.issue_date, i.due_date, o.open, i.currency
    FROM open_inv o JOIN invoice i ON i.id = o.id JOIN customer c ON c.id = i.customer_id
    WHERE {" AND ".join(where)} ORDER BY i.due_date, i.issue_date, i.number"""
    yield from conn.execute(sql, {"d": as_of.isoformat(), "c": customer})
