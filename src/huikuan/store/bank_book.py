"""The open invoices a statement's matching reads, asked for by what its lines need
(:class:`~huikuan.core.bankbook.Book`): never every invoice of every customer.

- Memo numbers: matching is case-insensitive, so a token is looked up in each of its
  upper/lower case spellings (``inv-1`` as ``inv-1``, ``INV-1``, ``Inv-1``, ``iNV-1`` …)
  through the unique index on ``invoice.number``; a token with more than
  :data:`MAX_LETTERS` letters is compared as ``lower(number)`` in one pass instead.
- Balances and the invoices of a line's exact amount: grouped and joined in SQL over the
  partial index of open invoices.
- A customer's whole queue (oldest first) only when a payment is allocated by the ledger's
  rule; contracts named in memos in one pass over the table, the first time one is asked for.

The keys, spellings and amounts go into a temporary table (:func:`probe`) joined in one
statement each: a long ``IN (…)`` list would be compiled again for every batch.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.bankmatch import Key, OpenInvoice
from huikuan.db.dialect import unindexed
from huikuan.db.models import Invoice, Payment
from huikuan.store import direct
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import id_of

MAX_LETTERS = 6  # a token with more letters is compared with lower(number) (2**6 spellings)

COLUMNS = (
    id_of(Invoice),
    col(Invoice.customer_id),
    col(Invoice.currency),
    col(Invoice.number),
    col(Invoice.open_amount),
)
ORDER = (col(Invoice.due_date), col(Invoice.issue_date), col(Invoice.number))  # a queue's


def spellings(token: str) -> list[str] | None:
    """Every upper/lower case spelling of ``token`` (None: more than :data:`MAX_LETTERS`
    letters, too many to look up one by one)."""
    letters = sum(ch.isalpha() for ch in token)
    if letters > MAX_LETTERS:
        return None
    options = [(ch.lower(), ch.upper()) if ch.isalpha() else (ch,) for ch in token]
    return ["".join(p) for p in itertools.product(*options)]


class LedgerBook:
    """A :class:`~huikuan.core.bankbook.Book` over the ledger, for the memo ``tokens`` of a
    statement's lines; :attr:`owners` maps the ``owned`` tokens that are invoice numbers
    (exactly) to their customer. Then :meth:`expect` the lines' ``(key, amount)`` pairs."""

    def __init__(self, conn: Connection, tokens: set[str], owned: set[str]) -> None:
        """``owned``: the tokens whose owner is wanted (of the lines no name matched)."""
        self._db = sa_of(conn)
        self._tokens, self._owned = tokens, owned
        self._contracted: dict[Key, list[OpenInvoice]] | None = None
        self._queues: dict[Key, list[OpenInvoice]] = {}
        self.owners, self._numbered = self._read_numbers()
        self._totals: dict[Key, int] = {}
        self._equal: dict[tuple[Key, int], list[OpenInvoice]] = {}
        self._asked: set[tuple[Key, int]] = set()

    def expect(self, customers: Iterable[int], amounts: Iterable[tuple[Key, int]]) -> None:
        """Read the open balances of the ``customers`` (every customer asked for) and the
        open invoices of exactly these ``(key, amount)`` pairs (before any is asked for; a
        pair not given here is read when asked for)."""
        self._totals = self._read_totals(customers)
        self._asked = set(amounts)
        self._equal = self._read_equal(self._asked)

    def names_open(self, key: Key, tokens: Iterable[str]) -> bool:
        """Whether one of ``tokens`` numbers an open invoice of the key (a line that will
        most likely not ask for the invoices of its amount)."""
        return any((key, t.casefold()) in self._numbered for t in tokens)

    # --- Book ---------------------------------------------------------------------------

    def total(self, key: Key) -> int:
        return self._totals.get(key, 0)

    def equal(self, key: Key, amount: int) -> Sequence[OpenInvoice]:
        if (key, amount) not in self._asked:
            self._asked.add((key, amount))
            rows = self._db.execute(EQUAL, {"customer": key[0], "currency": key[1], "open": amount})
            self._equal[key, amount] = [OpenInvoice(i, n, key[1], a) for i, n, a in rows]
        return self._equal.get((key, amount), ())

    def numbered(self, key: Key, number: str) -> Sequence[OpenInvoice]:
        return self._numbered.get((key, number), ())

    def contracted(self, key: Key) -> Sequence[OpenInvoice]:
        if self._contracted is None:
            self._contracted = self._read_contracts()
        return self._contracted.get(key, ())

    def queue(self, key: Key) -> Sequence[OpenInvoice]:
        if key not in self._queues:
            rows = self._db.execute(QUEUE, {"customer": key[0], "currency": key[1]})
            self._queues[key] = [OpenInvoice(i, n, key[1], a) for i, n, a in rows]
        return self._queues[key]

    # --- reading ------------------------------------------------------------------------

    def _read_totals(self, customers: Iterable[int]) -> dict[Key, int]:
        """The open balance of each key of the customers: grouped over the partial index of
        open invoices, the customers in a temporary table."""
        with probe(self._db, CUSTOMERS, ((c,) for c in customers)) as table:
            inv = Invoice.__table__.c  # type: ignore[attr-defined]
            sums = (
                sa.select(inv.customer_id, inv.currency, sa.func.sum(inv.open_amount))
                .where(inv.open_amount > 0, inv.customer_id.in_(sa.select(table.c.customer_id)))
                .group_by(inv.customer_id, inv.currency)
            )
            return {(c, k): int(t) for c, k, t in direct.rows(self._db, sums)}

    def _read_equal(
        self, amounts: set[tuple[Key, int]]
    ) -> dict[tuple[Key, int], list[OpenInvoice]]:
        """The open invoices of each ``(key, amount)``: the pairs in a temporary table,
        joined to the partial index of open invoices."""
        rows = ((c, k, a) for (c, k), a in amounts)
        equal: dict[tuple[Key, int], list[OpenInvoice]] = {}
        with probe(self._db, AMOUNTS, rows) as table:
            inv, p = Invoice.__table__.c, table.c  # type: ignore[attr-defined]
            on = (inv.customer_id == p.customer_id) & (inv.currency == p.currency)
            same = (
                sa.select(inv.id, inv.customer_id, inv.currency, inv.number, inv.open_amount)
                .join(table, on & (inv.open_amount == p.amount))
                .where(inv.open_amount > 0)
            )
            for i, c, k, n, a in direct.rows(self._db, same):
                equal.setdefault(((c, k), a), []).append(OpenInvoice(i, n, k, a))
        return equal

    def _read_numbers(
        self,
    ) -> tuple[dict[str, int], dict[tuple[Key, str], list[OpenInvoice]]]:
        """The invoices the tokens name, in any case: the owners of the exact numbers (open
        or not) and the open ones by (key, case-folded number), oldest first."""
        folded = {t.casefold() for t in self._tokens}
        spelt_of = {t: spellings(t) for t in sorted(folded)}  # spellings apart, then
        long = [(t,) for t, spelt_t in spelt_of.items() if spelt_t is None]
        spelt = ((o,) for spelt_t in spelt_of.values() for o in spelt_t or ())
        exact, owners, keys = self._owned, dict[str, int](), dict[Key, Key]()
        named: dict[tuple[Key, str], list[OpenInvoice]] = {}
        for rows in self._named_rows(spelt, long):
            for i, c, k, n, a in rows:
                if n in exact:
                    owners[n] = c
                if a > 0:
                    key = keys.setdefault((c, k), (c, k))  # one key tuple a customer: memory
                    named.setdefault((key, n.casefold()), []).append(OpenInvoice(i, n, key[1], a))
        return owners, named

    def _named_rows(
        self, spelt: Iterable[tuple[str]], long: list[tuple[str]]
    ) -> Iterator[Iterator[tuple[Any, ...]]]:
        """The rows of the invoices numbered as ``spelt`` (exactly) or as ``long`` (lower
        case), oldest first (each case-folded number's invoices come from one of them)."""
        number = col(Invoice.number)
        with probe(self._db, NUMBERS, spelt) as table:
            # IN (…): one probe of the unique index a spelling (a join may scan the index)
            stmt = sa.select(*COLUMNS).where(number.in_(sa.select(table.c.value)))
            yield direct.rows(self._db, stmt.order_by(*ORDER))
        if long:
            with probe(self._db, NUMBERS, long) as table:
                lower = sa.func.lower(number).in_(sa.select(table.c.value))
                yield direct.rows(self._db, sa.select(*COLUMNS).where(lower).order_by(*ORDER))

    def _read_contracts(self) -> dict[Key, list[OpenInvoice]]:
        """The open invoices whose contract is among the tokens (case-insensitive), by key,
        oldest first: one pass over the invoices with a contract."""
        wanted = {t.casefold() for t in self._tokens}
        stmt = sa.select(*COLUMNS, col(Invoice.contract)).where(
            col(Invoice.contract).is_not(None), unindexed(col(Invoice.open_amount)) > 0
        )
        out: dict[Key, list[OpenInvoice]] = {}
        for i, c, k, n, a, contract in direct.rows(self._db, stmt.order_by(*ORDER)):
            if contract.casefold() in wanted:
                out.setdefault((c, k), []).append(OpenInvoice(i, n, k, a, contract))
        return out


