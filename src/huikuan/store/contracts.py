"""Contracts, their milestones and events: the statements behind ``huikuan contract``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from huikuan.core.errors import NotFound
from huikuan.db.models_contract import Contract, ContractEvent, ContractMilestone
from huikuan.db.tables import allocation, customer, invoice, table_of
from huikuan.store.collections import fen_total
from huikuan.store.db import Connection, sa_of

CONTRACT = table_of(Contract)
MILESTONE = table_of(ContractMilestone)
EVENT = table_of(ContractEvent)


@dataclass(frozen=True)
class ContractRow:
    """A contract with its customer's code and name."""

    id: int
    number: str
    customer: str
    name: str
    customer_id: int
    amount: int
    currency: str
    description: str | None
    warranty_months: int | None


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone, with its invoice (number, dates, amount open as of the day) once made."""

    id: int
    seq: int
    share_bp: int
    event: str
    days: int
    on: date | None
    amount: int
    invoice: str | None
    issue_date: date | None
    due_date: date | None
    open: int | None


@dataclass(frozen=True)
class NewMilestone:
    """A milestone to store: seq, share in basis points, event, days, fixed day, amount."""

    seq: int
    share_bp: int
    event: str
    days: int
    on: date | None
    amount: int


def _contracts() -> sa.Select[Any]:
    c = CONTRACT.c
    return sa.select(
        c.id, c.number, customer.c.code, customer.c.name, c.customer_id, c.amount, c.currency,
        c.description, c.warranty_months,
    ).join(customer, customer.c.id == c.customer_id)  # fmt: skip


def find_contract(conn: Connection, number: str) -> ContractRow | None:
    """The contract with ``number``, or None."""
    row = sa_of(conn).execute(_contracts().where(CONTRACT.c.number == number)).first()
    return ContractRow(*row) if row else None


def require_contract(conn: Connection, number: str) -> ContractRow:
    """The contract with ``number``; :class:`NotFound` otherwise."""
    found = find_contract(conn, number)
    if found is None:
        raise NotFound(f"unknown contract {number!r} (see `huikuan contract list`)")
    return found


def contracts(conn: Connection, customer_code: str | None) -> list[ContractRow]:
    """Every contract (of one customer when given), by number."""
    query = _contracts().order_by(CONTRACT.c.number)
    if customer_code is not None:
        query = query.where(customer.c.code == customer_code)
    return [ContractRow(*r) for r in sa_of(conn).execute(query)]


def insert_contract(
    conn: Connection,
    *,
    number: str,
    customer_id: int,
    amount: int,
    currency: str,
    description: str | None,
    warranty_months: int | None,
    milestones: Sequence[NewMilestone],
    at: datetime,
) -> int:
    """Store a contract and its milestones; return the contract's id."""
    db = sa_of(conn)
    cid = db.execute(
        sa.insert(CONTRACT).values(
            number=number, customer_id=customer_id, amount=amount, currency=currency,
            description=description, warranty_months=warranty_months, created_at=at,
        ).returning(CONTRACT.c.id)
    ).scalar_one()  # fmt: skip
    db.execute(
        sa.insert(MILESTONE),
        [{"contract_id": cid, **vars(m)} for m in milestones],
    )
    return int(cid)


def milestones(conn: Connection, contract_id: int, as_of: date) -> list[MilestoneRow]:
    """The contract's milestones in order, each with its invoice's state as of ``as_of``."""
    m, i, a = MILESTONE.c, invoice.c, allocation.c
    applied = (
        sa.select(fen_total(a.amount))
        .where(a.invoice_id == i.id, a.date <= as_of)
        .scalar_subquery()
    )
    query = (
        sa.select(
            m.id,
            m.seq,
            m.share_bp,
            m.event,
            m.days,
            m.on,
            m.amount,
            i.number,
            i.issue_date,
            i.due_date,
            (i.amount - applied).label("open"),
        )
        .outerjoin(invoice, invoice.c.id == m.invoice_id)
        .where(m.contract_id == contract_id)
        .order_by(m.seq)
    )
    return [MilestoneRow(*r) for r in sa_of(conn).execute(query)]


def events(conn: Connection, contract_id: int) -> dict[str, date]:
    """The events recorded for the contract: event code -> day."""
    e = EVENT.c
    rows = sa_of(conn).execute(sa.select(e.event, e.date).where(e.contract_id == contract_id))
    return {event: day for event, day in rows}


def record_event(
    conn: Connection, contract_id: int, event: str, day: date, user: str, at: datetime
) -> None:
    """Record that ``event`` happened on ``day``."""
    sa_of(conn).execute(
        sa.insert(EVENT).values(
            contract_id=contract_id, event=event, date=day, username=user, at=at
        )
    )


def link_invoice(conn: Connection, milestone_id: int, invoice_id: int) -> None:
    """Note the invoice made for a milestone."""
    sa_of(conn).execute(
        sa.update(MILESTONE).where(MILESTONE.c.id == milestone_id).values(invoice_id=invoice_id)
    )


def set_warranty(conn: Connection, contract_id: int, months: int) -> None:
    """Set the warranty period (months from acceptance) of a contract."""
    sa_of(conn).execute(
        sa.update(CONTRACT).where(CONTRACT.c.id == contract_id).values(warranty_months=months)
    )
