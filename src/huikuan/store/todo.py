"""The salesperson's list for the day: open dunning tasks, broken promises, follow-ups.

Only contacts a person logged count, and only those dated on or before the day the list is
for (``as_of``): the letters and emails a dunning run delivered are logged as contacts too,
but they are not anyone's follow-up. A dunning task is closed by such a contact on or after
the day it was raised (the call was made, the visit happened); a broken promise by one after
the promised date, for the customer in general or for the promise's invoice; an excuse's
follow-up by any later one.
"""

from __future__ import annotations

import datetime as dt
import json
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa

from huikuan.core.money import format_fen
from huikuan.core.playbook import BY_CODE
from huikuan.core.rows import plain
from huikuan.db.tables import contact, contact_log, customer, dunning_message, invoice
from huikuan.store.collections import fen_sum, promises
from huikuan.store.db import Connection, sa_of

Row = dict[str, Any]
ROLE_ORDER = {"finance": 0, "decision_maker": 1, "legal_rep": 2, "purchasing": 3, "other": 4}


class Person(NamedTuple):
    """A contact at a customer (not removed)."""

    name: str
    role: str
    title: str | None
    phone: str | None
    email: str | None
    wechat: str | None


class Task(NamedTuple):
    """An open item of the day's list: a dunning task (call, visit, …), a broken promise or
    an excuse to follow up; ``amount`` says what is open per currency, as text."""

    kind: str
    customer: str
    name: str | None
    invoices: list[str]
    amount: str | None
    since: dt.date
    points: str


def by_person(log: sa.FromClause, as_of: date) -> sa.ColumnElement[bool]:
    """Contact log entry ``log`` was logged by a person (it is not the delivery of a dunning
    run) and is dated on or before ``as_of``."""
    delivered = sa.select(dunning_message.c.reference).where(
        dunning_message.c.reference.is_not(None)
    )
    return sa.and_(
        log.c.date <= as_of,
        sa.or_(log.c.reference.is_(None), log.c.reference.not_in(delivered)),
    )


def people_of(conn: Connection, code: str) -> list[Person]:
    """The customer's contacts, finance contact and decision maker first."""
    k = contact.c
    stmt = (
        sa.select(k.name, k.role, k.title, k.phone, k.email, k.wechat)
        .join(customer, customer.c.id == k.customer_id)
        .where(customer.c.code == code, k.removed_on.is_(None))
        .order_by(k.id)
    )
    rows = [Person._make(r) for r in sa_of(conn).execute(stmt)]
    return sorted(rows, key=lambda r: ROLE_ORDER.get(r.role, 9))


def contacts(conn: Connection, code: str) -> list[Row]:
    """:func:`people_of` in its output form (for the to-do list, which nests them)."""
    return [p._asdict() for p in people_of(conn, code)]


def open_tasks(conn: Connection, as_of: date, lang_of: dict[str, str]) -> list[Task]:
    """Every open item as of ``as_of``: kind, customer, invoices, amount, since, talking points."""
    out = _dunning_tasks(conn, as_of) + _broken(conn, as_of) + _follow_ups(conn, as_of, lang_of)
    return sorted(out, key=lambda r: (r.since, r.customer, r.kind))


def tasks(conn: Connection, as_of: date, lang_of: dict[str, str]) -> list[Row]:
    """:func:`open_tasks` in their output form (``since`` as ISO text), for the to-do list,
    which adds the customer's name, salesperson and contacts to each."""
    return [plain(t) for t in open_tasks(conn, as_of, lang_of)]


def open_messages(as_of: date) -> sa.Select[Any]:
    """Open dunning messages raised by ``as_of`` that no contact by a person closed since."""
    m, lg = dunning_message.c, contact_log.alias("l")
    closed = sa.exists().where(
        lg.c.customer_id == m.customer_id, lg.c.date >= m.run_date, by_person(lg, as_of)
    )
    return (
        sa.select(m.channel, customer.c.code, customer.c.name, m.invoices, m.run_date, m.level_name)
        .join(customer, customer.c.id == m.customer_id)
        .where(m.status == "open", m.run_date <= as_of, sa.not_(closed))
        .order_by(m.id)
    )


