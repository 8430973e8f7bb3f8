"""The contact log, promises to pay, and the limitation record of each open invoice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa

from huikuan.core.money import format_fen
from huikuan.db.dialect import as_date, least
from huikuan.db.tables import allocation, contact_log, customer, invoice, payment, promise
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import audit, require_customer, require_invoice
from huikuan.store.sums import fen_sum as fen_sum
from huikuan.store.sums import fen_total as fen_total

Row = dict[str, Any]
OUTCOMES = ("reached", "no-answer", "promised", "disputed", "paid-claimed", "refused")
LOG_CHANNELS = ("phone", "email", "letter", "visit", "sms", "wechat", "legal")
_LOG_COLS = ("channel", "outcome", "excuse", "note", "evidence", "reference")


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


# --- limitation: huikuan.store.limitation (re-exported here for older callers) -----------

from huikuan.store.limitation import Limitation as Limitation  # noqa: E402
from huikuan.store.limitation import limitation_query as limitation_query  # noqa: E402
from huikuan.store.limitation import limitation_records as limitation_records  # noqa: E402
from huikuan.store.limitation import limitation_row as limitation_row  # noqa: E402
from huikuan.store.limitation import limitation_rows as limitation_rows  # noqa: E402
from huikuan.store.limitation import limitation_sorted as limitation_sorted  # noqa: E402
from huikuan.store.limitation import restart_queries as restart_queries  # noqa: E402
