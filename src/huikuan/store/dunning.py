"""Dunning runs in the ledger: the facts for level selection, recording each action once.

The facts per open invoice: the levels it had (done or skipped), the highest one done and
the day of that run (step escalation waits ``min_interval_days`` from it), promise pauses;
per customer, the day of its last round. Limitation tasks (levels 1060/1180) are kept in the
same record but are no policy level.

Exactly once: a run takes the write lock (``Ledger.transaction``) before it reads what was
done, then records each invoice's level under a UNIQUE (invoice, level) key and each message
to send. Delivery happens after the commit; a message is claimed (pending/failed -> sending)
by one conditional UPDATE committed on its own, whose row count says which run won, so two
overlapping runs never deliver the same message twice, and a failed one is retried by the
next run (claims: :mod:`huikuan.store.delivery`; reading messages and recording their outcome:
:mod:`huikuan.store.dunning_messages`, whose functions this module re-exports).

Statements are SQLAlchemy Core over the models' tables, built once at import (the same for
SQLite and PostgreSQL); dict rows keep the ISO text for dates and timestamps callers read.
"""

from __future__ import annotations

import json
import os
import socket
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import groupby
from operator import attrgetter, itemgetter
from typing import Any

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
from huikuan.db.dialect import unindexed
from huikuan.db.models import Customer, DunningAction, DunningMessage, Invoice
from huikuan.db.tables import table_of
from huikuan.store import dunning_messages as _messages
from huikuan.store.db import Connection, sa_of

Row = dict[str, Any]
Columns = ReadOnlyColumnCollection[str, sa.Column[Any]]


def columns(model: type[SQLModel]) -> Columns:
    """The columns of ``model``'s table, typed as SQL expressions (for statements)."""
    return table(model).c


table = table_of  # ``model``'s table (huikuan.db.tables)


inv, cust, msg, act = (
    columns(Invoice),
    columns(Customer),
    columns(DunningMessage),
    columns(DunningAction),
)
BATCH = 5000  # rows fetched at a time from whole-ledger reads
POLICY_LEVELS = 1000  # level numbers from here on are limitation tasks, not policy levels
PAST = ("failed", "dropped")  # messages that did not go out: not a customer's last round

ZERO = sa.literal_column("0", sa.Integer())  # a literal: SQLite then uses the partial index
_OPEN = (  # the partial index of open invoices alone, in its order (by customer)
    sa.select(inv.customer_id, inv.id, inv.number, inv.due_date, inv.open_amount)
    .where(
        inv.open_amount > ZERO, unindexed(inv.issue_date) <= sa.bindparam("as_of", type_=sa.Date())
    )
    .order_by(inv.customer_id)
    .execution_options(yield_per=BATCH)
)
_NTH_CUSTOMER = sa.select(cust.id).order_by(cust.id).offset(sa.bindparam("n")).limit(1)
_CUSTOMERS = sa.select(sa.func.count()).select_from(table(Customer))
_DISPUTED = sa.select(inv.id).where(inv.disputed.is_(True), unindexed(inv.open_amount) > ZERO)
_DEBTORS = sa.select(
    *(cust[name] for name in ("id", "code", "segment", "dunning_policy", "blocked", "legal"))
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
    .execution_options(yield_per=BATCH)
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
    .execution_options(yield_per=BATCH)
)
_CUSTOMER_IDS = sa.select(cust.code, cust.id)
_CUSTOMER_ID = sa.select(cust.id).where(cust.code == sa.bindparam("code"))
_INVOICE_ID = sa.select(inv.id).where(inv.number == sa.bindparam("number"))
_KEYS: sa.BindParameter[str] = sa.bindparam("keys", expanding=True)
_CUSTOMER_IDS_OF = sa.select(cust.code, cust.id).where(cust.code.in_(_KEYS))
_INVOICE_IDS_OF = sa.select(inv.number, inv.id).where(inv.number.in_(_KEYS))
_LIMITATION_DONE = (
    sa.select(inv.number, inv.id, act.level)
    .select_from(table(Invoice))
    .outerjoin(table(DunningAction), sa.and_(act.invoice_id == inv.id, act.level >= POLICY_LEVELS))
    .where(inv.number.in_(_KEYS))
)


def debtors(conn: Connection, cfg: DunningConfig, as_of: date) -> list[Debtor]:
    """Customers with open invoices, with what was done and what pauses dunning, by code."""
    return sorted(each_debtor(conn, cfg, as_of), key=attrgetter("code"))


NOTHING_DONE: frozenset[int] = frozenset()


Part = tuple[int | None, int | None]  # customer ids from the first up to the stop (None: no bound)


