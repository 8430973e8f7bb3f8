"""Credit data in the ledger: payment history, exposure, stored assessments, the risk view."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from huikuan.core.aging import Buckets
from huikuan.core.credit import Assessment, History
from huikuan.core.creditcheck import Standing
from huikuan.core.creditpolicy import CreditInputs
from huikuan.core.errors import NotFound
from huikuan.core.money import format_fen
from huikuan.store.ledger import audit, require_customer
from huikuan.store.reports import aging_cells

Row = dict[str, Any]
_DUE = """
SELECT COUNT(*),
  COALESCE(SUM(paid_by_due >= amount), 0),
  COALESCE(MAX(CASE WHEN amount > paid THEN julianday(:d) - julianday(due_date) END), 0),
  COALESCE(SUM(CASE WHEN amount > paid
                    THEN (amount - paid) * (julianday(:d) - julianday(due_date)) END), 0),
  COALESCE(SUM(CASE WHEN amount > paid THEN amount - paid END), 0)
FROM (SELECT i.amount, i.due_date,
        (SELECT COALESCE(SUM(a.amount), 0) FROM allocation a
          WHERE a.invoice_id = i.id AND a.date <= :d) AS paid,
        (SELECT COALESCE(SUM(a.amount), 0) FROM allocation a JOIN payment p ON p.id = a.payment_id
          WHERE a.invoice_id = i.id AND a.date <= i.due_date AND p.kind != 'write_off') AS paid_by_due
      FROM invoice i WHERE i.customer_id = :c AND i.issue_date <= :d AND i.due_date < :d)
"""
_LATE_PAID = """
SELECT COALESCE(SUM(a.amount * MAX(0, julianday(a.date) - julianday(i.due_date))), 0),
       COALESCE(SUM(a.amount), 0)
FROM invoice i JOIN allocation a ON a.invoice_id = i.id JOIN payment p ON p.id = a.payment_id
WHERE i.customer_id = :c AND i.issue_date <= :d AND i.due_date < :d AND a.date <= :d
  AND p.kind = 'payment'
"""
_OPEN = """
SELECT number, due_date, open FROM (
  SELECT i.number, i.due_date, i.amount - (SELECT COALESCE(SUM(a.amount), 0) FROM allocation a
                                           WHERE a.invoice_id = i.id AND a.date <= :d) AS open
  FROM invoice i WHERE i.customer_id = :c AND i.currency = :cur AND i.issue_date <= :d)
WHERE open > 0 ORDER BY due_date, number
"""
_UNAPPLIED = """
SELECT (SELECT COALESCE(SUM(amount), 0) FROM payment
         WHERE customer_id = :c AND currency = :cur AND date <= :d AND kind != 'write_off')
     - (SELECT COALESCE(SUM(a.amount), 0) FROM allocation a
         JOIN payment p ON p.id = a.payment_id JOIN invoice i ON i.id = a.invoice_id
         WHERE p.customer_id = :c AND p.currency = :cur AND p.date <= :d
           AND p.kind != 'write_off' AND i.issue_date <= :d)
"""


def limit_currency(conn: sqlite3.Connection, cid: int, default: str) -> str:
    """The currency of a customer's limit: its only invoice currency, else the ledger's."""
    rows = conn.execute(
        "SELECT DISTINCT currency FROM invoice WHERE customer_id = ? LIMIT 2", (cid,)
    ).fetchall()
    return str(rows[0][0]) if len(rows) == 1 else default


def history(conn: sqlite3.Connection, cid: int, currency: str, as_of: date) -> History:
    """The customer's payment record as of ``as_of`` (for the Character score)."""
    p = {"c": cid, "d": as_of.isoformat(), "cur": currency}
    due, on_time, worst, open_days, open_fen = conn.execute(_DUE, p).fetchone()
    paid_days, paid_fen = conn.execute(_LATE_PAID, p).fetchone()
    (disputes,) = conn.execute(
        "SELECT COUNT(*) FROM invoice WHERE customer_id = ? AND disputed = 1", (cid,)
    ).fetchone()
    (terms,) = conn.execute("SELECT terms FROM customer WHERE id = ?", (cid,)).fetchone()
    return History(
        invoices_due=due,
        paid_on_time=on_time,
        late_fen_days=int(paid_days + open_days),
        late_base_fen=int(paid_fen + open_fen),
        worst_overdue=int(worst),
        disputes=disputes,
        broken_promises=broken_promises(conn, cid, as_of),
        monthly_sales=monthly_sales(conn, cid, currency, as_of),
        terms=terms,
    )


