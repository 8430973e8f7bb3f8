"""Bank statement lines in the ledger: storing, reading for matching, recording payments.

Everything runs in the caller's transaction, as SQLAlchemy statements over the models, and
set-wise: keys, customers, aliases, invoice numbers and open invoices are read in batches,
payments and allocations written with one executemany per batch.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.bankmatch import Key, OpenInvoice
from huikuan.core.errors import NotFound
from huikuan.db.dialect import unindexed
from huikuan.db.models import Audit, Customer, Invoice, Payment
from huikuan.db.models_bank import BankAlias, BankImport, BankLine
from huikuan.store import direct
from huikuan.store.bank_writes import LINE_COLUMNS as LINE_COLUMNS
from huikuan.store.bank_writes import LINE_FIELDS as LINE_FIELDS
from huikuan.store.bank_writes import PAYMENT_COLUMNS as PAYMENT_COLUMNS
from huikuan.store.bank_writes import day_value as day_value
from huikuan.store.bank_writes import ids_above
from huikuan.store.bank_writes import insert_line_rows as insert_line_rows
from huikuan.store.bank_writes import insert_payment_rows as insert_payment_rows
from huikuan.store.bulk import write_allocations as write_allocations_sqlite
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import id_of
from huikuan.store.setalloc import write_rows

BATCH = 500  # keys per IN (…) list
ROWS = 5000  # rows per executemany


def _batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- import ---------------------------------------------------------------------------------


def existing_keys(conn: Connection, account: str, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` the account's stored lines already have: the keys in a temporary
    table, one probe of the unique index each (no statement holding the keys as ``IN``
    lists: they would stay in memory until Python's cycle collector ran)."""
    from huikuan.store.bank_book import NUMBERS, probe

    db = sa_of(conn)
    some = sa.select(id_of(BankLine)).where(col(BankLine.account) == account).limit(1)
    if not keys or db.execute(some).first() is None:
        return set()  # a new account's first statement
    with probe(db, NUMBERS, ((k,) for k in set(keys))) as table:
        stored = sa.select(sa.literal(1)).where(
            col(BankLine.account) == account, col(BankLine.dedup_key) == table.c.value
        )
        stmt = sa.select(table.c.value).where(stored.exists())
        return {key for (key,) in direct.rows(db, stmt)}


def add_import(conn: Connection, rec: dict[str, Any]) -> int:
    """Record one ``bank import``; return its id."""
    stmt = sa.insert(BankImport).values(**rec, imported_at=now()).returning(id_of(BankImport))
    result: int = sa_of(conn).execute(stmt).scalar_one()
    return result


def finish_import(conn: Connection, batch: int, account: str, new: int) -> None:
    """Record what an import stored."""
    stmt = sa.update(BankImport).where(id_of(BankImport) == batch).values(account=account, new=new)
    sa_of(conn).execute(stmt)