PROBE_ROWS = 10_000
AMOUNTS = (
    sa.Column("customer_id", sa.BigInteger, primary_key=True),
    sa.Column("currency", sa.String, primary_key=True),
    sa.Column("amount", sa.BigInteger, primary_key=True),
)
NUMBERS = (sa.Column("value", sa.String, primary_key=True),)
CUSTOMERS = (sa.Column("customer_id", sa.BigInteger, primary_key=True),)
REFERENCES = (
    sa.Column("customer_id", sa.BigInteger, primary_key=True),
    sa.Column("reference", sa.String, primary_key=True),
)
_inv = Invoice.__table__.c  # type: ignore[attr-defined]
QUEUE = (
    sa.select(_inv.id, _inv.number, _inv.open_amount)
    .where(
        _inv.open_amount > 0,
        _inv.customer_id == sa.bindparam("customer"),
        _inv.currency == sa.bindparam("currency"),
    )
    .order_by(_inv.due_date, _inv.issue_date, _inv.number)
)
EQUAL = sa.select(_inv.id, _inv.number, _inv.open_amount).where(
    _inv.open_amount > 0,
    _inv.customer_id == sa.bindparam("customer"),
    _inv.currency == sa.bindparam("currency"),
    _inv.open_amount == sa.bindparam("open"),
)