def broken_promises(conn: sqlite3.Connection, cid: int, as_of: date) -> int:
    """Promises to pay broken by ``as_of`` (payments short of the amount by the date)."""
    from huikuan.store.collections import promises

    code = conn.execute("SELECT code FROM customer WHERE id = ?", (cid,)).fetchone()[0]
    return sum(1 for p in promises(conn, as_of, code) if p["status"] == "broken")


def monthly_sales(conn: sqlite3.Connection, cid: int, currency: str, as_of: date) -> int | None:
    """Average monthly invoicing over the last 12 months (or since the first invoice)."""
    start = as_of - timedelta(days=365)
    first, total = conn.execute(
        "SELECT MIN(issue_date), SUM(amount) FROM invoice WHERE customer_id = ? AND currency = ?"
        " AND issue_date > ? AND issue_date <= ?",
        (cid, currency, start.isoformat(), as_of.isoformat()),
    ).fetchone()
    if not total:
        return None
    days = (as_of - date.fromisoformat(first)).days + 1
    months = min(12, max(1, round(days / 30.4)))
    return int(total) // months


def open_invoices(
    conn: sqlite3.Connection, cid: int, currency: str, as_of: date
) -> list[tuple[str, str, int]]:
    """``(number, due_date, open 分)`` of the customer's invoices open as of ``as_of``."""
    p = {"c": cid, "cur": currency, "d": as_of.isoformat()}
    return [(n, d, o) for n, d, o in conn.execute(_OPEN, p)]


def unapplied(conn: sqlite3.Connection, cid: int, currency: str, as_of: date) -> int:
    """Credit received by ``as_of`` and not applied to invoices issued by then."""
    p = {"c": cid, "cur": currency, "d": as_of.isoformat()}
    return int(conn.execute(_UNAPPLIED, p).fetchone()[0])


def standing(conn: sqlite3.Connection, code: str, as_of: date, default_currency: str) -> Standing:
    """Limit, exposure and holds of a customer as of ``as_of``."""
    cid = require_customer(conn, code).id
    limit, blocked, reason, legal = conn.execute(
        "SELECT credit_limit, blocked, blocked_reason, legal FROM customer WHERE id = ?", (cid,)
    ).fetchone()
    currency = limit_currency(conn, cid, default_currency)
    opened = open_invoices(conn, cid, currency, as_of)
    overdue = [
        (n, (as_of - date.fromisoformat(d)).days) for n, d, _ in opened if d < as_of.isoformat()
    ]
    worst = max(overdue, key=lambda x: x[1], default=(None, 0))
    rated = latest(conn, cid, as_of)
    return Standing(
        code=code,
        currency=currency,
        limit=limit,
        exposure=sum(o for _, _, o in opened) - unapplied(conn, cid, currency, as_of),
        blocked=bool(blocked),
        blocked_reason=reason,
        legal=bool(legal),
        rating=rated["rating"] if rated else None,
        rated_on=rated["date"] if rated else None,
        worst_overdue=worst[1],
        worst_invoice=worst[0],
        overdue_invoices=len(overdue),
    )


# --- stored assessments ----------------------------------------------------------------------


