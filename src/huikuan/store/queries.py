"""Reading the ledger: lists, single records, statements and exports (rows as dicts)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

from huikuan.core.money import format_fen
from huikuan.core.records import CUSTOMER_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS
from huikuan.store.ledger import require_customer, require_invoice

Row = dict[str, Any]


def _dicts(cur: sqlite3.Cursor, money: tuple[str, ...] = ()) -> Iterator[Row]:
    names = [d[0] for d in cur.description]
    for values in cur:
        row = dict(zip(names, values))
        for col in money:
            if row.get(col) is not None:
                row[col] = format_fen(row[col])
        yield row


def customers(
    conn: sqlite3.Connection,
    segment: str | None = None,
    salesperson: str | None = None,
    blocked: bool | None = None,
) -> Iterator[Row]:
    """Customers ordered by code, with optional filters."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    for col, value in (("segment", segment), ("salesperson", salesperson)):
        if value is not None:
            where.append(f"{col} = ?")
            params.append(value)
    if blocked is not None:
        where.append("blocked = ?")
        params.append(int(blocked))
    cur = conn.execute(
        f"SELECT {', '.join(CUSTOMER_COLUMNS)}, blocked, blocked_reason, legal FROM customer"
        f" WHERE {' AND '.join(where)} ORDER BY code",
        params,
    )
    for row in _dicts(cur, ("credit_limit",)):
        row["blocked"], row["legal"] = bool(row["blocked"]), bool(row["legal"])
        yield row


def customer(conn: sqlite3.Connection, code: str) -> Row:
    """One customer's fields."""
    cid = require_customer(conn, code).id
    cur = conn.execute(
        f"SELECT {', '.join(CUSTOMER_COLUMNS)}, dunning_policy, blocked, blocked_reason,"
        " legal, created_at FROM customer WHERE id = ?",
        (cid,),
    )
    row = next(_dicts(cur, ("credit_limit",)))
    row["blocked"], row["legal"] = bool(row["blocked"]), bool(row["legal"])
    return row


def contacts(conn: sqlite3.Connection, code: str | None = None) -> Iterator[Row]:
    """Contacts, finance and decision makers first."""
    where, params = ("WHERE c.code = ?", [code]) if code else ("", [])
    if code:
        require_customer(conn, code)
    cur = conn.execute(
        "SELECT c.code AS customer, k.name, k.role, k.title, k.phone, k.email, k.wechat, k.note"
        f" FROM contact k JOIN customer c ON c.id = k.customer_id {where}"
        " ORDER BY c.code, CASE k.role WHEN 'finance' THEN 0 WHEN 'decision_maker' THEN 1 ELSE 2 END, k.id",
        params,
    )
    yield from _dicts(cur)


def balances(conn: sqlite3.Connection, code: str, as_of: date) -> list[Row]:
    """Per currency: invoiced, open, overdue and unapplied credit now (as of ``as_of`` for overdue)."""
    cid = require_customer(conn, code).id
    cur = conn.execute(
        """WITH inv AS (
             SELECT currency, SUM(amount) AS invoiced, SUM(open_amount) AS open,
                    SUM(CASE WHEN due_date < :d THEN open_amount ELSE 0 END) AS overdue
             FROM invoice WHERE customer_id = :c GROUP BY currency),
           credit AS (
             SELECT currency, SUM(unapplied) AS unapplied FROM payment
             WHERE customer_id = :c GROUP BY currency HAVING SUM(unapplied) > 0),
           cur AS (SELECT currency FROM inv UNION SELECT currency FROM credit)
           SELECT cur.currency, COALESCE(inv.invoiced, 0) AS invoiced, COALESCE(inv.open, 0) AS open,
                  COALESCE(inv.overdue, 0) AS overdue, COALESCE(credit.unapplied, 0) AS unapplied
           FROM cur LEFT JOIN inv USING (currency) LEFT JOIN credit USING (currency)
           ORDER BY cur.currency""",
        {"d": as_of.isoformat(), "c": cid},
    )
    return list(_dicts(cur, ("invoiced", "open", "overdue", "unapplied")))


INVOICE_LIST = """SELECT i.number, c.code AS customer, i.issue_date, i.due_date, i.amount,
  i.open_amount AS open, i.currency, i.terms, i.salesperson, i.disputed, i.dispute_reason
  FROM invoice i JOIN customer c ON c.id = i.customer_id"""


