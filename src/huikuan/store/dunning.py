"""Dunning runs in the ledger: the facts for level selection, recording each action once.

The facts per open invoice: the levels it had (done or skipped), the highest one done and
the day of that run (step escalation waits ``min_interval_days`` from it), promise pauses;
per customer, the day of its last round. Limitation tasks (levels 1060/1180) are kept in the
same record but are no policy level.

Exactly once: a run takes the write lock (BEGIN IMMEDIATE) before it reads what was done,
then records each invoice's level under a UNIQUE (invoice, level) key and each message to
send. Delivery happens after the commit; a message is claimed (pending/failed -> sending)
in its own short transaction, so two overlapping runs never deliver the same message twice,
and a failed one is retried by the next run (claims: :mod:`huikuan.store.delivery`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlmodel import SQLModel

from huikuan.core.dunning import (
    TASKS,
    Debtor,
    DunningConfig,
    OpenInvoice,
    Plan,
    limitation_task,
)
from huikuan.db.models import Customer, DunningAction, DunningMessage, Invoice
from huikuan.store.db import sa_of

Row = dict[str, Any]
Columns = ReadOnlyColumnCollection[str, sa.Column[Any]]


def columns(model: type[SQLModel]) -> Columns:
    """The columns of ``model``'s table, typed as SQL expressions (for statements)."""
    return table(model).c


def table(model: type[SQLModel]) -> sa.Table:
    """``model``'s table."""
    return cast(sa.Table, sa.inspect(model).local_table)


inv, cust, msg, act = (
    columns(Invoice),
    columns(Customer),
    columns(DunningMessage),
    columns(DunningAction),
)
POLICY_LEVELS = 1000  # level numbers from here on are limitation tasks, not policy levels
PAST = ("failed", "dropped")  # messages that did not go out: not a customer's last round

_OPEN = (
    sa.select(
        inv.id,
        inv.number,
        inv.due_date,
        inv.open_amount,
        inv.disputed,
        cust.id,
        cust.code,
        cust.segment,
        cust.dunning_policy,
        cust.blocked,
        cust.legal,
    )
    .join(Customer, cust.id == inv.customer_id)
    .where(inv.open_amount > 0, inv.issue_date <= sa.bindparam("as_of"))
    .order_by(cust.code, inv.due_date, inv.number)
)
_LAST_ROUND = (
    sa.select(msg.customer_id, sa.func.max(msg.run_date))
    .where(msg.level < POLICY_LEVELS, msg.status.not_in(PAST))
    .group_by(msg.customer_id)
)
_DONE = (
    sa.select(act.invoice_id, act.level)
    .join(Invoice, inv.id == act.invoice_id)
    .where(inv.open_amount > 0)
)
_REACHED = (
    sa.select(act.invoice_id, act.level, act.run_date)
    .join(Invoice, inv.id == act.invoice_id)
    .where(
        inv.open_amount > 0,
        act.status == "done",
        act.level < POLICY_LEVELS,
    )
    .order_by(act.invoice_id, act.level)
)
_CUSTOMER_IDS = sa.select(cust.code, cust.id)
_CUSTOMER_ID = sa.select(cust.id).where(cust.code == sa.bindparam("code"))
_INVOICE_ID = sa.select(inv.id).where(inv.number == sa.bindparam("number"))
_LIMITATION_DONE = sa.select(act.level).where(
    act.invoice_id == sa.bindparam("invoice"), act.level >= POLICY_LEVELS
)


def debtors(conn: sqlite3.Connection, cfg: DunningConfig, as_of: date) -> list[Debtor]:
    """Customers with open invoices, with what was done and what pauses dunning."""
    db = sa_of(conn)
    done, reached = _done_levels(conn), _reached(conn)
    pauses = _promise_pauses(conn, cfg, as_of)
    last: dict[int, date] = {cid: day for cid, day in db.execute(_LAST_ROUND)}
    groups: dict[str, list[Any]] = {}
    for iid, number, due, open_, disputed, cid, code, segment, policy, blocked, legal in db.execute(
        _OPEN, {"as_of": as_of}
    ):
        head = groups.setdefault(code, [cid, cfg.policy_for(policy, segment), blocked, legal, []])
        paused = max((p for k, p in pauses.items() if k in ((cid, None), (cid, iid))), default=None)
        highest, since = reached.get(iid, (None, None))
        head[4].append(
            OpenInvoice(
                number,
                due,
                open_,
                bool(disputed),
                frozenset(done.get(iid, ())),
                paused,
                highest,
                since,
            )
        )
    return [
        Debtor(code, policy, tuple(invs), bool(blocked), bool(legal), last.get(cid))
        for code, (cid, policy, blocked, legal, invs) in groups.items()
    ]


