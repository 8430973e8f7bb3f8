"""The contact log, promises to pay, and the limitation record of each open invoice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from huikuan.core.calendar import WorkCalendar
from huikuan.core.limitation import Restart, expiry, period_end
from huikuan.core.money import format_fen
from huikuan.db.dialect import as_date, least
from huikuan.db.tables import allocation, contact_log, customer, invoice, payment, promise
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import audit, require_customer, require_invoice

Row = dict[str, Any]
OUTCOMES = ("reached", "no-answer", "promised", "disputed", "paid-claimed", "refused")
LOG_CHANNELS = ("phone", "email", "letter", "visit", "sms", "wechat", "legal")
_LOG_COLS = ("channel", "outcome", "excuse", "note", "evidence", "reference")


def fen_sum(value: Any) -> sa.ColumnElement[int]:
    """``SUM`` of 分 as a 64-bit integer on both engines (PostgreSQL sums ``bigint`` as
    ``numeric``, which would come back as ``Decimal``)."""
    return sa.cast(sa.func.sum(value), sa.BigInteger)


def fen_total(value: Any) -> sa.ColumnElement[int]:
    """``COALESCE(SUM(value), 0)`` of 分, an integer on both engines."""
    return sa.func.coalesce(fen_sum(value), 0)


def _day(value: Any) -> date | None:
    """A date from an ISO string (or a date, or None)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def add_log(conn: Connection, user: str, code: str, rec: Row, now: str) -> int:
    """Record a contact (``rec``: date, channel, invoice, outcome, excuse, note, evidence, …)."""
    cid = require_customer(conn, code).id
    inv = require_invoice(conn, rec["invoice"]).id if rec.get("invoice") else None
    if inv is not None:
        _same_customer(conn, inv, cid, rec["invoice"], code)
    stmt = sa.insert(contact_log).values(
        customer_id=cid,
        invoice_id=inv,
        acknowledged=bool(rec.get("acknowledged")),
        username=user,
        created_at=now,
        date=_day(rec.get("date")),
        follow_up=_day(rec.get("follow_up")),
        **{c: rec.get(c) for c in _LOG_COLS},
    )
    new_id = sa_of(conn).execute(stmt.returning(contact_log.c.id)).scalar_one()
    audit(conn, user, "log", "contact", code, {k: v for k, v in rec.items() if v is not None})
    return int(new_id)


def _same_customer(conn: Connection, inv: int, cid: int, number: str, code: str) -> None:
    from huikuan.core.errors import Conflict

    owner = (
        sa_of(conn).execute(sa.select(invoice.c.customer_id).where(invoice.c.id == inv)).scalar()
    )
    if owner != cid:
        raise Conflict(f"invoice {number} belongs to another customer, not {code}")


def log_query(cid: int | None, since: date | None, until: date | None) -> sa.Select[Any]:
    """Contact log entries (of customer ``cid``, between the days given), oldest first."""
    lg = contact_log.c
    stmt = (
        sa.select(
            lg.id,
            lg.date,
            customer.c.code.label("customer"),
            invoice.c.number.label("invoice"),
            lg.channel,
            lg.outcome,
            lg.excuse,
            lg.follow_up,
            lg.acknowledged,
            lg.evidence,
            lg.reference,
            lg.note,
            lg.username.label("user"),
        )
        .join(customer, customer.c.id == lg.customer_id)
        .outerjoin(invoice, invoice.c.id == lg.invoice_id)
        .order_by(lg.date, lg.id)
    )
    if cid is not None:
        stmt = stmt.where(lg.customer_id == cid)
    if since:
        stmt = stmt.where(lg.date >= since)
    if until:
        stmt = stmt.where(lg.date <= until)
    return stmt


def logs(
    conn: Connection, code: str | None, since: date | None, until: date | None
) -> Iterator[Row]:
    """Contact log entries, oldest first."""
    cid = require_customer(conn, code).id if code else None
    for found in sa_of(conn).execute(log_query(cid, since, until)).mappings():
        row = dict(found)
        row["date"], row["follow_up"] = _iso(row["date"]), _iso(row["follow_up"])
        row["acknowledged"] = bool(row["acknowledged"])
        yield row