def invoices(conn: sqlite3.Connection, code: str | None, status: str, as_of: date) -> Iterator[Row]:
    """Invoices (``status``: all, open, overdue, disputed), oldest due first."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if code:
        where.append("i.customer_id = ?")
        params.append(require_customer(conn, code).id)
    where.append(
        {
            "all": "1 = 1",
            "open": "i.open_amount > 0",
            "disputed": "i.disputed = 1",
            "overdue": "i.open_amount > 0 AND i.due_date < ?",
        }[status]
    )
    if status == "overdue":
        params.append(as_of.isoformat())
    cur = conn.execute(
        f"{INVOICE_LIST} WHERE {' AND '.join(where)} ORDER BY i.due_date, i.number", params
    )
    for row in _dicts(cur, ("amount", "open")):
        row["disputed"] = bool(row["disputed"])
        row["days_overdue"] = (
            max(0, (as_of - date.fromisoformat(row["due_date"])).days)
            if row["open"] != "0.00"
            else 0
        )
        yield row


def invoice(conn: sqlite3.Connection, number: str) -> tuple[Row, list[Row]]:
    """One invoice and its allocations (payments, credit notes, write-offs)."""
    inv = require_invoice(conn, number)
    cur = conn.execute(f"{INVOICE_LIST} WHERE i.id = ?", (inv.id,))
    row = next(_dicts(cur, ("amount", "open")))
    row["disputed"] = bool(row["disputed"])
    extra = conn.execute(
        "SELECT contract, description, milestone FROM invoice WHERE id = ?", (inv.id,)
    ).fetchone()
    row.update(zip(("contract", "description", "milestone"), extra))
    allocs = conn.execute(
        "SELECT a.date, p.kind, a.amount, p.reference, p.method FROM allocation a"
        " JOIN payment p ON p.id = a.payment_id WHERE a.invoice_id = ? ORDER BY a.date, a.id",
        (inv.id,),
    )
    return row, list(_dicts(allocs, ("amount",)))


def payments(
    conn: sqlite3.Connection,
    code: str | None,
    kind: str | None,
    since: date | None,
    until: date | None,
) -> Iterator[Row]:
    """Payments (and credit notes / write-offs when ``kind`` is None), by date."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if code:
        where.append("p.customer_id = ?")
        params.append(require_customer(conn, code).id)
    for cond, value in (("p.kind = ?", kind), ("p.date >= ?", since), ("p.date <= ?", until)):
        if value is not None:
            where.append(cond)
            params.append(value.isoformat() if isinstance(value, date) else value)
    cur = conn.execute(
        "SELECT p.date, c.code AS customer, p.kind, p.amount, p.currency, i.number AS invoice,"
        " p.reference, p.method, p.unapplied, p.note FROM payment p"
        " JOIN customer c ON c.id = p.customer_id LEFT JOIN invoice i ON i.id = p.invoice_id"
        f" WHERE {' AND '.join(where)} ORDER BY p.date, p.id",
        params,
    )
    yield from _dicts(cur, ("amount", "unapplied"))


def export(conn: sqlite3.Connection, kind: str) -> Iterator[Row]:
    """Rows with the import columns, so an export can be imported again."""
    if kind == "customers":
        sql = f"SELECT {', '.join(CUSTOMER_COLUMNS)} FROM customer ORDER BY code"
        money: tuple[str, ...] = ("credit_limit",)
    elif kind == "invoices":
        sql = (
            "SELECT i.number, c.code AS customer, i.issue_date, i.amount, i.due_date, i.terms, i.currency,"
            " i.contract, i.salesperson, i.description, i.milestone FROM invoice i"
            " JOIN customer c ON c.id = i.customer_id ORDER BY i.id"
        )
        money = ("amount",)
    else:
        sql = (
            "SELECT c.code AS customer, p.date, p.amount, i.number AS invoice, p.currency, p.reference,"
            " p.method FROM payment p JOIN customer c ON c.id = p.customer_id"
            " LEFT JOIN invoice i ON i.id = p.invoice_id WHERE p.kind = 'payment' ORDER BY p.id"
        )
        money = ("amount",)
    yield from _dicts(conn.execute(sql), money)


EXPORT_COLUMNS = {
    "customers": list(CUSTOMER_COLUMNS),
    "invoices": list(INVOICE_COLUMNS),
    "payments": list(PAYMENT_COLUMNS),
}


def applied(conn: sqlite3.Connection, payment_id: int) -> list[Row]:
    """Where one payment went: invoice, amount, the invoice's open amount after; and the rest."""
    cur = conn.execute(
        "SELECT i.number AS invoice, a.amount, i.open_amount AS open_after FROM allocation a"
        " JOIN invoice i ON i.id = a.invoice_id WHERE a.payment_id = ? ORDER BY a.id",
        (payment_id,),
    )
    rows = list(_dicts(cur, ("amount", "open_after")))
    (left,) = conn.execute("SELECT unapplied FROM payment WHERE id = ?", (payment_id,)).fetchone()
    if left:
        rows.append(
            {"invoice": "(unapplied credit)", "amount": format_fen(left), "open_after": None}
        )
    return rows
