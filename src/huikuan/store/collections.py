"""The contact log, promises to pay, and the limitation record of each open invoice."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

from huikuan.core.calendar import WorkCalendar
from huikuan.core.limitation import Restart, expiry
from huikuan.core.money import format_fen
from huikuan.store.ledger import audit, require_customer, require_invoice

Row = dict[str, Any]
OUTCOMES = ("reached", "no-answer", "promised", "disputed", "paid-claimed", "refused")
LOG_CHANNELS = ("phone", "email", "letter", "visit", "sms", "wechat", "legal")


def add_log(conn: sqlite3.Connection, user: str, code: str, rec: Row, now: str) -> int:
    """Record a contact (``rec``: date, channel, invoice, outcome, excuse, note, evidence, …)."""
    cid = require_customer(conn, code).id
    inv = require_invoice(conn, rec["invoice"]).id if rec.get("invoice") else None
    if inv is not None:
        _same_customer(conn, inv, cid, rec["invoice"], code)
    cols = ("date", "channel", "outcome", "excuse", "note", "evidence", "reference", "follow_up")
    cur = conn.execute(
        f"INSERT INTO contact_log (customer_id, invoice_id, acknowledged, username, created_at,"
        f" {', '.join(cols)}) VALUES (?, ?, ?, ?, ?, {', '.join('?' for _ in cols)})",
        (cid, inv, int(bool(rec.get("acknowledged"))), user, now, *(rec.get(c) for c in cols)),
    )
    audit(conn, user, "log", "contact", code, {k: v for k, v in rec.items() if v is not None})
    return int(cur.lastrowid or 0)


def _same_customer(conn: sqlite3.Connection, inv: int, cid: int, number: str, code: str) -> None:
    from huikuan.core.errors import Conflict

    (owner,) = conn.execute("SELECT customer_id FROM invoice WHERE id = ?", (inv,)).fetchone()
    if owner != cid:
        raise Conflict(f"invoice {number} belongs to another customer, not {code}")


def logs(
    conn: sqlite3.Connection, code: str | None, since: date | None, until: date | None
) -> Iterator[Row]:
    """Contact log entries, oldest first."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if code:
        where.append("l.customer_id = ?")
        params.append(require_customer(conn, code).id)
    if since:
        where.append("l.date >= ?")
        params.append(since.isoformat())
    if until:
        where.append("l.date <= ?")
        params.append(until.isoformat())
    cur = conn.execute(
        "SELECT l.id, l.date, c.code AS customer, i.number AS invoice, l.channel, l.outcome,"
        " l.excuse, l.follow_up, l.acknowledged, l.evidence, l.reference, l.note,"
        " l.username AS user"
        " FROM contact_log l JOIN customer c ON c.id = l.customer_id"
        " LEFT JOIN invoice i ON i.id = l.invoice_id"
        f" WHERE {' AND '.join(where)} ORDER BY l.date, l.id",
        params,
    )
    names = [d[0] for d in cur.description]
    for values in cur:
        row = dict(zip(names, values))
        row["acknowledged"] = bool(row["acknowledged"])
        yield row


# --- promises ----------------------------------------------------------------------------

_PROMISES = """
SELECT pr.id, c.code AS customer, i.number AS invoice, pr.made_on, pr.promised_date,
  pr.amount, pr.currency, pr.note,
  CASE WHEN pr.invoice_id IS NULL THEN
    (SELECT COALESCE(SUM(p.amount), 0) FROM payment p
      WHERE p.customer_id = pr.customer_id AND p.currency = pr.currency AND p.kind = 'payment'
        AND p.date >= pr.made_on AND p.date <= MIN(pr.promised_date, :d))
  ELSE
    (SELECT COALESCE(SUM(a.amount), 0) FROM allocation a JOIN payment p ON p.id = a.payment_id
      WHERE a.invoice_id = pr.invoice_id AND p.kind = 'payment'
        AND p.date >= pr.made_on AND p.date <= MIN(pr.promised_date, :d))
  END AS paid
FROM promise pr JOIN customer c ON c.id = pr.customer_id
LEFT JOIN invoice i ON i.id = pr.invoice_id
WHERE pr.made_on <= :d
"""


