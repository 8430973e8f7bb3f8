"""The ledger side of letters: what a letter says about a customer, and its reference number."""

from __future__ import annotations

import datetime as dt
import json
from datetime import date
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from huikuan.core.money import to_decimal
from huikuan.db.models import ContactLog, Customer, Letter
from huikuan.store.db import Connection, sa_of
from huikuan.store.dunning import as_day, columns, cust, inv
from huikuan.store.ledger import require_customer
from huikuan.store.reports import aging_invoices
from huikuan.store.todo import people_of

log, let = columns(ContactLog), columns(Letter)


class Facts(NamedTuple):
    """What a letter says about its customer (email and phone ``""`` when unknown)."""

    code: str
    name: str
    email: str
    phone: str
    language: str


class Addressee(NamedTuple):
    """The contact a letter is addressed to (``""`` for what is unknown)."""

    name: str
    role: str
    title: str
    email: str
    phone: str


class PriorContact(NamedTuple):
    """A contact logged before a letter; ``kind`` is the letter's kind when it was one."""

    date: dt.date
    channel: str
    reference: str | None
    kind: str | None


class LetterInvoice(NamedTuple):
    """An open invoice as a letter shows it (amounts as ``Decimal`` yuan, for templates)."""

    number: str
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal
    open: Decimal
    days_overdue: int
    currency: str
    contract: str
    disputed: bool


class Issued(NamedTuple):
    """A letter issued: its reference, kind, customer, totals (JSON text) and delivery."""

    reference: str
    kind: str
    lang: str
    customer: str
    as_of: dt.date
    totals: str
    channel: str | None
    evidence: str | None
    delivered_at: dt.datetime | None
    user: str
    created_at: dt.datetime


_CUSTOMER = sa.select(
    cust.code,
    cust.name,
    sa.func.coalesce(cust.email, "").label("email"),
    sa.func.coalesce(cust.phone, "").label("phone"),
    cust.language,
).where(cust.code == sa.bindparam("code"))


def customer_facts(conn: Connection, code: str) -> tuple[Facts, Addressee | None]:
    """The customer (code, name, email, phone, language) and the addressee, if any.

    The addressee is the finance contact, else the decision maker, else the first contact.
    """
    require_customer(conn, code)
    customer = Facts._make(sa_of(conn).execute(_CUSTOMER, {"code": code}).one())
    people = people_of(conn, code)
    found = next((p for p in people if p.role == "finance"), None)
    found = found or next((p for p in people if p.role == "decision_maker"), None)
    found = found or (people[0] if people else None)
    if found is None:
        return customer, None
    reach = (found.title or "", found.email or "", found.phone or "")
    return customer, Addressee(found.name, found.role, *reach)


_OWN_EMAIL = sa.select(cust.name, cust.email).where(cust.code == sa.bindparam("code"))


def email_recipient(conn: Connection, code: str) -> tuple[str, str] | None:
    """(name, address) for an email: the finance contact, else the decision maker, with an
    email, else the customer's own email; None when there is no address at all."""
    people = [p for p in people_of(conn, code) if p.email]
    for role in ("finance", "decision_maker"):
        found = next((p for p in people if p.role == role), None)
        if found is not None and found.email:
            return found.name, found.email
    row = sa_of(conn).execute(_OWN_EMAIL, {"code": code}).first()
    return (str(row[0]), str(row[1])) if row and row[1] else None


def prior_contacts(
    conn: Connection, code: str, as_of: date, reference: str | None = None
) -> list[PriorContact]:
    """Contacts logged with the customer before ``as_of`` (not the letter ``reference`` itself,
    nor what the same day's run sends by another channel), oldest first: date, channel,
    reference and, for a letter, its kind."""
    params = {"code": code, "as_of": as_of, "reference": reference}
    return [PriorContact._make(row) for row in sa_of(conn).execute(_PRIOR, params)]


_PRIOR = (
    sa.select(log.date, log.channel, log.reference, let.kind)
    .join(Customer, cust.id == log.customer_id)
    .outerjoin(Letter, let.reference == log.reference)
    .where(
        cust.code == sa.bindparam("code"),
        log.date < sa.bindparam("as_of"),
        sa.or_(
            log.reference.is_(None),
            log.reference.is_distinct_from(sa.bindparam("reference", type_=sa.String)),
        ),
    )
    .order_by(log.date, log.id)
)