def each_debtor(
    conn: Connection, cfg: DunningConfig, as_of: date, part: Part = (None, None)
) -> Iterator[Debtor]:
    """:func:`debtors`, one customer at a time in the order of their ids (the open invoices
    come by customer from the partial index, so no more than one customer's are held);
    with ``part``, only the customers whose ids lie in it."""
    db = sa_of(conn)
    facts = _Facts(conn, cfg, as_of)
    customers = {cid: rest for cid, *rest in db.execute(_DEBTORS)}
    rows = db.execute(_open_part(*part), {"as_of": as_of})
    for cid, group in groupby(rows, key=itemgetter(0)):
        invoices = sorted(group, key=itemgetter(3, 2))  # by due date, then number
        code, segment, policy, blocked, legal = customers[cid]
        yield Debtor(
            code, cfg.policy_for(policy, segment), tuple(map(facts.invoice, invoices)),
            bool(blocked), bool(legal), facts.last.get(cid),
        )  # fmt: skip


def _open_part(first: int | None, stop: int | None) -> sa.Select[Any]:
    """:data:`_OPEN` for the customers with ids from ``first`` up to ``stop`` (None: no bound)."""
    stmt = _OPEN
    if first is not None:
        stmt = stmt.where(inv.customer_id >= first)
    if stop is not None:
        stmt = stmt.where(inv.customer_id < stop)
    return stmt


def customer_split(conn: Connection, share: float) -> int | None:
    """A customer id splitting the customers (by id) into about ``share`` below it and the
    rest from it on (None: all of them below, as for a share of 1)."""
    db = sa_of(conn)
    count = db.execute(_CUSTOMERS).scalar_one()
    found = db.execute(_NTH_CUSTOMER, {"n": int(count * share)}).scalar()
    return None if found is None else int(found)


class _Facts:
    """What was done to the open invoices and what pauses them, read once for the run."""

    def __init__(self, conn: Connection, cfg: DunningConfig, as_of: date) -> None:
        db = sa_of(conn)
        self.done, self.reached = _done_levels(conn), _reached(conn)
        self.pauses = _promise_pauses(conn, cfg, as_of)
        self.disputed = {iid for (iid,) in db.execute(_DISPUTED)}
        self.last: dict[int, date] = {cid: day for cid, day in db.execute(_LAST_ROUND)}

    def invoice(self, row: Any) -> OpenInvoice:
        """An open invoice row (customer id, id, number, due date, open 分) as the run sees it."""
        cid, iid, number, due, open_ = row
        paused = _paused(self.pauses, cid, iid) if self.pauses else None
        highest, since = self.reached.get(iid, (None, None))
        had = frozenset(self.done[iid]) if iid in self.done else NOTHING_DONE
        return OpenInvoice(number, due, open_, iid in self.disputed, had, paused, highest, since)


def _paused(pauses: dict[tuple[int, int | None], date], cid: int, iid: int) -> date | None:
    """The later of the customer's and the invoice's promise pauses, if any."""
    found = [p for p in (pauses.get((cid, None)), pauses.get((cid, iid))) if p is not None]
    return max(found, default=None)


def _done_levels(conn: Connection) -> dict[int, set[int]]:
    done: dict[int, set[int]] = defaultdict(set)
    for iid, level in sa_of(conn).execute(_DONE):
        done[iid].add(level)
    return done


def _reached(conn: Connection) -> dict[int, tuple[int, date]]:
    """Open invoice -> the highest policy level it has had (done) and the day of that run."""
    return {iid: (level, day) for iid, level, day in sa_of(conn).execute(_REACHED)}


def _promise_pauses(
    conn: Connection, cfg: DunningConfig, as_of: date
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
    conn: Connection, plans: list[Plan], cfg: DunningConfig, as_of: date, now: str
) -> list[int]:
    """Record the plans' actions and messages (inside the caller's write transaction)."""
    cids = _ids(conn, _CUSTOMER_IDS_OF, [p.customer for p in plans])
    iids = _ids(conn, _INVOICE_IDS_OF, [s.invoice for p in plans for s in p.steps])
    rows, owner = [], []
    for n, plan in enumerate(plans):
        level = cfg.policies[plan.policy][plan.level]
        numbers = [s.invoice for s in plan.steps]
        for channel in level.channels:
            status = "open" if channel in TASKS else "pending"
            rows.append(_message_values(cids[plan.customer], as_of, plan.policy, plan.level,
                        level.name, channel, level.letter, numbers, status, now))  # fmt: skip
            owner.append(n)
    ids = _insert_messages(conn, rows)
    last = {n: mid for n, mid in zip(owner, ids, strict=True)}  # a plan's last message
    actions = []
    for n, plan in enumerate(plans):
        names = cfg.policies[plan.policy]
        for step in plan.steps:
            iid = iids[step.invoice]
            actions += [
                _action(iid, k, names[k].name, "skipped", as_of, None) for k in step.skipped
            ]
            actions.append(
                _action(iid, step.level, names[step.level].name, "done", as_of, last.get(n))
            )
    _insert_actions(conn, actions)
    return ids


_INSERT_MESSAGES = sa.insert(DunningMessage).returning(msg.id, sort_by_parameter_order=True)


def _message_values(
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
) -> Row:
    return {"customer_id": cid, "run_date": day, "policy": policy, "level": level,
            "level_name": name, "channel": channel, "letter": letter,
            "invoices": json.dumps(numbers), "status": status, "created_at": now,
            "updated_at": now, **recorder(now)}  # fmt: skip