def _done_levels(conn: sqlite3.Connection) -> dict[int, set[int]]:
    done: dict[int, set[int]] = defaultdict(set)
    for iid, level in sa_of(conn).execute(_DONE):
        done[iid].add(level)
    return done


def _reached(conn: sqlite3.Connection) -> dict[int, tuple[int, date]]:
    """Open invoice -> the highest policy level it has had (done) and the day of that run."""
    return {iid: (level, day) for iid, level, day in sa_of(conn).execute(_REACHED)}


def _promise_pauses(
    conn: sqlite3.Connection, cfg: DunningConfig, as_of: date
) -> dict[tuple[int, int | None], date]:
    """(customer, invoice or None) -> promise date + grace, for promises not broken or kept."""
    from huikuan.store.collections import promises

    out: dict[tuple[int, int | None], date] = {}
    grace = timedelta(days=cfg.promise_grace_days)
    ids: dict[str, int] = {code: cid for code, cid in sa_of(conn).execute(_CUSTOMER_IDS)}
    for p in promises(conn, as_of):
        if p["status"] == "kept":
            continue
        until = as_day(p["promised_date"]) + grace
        inv = _invoice_id(conn, p["invoice"]) if p["invoice"] else None
        key = (ids[p["customer"]], inv)
        out[key] = max(out.get(key, until), until)
    return out


def as_day(value: date | str) -> date:
    """A date from a ``date`` or its ISO text (rows of modules still on raw SQL)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def record(
    conn: sqlite3.Connection, plans: list[Plan], cfg: DunningConfig, as_of: date, now: str
) -> list[int]:
    """Record the plans' actions and messages (inside the caller's write transaction)."""
    ids: list[int] = []
    for plan in plans:
        cid, level = _customer_id(conn, plan.customer), cfg.policies[plan.policy][plan.level]
        numbers = [s.invoice for s in plan.steps]
        for channel in level.channels:
            status = "open" if channel in TASKS else "pending"
            ids.append(
                _message(
                    conn,
                    cid,
                    as_of,
                    plan.policy,
                    plan.level,
                    level.name,
                    channel,
                    level.letter,
                    numbers,
                    status,
                    now,
                )
            )
        for step in plan.steps:
            iid = _invoice_id(conn, step.invoice)
            names = cfg.policies[plan.policy]
            for n in step.skipped:
                _action(conn, iid, n, names[n].name, "skipped", as_of, None)
            _action(conn, iid, step.level, names[step.level].name, "done", as_of, ids[-1])
    return ids


_INSERT_MESSAGE = sa.insert(DunningMessage).returning(msg.id)


def _message(
    conn: sqlite3.Connection,
    cid: int,
    day: date,
    policy: str,
    level: int,
    name: str,
    channel: str,
    letter: str | None,
    numbers: list[str],
    status: str,
    now: str,
) -> int:
    values = {
        "customer_id": cid,
        "run_date": day,
        "policy": policy,
        "level": level,
        "level_name": name,
        "channel": channel,
        "letter": letter,
        "invoices": json.dumps(numbers),
        "status": status,
        "created_at": now,
        "updated_at": now,
    }
    return int(sa_of(conn).execute(_INSERT_MESSAGE, values).scalar_one())


def _action(
    conn: sqlite3.Connection,
    iid: int,
    level: int,
    name: str,
    status: str,
    day: date,
    message: int | None,
) -> None:
    sa_of(conn).execute(
        sa.insert(DunningAction),
        {
            "invoice_id": iid,
            "level": level,
            "level_name": name,
            "status": status,
            "run_date": day,
            "message_id": message,
        },
    )


def _customer_id(conn: sqlite3.Connection, code: str) -> int:
    return int(sa_of(conn).execute(_CUSTOMER_ID, {"code": code}).scalar_one())


def _invoice_id(conn: sqlite3.Connection, number: str) -> int:
    return int(sa_of(conn).execute(_INVOICE_ID, {"number": number}).scalar_one())


def limitation_due(conn: sqlite3.Connection, rows: list[Row]) -> list[Row]:
    """The limitation tasks to raise now for these :func:`limitation_rows` rows: per invoice,
    the most urgent threshold (180, then 60 days left) not raised yet."""
    db, out = sa_of(conn), []
    for row in rows:
        iid = _invoice_id(conn, row["invoice"])
        done = list(db.execute(_LIMITATION_DONE, {"invoice": iid}).scalars())
        task = limitation_task(row["days_left"], done)
        if task is not None:
            days, level = task
            name = f"limitation-{days}"
            out.append(
                {
                    "customer": row["customer"],
                    "invoice": row["invoice"],
                    "level": level,
                    "level_name": name,
                    "channel": "legal",
                    "invoice_id": iid,
                }
            )
    return out


def limitation_tasks(conn: sqlite3.Connection, due: list[Row], as_of: date, now: str) -> list[int]:
    """Record the tasks :func:`limitation_due` found: a ``legal`` message and its action."""
    ids = []
    for task in due:
        cid = _customer_id(conn, task["customer"])
        mid = _message(
            conn,
            cid,
            as_of,
            "limitation",
            task["level"],
            task["level_name"],
            "legal",
            None,
            [task["invoice"]],
            "open",
            now,
        )
        _action(conn, task["invoice_id"], task["level"], task["level_name"], "done", as_of, mid)
        ids.append(mid)
    return ids


# --- delivery bookkeeping -----------------------------------------------------------------

_M = table(DunningMessage).alias("m")  # names raw-SQL criteria use
_C = table(Customer).alias("c")
M, C = _M.c, _C.c
_MESSAGE = (
    sa.select(
        M.id,
        C.code.label("customer"),
        C.name,
        C.email,
        C.language,
        M.run_date,
        M.policy,
        M.level,
        M.level_name,
        M.channel,
        M.letter,
        M.invoices,
        M.status,
        M.attempts,
        M.error,
        M.evidence,
        M.reference,
        M.updated_at,
        M.claimed_pid,
        M.claimed_host,
        M.claimed_at,
    )
    .select_from(_M.join(_C, C.id == M.customer_id))
    .order_by(M.id)
)
_STAMPS = ("updated_at", "claimed_at")


def messages(
    conn: sqlite3.Connection,
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


def people(conn: sqlite3.Connection) -> dict[str, tuple[str | None, str, str]]:
    """Customer code -> (salesperson, name, language), for the day's to-do list."""
    return {c: (s, n, lang) for c, s, n, lang in sa_of(conn).execute(_PEOPLE)}