# --- promises ----------------------------------------------------------------------------


def promise_query(as_of: date, cid: int | None) -> sa.Select[Any]:
    """Promises made by ``as_of`` with what was paid towards each by its date (or ``as_of``)."""
    pr, p, a = promise.c, payment.c, allocation.c
    until = least(pr.promised_date, as_date(as_of))
    by_customer = (
        sa.select(fen_total(p.amount))
        .where(
            p.customer_id == pr.customer_id,
            p.currency == pr.currency,
            p.kind == "payment",
            p.date >= pr.made_on,
            p.date <= until,
        )
        .scalar_subquery()
    )
    by_invoice = (
        sa.select(fen_total(a.amount))
        .join(payment, p.id == a.payment_id)
        .where(
            a.invoice_id == pr.invoice_id,
            p.kind == "payment",
            p.date >= pr.made_on,
            p.date <= until,
        )
        .scalar_subquery()
    )
    paid = sa.case((pr.invoice_id.is_(None), by_customer), else_=by_invoice)
    stmt = (
        sa.select(
            pr.id,
            customer.c.code.label("customer"),
            invoice.c.number.label("invoice"),
            pr.made_on,
            pr.promised_date,
            pr.amount,
            pr.currency,
            pr.note,
            paid.label("paid"),
        )
        .join(customer, customer.c.id == pr.customer_id)
        .outerjoin(invoice, invoice.c.id == pr.invoice_id)
        .where(pr.made_on <= as_of)
        .order_by(pr.promised_date, pr.id)
    )
    return stmt if cid is None else stmt.where(pr.customer_id == cid)


def add_promise(conn: Connection, user: str, code: str, rec: Row, now: str) -> int:
    """Record a promise to pay (amount 分, currency, made_on, promised_date, invoice, note)."""
    cid = require_customer(conn, code).id
    inv = None
    if rec.get("invoice"):
        ref = require_invoice(conn, rec["invoice"])
        _same_customer(conn, ref.id, cid, rec["invoice"], code)
        inv, rec["currency"] = ref.id, ref.currency
    stmt = sa.insert(promise).values(
        customer_id=cid,
        invoice_id=inv,
        amount=rec["amount"],
        currency=rec["currency"],
        made_on=_day(rec["made_on"]),
        promised_date=_day(rec["promised_date"]),
        note=rec.get("note"),
        username=user,
        created_at=now,
    )
    new_id = sa_of(conn).execute(stmt.returning(promise.c.id)).scalar_one()
    audit(conn, user, "promise", "customer", code, {**rec, "amount": format_fen(rec["amount"])})
    return int(new_id)


def promises(conn: Connection, as_of: date, code: str | None = None) -> Iterator[Row]:
    """Promises made by ``as_of`` with their status then: open, kept or broken."""
    cid = require_customer(conn, code).id if code else None
    for found in sa_of(conn).execute(promise_query(as_of, cid)).mappings():
        row = dict(found)
        row["made_on"], row["promised_date"] = _iso(row["made_on"]), _iso(row["promised_date"])
        row["status"] = promise_status(row["amount"], row["paid"], row["promised_date"], as_of)
        row["amount"], row["paid"] = format_fen(row["amount"]), format_fen(row["paid"])
        yield row


def promise_status(amount: int, paid: int, promised: str, as_of: date) -> str:
    """Kept when payments reached the amount by the date; broken once the date has passed."""
    if paid >= amount:
        return "kept"
    return "broken" if as_of.isoformat() > promised else "open"


# --- limitation --------------------------------------------------------------------------


def _maybe_open(as_of: date) -> sa.ColumnElement[bool]:
    """The invoice is open today, or was paid (in part) after ``as_of``."""
    paid_later = sa.select(allocation.c.invoice_id).where(allocation.c.date > as_of)
    return sa.or_(invoice.c.open_amount > 0, invoice.c.id.in_(paid_later))


