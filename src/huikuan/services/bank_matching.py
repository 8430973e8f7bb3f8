"""Deciding and recording the matches of bank lines, set-wise (used by ``services.bank``).

Customers, aliases, the accounts seen before, the invoices the memos name, the references
already paid, the open balances and the open invoices of the lines' amounts are read once; a
customer's whole queue only when a payment is allocated by the ledger's rule
(``store.bank_book``: never every open invoice of a big ledger). The lines are decided in
date order over shared open amounts (``core.bankbook``). Payments, allocations and audit entries
are written with one executemany per batch.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from huikuan.core.bankbook import BookMatcher
from huikuan.core.bankmatch import LineFacts as LineFacts
from huikuan.core.bankmatch import find_customer, make_directory, memo_tokens

if TYPE_CHECKING:
    from huikuan.store.db import Connection

NAMING = ("invoice in memo", "contract in memo", "amount equals an open invoice")


@dataclass(frozen=True, slots=True)
class Decision:
    """What matching decided for one line (``matched``: it becomes a payment)."""

    customer: int | None
    code: str | None
    named: list[str]
    reason: str
    score: int
    parts: list[tuple[int, int]]
    rest: int
    matched: bool

    def fields(self, payment: int | None) -> dict[str, Any]:
        """The line's columns after this decision."""
        return dict(zip(OUTCOME, self.outcome(payment)))

    def outcome(self, payment: int | None) -> tuple[Any, ...]:
        """:meth:`fields`' values as a tuple, in the order of :data:`OUTCOME`."""
        return (
            "matched" if payment else "unmatched",
            self.customer,
            payment,
            " ".join(self.named) or None,
            self.reason,
            self.score,
        )


OUTCOME = ("status", "customer_id", "payment_id", "invoices", "reason", "score")
NOBODY = Decision(None, None, [], "no customer found", 0, [], 0, False)


def facts(row: dict[str, Any]) -> LineFacts:
    """What the matcher reads of a line row."""
    return LineFacts(
        row["amount"],
        row["currency"],
        row["counterparty"],
        row["counterparty_account"],
        row["memo"],
        row["serial"],
    )


def decide(
    conn: Connection, threshold: int, lines: Sequence[LineFacts]
) -> tuple[list[Decision], dict[int, int]]:
    """A decision for each line (given in date order) and the open amounts, by invoice id, of
    the invoices the matched lines pay."""
    decisions, opens = decide_as_read(conn, threshold, lines)
    return list(decisions), opens


def decide_as_read(
    conn: Connection, threshold: int, lines: Sequence[LineFacts]
) -> tuple[Iterator[Decision], dict[int, int]]:
    """:func:`decide`, each line's decision made as it is read (so a caller can write them
    a chunk at a time, and they need not all be in memory); the open amounts are filled as
    they are made. The ledger may be written in between: the matcher's open amounts of
    what it allocated override what it reads afterwards."""
    from huikuan.store import bank as S
    from huikuan.store.bank_book import LedgerBook, paid_references

    toks = _tokens(lines)
    tokens = {t for ts in toks for t in ts}
    directory = make_directory(S.customers(conn), S.aliases(conn), S.seen_accounts(conn))
    named = [find_customer(directory, f.counterparty, f.account) for f in lines]
    unnamed = (ts for ts, c in zip(toks, named) if c is None)
    book = LedgerBook(conn, tokens, {t for ts in unnamed for t in ts})
    m = BookMatcher(directory, book.owners, threshold=threshold, book=book)
    found = [c if c is not None else m.customer_of(f) for c, f in zip(named, lines)]
    del named
    pairs = ((c[0], f.serial) for c, f in zip(found, lines) if c and f.serial)
    m.references = paid_references(conn, pairs)  # only the customer's own count
    customers = {c[0] for c in found if c}
    book.expect(
        customers,
        (
            ((c[0], f.currency), f.amount)
            for c, f, ts in zip(found, lines, toks)
            if c and not book.names_open((c[0], f.currency), ts)
        ),
    )
    codes = S.customer_codes(conn, customers)
    opens: dict[int, int] = {}
    return _decisions(m, lines, found, toks, codes, opens), opens


