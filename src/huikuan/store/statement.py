"""对账单: a customer's invoices and payments in date order with a running balance."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from huikuan.core.money import format_fen
from huikuan.store.ledger import require_customer

Row = dict[str, Any]

_LINES = """
SELECT issue_date AS date, 0 AS ord, 'invoice' AS type, number AS ref, currency, amount AS debit,
       0 AS credit, due_date AS due FROM invoice WHERE customer_id = :c AND issue_date BETWEEN :a AND :d
UNION ALL
SELECT p.date, 1, p.kind, COALESCE(p.reference, i.number, ''), p.currency, 0, p.amount, NULL
FROM payment p LEFT JOIN invoice i ON i.id = p.invoice_id
WHERE p.customer_id = :c AND p.date BETWEEN :a AND :d
ORDER BY 1, 2, 4
"""
_OPENING = """
SELECT currency, SUM(amt) FROM (
  SELECT currency, amount AS amt FROM invoice WHERE customer_id = :c AND issue_date <= :d
  UNION ALL SELECT currency, -amount FROM payment WHERE customer_id = :c AND date <= :d)
GROUP BY currency
"""


def statement(
    conn: sqlite3.Connection, code: str, as_of: date, since: date | None
) -> tuple[list[Row], list[Row]]:
    """Lines (date, type, ref, currency, debit, credit, balance) and per-currency summaries."""
    cid = require_customer(conn, code).id
    opening: dict[str, int] = {}
    if since is not None:
        day_before = (since - timedelta(days=1)).isoformat()
        opening = dict(conn.execute(_OPENING, {"c": cid, "d": day_before}).fetchall())
    start = since.isoformat() if since else "0000-01-01"
    params = {"c": cid, "a": start, "d": as_of.isoformat()}
    running = dict(opening)
    lines = [
        _line(since.isoformat(), "opening", "", cur, 0, 0, bal, None)
        for cur, bal in sorted(opening.items())
        if since is not None
    ]
    totals: dict[str, dict[str, int]] = {}
    for day, _, kind, ref, cur, debit, credit, due in conn.execute(_LINES, params):
        running[cur] = running.get(cur, 0) + debit - credit
        lines.append(_line(day, kind, ref, cur, debit, credit, running[cur], due))
        t = totals.setdefault(cur, {"invoiced": 0, "payment": 0, "credit_note": 0, "write_off": 0})
        t["invoiced" if kind == "invoice" else kind] += debit + credit
    return lines, list(_summaries(opening, totals, running))


def _line(
    day: str, kind: str, ref: str, cur: str, debit: int, credit: int, bal: int, due: str | None
) -> Row:
    return {
        "date": day,
        "type": kind,
        "reference": ref,
        "due_date": due,
        "currency": cur,
        "debit": format_fen(debit),
        "credit": format_fen(credit),
        "balance": format_fen(bal),
    }


def _summaries(
    opening: dict[str, int], totals: dict[str, dict[str, int]], closing: dict[str, int]
) -> Iterator[Row]:
    for cur in sorted(closing):
        t = totals.get(cur, {"invoiced": 0, "payment": 0, "credit_note": 0, "write_off": 0})
        yield {
            "currency": cur,
            "opening": format_fen(opening.get(cur, 0)),
            "invoiced": format_fen(t["invoiced"]),
            "paid": format_fen(t["payment"]),
            "credited": format_fen(t["credit_note"]),
            "written_off": format_fen(t["write_off"]),
            "balance": format_fen(closing[cur]),
        }
