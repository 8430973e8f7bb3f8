"""The ledger side of letters: what a letter says about a customer, and its reference number."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from decimal import Decimal
from typing import Any

from huikuan.core.money import to_decimal
from huikuan.store.ledger import require_customer
from huikuan.store.reports import aging_invoices
from huikuan.store.todo import contacts

Row = dict[str, Any]


def customer_facts(conn: sqlite3.Connection, code: str) -> tuple[Row, Row | None]:
    """The customer (code, name, email, phone, language) and the addressee, if any.

    The addressee is the finance contact, else the decision maker, else the first contact.
    """
    require_customer(conn, code)
    cur = conn.execute(
        "SELECT code, name, COALESCE(email, '') AS email, COALESCE(phone, '') AS phone,"
        " language FROM customer WHERE code = ?",
        (code,),
    )
    customer = dict(zip([d[0] for d in cur.description], cur.fetchone()))
    people = contacts(conn, code)
    addressee = next((p for p in people if p["role"] == "finance"), None)
    addressee = addressee or next((p for p in people if p["role"] == "decision_maker"), None)
    addressee = addressee or (people[0] if people else None)
    if addressee is not None:
        addressee = {k: addressee[k] or "" for k in ("name", "role", "title", "email", "phone")}
    return customer, addressee


def email_recipient(conn: sqlite3.Connection, code: str) -> tuple[str, str] | None:
    """(name, address) for an email: the finance contact, else the decision maker, with an
    email, else the customer's own email; None when there is no address at all."""
    people = [p for p in contacts(conn, code) if p["email"]]
    for role in ("finance", "decision_maker"):
        found = next((p for p in people if p["role"] == role), None)
        if found is not None:
            return str(found["name"]), str(found["email"])
    row = conn.execute("SELECT name, email FROM customer WHERE code = ?", (code,)).fetchone()
    return (str(row[0]), str(row[1])) if row and row[1] else None


def prior_contacts(
    conn: sqlite3.Connection, code: str, as_of: date, reference: str | None = None
) -> list[Row]:
    """Contacts logged with the customer before ``as_of`` (not the letter ``reference`` itself,
    nor what the same day's run sends by another channel), oldest first: date, channel,
    reference and, for a letter, its kind."""
    cur = conn.execute(
        "SELECT l.date, l.channel, l.reference, t.kind FROM contact_log l"
        " JOIN customer c ON c.id = l.customer_id LEFT JOIN letter t ON t.reference = l.reference"
        " WHERE c.code = ? AND l.date < ? AND (l.reference IS NULL OR l.reference IS NOT ?)"
        " ORDER BY l.date, l.id",
        (code, as_of.isoformat(), reference),
    )
    return [
        {"date": date.fromisoformat(d), "channel": ch, "reference": ref, "kind": kind}
        for d, ch, ref, kind in cur
    ]


def open_invoices(conn: sqlite3.Connection, code: str, as_of: date) -> list[Row]:
    """Open invoices as of D, oldest due first, with amount, open, days overdue, contract."""
    rows = list(aging_invoices(conn, as_of, False, code))
    extra = _invoice_extras(conn, [r[0] for r in rows])
    out = []
    for number, _, _, issue, due, fen, currency in rows:
        amount, contract, disputed = extra[number]
        out.append(
            {
                "number": number,
                "issue_date": date.fromisoformat(issue),
                "due_date": date.fromisoformat(due),
                "amount": to_decimal(amount),
                "open": to_decimal(fen),
                "days_overdue": max((as_of - date.fromisoformat(due)).days, 0),
                "currency": currency,
                "contract": contract or "",
                "disputed": bool(disputed),
            }
        )
    return out


def _invoice_extras(
    conn: sqlite3.Connection, numbers: list[str]
) -> dict[str, tuple[int, str, int]]:
    out: dict[str, tuple[int, str, int]] = {}
    for start in range(0, len(numbers), 500):
        part = numbers[start : start + 500]
        sql = f"SELECT number, amount, contract, disputed FROM invoice WHERE number IN ({','.join('?' * len(part))})"
        out |= {n: (a, c, d) for n, a, c, d in conn.execute(sql, part)}
    return out


def new_reference(
    conn: sqlite3.Connection,
    prefix: str,
    kind: str,
    lang: str,
    code: str,
    as_of: date,
    totals: dict[str, Decimal],
    user: str,
    now: str,
) -> str:
    """Allocate and store the next reference ``PREFIX-YYYY-NNNNNN`` (unique, never reused)."""
    head = f"{prefix}-{as_of.year}-"
    (last,) = conn.execute(
        "SELECT MAX(CAST(substr(reference, ?) AS INTEGER)) FROM letter WHERE reference LIKE ?",
        (len(head) + 1, head.replace("%", r"\%") + "%"),
    ).fetchone()
    reference = f"{head}{(last or 0) + 1:06d}"
    conn.execute(
        "INSERT INTO letter (reference, kind, lang, customer_id, as_of, totals, username, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (reference, kind, lang, require_customer(conn, code).id, as_of.isoformat(),
         json.dumps({c: str(v) for c, v in totals.items()}), user, now),
    )  # fmt: skip
    return reference


def mark_delivered(
    conn: sqlite3.Connection, reference: str, channel: str, evidence: str, now: str
) -> None:
    """Record how and when a letter went out."""
    conn.execute(
        "UPDATE letter SET channel = ?, evidence = ?, delivered_at = ? WHERE reference = ?",
        (channel, evidence, now, reference),
    )


def letters(conn: sqlite3.Connection, code: str | None = None) -> list[Row]:
    """Letters issued (newest first), optionally to one customer."""
    cur = conn.execute(
        "SELECT l.reference, l.kind, l.lang, c.code AS customer, l.as_of, l.totals, l.channel,"
        " l.evidence, l.delivered_at, l.username AS user, l.created_at FROM letter l"
        " JOIN customer c ON c.id = l.customer_id WHERE :c IS NULL OR c.code = :c"
        " ORDER BY l.id DESC",
        {"c": code},
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur]
