"""Dunning messages once recorded: reading them, their delivery outcome, what they ask for.

A run records messages (:mod:`huikuan.store.dunning`); delivery claims them
(:mod:`huikuan.store.delivery`) and then comes here to read them, tie a letter's reference to
its message, record the outcome (sent, failed: retried next run, dropped), and check that
what a retry asks for is still owed. Statements are built once at import, the same for
SQLite and PostgreSQL; rows keep ISO text for the dates and timestamps callers read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from huikuan.db.models import Customer, DunningMessage, Invoice
from huikuan.db.tables import table_of
from huikuan.db.types import Timestamp
from huikuan.store.db import Connection, sa_of

Row = dict[str, Any]
inv, cust, msg = (table_of(m).c for m in (Invoice, Customer, DunningMessage))
_KEYS: sa.BindParameter[str] = sa.bindparam("keys", expanding=True)

_M = table_of(DunningMessage).alias("m")  # names raw-SQL criteria use
_C = table_of(Customer).alias("c")
M, C = _M.c, _C.c
_MESSAGE_FIELDS = (
    "run_date", "policy", "level", "level_name", "channel", "letter", "invoices", "status",
    "attempts", "error", "evidence", "reference", "updated_at", "claimed_pid", "claimed_host",
    "claimed_at",
)  # fmt: skip
_MESSAGE = (
    sa.select(
        M.id,
        C.code.label("customer"),
        *(C[name] for name in ("name", "email", "language")),
        *(M[name] for name in _MESSAGE_FIELDS),
    )
    .select_from(_M.join(_C, C.id == M.customer_id))
    .order_by(M.id)
)
_STAMPS = ("updated_at", "claimed_at")


def messages(
    conn: Connection,
    where: sa.ColumnElement[bool] | str,
    params: tuple[Any, ...] = (),
) -> list[Row]:
    """Dunning messages (``m``) with their customer (``c``) matching ``where``, by id.

    ``where`` is a criterion over :data:`M` and :data:`C`; text with ``?`` placeholders for
    ``params`` is still taken from callers on raw SQL (it names the tables ``m`` and ``c``).
    Dates and timestamps come back as ISO text, ``invoices`` as a list of numbers.
    """
    return [_message_row(r) for r in sa_of(conn).execute(_MESSAGE.where(_criterion(where, params)))]


def _criterion(where: sa.ColumnElement[bool] | str, params: tuple[Any, ...]) -> Any:
    if not isinstance(where, str):
        return where
    names = iter(range(len(params)))
    text = re.sub(r"\?", lambda _: f":p{next(names)}", where)
    return sa.text(text).bindparams(**{f"p{i}": v for i, v in enumerate(params)})


def _message_row(values: Any) -> Row:
    row = dict(values._mapping)
    row["invoices"] = json.loads(row["invoices"])
    row["run_date"] = row["run_date"].isoformat()
    for key in _STAMPS:
        row[key] = _iso(row[key])
    return row


def _iso(stamp: datetime | None) -> str | None:
    return None if stamp is None else stamp.isoformat()


def by_id(ids: Iterable[int]) -> sa.ColumnElement[bool]:
    """:func:`messages` criterion: these messages."""
    return M.id.in_(list(ids))


_PEOPLE = sa.select(cust.code, cust.salesperson, cust.name, cust.language)


def people(conn: Connection) -> dict[str, tuple[str | None, str, str]]:
    """Customer code -> (salesperson, name, language), for the day's to-do list."""
    return {c: (s, n, lang) for c, s, n, lang in sa_of(conn).execute(_PEOPLE)}


def set_reference(conn: Connection, mid: int, reference: str) -> None:
    """Tie a message to its letter's reference (a retry re-sends the same letter)."""
    sa_of(conn).execute(_SET_REFERENCE, {"mid": mid, "reference": reference})


_UPDATE = sa.update(DunningMessage).where(msg.id == sa.bindparam("mid"))
_SET_REFERENCE = _UPDATE.values(reference=sa.bindparam("reference"))


def retries(conn: Connection) -> list[Row]:
    """Messages that failed and wait for the next run."""
    return messages(conn, M.status == "failed")


def finish(conn: Connection, mid: int, ok: bool, detail: str, now: str) -> None:
    """Record a delivery's outcome: evidence when sent, the reason when failed (one UPDATE,
    committed on its own)."""
    values = {"status": "sent" if ok else "failed", "evidence": detail if ok else None,
              "error": None if ok else detail}  # fmt: skip
    sa_of(conn).execute(_FINISH, {"mid": mid, "now": now, **values})


def drop(conn: Connection, mid: int, why: str, now: str) -> None:
    """Give up a message for good: what it asked for was settled or disputed since."""
    sa_of(conn).execute(_DROP, {"mid": mid, "error": why, "now": now})


_NOW: sa.BindParameter[Any] = sa.bindparam("now", type_=Timestamp)
_FINISH = _UPDATE.values(
    status=sa.bindparam("status"),
    evidence=sa.bindparam("evidence"),
    error=sa.bindparam("error"),
    updated_at=_NOW,
)
_DROP = _UPDATE.values(status="dropped", error=sa.bindparam("error"), updated_at=_NOW)


def still_owed(conn: Connection, numbers: list[str], as_of: date, *, overdue: bool) -> list[str]:
    """Which of ``numbers`` are still open and undisputed (and past due, with ``overdue``)."""
    stmt = _OVERDUE if overdue else _OWED
    return list(sa_of(conn).execute(stmt, {"keys": numbers, "as_of": as_of}).scalars())


_OWED = (
    sa.select(inv.number)
    .where(inv.number.in_(_KEYS), inv.open_amount > 0, inv.disputed.is_(False))
    .order_by(inv.number)
)
_OVERDUE = _OWED.where(inv.due_date < sa.bindparam("as_of", type_=sa.Date))


_INVOICE_FACTS = sa.select(
    inv.number,
    inv.issue_date,
    inv.due_date,
    inv.amount,
    inv.open_amount,
    inv.currency,
).where(inv.number == sa.bindparam("number"))


def open_invoices_of(conn: Connection, numbers: list[str], as_of: date) -> list[Row]:
    """Invoice facts for a message: number, dates (ISO), amounts, days overdue."""
    db, out = sa_of(conn), []
    for number in numbers:
        n, issue, due, amount, open_, cur = db.execute(_INVOICE_FACTS, {"number": number}).one()
        out.append(
            {
                "number": n,
                "issue_date": issue.isoformat(),
                "due_date": due.isoformat(),
                "amount": amount,
                "open": open_,
                "currency": cur,
                "days_overdue": max((as_of - due).days, 0),
            }
        )
    return out