def recorder(now: str) -> Row:
    """Who recorded a message (this process, host, when): the run that delivers it, unless
    that process is gone (see ``store.delivery.to_deliver``)."""
    return {"claimed_pid": os.getpid(), "claimed_host": socket.gethostname(), "claimed_at": now}


def _insert_messages(conn: Connection, rows: list[Row]) -> list[int]:
    """Insert messages (a few statements of many rows): their ids, in the order given."""
    db, ids = sa_of(conn), list[int]()
    for start in range(0, len(rows), ROWS):
        ids += db.execute(_INSERT_MESSAGES, rows[start : start + ROWS]).scalars()
    return [int(i) for i in ids]


def _message(conn: Connection, cid: int, day: date, *args: Any) -> int:
    """Insert one message (see :func:`_message_values` for the arguments): its id."""
    return _insert_messages(conn, [_message_values(cid, day, *args)])[0]


def _action(iid: int, level: int, name: str, status: str, day: date, message: int | None) -> Row:
    return {"invoice_id": iid, "level": level, "level_name": name, "status": status,
            "run_date": day, "message_id": message}  # fmt: skip


def _insert_actions(conn: Connection, rows: list[Row]) -> None:
    db = sa_of(conn)
    for start in range(0, len(rows), ROWS):
        db.execute(_INSERT_ACTIONS, rows[start : start + ROWS])


_INSERT_ACTIONS = sa.insert(DunningAction)
CHUNK = 500  # keys looked up per statement
ROWS = 2000  # rows inserted per statement (memory stays flat on a first run at scale)


def _ids(conn: Connection, stmt: sa.Select[Any], keys: list[str]) -> dict[str, int]:
    """Key -> id for ``keys`` (customer codes or invoice numbers), read in chunks."""
    db, keys, out = sa_of(conn), sorted(set(keys)), dict[str, int]()
    for start in range(0, len(keys), CHUNK):
        out |= {k: i for k, i in db.execute(stmt, {"keys": keys[start : start + CHUNK]})}
    return out


def _customer_id(conn: Connection, code: str) -> int:
    return int(sa_of(conn).execute(_CUSTOMER_ID, {"code": code}).scalar_one())


def _invoice_id(conn: Connection, number: str) -> int:
    return int(sa_of(conn).execute(_INVOICE_ID, {"number": number}).scalar_one())


def limitation_due(conn: Connection, rows: list[Row]) -> list[Row]:
    """The limitation tasks to raise now for these :func:`limitation_rows` rows: per invoice,
    the most urgent threshold (180, then 60 days left) not raised yet."""
    raised = _limitation_levels(conn, [row["invoice"] for row in rows])
    out = []
    for row in rows:
        iid, done = raised[row["invoice"]]
        task = limitation_task(row["days_left"], done)
        if task is not None:
            days, level = task
            name = f"limitation-{days}"
            out.append({"customer": row["customer"], "invoice": row["invoice"], "level": level,
                        "level_name": name, "channel": "legal", "invoice_id": iid})  # fmt: skip
    return out


def _limitation_levels(conn: Connection, numbers: list[str]) -> dict[str, tuple[int, list[int]]]:
    """Invoice number -> (id, the limitation levels it has had), read in chunks."""
    db, keys = sa_of(conn), sorted(set(numbers))
    out: dict[str, tuple[int, list[int]]] = {}
    for start in range(0, len(keys), CHUNK):
        for number, iid, level in db.execute(
            _LIMITATION_DONE, {"keys": keys[start : start + CHUNK]}
        ):
            entry = out.setdefault(number, (iid, []))
            if level is not None:
                entry[1].append(level)
    return out


def limitation_tasks(conn: Connection, due: list[Row], as_of: date, now: str) -> list[int]:
    """Record the tasks :func:`limitation_due` found: a ``legal`` message and its action."""
    cids = _ids(conn, _CUSTOMER_IDS_OF, [task["customer"] for task in due])
    ids = _insert_messages(conn, [
        _message_values(cids[task["customer"]], as_of, "limitation", task["level"],
                        task["level_name"], "legal", None, [task["invoice"]], "open", now)
        for task in due
    ])  # fmt: skip
    _insert_actions(conn, [
        _action(task["invoice_id"], task["level"], task["level_name"], "done", as_of, mid)
        for task, mid in zip(due, ids, strict=True)
    ])  # fmt: skip
    return ids


# Reading messages and recording their outcome: store.dunning_messages (kept here too, callers
# and tests use these names through this module).
M, C, by_id, messages, people = (
    _messages.M,
    _messages.C,
    _messages.by_id,
    _messages.messages,
    _messages.people,
)
set_reference, retries, finish, drop = (
    _messages.set_reference,
    _messages.retries,
    _messages.finish,
    _messages.drop,
)
still_owed, open_invoices_of = _messages.still_owed, _messages.open_invoices_of