def save(
    conn: sqlite3.Connection, user: str, cid: int, a: Assessment, inputs: CreditInputs, now: str
) -> int:
    """Store an assessment (history is never overwritten); return its id."""
    cur = conn.execute(
        "INSERT INTO credit_assessment (customer_id, date, assessor, inputs, weights, scores,"
        " total, rating, recommended_limit, recommended_terms, currency, reasons, missing,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            cid,
            a.date.isoformat(),
            user,
            _dump(inputs.as_json()),
            _dump({k: str(v) for k, v in a.weights.items()}),
            _dump(a.scores),
            a.total,
            a.rating,
            a.recommended_limit,
            a.recommended_terms,
            a.currency,
            _dump(a.reasons),
            _dump(a.missing),
            now,
        ),
    )
    audit(conn, user, "assess", "credit", a.customer, {"rating": a.rating, "total": a.total})
    return int(cur.lastrowid or 0)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


_ROW = """SELECT a.id, c.code AS customer, a.date, a.assessor, a.total, a.rating,
  a.recommended_limit, a.recommended_terms, a.currency, a.scores, a.weights, a.inputs,
  a.reasons, a.missing, a.applied_at
  FROM credit_assessment a JOIN customer c ON c.id = a.customer_id"""


def _row(values: tuple[Any, ...], names: list[str]) -> Row:
    row = dict(zip(names, values))
    for key in ("scores", "weights", "inputs", "reasons", "missing"):
        row[key] = json.loads(row[key])
    row["recommended_limit"] = format_fen(row["recommended_limit"])
    return row


def assessments(conn: sqlite3.Connection, cid: int) -> list[Row]:
    """A customer's assessments, newest first."""
    cur = conn.execute(f"{_ROW} WHERE a.customer_id = ? ORDER BY a.date DESC, a.id DESC", (cid,))
    names = [d[0] for d in cur.description]
    return [_row(v, names) for v in cur]


def latest(conn: sqlite3.Connection, cid: int, as_of: date | None = None) -> Row | None:
    """The newest assessment dated on or before ``as_of`` (any date when None)."""
    cur = conn.execute(
        f"{_ROW} WHERE a.customer_id = ? AND a.date <= ? ORDER BY a.date DESC, a.id DESC LIMIT 1",
        (cid, (as_of or date.max).isoformat()),
    )
    names = [d[0] for d in cur.description]
    values = cur.fetchone()
    return _row(values, names) if values else None


def apply(
    conn: sqlite3.Connection, user: str, code: str, assessment_id: int | None, now: str
) -> Row:
    """Adopt an assessment's limit and terms as the customer's (audited); return it."""
    cid = require_customer(conn, code).id
    rows = assessments(conn, cid)
    pick = (
        rows[0]
        if rows and assessment_id is None
        else next((r for r in rows if r["id"] == assessment_id), None)
    )
    if pick is None:
        which = f"assessment {assessment_id}" if assessment_id else "an assessment"
        raise NotFound(f"customer {code} has no {which} (run `huikuan credit score {code}`)")
    old = conn.execute("SELECT credit_limit, terms FROM customer WHERE id = ?", (cid,)).fetchone()
    limit = conn.execute(
        "SELECT recommended_limit FROM credit_assessment WHERE id = ?", (pick["id"],)
    ).fetchone()[0]
    conn.execute(
        "UPDATE customer SET credit_limit = ?, terms = ? WHERE id = ?",
        (limit, pick["recommended_terms"], cid),
    )
    conn.execute("UPDATE credit_assessment SET applied_at = ? WHERE id = ?", (now, pick["id"]))
    audit(
        conn,
        user,
        "apply",
        "credit",
        code,
        {
            "assessment": pick["id"],
            "old": {
                "credit_limit": None if old[0] is None else format_fen(old[0]),
                "terms": old[1],
            },
            "new": {"credit_limit": pick["recommended_limit"], "terms": pick["recommended_terms"]},
        },
    )
    return pick


def customer_ids(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str]]:
    """``(id, code, name)`` of every customer, by code."""
    yield from conn.execute("SELECT id, code, name FROM customer ORDER BY code")


def risk_cells(
    conn: sqlite3.Connection, as_of: date, buckets: Buckets
) -> Iterator[tuple[str, str, int, int]]:
    """``(customer code, currency, bucket index, open 分)`` for the risk matrix."""
    for code, _name, currency, bucket, fen in aging_cells(conn, as_of, buckets, "customer", False):
        yield code, currency, bucket, fen