def add_promise(conn: sqlite3.Connection, user: str, code: str, rec: Row, now: str) -> int:
    """Record a promise to pay (amount 分, currency, made_on, promised_date, invoice, note)."""
    cid = require_customer(conn, code).id
    inv = None
    if rec.get("invoice"):
        ref = require_invoice(conn, rec["invoice"])
        _same_customer(conn, ref.id, cid, rec["invoice"], code)
        inv, rec["currency"] = ref.id, ref.currency
    cur = conn.execute(
        "INSERT INTO promise (customer_id, invoice_id, amount, currency, made_on, promised_date,"
        " note, username, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            cid,
            inv,
            rec["amount"],
            rec["currency"],
            rec["made_on"],
            rec["promised_date"],
            rec.get("note"),
            user,
            now,
        ),
    )
    audit(conn, user, "promise", "customer", code, {**rec, "amount": format_fen(rec["amount"])})
    return int(cur.lastrowid or 0)


def promises(conn: sqlite3.Connection, as_of: date, code: str | None = None) -> Iterator[Row]:
    """Promises made by ``as_of`` with their status then: open, kept or broken."""
    sql = _PROMISES
    params: dict[str, Any] = {"d": as_of.isoformat(), "c": None}
    if code:
        sql += " AND pr.customer_id = :c"
        params["c"] = require_customer(conn, code).id
    cur = conn.execute(sql + " ORDER BY pr.promised_date, pr.id", params)
    names = [d[0] for d in cur.description]
    for values in cur:
        row = dict(zip(names, values))
        row["status"] = promise_status(row["amount"], row["paid"], row["promised_date"], as_of)
        row["amount"], row["paid"] = format_fen(row["amount"]), format_fen(row["paid"])
        yield row


def promise_status(amount: int, paid: int, promised: str, as_of: date) -> str:
    """Kept when payments reached the amount by the date; broken once the date has passed."""
    if paid >= amount:
        return "kept"
    return "broken" if as_of.isoformat() > promised else "open"


# --- limitation --------------------------------------------------------------------------

_LIMITATION = """
SELECT * FROM (
  SELECT i.id, i.number, c.code, c.name, i.due_date,
    i.amount - (SELECT COALESCE(SUM(a.amount), 0) FROM allocation a
                WHERE a.invoice_id = i.id AND a.date <= :d) AS open,
    i.currency, i.customer_id,
    COALESCE((SELECT MAX(j.due_date) FROM invoice j WHERE j.contract = i.contract
              AND j.customer_id = i.customer_id AND j.milestone IS NOT NULL
              AND i.milestone IS NOT NULL), i.due_date) AS start
  FROM invoice i JOIN customer c ON c.id = i.customer_id
  WHERE i.issue_date <= :d AND (i.open_amount > 0
        OR i.id IN (SELECT invoice_id FROM allocation WHERE date > :d)))
WHERE open > 0 ORDER BY start, number
"""


def restarts(conn: sqlite3.Connection, invoice_id: int, customer_id: int) -> list[Restart]:
    """Events that restart an invoice's period: payments, promises, proven demands."""
    out = [
        Restart("payment", date.fromisoformat(d), f"payment {format_fen(a)}")
        for d, a in conn.execute(
            "SELECT a.date, a.amount FROM allocation a JOIN payment p ON p.id = a.payment_id"
            " WHERE a.invoice_id = ? AND p.kind = 'payment'",
            (invoice_id,),
        )
    ]
    out += [
        Restart("promise", date.fromisoformat(d), f"promise to pay {format_fen(a)}")
        for d, a in conn.execute(
            "SELECT made_on, amount FROM promise WHERE customer_id = ?"
            " AND (invoice_id IS NULL OR invoice_id = ?)",
            (customer_id, invoice_id),
        )
    ]
    for d, channel, ack, ref in conn.execute(
        "SELECT date, channel, acknowledged, COALESCE(reference, evidence) FROM contact_log"
        " WHERE customer_id = ? AND (invoice_id IS NULL OR invoice_id = ?)"
        " AND (acknowledged = 1 OR (channel IN ('letter', 'email', 'legal') AND evidence IS NOT NULL))",
        (customer_id, invoice_id),
    ):
        kind = "acknowledged" if ack else "demand"
        out.append(Restart(kind, date.fromisoformat(d), f"{channel} {ref or ''}".strip()))
    return out


def limitation_rows(conn: sqlite3.Connection, as_of: date, cal: WorkCalendar) -> Iterator[Row]:
    """Every open invoice with the end of its limitation period as of ``as_of``."""
    for iid, number, code, name, due, open_, currency, cid, start in conn.execute(
        _LIMITATION, {"d": as_of.isoformat()}
    ):
        end, by = expiry(date.fromisoformat(start), restarts(conn, iid, cid), cal, as_of)
        yield {
            "invoice": number,
            "customer": code,
            "name": name,
            "due_date": due,
            "open": format_fen(open_),
            "currency": currency,
            "expires": end.isoformat(),
            "days_left": (end - as_of).days,
            "restarted_by": by.as_json() if by else None,
        }