def limitation_query(as_of: date, horizon: date | None = None) -> sa.Select[Any]:
    """Invoices open on ``as_of``, with the day their limitation period starts (with a
    ``horizon``, only those starting on or before it)."""
    i, a = invoice.c, allocation.c
    j = invoice.alias("j").c
    applied = (
        sa.select(fen_total(a.amount))
        .where(a.invoice_id == i.id, a.date <= as_of)
        .scalar_subquery()
    )
    last_milestone = (
        sa.select(sa.func.max(j.due_date))
        .where(
            j.contract == i.contract,
            j.customer_id == i.customer_id,
            j.milestone.is_not(None),
            i.milestone.is_not(None),
        )
        .scalar_subquery()
    )
    rows = (
        sa.select(
            i.id,
            i.number,
            customer.c.code,
            customer.c.name,
            i.due_date,
            (i.amount - applied).label("open"),
            i.currency,
            i.customer_id,
            sa.func.coalesce(last_milestone, i.due_date).label("start"),
        )
        .join(customer, customer.c.id == i.customer_id)
        .where(i.issue_date <= as_of, _maybe_open(as_of))
    )
    if horizon is not None:  # the period starts on the due date or later (a last milestone)
        rows = rows.where(i.due_date <= horizon)
    sub = rows.subquery("r")
    r = sub.c
    stmt = sa.select(sub).where(r.open > 0)
    if horizon is not None:
        stmt = stmt.where(r.start <= horizon)
    return stmt.order_by(r.start, r.number)


def restart_queries(as_of: date, horizon: date | None = None) -> tuple[sa.Select[Any], ...]:
    """Payments (to invoices that may be open on ``as_of``, due by ``horizon`` if given),
    promises and proven contacts: the events that may restart an invoice's limitation
    period, read once for the ledger."""
    a, p, pr, lg, i = allocation.c, payment.c, promise.c, contact_log.c, invoice.c
    candidates = sa.select(i.id).where(i.issue_date <= as_of, _maybe_open(as_of))
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

    def __init__(self, db: sa.Connection, as_of: date, horizon: date | None = None) -> None:
        paid, promised, contacted = restart_queries(as_of, horizon)
        self.paid: dict[int, list[tuple[date, int]]] = {}
        for iid, day, fen in db.execute(paid, execution_options={"yield_per": 2000}):
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
        out = [
            Restart("payment", d, f"payment {format_fen(fen)}")
            for d, fen in self.paid.get(invoice_id, ())
        ]
        return out + [
            e for iid, e in self.other.get(customer_id, ()) if iid is None or iid == invoice_id
        ]


# (expires, invoice number, customer code, name, due date, open 分, currency, restarted by)
Limitation = tuple[date, str, str, str, date, int, str, Restart | None]
FIRST_END = 3 * 365  # a period ends at least this many days after it starts


def limitation_records(
    conn: Connection, as_of: date, cal: WorkCalendar, within: int | None = None
) -> Iterator[Limitation]:
    """Every open invoice with the end of its limitation period as of ``as_of`` (with
    ``within``, only those ending at most that many days after ``as_of``), as compact tuples.

    A restart only moves the end later, and a period runs at least three years, so with
    ``within`` the query leaves out invoices whose period starts too late to end in time.
    """
    db = sa_of(conn)
    horizon = None if within is None else as_of + timedelta(days=within - FIRST_END)
    events = _Restarts(db, as_of, horizon)
    stmt = limitation_query(as_of, horizon)
    ends: dict[date, date] = {}  # period end by start day, for invoices never restarted
    names: dict[str, str] = {}  # one string per customer code and name
    for iid, number, code, name, due, open_, currency, cid, start in db.execute(
        stmt, execution_options={"yield_per": 1000}
    ):
        restarts = events.of(iid, cid)
        if restarts:
            end, by = expiry(start, restarts, cal, as_of)
        else:
            end, by = ends.get(start) or ends.setdefault(start, period_end(start, cal)), None
        if within is None or (end - as_of).days <= within:
            code, name = names.setdefault(code, code), names.setdefault(name, name)
            yield end, number, code, name, due, open_, currency, by


def limitation_sorted(
    conn: Connection, as_of: date, cal: WorkCalendar, within: int | None = None
) -> list[Limitation]:
    """:func:`limitation_records`, soonest end first (then by invoice number)."""
    found = list(limitation_records(conn, as_of, cal, within))
    found.sort()  # (end, number) is unique: the rest of a tuple is never compared
    return found


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
