"""The ledger side of late interest: overdue invoices with their dated allocations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

from huikuan.core.interest import InterestPolicy, InvoiceInterest, accrue, rule_for
from huikuan.core.money import to_decimal

_CANDIDATES = """
SELECT i.id, i.number, c.code, i.currency, i.contract, i.due_date, i.amount, i.disputed
FROM invoice i JOIN customer c ON c.id = i.customer_id
WHERE i.issue_date <= :d AND i.due_date < :d AND (:c IS NULL OR c.code = :c)
  AND (:paid OR i.open_amount > 0
       OR EXISTS (SELECT 1 FROM allocation a WHERE a.invoice_id = i.id AND a.date > :d))
ORDER BY c.code, i.due_date, i.number
"""
_BATCH = 500  # invoices per allocation query (SQLite allows 999+ bound values)


def invoice_interest(
    conn: sqlite3.Connection,
    policy: InterestPolicy,
    as_of: date,
    customer: str | None = None,
    *,
    include_paid: bool = False,
) -> Iterator[InvoiceInterest]:
    """Interest as of D on invoices overdue then (with ``include_paid``, also those paid late).

    Streamed in batches of invoices, so memory stays flat on a large ledger.
    """
    params = {"d": as_of.isoformat(), "c": customer, "paid": include_paid}
    cursor = conn.execute(_CANDIDATES, params)
    while batch := cursor.fetchmany(_BATCH):
        paid = _allocations(conn, [r[0] for r in batch], as_of)
        for row in batch:
            found = _one(policy, row, paid.get(row[0], []), as_of)
            if found is not None:
                yield found


def _one(
    policy: InterestPolicy, row: tuple[Any, ...], paid: list[tuple[date, int]], as_of: date
) -> InvoiceInterest | None:
    _, number, code, cur, contract, due_text, amount, disputed = row
    rule = rule_for(policy, code, contract)
    due = date.fromisoformat(due_text)
    principal, left, days, fen = accrue(rule, due, amount, paid, as_of)
    if days <= 0 and fen <= 0:
        return None
    return InvoiceInterest(number, code, cur, contract, due, to_decimal(principal),
                           to_decimal(left), days, rule.text, to_decimal(fen), bool(disputed),
                           rule.text_zh)  # fmt: skip


def _allocations(
    conn: sqlite3.Connection, ids: list[int], as_of: date
) -> dict[int, list[tuple[date, int]]]:
    out: dict[int, list[tuple[date, int]]] = {}
    sql = (
        f"SELECT invoice_id, date, amount FROM allocation"
        f" WHERE date <= ? AND invoice_id IN ({','.join('?' * len(ids))})"
    )
    for iid, day, fen in conn.execute(sql, (as_of.isoformat(), *ids)):
        out.setdefault(iid, []).append((date.fromisoformat(day), fen))
    return out