@contextlib.contextmanager
def probe(
    db: sa.Connection, columns: Sequence[sa.Column[Any]], rows: Iterable[Sequence[Any]]
) -> Iterator[sa.Table]:
    """A temporary table of ``rows`` (distinct, on ``columns``) for the length of a query:
    one statement joins it, where an ``IN (…)`` list would be compiled again per batch.
    Made and dropped in the caller's transaction (a rollback drops it too); the rows go in
    :data:`PROBE_ROWS` at a time (memory)."""
    table = sa.Table(
        "bank_probe", sa.MetaData(), *(c._copy() for c in columns), prefixes=["TEMPORARY"]
    )
    table.create(db)
    insert, keys, todo = sa.insert(table), [c.name for c in columns], iter(rows)
    while chunk := list(itertools.islice(todo, PROBE_ROWS)):
        direct.executemany(db, insert, keys, chunk)
    yield table
    table.drop(db)


def paid_references(conn: Connection, pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which ``(customer id, reference)`` pairs a payment (not reversed) already has: the
    pairs go into a temporary table joined to the ``payment_reference`` index (one probe a
    pair; ``reference IN (…)`` alone would scan every payment once per batch)."""
    db, todo = sa_of(conn), set(pairs)
    if not todo:
        return set()
    with probe(db, REFERENCES, todo) as table:
        cust, ref = table.c.customer_id, table.c.reference
        paid = sa.select(sa.literal(1)).where(
            col(Payment.customer_id) == cust,
            col(Payment.reference) == ref,
            col(Payment.kind) == "payment",
            col(Payment.reversed_on).is_(None),
        )
        # EXISTS: the pairs drive (a join may scan every payment instead)
        stmt = sa.select(cust, ref).where(paid.exists())
        return {(c, r) for c, r in direct.rows(db, stmt)}