def insert_lines(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert line rows (every :class:`BankLine` field but ``id``); return their ids in order."""
    return _insert_many(conn, BankLine, rows)


def _insert_many(conn: Connection, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (dicts with the same keys) with one DB-API executemany per batch;
    return their ids in order. The ids are read
    back as those above the largest before: the write lock keeps other writers out."""
    db = sa_of(conn)
    before = db.execute(sa.select(sa.func.coalesce(sa.func.max(id_of(model)), 0))).scalar_one()
    if rows:
        keys = list(rows[0])
        for batch in _batches(rows, ROWS):
            direct.executemany(db, sa.insert(model), keys, [[r[k] for k in keys] for r in batch])
    return ids_above(db, model, before, len(rows))


# --- what matching reads --------------------------------------------------------------------


def customers(conn: Connection) -> Iterator[tuple[int, str]]:
    """Every customer's ``(id, name)``."""
    rows = sa_of(conn).execute(sa.select(id_of(Customer), col(Customer.name)))
    return ((cid, name) for cid, name in rows)


def aliases(conn: Connection) -> list[tuple[str, str, int]]:
    """Learnt ``(kind, value, customer id)`` aliases."""
    stmt = sa.select(col(BankAlias.kind), col(BankAlias.value), col(BankAlias.customer_id))
    return [(k, v, c) for k, v, c in sa_of(conn).execute(stmt)]


def seen_accounts(conn: Connection) -> list[tuple[str, int]]:
    """``(counterparty account, customer)`` of the lines matched so far."""
    stmt = (
        sa.select(col(BankLine.counterparty_account), col(BankLine.customer_id))
        .distinct()
        .where(col(BankLine.status) == "matched", col(BankLine.counterparty_account).is_not(None))
    )
    return [(a, c) for a, c in sa_of(conn).execute(stmt) if c is not None and a is not None]


def invoice_owners(conn: Connection, numbers: Iterable[str]) -> dict[str, int]:
    """``number -> customer id`` of the invoices among ``numbers``."""
    db, out = sa_of(conn), dict[str, int]()
    for batch in _batches(sorted(set(numbers))):
        stmt = sa.select(col(Invoice.number), col(Invoice.customer_id)).where(
            col(Invoice.number).in_(batch)
        )
        out.update({n: c for n, c in db.execute(stmt)})
    return out


def open_invoices(
    conn: Connection,
    customer_ids: Iterable[int],
    contracts: dict[int, str] | None = None,
) -> dict[Key, list[OpenInvoice]]:
    """The open invoices of the customers, oldest first per (customer, currency); their
    contract is taken from ``contracts`` (:func:`contracts_named`: the only ones a memo can
    name), so the read stays within the open-invoice index."""
    db, out, contracts = sa_of(conn), dict[Key, list[OpenInvoice]](), contracts or {}
    cols = (
        id_of(Invoice),
        col(Invoice.customer_id),
        col(Invoice.currency),
        col(Invoice.number),
        col(Invoice.open_amount),
    )
    order = (Invoice.customer_id, Invoice.currency, Invoice.due_date, Invoice.issue_date)
    for batch in _batches(sorted(set(customer_ids))):
        stmt = (
            sa.select(*cols)
            .where(col(Invoice.open_amount) > 0, col(Invoice.customer_id).in_(batch))
            .order_by(*(col(c) for c in order), col(Invoice.number))
        )
        for key, group in itertools.groupby(direct.rows(db, stmt), itemgetter(1, 2)):
            out[key] = [OpenInvoice(i, n, key[1], a, contracts.get(i)) for i, _, _, n, a in group]
    return out


def contracts_named(conn: Connection, tokens: Iterable[str]) -> dict[int, str]:
    """``invoice id -> contract`` of the open invoices whose contract number is among
    ``tokens`` (case-insensitive), in one pass over the table."""
    wanted = {t.casefold() for t in tokens}
    if not wanted:
        return {}
    stmt = sa.select(id_of(Invoice), col(Invoice.contract)).where(
        col(Invoice.contract).is_not(None), unindexed(col(Invoice.open_amount)) > 0
    )
    return {i: c for i, c in direct.rows(sa_of(conn), stmt) if c.casefold() in wanted}


def ledger_currencies(conn: Connection, among: Iterable[str]) -> set[str]:
    """Which of the currencies ``among`` the ledger's invoices use (no query for none)."""
    wanted = sorted(set(among))
    if not wanted:
        return set()
    stmt = sa.select(col(Invoice.currency)).distinct().where(col(Invoice.currency).in_(wanted))
    return set(sa_of(conn).execute(stmt).scalars())


# --- payments -------------------------------------------------------------------------------


def insert_payments(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert payments (customer_id, date, amount, currency, invoice_id, reference, and
    optionally unapplied: else the amount); ids in order."""
    extra = {"kind": "payment", "method": "bank", "note": None}
    return _insert_many(conn, Payment, [{"unapplied": r["amount"], **r, **extra} for r in rows])


def write_allocations(
    conn: Connection,
    parts: list[tuple[int, int, int, date]],
    opens: dict[int, int],
    unapplied: dict[int, int],
) -> None:
    """Write allocations ``(payment, invoice, amount, date)``, the invoices' new open amounts
    and the payments' unapplied amounts."""
    writer = write_allocations_sqlite if sa_of(conn).dialect.name == "sqlite" else write_rows
    writer(conn, parts, [(v, i) for i, v in opens.items()], [(v, p) for p, v in unapplied.items()])


def set_lines(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Update lines: ``line`` id -> status, customer_id, payment_id, invoices, reason, score."""
    stmt = (
        sa.update(BankLine)
        .where(id_of(BankLine) == sa.bindparam("line"))
        .values(
            {
                k: sa.bindparam(k)
                for k in ("status", "customer_id", "payment_id", "invoices", "reason", "score")
            }
        )
    )
    for batch in _batches(rows, ROWS):
        sa_of(conn).execute(stmt, list(batch))


def audit_many(conn: Connection, user: str, entries: list[tuple[str, str, Any]]) -> None:
    """Audit ``(action, line id, detail)`` of bank lines in bulk."""
    at = now()
    keys = ("at", "username", "action", "entity", "key", "detail")
    rows = [
        (at, user, a, "bank_line", k, json.dumps(d, ensure_ascii=False, default=str))
        for a, k, d in entries
    ]
    for batch in _batches(rows, ROWS):
        direct.executemany(sa_of(conn), sa.insert(Audit), keys, batch)


# --- the queue ------------------------------------------------------------------------------

LIST_COLUMNS = (
    id_of(BankLine).label("line"),
    *(col(getattr(BankLine, f)) for f in LINE_FIELDS[1:]),
    col(BankLine.status),
    col(Customer.code).label("customer"),
    col(BankLine.invoices),
    col(BankLine.reason),
    col(BankLine.score),
    col(BankLine.account),
    col(BankLine.customer_id),
    col(BankLine.payment_id),
)


def lines(
    conn: Connection,
    status: str | None = None,
    *,
    credit_only: bool = False,
    ids: Sequence[int] | None = None,
    stream: bool = False,
) -> Iterator[dict[str, Any]]:
    """Lines by date then id (with the customer's code), optionally of one status."""
    stmt = sa.select(*LIST_COLUMNS).outerjoin(
        Customer, col(Customer.id) == col(BankLine.customer_id)
    )
    if status is not None:
        stmt = stmt.where(col(BankLine.status) == status)
    if credit_only:
        stmt = stmt.where(col(BankLine.direction) == "credit")
    if ids is not None:
        stmt = stmt.where(id_of(BankLine).in_(ids))
    stmt = stmt.order_by(col(BankLine.date), id_of(BankLine))
    result = sa_of(conn).execute(stmt.execution_options(yield_per=2000) if stream else stmt)
    keys = list(result.keys())
    return (dict(zip(keys, row)) for row in result)


def line(conn: Connection, line_id: int) -> dict[str, Any]:
    """One line; :class:`NotFound` when there is none."""
    found = next(lines(conn, ids=[line_id]), None)
    if found is None:
        raise NotFound(f"no bank line {line_id} (see `huikuan bank list`)")
    return found


def learn(conn: Connection, user: str, kind: str, value: str, cid: int) -> int | None:
    """Remember ``value`` (a normalised name or an account) as the customer's; return the
    customer it meant before (None: new, or the same)."""
    db = sa_of(conn)
    where = (col(BankAlias.kind) == kind, col(BankAlias.value) == value)
    before = db.execute(sa.select(col(BankAlias.customer_id)).where(*where)).scalar()
    if before is None:
        db.execute(
            sa.insert(BankAlias).values(
                kind=kind, value=value, customer_id=cid, username=user, learnt_at=now()
            )
        )
    elif before != cid:
        db.execute(
            sa.update(BankAlias)
            .where(*where)
            .values(customer_id=cid, username=user, learnt_at=now())
        )
    return before if before != cid else None


def customer_codes(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    """``id -> code`` of the customers."""
    db, out = sa_of(conn), dict[int, str]()
    for batch in _batches(sorted(set(ids))):
        stmt = sa.select(id_of(Customer), col(Customer.code)).where(id_of(Customer).in_(batch))
        out.update({i: c for i, c in db.execute(stmt)})
    return out


def forget(conn: Connection, cid: int, name: str, account: str | None) -> list[str]:
    """Drop the aliases of ``name`` (normalised) and ``account`` that point to ``cid``."""
    db, out = sa_of(conn), []
    for kind, value in (("name", name), ("account", account)):
        if value:
            gone = db.execute(
                sa.delete(BankAlias).where(
                    col(BankAlias.kind) == kind,
                    col(BankAlias.value) == value,
                    col(BankAlias.customer_id) == cid,
                )
            )
            if gone.rowcount:
                out.append(f"{kind} {value}")
    return out


def customer_name(conn: Connection, cid: int) -> str:
    stmt = sa.select(col(Customer.name)).where(id_of(Customer) == cid)
    name: str = sa_of(conn).execute(stmt).scalar_one()
    return name
