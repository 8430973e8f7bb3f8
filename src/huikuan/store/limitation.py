"""诉讼时效 records of the open invoices: compact tuples, streamed soonest end first.

One query gives every invoice open on the day by due date; the customers, the start of
each instalment invoice's period (its contract's last instalment) and the events that may
restart a period (payments, promises, proven contacts) are read once for the ledger. When no
allocation is dated after the day (a report as of today), the stored open amounts are the
amounts open then, and the query reads only the partial index of open invoices instead of
summing each invoice's allocations.

The order without holding every record: a period ends no earlier than its due date's plain
end (a later start or a restart only moves the end later) and the rows come by due date, so
the records not moved come in order of their end already; they go out a group of equal ends
at a time (sorted by number), with the moved ones, held in a heap, whose end has come.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from huikuan.core.calendar import WorkCalendar
from huikuan.core.limitation import Restart, expiry, period_end
from huikuan.core.money import format_fen
from huikuan.db.dialect import as_date, unindexed
from huikuan.db.tables import allocation, contact_log, customer, invoice, payment, promise
from huikuan.store.aside import in_thread, streamed
from huikuan.store.db import Connection, sa_of

Row = dict[str, Any]
# (expires, invoice number, customer code, name, due date, open 分, currency, restarted by)
Limitation = tuple[date, str, str, str, date, int, str, Restart | None]
FIRST_END = 3 * 365  # a period ends at least this many days after it starts
ZERO = sa.literal_column("0", sa.Integer())  # a literal: SQLite then uses the partial index
STREAM = {"yield_per": 2000}
_CUSTOMERS = sa.select(customer.c.id, customer.c.code, customer.c.name)


def stored_amounts_hold(db: sa.Connection, as_of: date) -> bool:
    """True when no allocation is dated after ``as_of``: the stored open amounts are then
    the amounts open on ``as_of`` (as aging's fast path assumes)."""
    later = sa.select(sa.exists().where(allocation.c.date > as_date(as_of)))
    return not db.execute(later).scalar()


def _maybe_open(as_of: date) -> sa.ColumnElement[bool]:
    """The invoice is open today, or was paid (in part) after ``as_of``."""
    paid_later = sa.select(allocation.c.invoice_id).where(allocation.c.date > as_of)
    return sa.or_(invoice.c.open_amount > 0, invoice.c.id.in_(paid_later))


def _open_on(as_of: date, stored: bool) -> tuple[sa.ColumnElement[bool], ...]:
    """Invoices issued by ``as_of`` that may be open then (``stored``: see
    :func:`stored_amounts_hold`; the issue date then only filters the partial index's rows)."""
    i = invoice.c
    if stored:
        return (i.open_amount > ZERO, unindexed(i.issue_date) <= as_date(as_of))
    return (i.issue_date <= as_of, _maybe_open(as_of))


def _open_amount(as_of: date, stored: bool) -> sa.ColumnElement[int]:
    """What was open on ``as_of``: the stored amount, or the amount less what was applied."""
    i, a = invoice.c, allocation.c
    if stored:
        return i.open_amount
    applied = sa.select(sa.func.coalesce(sa.cast(sa.func.sum(a.amount), sa.BigInteger), 0))
    return i.amount - applied.where(a.invoice_id == i.id, a.date <= as_of).scalar_subquery()


def limitation_query(
    as_of: date, horizon: date | None = None, stored: bool = False
) -> sa.Select[Any]:
    """Invoices open on ``as_of`` (with a ``horizon``, only those due by then) by due date:
    id, number, customer id, due date, open 分, currency. Only the partial index of open
    invoices is read when ``stored`` (customers and instalment starts come separately)."""
    i = invoice.c
    rows = sa.select(
        i.id, i.number, i.customer_id, i.due_date,
        _open_amount(as_of, stored).label("open"), i.currency,
    ).where(*_open_on(as_of, stored))  # fmt: skip
    if horizon is not None:  # the period starts on the due date or later (a last instalment)
        rows = rows.where(i.due_date <= horizon)
    r = rows.subquery("r").c
    return sa.select(*r).where(r.open > 0).order_by(r.due_date, r.number)


def instalment_starts() -> sa.Select[Any]:
    """Each instalment invoice (``milestone`` set) with the day its period starts: the due
    date of its contract's last instalment (Art. 189; None without a contract)."""
    i, j = invoice.c, invoice.alias("j").c
    last = (
        sa.select(sa.func.max(j.due_date))
        .where(j.contract == i.contract, j.customer_id == i.customer_id, j.milestone.is_not(None))
        .scalar_subquery()
    )
    return sa.select(i.id, last).where(i.milestone.is_not(None))


def restart_queries(
    as_of: date, horizon: date | None = None, stored: bool = False
) -> tuple[sa.Select[Any], ...]:
    """Payments (to invoices that may be open on ``as_of``, due by ``horizon`` if given),
    promises and proven contacts: the events that may restart an invoice's limitation
    period, read once for the ledger."""
    a, p, pr, lg, i = allocation.c, payment.c, promise.c, contact_log.c, invoice.c
    candidates = sa.select(i.id).where(*_open_on(as_of, stored))
    if horizon is not None:  # as in :func:`limitation_query`
        candidates = candidates.where(i.due_date <= horizon)
    paid = (
        sa.select(a.invoice_id, a.date, a.amount)
        .join(payment, p.id == a.payment_id)
        .where(p.kind == "payment", a.invoice_id.in_(candidates))
        .order_by(a.invoice_id, a.id)
    )
    promised = sa.select(pr.customer_id, pr.invoice_id, pr.made_on, pr.amount).order_by(pr.id)
    proven = sa.and_(lg.channel.in_(("letter", "email", "legal")), lg.evidence.is_not(None))
    contacted = (
        sa.select(
            lg.customer_id,
            lg.invoice_id,
            lg.date,
            lg.channel,
            lg.acknowledged,
            sa.func.coalesce(lg.reference, lg.evidence),
        )
        .where(sa.or_(lg.acknowledged.is_(True), proven))
        .order_by(lg.id)
    )
    return paid, promised, contacted


class _Restarts:
    """The restart events of every invoice, read in three queries."""

    def __init__(self, db: sa.Connection, as_of: date, horizon: date | None, stored: bool) -> None:
        paid, promised, contacted = restart_queries(as_of, horizon, stored)
        self.paid: dict[int, list[tuple[date, int]]] = {}
        for iid, day, fen in db.execute(paid, execution_options=STREAM):
            self.paid.setdefault(iid, []).append((day, fen))
        self.other: dict[int, list[tuple[int | None, Restart]]] = {}
        for cid, iid, day, fen in db.execute(promised):
            event = Restart("promise", day, f"promise to pay {format_fen(fen)}")
            self.other.setdefault(cid, []).append((iid, event))
        for cid, iid, day, channel, ack, ref in db.execute(contacted):
            kind = "acknowledged" if ack else "demand"
            event = Restart(kind, day, f"{channel} {ref or ''}".strip())
            self.other.setdefault(cid, []).append((iid, event))

    def of(self, invoice_id: int, customer_id: int) -> list[Restart]:
        """Payments to the invoice, then its customer's promises and proven contacts."""
        if invoice_id not in self.paid and customer_id not in self.other:
            return []
        out = [
            Restart("payment", d, f"payment {format_fen(fen)}")
            for d, fen in self.paid.get(invoice_id, ())
        ]
        return out + [
            e for iid, e in self.other.get(customer_id, ()) if iid is None or iid == invoice_id
        ]


class _Side:
    """What the records need besides the open invoices, read beside their query (see
    :mod:`huikuan.store.aside`): the restart events and the instalment invoices' starts."""

    def __init__(self, db: sa.Connection, as_of: date, horizon: date | None, stored: bool) -> None:
        self.restarts = _Restarts(db, as_of, horizon, stored)
        self.starts: dict[int, date | None] = {i: day for i, day in db.execute(instalment_starts())}


Found = tuple[bool, Limitation]  # (moved: the end may lie beyond the due date's plain end, record)


def _found(conn: Connection, as_of: date, cal: WorkCalendar, within: int | None) -> Iterator[Found]:
    """The records of :func:`limitation_records` by due date, each with whether its end
    may lie beyond its due date's plain end (restart events, a later last instalment)."""
    db = sa_of(conn)
    if within is not None and within >= (date.max - as_of).days:
        within = None  # every period ends by then (and the dates below stay in range)
    horizon = None if within is None else as_of + timedelta(days=within - FIRST_END)
    stored = stored_amounts_hold(db, as_of)
    with in_thread(conn, lambda c: _Side(sa_of(c), as_of, horizon, stored)) as side:
        stmt = limitation_query(as_of, horizon, stored)  # SQLite sorts it here, the GIL free
        rows = db.execute(stmt, execution_options=STREAM)
        found = side()
    events, starts = found.restarts, found.starts
    names = {cid: (code, name) for cid, code, name in db.execute(_CUSTOMERS)}
    ends: dict[date, date] = {}  # period end by start day
    texts: dict[str, str] = {}  # one string per currency
    days: dict[date, date] = {}  # one object per due date (held and pickled once)
    last = date.max if within is None else as_of + timedelta(days=within)
    for iid, number, cid, due_, open_, currency in rows:
        due = days.setdefault(due_, due_)
        restarts = events.of(iid, cid)
        moved = bool(restarts) or iid in starts
        if moved:
            end, by = expiry(starts.get(iid) or due, restarts, cal, as_of, ends)
        else:
            end, by = ends.get(due) or period_end(due, cal, ends), None
        if end <= last:
            code, name = names[cid]
            yield (
                moved,
                (end, number, code, name, due, open_, texts.setdefault(currency, currency), by),
            )


def limitation_records(
    conn: Connection, as_of: date, cal: WorkCalendar, within: int | None = None
) -> Iterator[Limitation]:
    """Every open invoice with the end of its limitation period as of ``as_of`` (with
    ``within``, only those ending at most that many days after ``as_of``), as compact tuples,
    in no particular order.

    A restart only moves the end later, and a period runs at least three years, so with
    ``within`` the query leaves out invoices whose period starts too late to end in time.
    """
    for _, rec in _found(conn, as_of, cal, within):
        yield rec


def limitation_sorted(
    conn: Connection, as_of: date, cal: WorkCalendar, within: int | None = None
) -> Iterator[Limitation]:
    """:func:`limitation_records`, soonest end first (then by invoice number), streamed: on
    SQLite with two cores the records are read and worked out by a forked child over a
    second connection while this process puts them in order and uses them (see
    :func:`huikuan.store.aside.streamed`)."""
    found = streamed(conn, lambda reader: _found(reader, as_of, cal, within), cal)
    return in_end_order(found)


def in_end_order(found: Iterable[Found]) -> Iterator[Limitation]:
    """Records by due date (those not moved thus by end) -> by (end, number), holding only
    the moved records not yet due out and one group of equal ends."""
    waiting: list[Limitation] = []  # a heap: (end, number) is unique, the rest never compared
    group: list[Limitation] = []
    for restarted, rec in found:
        if restarted:
            heapq.heappush(waiting, rec)
            continue
        if group and rec[0] != group[0][0]:
            yield from _with_due(group, waiting)
            group = []
        group.append(rec)
    if group:
        yield from _with_due(group, waiting)
    while waiting:
        yield heapq.heappop(waiting)


def _with_due(group: list[Limitation], waiting: list[Limitation]) -> list[Limitation]:
    """A group of records not moved with one end and the held records ending by then,
    sorted: nothing read later ends before the group's end."""
    end = group[0][0]
    while waiting and waiting[0][0] <= end:
        group.append(heapq.heappop(waiting))
    group.sort()
    return group


def limitation_row(found: Limitation, as_of: date) -> Row:
    """A record of :func:`limitation_records` as the report's row."""
    end, number, code, name, due, open_, currency, by = found
    return {
        "invoice": number,
        "customer": code,
        "name": name,
        "due_date": due.isoformat(),
        "open": format_fen(open_),
        "currency": currency,
        "expires": end.isoformat(),
        "days_left": (end - as_of).days,
        "restarted_by": by.as_json() if by else None,
    }


def limitation_rows(
    conn: Connection, as_of: date, cal: WorkCalendar, within: int | None = None
) -> Iterator[Row]:
    """Every open invoice with the end of its limitation period as of ``as_of`` (with
    ``within``: ending at most that many days after ``as_of``)."""
    for found in limitation_records(conn, as_of, cal, within):
        yield limitation_row(found, as_of)
