"""The ledger side of late interest: overdue invoices with their dated allocations."""

from __future__ import annotations

import sqlite3
from datetime import date

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


def invoice_interest(
    conn: sqlite3.Connection,
    policy: InterestPolicy,
    as_of: date,
    customer: str | None = None,
    *,
    include_paid: bool = False,
) -> list[InvoiceInterest]:
    """Interest as of D on invoices overdue then (with ``include_paid``, also those paid late)."""
    params = {"d": as_of.isoformat(), "c": customer, "paid": include_paid}
    rows = conn.execute(_CANDIDATES, params).fetchall()
    paid = _allocations(conn, [r[0] for r in rows], as_of)
    out = []
    for iid, number, code, cur, contract, due_text, amount, disputed in rows:
        rule = rule_for(policy, code, contract)
        due = date.fromisoformat(due_text)
        principal, left, days, fen = accrue(rule, due, amount, paid.get(iid, []), as_of)
        if days > 0 or fen > 0:
            out.append(
                InvoiceInterest(number, code, cur, contract, due, to_decimal(principal),
                                to_decimal(left), days, rule.text, to_decimal(fen), bool(disputed), rule.text_zh)
            )  # fmt: skip
    return out


def _allocations(
    conn: sqlite3.Connection, ids: list[int], as_of: date
) -> dict[int, list[tuple[date, int]]]:
    out: dict[int, list[tuple[date, int]]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        sql = (
            f"SELECT invoice_id, date, amount FROM allocation"
            f" WHERE date <= ? AND invoice_id IN ({','.join('?' * len(part))})"
        )
        for iid, day, fen in conn.execute(sql, (as_of.isoformat(), *part)):
            out.setdefault(iid, []).append((date.fromisoformat(day), fen))
    return out