def _tokens(lines: Sequence[LineFacts]) -> list[tuple[str, ...]]:
    """Each line's :func:`memo_tokens`, worked out once: a tuple, each token one string
    shared by the lines that name it (memory)."""
    shared: dict[str, str] = {}
    return [tuple(shared.setdefault(t, t) for t in memo_tokens(f.memo)) for f in lines]


def _decisions(
    m: BookMatcher,
    lines: Sequence[LineFacts],
    found: list[tuple[int, str] | None],
    toks: list[tuple[str, ...]],
    codes: dict[int, str],
    opens: dict[int, int],
) -> Iterator[Decision]:
    for line, customer, tokens in zip(lines, found, toks):
        if customer is None:
            yield NOBODY
            continue
        decided = _one(m, line, customer, codes, tokens)
        opens.update((inv, m.left[inv]) for inv, _ in decided.parts)
        yield decided


def _one(
    m: BookMatcher,
    line: LineFacts,
    customer: tuple[int, str] | None,
    codes: dict[int, str],
    tokens: Sequence[str] | None = None,
) -> Decision:
    v, parts, rest = m.decide_for(line, customer, tokens)
    named = [m.number(i) for i, _ in parts] if parts else [m.number(i) for i in v.named]
    ok = v.customer is not None and v.score >= m.threshold and "exists" not in v.reason
    code = codes.get(v.customer) if v.customer is not None else None
    reason = sys.intern(v.reason)  # a few reasons, shared by many lines
    return Decision(v.customer, code, named, reason, v.score, parts, rest, ok)


def record(
    conn: Connection,
    rows: Sequence[dict[str, Any]],
    decided: Sequence[Decision],
    opens: dict[int, int],
) -> list[int | None]:
    """Write the payments of the matched lines (with what stays unapplied) and their
    allocations; return each line's payment id (None: not matched)."""
    from huikuan.store import bank as S

    paid, day = [(r, d) for r, d in zip(rows, decided) if d.matched], S.day_value(conn)
    pids = iter(S.insert_payment_rows(conn, [_payment(r, d, day) for r, d in paid]))
    out = [next(pids) if d.matched else None for d in decided]
    parts: list[tuple[int, int, int, date]] = []
    for r, d, pid in zip(rows, decided, out):
        if pid is not None and d.parts:
            parts.extend((pid, inv, amt, r["date"]) for inv, amt in d.parts)
    S.write_allocations(conn, parts, {inv: opens[inv] for _, inv, _, _ in parts}, {})
    return out


def _payment(row: dict[str, Any], d: Decision, day: Callable[[date], Any]) -> tuple[Any, ...]:
    """The line's payment as ``store.bank.insert_payment_rows`` takes it."""
    first = d.parts[0][0] if d.parts and d.reason.split("; ")[-1] in NAMING else None
    unapplied = d.rest if d.parts else row["amount"]  # what the allocations leave
    return (
        d.customer,
        day(row["date"]),
        row["amount"],
        row["currency"],
        first,
        row["serial"],
        unapplied,
    )


def audit(
    conn: Connection,
    user: str,
    lines: Sequence[int],
    decided: Sequence[Decision],
    payments: Sequence[int | None],
) -> None:
    """One audit entry per line that became a payment."""
    from huikuan.store import bank as S

    S.audit_many(
        conn,
        user,
        [
            (
                "match",
                str(line),
                {
                    "customer": d.code,
                    "payment": pid,
                    "invoices": d.named,
                    "reason": d.reason,
                    "score": d.score,
                },
            )
            for line, d, pid in zip(lines, decided, payments)
            if pid is not None
        ],
    )
