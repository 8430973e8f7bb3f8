"""The salesperson's list for the day: open dunning tasks, broken promises, follow-ups.

Only contacts a person logged count, and only those dated on or before the day the list is
for (``as_of``): the letters and emails a dunning run delivered are logged as contacts too,
but they are not anyone's follow-up. A dunning task is closed by such a contact on or after
the day it was raised (the call was made, the visit happened); a broken promise by one after
the promised date, for the customer in general or for the promise's invoice; an excuse's
follow-up by any later one.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from huikuan.core.money import format_fen
from huikuan.core.playbook import BY_CODE
from huikuan.store.collections import promises
from huikuan.store.dunning import messages

Row = dict[str, Any]
ROLE_ORDER = {"finance": 0, "decision_maker": 1, "legal_rep": 2, "purchasing": 3, "other": 4}


def _by_person(log: str) -> str:
    """SQL: contact log entry ``log`` was logged by a person (it is not the delivery of a
    dunning run) and is dated on or before the day given as its one parameter."""
    return (
        f"{log}.date <= ? AND ({log}.reference IS NULL OR {log}.reference NOT IN"
        " (SELECT reference FROM dunning_message WHERE reference IS NOT NULL))"
    )


_CLOSED = (
    "EXISTS (SELECT 1 FROM contact_log l WHERE l.customer_id = m.customer_id"
    f" AND l.date >= m.run_date AND {_by_person('l')})"
)


def contacts(conn: sqlite3.Connection, code: str) -> list[Row]:
    """The customer's contacts, finance contact and decision maker first."""
    cur = conn.execute(
        "SELECT k.name, k.role, k.title, k.phone, k.email, k.wechat FROM contact k"
        " JOIN customer c ON c.id = k.customer_id WHERE c.code = ? ORDER BY k.id",
        (code,),
    )
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, v)) for v in cur]
    return sorted(rows, key=lambda r: ROLE_ORDER.get(r["role"], 9))


def tasks(conn: sqlite3.Connection, as_of: date, lang_of: dict[str, str]) -> list[Row]:
    """Every open item as of ``as_of``: kind, customer, invoices, amount, since, talking points."""
    out = _dunning_tasks(conn, as_of) + _broken(conn, as_of) + _follow_ups(conn, as_of, lang_of)
    return sorted(out, key=lambda r: (r["since"], r["customer"], r["kind"]))


def _dunning_tasks(conn: sqlite3.Connection, as_of: date) -> list[Row]:
    out = []
    where = f"m.status = 'open' AND m.run_date <= ? AND NOT {_CLOSED}"
    for m in messages(conn, where, (as_of.isoformat(), as_of.isoformat())):
        total = _open_total(conn, m["invoices"])
        out.append(
            {
                "kind": m["channel"],
                "customer": m["customer"],
                "name": m["name"],
                "invoices": m["invoices"],
                "amount": total,
                "since": m["run_date"],
                "points": _points(m["channel"], m["level_name"], m["invoices"], total),
            }
        )
    return out


def _open_total(conn: sqlite3.Connection, numbers: list[str]) -> str:
    marks = ", ".join("?" for _ in numbers)
    rows = conn.execute(
        f"SELECT currency, SUM(open_amount) FROM invoice WHERE number IN ({marks}) GROUP BY currency",
        numbers,
    ).fetchall()
    return "; ".join(f"{cur} {format_fen(fen)}" for cur, fen in rows)


def _points(channel: str, level: str, invoices: list[str], total: str) -> str:
    what = f"{', '.join(invoices)} ({total} open)"
    if level == "find-email":
        return (
            f"No email address on file: get the finance contact's email (huikuan contact add"
            f" … --role finance --email …); the email about {what} goes out on the next run."
        )
    if level.startswith("limitation-"):
        return (
            f"Limitation period (诉讼时效) ends within {level.split('-')[1]} days for {what}: "
            "get a signed statement (对账函) or send a demand with proof of delivery."
        )
    return {
        "call": f"Call the finance contact about {what}: confirm it is in their payment run and get a date.",
        "visit": f"Visit on site (上门催讨) about {what}: meet the decision maker, get a signed plan.",
        "escalate": f"Escalate senior management to senior management about {what}.",
        "legal": f"Final demand stage for {what}: review for a lawyer's letter or litigation.",
    }.get(channel, f"{level}: {what}")


def _broken(conn: sqlite3.Connection, as_of: date) -> list[Row]:
    out = []
    for p in promises(conn, as_of):
        if p["status"] != "broken":
            continue
        if _followed_up(conn, p, as_of):
            continue
        out.append(
            {
                "kind": "broken-promise",
                "customer": p["customer"],
                "name": None,
                "invoices": [p["invoice"]] if p["invoice"] else [],
                "amount": f"{p['currency']} {p['amount']}",
                "since": p["promised_date"],
                "points": f"Promised {p['currency']} {p['amount']} by {p['promised_date']}, paid "
                f"{p['paid']}: call today and get a new date in writing.",
            }
        )
    return out


def _followed_up(conn: sqlite3.Connection, p: Row, as_of: date) -> bool:
    """Did a person log a contact about a broken promise after its date (and by ``as_of``)?"""
    about = "" if p["invoice"] is None else " AND (i.number IS NULL OR i.number = ?)"
    found = conn.execute(
        "SELECT 1 FROM contact_log l JOIN customer c ON c.id = l.customer_id"
        " LEFT JOIN invoice i ON i.id = l.invoice_id"
        f" WHERE c.code = ? AND l.date > ? AND {_by_person('l')}{about}",
        (p["customer"], p["promised_date"], as_of.isoformat(), *([p["invoice"]] if about else [])),
    ).fetchone()
    return found is not None


def _follow_ups(conn: sqlite3.Connection, as_of: date, lang_of: dict[str, str]) -> list[Row]:
    out = []
    for code, day, excuse, follow in conn.execute(
        "SELECT c.code, l.date, l.excuse, l.follow_up FROM contact_log l"
        " JOIN customer c ON c.id = l.customer_id WHERE l.follow_up IS NOT NULL"
        " AND l.follow_up <= ? AND NOT EXISTS (SELECT 1 FROM contact_log k"
        f" WHERE k.customer_id = l.customer_id AND k.date > l.date AND {_by_person('k')})",
        (as_of.isoformat(), as_of.isoformat()),
    ):
        entry = BY_CODE[excuse].text(lang_of.get(code, "zh")) if excuse in BY_CODE else None
        points = f"{entry['response']} Verify: {entry['verify']}" if entry else "Follow up."
        out.append(
            {
                "kind": "follow-up",
                "customer": code,
                "name": None,
                "invoices": [],
                "amount": None,
                "since": follow,
                "points": f"Excuse {excuse!r} on {day}. {points}",
            }
        )
    return out