def set_reference(conn: sqlite3.Connection, mid: int, reference: str) -> None:
    """Tie a message to its letter's reference (a retry re-sends the same letter)."""
    sa_of(conn).execute(sa.update(DunningMessage).where(msg.id == mid).values(reference=reference))


def retries(conn: sqlite3.Connection) -> list[Row]:
    """Messages that failed and wait for the next run."""
    return messages(conn, M.status == "failed")


def finish(conn: sqlite3.Connection, mid: int, ok: bool, detail: str, now: str) -> None:
    """Record a delivery's outcome: evidence when sent, the reason when failed (one UPDATE,
    committed on its own)."""
    _update_now(
        conn,
        mid,
        status="sent" if ok else "failed",
        evidence=detail if ok else None,
        error=None if ok else detail,
        updated_at=now,
    )


def drop(conn: sqlite3.Connection, mid: int, why: str, now: str) -> None:
    """Give up a message for good: what it asked for was settled or disputed since."""
    _update_now(conn, mid, status="dropped", error=why, updated_at=now)


def _update_now(conn: sqlite3.Connection, mid: int, **values: Any) -> None:
    """One UPDATE of message ``mid``; outside a transaction it commits on its own."""
    sa_of(conn).execute(sa.update(DunningMessage).where(msg.id == mid).values(**values))


def still_owed(
    conn: sqlite3.Connection, numbers: list[str], as_of: date, *, overdue: bool
) -> list[str]:
    """Which of ``numbers`` are still open and undisputed (and past due, with ``overdue``)."""
    stmt = (
        sa.select(inv.number)
        .where(
            inv.number.in_(numbers),
            inv.open_amount > 0,
            inv.disputed.is_(False),
        )
        .order_by(inv.number)
    )
    if overdue:
        stmt = stmt.where(inv.due_date < as_of)
    return list(sa_of(conn).execute(stmt).scalars())


_INVOICE_FACTS = sa.select(
    inv.number,
    inv.issue_date,
    inv.due_date,
    inv.amount,
    inv.open_amount,
    inv.currency,
).where(inv.number == sa.bindparam("number"))


def open_invoices_of(conn: sqlite3.Connection, numbers: list[str], as_of: date) -> list[Row]:
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
