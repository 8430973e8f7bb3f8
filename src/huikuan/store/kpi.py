"""SQL behind ``kpi`` and ``target``: grouped sums per period in two passes, and targets.

One pass over invoices (with each invoice's allocations summed at every period boundary)
gives sales, opening/closing and the not-yet-due part of closing for every period at once;
one pass over the period's cash allocations gives collections and days to pay.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any

from huikuan.core.kpi import Sums
from huikuan.store.reports import GROUPS

KEYS = {**{k: v[0] for k, v in GROUPS.items()}, "all": "'all'"}
Periods = list[tuple[str, date, date]]


def kpi_sums(
    conn: sqlite3.Connection, by: str, periods: Periods
) -> dict[tuple[str, str, str], Sums]:
    """``(key, currency, period label) -> Sums`` for every group with something to show."""
    out: dict[tuple[str, str, str], Sums] = {}
    _balances(conn, KEYS[by], periods, out)
    _collections(conn, KEYS[by], periods, out)
    return out


def _bounds(periods: Periods) -> list[str]:
    """The day before the first period, then each period's last day."""
    return [(periods[0][1] - timedelta(days=1)).isoformat()] + [p[2].isoformat() for p in periods]


def _balances(conn: sqlite3.Connection, key: str, periods: Periods, out: dict[Any, Sums]) -> None:
    bounds = _bounds(periods)
    params = {f"b{k}": b for k, b in enumerate(bounds)}
    params |= {f"s{k}": p[1].isoformat() for k, p in enumerate(periods)}
    applied = ", ".join(
        f"SUM(CASE WHEN date <= :b{k} THEN amount ELSE 0 END) AS p{k}" for k in range(len(bounds))
    )
    cols = []
    for k in range(len(bounds)):
        open_k = f"i.amount - COALESCE(al.p{k}, 0)"
        cols.append(f"SUM(CASE WHEN i.issue_date <= :b{k} THEN {open_k} ELSE 0 END)")
        cols.append(
            f"SUM(CASE WHEN i.issue_date <= :b{k} AND i.due_date >= :b{k} THEN {open_k} ELSE 0 END)"
        )
    cols += [
        f"SUM(CASE WHEN i.issue_date BETWEEN :s{k} AND :b{k + 1} THEN i.amount ELSE 0 END)"
        for k in range(len(periods))
    ]
    sql = f"""WITH al AS (SELECT invoice_id, {applied} FROM allocation
                          WHERE date <= :b{len(bounds) - 1} GROUP BY invoice_id)
    SELECT {key} AS k, i.currency, {", ".join(cols)}
    FROM invoice i JOIN customer c ON c.id = i.customer_id LEFT JOIN al ON al.invoice_id = i.id
    WHERE i.issue_date <= :b{len(bounds) - 1} GROUP BY k, i.currency"""
    n = len(bounds)
    for row in conn.execute(sql, params):
        k, cur, vals = row[0], row[1], row[2:]
        for j, (label, _, _) in enumerate(periods):
            s = Sums(credit_sales=vals[2 * n + j], opening=vals[2 * j], closing=vals[2 * (j + 1)])
            s.closing_current = vals[2 * (j + 1) + 1]
            if s.credit_sales or s.opening or s.closing:
                out[(k, cur, label)] = s


def _collections(
    conn: sqlite3.Connection, key: str, periods: Periods, out: dict[Any, Sums]
) -> None:
    # credit applied to a later invoice counts when both exist: max(payment date, issue date)
    which = " ".join(
        f"WHEN MAX(a.date, i.issue_date) <= :e{j} THEN {j}" for j in range(len(periods))
    )
    params = {f"e{j}": p[2].isoformat() for j, p in enumerate(periods)}
    params |= {"a": periods[0][1].isoformat(), "b": periods[-1][2].isoformat()}
    sql = f"""SELECT {key} AS k, i.currency, CASE {which} END AS j, SUM(a.amount),
      TOTAL(a.amount * MAX(0, CAST(julianday(a.date) - julianday(i.issue_date) AS INTEGER)))
    FROM allocation a JOIN payment p ON p.id = a.payment_id AND p.kind = 'payment'
    JOIN invoice i ON i.id = a.invoice_id JOIN customer c ON c.id = i.customer_id
    WHERE MAX(a.date, i.issue_date) BETWEEN :a AND :b GROUP BY k, i.currency, j"""
    for k, cur, j, paid, days in conn.execute(sql, params):
        s = out.setdefault((k, cur, periods[j][0]), Sums())
        s.collections = s.paid = paid
        s.paid_days = int(days)  # TOTAL: a float, which cannot overflow as SUM's integer can


# --- targets ---------------------------------------------------------------------------------


def salesperson_known(conn: sqlite3.Connection, name: str) -> bool:
    """Whether ``name`` is the salesperson of some customer or invoice."""
    sql = """SELECT EXISTS (SELECT 1 FROM customer WHERE salesperson = :n)
             OR EXISTS (SELECT 1 FROM invoice WHERE salesperson = :n)"""
    return bool(conn.execute(sql, {"n": name}).fetchone()[0])


def set_target(
    conn: sqlite3.Connection, who: str, period: str, currency: str, fen: int, user: str, now: str
) -> int | None:
    """Set (or replace) a target; return the amount it replaced, if any."""
    old = conn.execute(
        "SELECT amount FROM target WHERE salesperson = ? AND period = ? AND currency = ?",
        (who, period, currency),
    ).fetchone()
    conn.execute(
        "INSERT INTO target (salesperson, period, currency, amount, set_by, set_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (salesperson, period, currency)"
        " DO UPDATE SET amount = excluded.amount, set_by = excluded.set_by, set_at = excluded.set_at",
        (who, period, currency, fen, user, now),
    )
    return old[0] if old else None


def targets(
    conn: sqlite3.Connection, period: str | None = None
) -> list[tuple[str, str, str, int, str, str]]:
    """``(salesperson, period, currency, 分, set_by, set_at)``, optionally of one period."""
    return conn.execute(
        "SELECT salesperson, period, currency, amount, set_by, set_at FROM target"
        " WHERE :p IS NULL OR period = :p ORDER BY period, salesperson, currency",
        {"p": period},
    ).fetchall()