def open_invoices(conn: Connection, code: str, as_of: date) -> list[LetterInvoice]:
    """Open invoices as of D, oldest due first, with amount, open, days overdue, contract."""
    rows = list(aging_invoices(conn, as_of, False, code))
    extra = _invoice_extras(conn, [r[0] for r in rows])
    out = []
    for number, _, _, issue, due, fen, currency in rows:
        amount, contract, disputed = extra[number]
        out.append(
            LetterInvoice(
                number,
                as_day(issue),
                as_day(due),
                to_decimal(amount),
                to_decimal(fen),
                max((as_of - as_day(due)).days, 0),
                currency,
                contract or "",
                bool(disputed),
            )
        )
    return out


def _invoice_extras(conn: Connection, numbers: list[str]) -> dict[str, tuple[int, str, int]]:
    out: dict[str, tuple[int, str, int]] = {}
    db = sa_of(conn)
    for start in range(0, len(numbers), 500):
        part = numbers[start : start + 500]
        out |= {n: (a, c, d) for n, a, c, d in db.execute(_EXTRAS, {"numbers": part})}
    return out


_EXTRAS = sa.select(inv.number, inv.amount, inv.contract, inv.disputed).where(
    inv.number.in_(sa.bindparam("numbers", expanding=True))
)


def new_reference(
    conn: Connection,
    prefix: str,
    kind: str,
    lang: str,
    code: str,
    as_of: date,
    totals: dict[str, Decimal],
    user: str,
    now: str,
) -> str:
    """Allocate and store the next reference ``PREFIX-YYYY-NNNNNN`` (unique, never reused)."""
    head = f"{prefix}-{as_of.year}-"
    reference = f"{head}{_last_number(conn, head) + 1:06d}"
    sa_of(conn).execute(
        sa.insert(Letter),
        {
            "reference": reference,
            "kind": kind,
            "lang": lang,
            "customer_id": require_customer(conn, code).id,
            "as_of": as_of,
            "totals": json.dumps({c: str(v) for c, v in totals.items()}),
            "username": user,
            "created_at": now,
        },
    )
    return reference


def _last_number(conn: Connection, head: str) -> int:
    """The highest number issued under ``head`` (``PREFIX-YYYY-``), 0 when none: numbers are
    digits, so the longest, then greatest, reference holds it."""
    literal = "".join(f"/{ch}" if ch in "/%_" else ch for ch in head)
    last = sa_of(conn).execute(_LAST_REFERENCE, {"pattern": literal + "%"}).scalar()
    digits = last[len(head) :] if last else ""
    return int(digits) if digits.isdigit() else 0


_LAST_REFERENCE = (
    sa.select(let.reference)
    .where(let.reference.like(sa.bindparam("pattern"), escape="/"))
    .order_by(sa.func.length(let.reference).desc(), let.reference.desc())
    .limit(1)
)


def mark_delivered(conn: Connection, reference: str, channel: str, evidence: str, now: str) -> None:
    """Record how and when a letter went out."""
    sa_of(conn).execute(
        sa.update(Letter)
        .where(let.reference == reference)
        .values(channel=channel, evidence=evidence, delivered_at=now)
    )


def delivery(conn: Connection, reference: str) -> str | None:
    """The evidence of letter ``reference``'s delivery, None when it has not gone out."""
    row = sa_of(conn).execute(_DELIVERY, {"reference": reference}).first()
    return None if row is None else str(row[0])


_DELIVERY = sa.select(let.evidence).where(
    let.reference == sa.bindparam("reference"), let.delivered_at.is_not(None)
)


def logged(conn: Connection, reference: str, channel: str) -> bool:
    """Whether the delivery of letter ``reference`` by ``channel`` is in the contact log."""
    return (
        sa_of(conn).execute(_LOGGED, {"reference": reference, "channel": channel}).first()
        is not None
    )


_LOGGED = sa.select(log.id).where(
    log.reference == sa.bindparam("reference"), log.channel == sa.bindparam("channel")
)


def letters(conn: Connection, code: str | None = None) -> list[Issued]:
    """Letters issued (newest first), optionally to one customer."""
    stmt = _LETTERS if code is None else _LETTERS.where(cust.code == code)
    return [Issued._make(row) for row in sa_of(conn).execute(stmt)]


_LETTERS = (
    sa.select(
        let.reference,
        let.kind,
        let.lang,
        cust.code.label("customer"),
        let.as_of,
        let.totals,
        let.channel,
        let.evidence,
        let.delivered_at,
        let.username.label("user"),
        let.created_at,
    )
    .join(Customer, cust.id == let.customer_id)
    .order_by(let.id.desc())
)