def _dunning_tasks(conn: Connection, as_of: date) -> list[Task]:
    out = []
    for channel, code, name, invoices, run_date, level in sa_of(conn).execute(open_messages(as_of)):
        numbers = json.loads(invoices)
        total = _open_total(conn, numbers)
        out.append(
            Task(
                channel,
                code,
                name,
                numbers,
                total,
                run_date,
                _points(channel, level, numbers, total),
            )
        )
    return out


def open_total(numbers: list[str]) -> sa.Select[Any]:
    """Open 分 per currency of the invoices ``numbers``."""
    i = invoice.c
    return (
        sa.select(i.currency, fen_sum(i.open_amount))
        .where(i.number.in_(numbers))
        .group_by(i.currency)
        .order_by(i.currency)
    )


def _open_total(conn: Connection, numbers: list[str]) -> str:
    rows = sa_of(conn).execute(open_total(numbers))
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


def _broken(conn: Connection, as_of: date) -> list[Task]:
    out = []
    for p in promises(conn, as_of):
        if p["status"] != "broken":
            continue
        if _followed_up(conn, p, as_of):
            continue
        out.append(
            Task(
                "broken-promise",
                p["customer"],
                None,
                [p["invoice"]] if p["invoice"] else [],
                f"{p['currency']} {p['amount']}",
                date.fromisoformat(p["promised_date"]),
                f"Promised {p['currency']} {p['amount']} by {p['promised_date']}, paid "
                f"{p['paid']}: call today and get a new date in writing.",
            )
        )
    return out


def followed_up(code: str, invoice_number: str | None, after: date, as_of: date) -> sa.Select[Any]:
    """A contact by a person with customer ``code`` after ``after`` (about the invoice, if any)."""
    lg = contact_log.alias("l")
    stmt: sa.Select[Any] = (
        sa.select(sa.literal_column("1"))
        .select_from(lg)
        .join(customer, customer.c.id == lg.c.customer_id)
        .outerjoin(invoice, invoice.c.id == lg.c.invoice_id)
        .where(customer.c.code == code, lg.c.date > after, by_person(lg, as_of))
    )
    if invoice_number is not None:
        number = invoice.c.number
        stmt = stmt.where(sa.or_(number.is_(None), number == invoice_number))
    return stmt.limit(1)


def _followed_up(conn: Connection, p: Row, as_of: date) -> bool:
    """Did a person log a contact about a broken promise after its date (and by ``as_of``)?"""
    after = date.fromisoformat(p["promised_date"])
    stmt = followed_up(p["customer"], p["invoice"], after, as_of)
    return sa_of(conn).execute(stmt).first() is not None


def due_follow_ups(as_of: date) -> sa.Select[Any]:
    """Excuses whose follow-up day has come with no contact by a person since."""
    lg, k = contact_log.c, contact_log.alias("k")
    later = sa.exists().where(
        k.c.customer_id == lg.customer_id, k.c.date > lg.date, by_person(k, as_of)
    )
    return (
        sa.select(customer.c.code, lg.date, lg.excuse, lg.follow_up)
        .join(customer, customer.c.id == lg.customer_id)
        .where(lg.follow_up.is_not(None), lg.follow_up <= as_of, sa.not_(later))
    )


def _follow_ups(conn: Connection, as_of: date, lang_of: dict[str, str]) -> list[Task]:
    out = []
    for code, day, excuse, follow in sa_of(conn).execute(due_follow_ups(as_of)):
        entry = BY_CODE[excuse].text(lang_of.get(code, "zh")) if excuse in BY_CODE else None
        points = f"{entry['response']} Verify: {entry['verify']}" if entry else "Follow up."
        why = f"Excuse {excuse!r} on {day.isoformat()}. {points}"
        out.append(Task("follow-up", code, None, [], None, follow, why))
    return out
