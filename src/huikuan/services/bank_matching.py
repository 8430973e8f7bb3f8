"""Deciding and recording the matches of bank lines, set-wise (used by ``services.bank``).

Customers, aliases, the accounts seen before, the invoice numbers the memos name and the
references already paid are read once; open invoices are read for :data:`CUSTOMERS`
customers at a time (memory stays bounded on a big ledger), and the lines of those customers
are decided in date order over shared open amounts. Payments, allocations and audit entries
are written with one executemany per batch.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from huikuan.core.bankmatch import LineFacts as LineFacts
from huikuan.core.bankmatch import Matcher, make_directory, memo_tokens

if TYPE_CHECKING:
    from huikuan.store.db import Connection

CUSTOMERS = 500  # customers whose open invoices are in memory at once
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
        return {
            "status": "matched" if payment else "unmatched",
            "customer_id": self.customer,
            "payment_id": payment,
            "invoices": " ".join(self.named) or None,
            "reason": self.reason,
            "score": self.score,
        }


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
    from huikuan.store import bank as S

    tokens = {t for f in lines for t in memo_tokens(f.memo)}
    directory = make_directory(S.customers(conn), S.aliases(conn), S.seen_accounts(conn))
    m = Matcher(directory, S.invoice_owners(conn, tokens), threshold=threshold)
    m.references = S.known_references(conn, [f.serial for f in lines if f.serial])
    m.wanted = {t.casefold() for t in tokens}
    by_customer: dict[int, list[int]] = {}
    for n, line in enumerate(lines):
        found = m.customer_of(line)
        if found is not None:
            by_customer.setdefault(found[0], []).append(n)
    codes = S.customer_codes(conn, by_customer)
    contracts = S.contracts_named(conn, tokens)
    out, opens = [NOBODY] * len(lines), dict[int, int]()
    customers = sorted(by_customer)
    for start in range(0, len(customers), CUSTOMERS):
        batch = customers[start : start + CUSTOMERS]
        m.use(S.open_invoices(conn, batch, contracts))
        numbers = {i.id: i.number for q in m.queues.values() for i in q}
        for n in sorted(n for c in batch for n in by_customer[c]):
            out[n] = _one(m, lines[n], numbers, codes)
            opens.update((inv, m.left[inv]) for inv, _ in out[n].parts)
    return out, opens


def _one(m: Matcher, line: LineFacts, numbers: dict[int, str], codes: dict[int, str]) -> Decision:
    v, parts, rest = m.decide(line)
    named = [numbers[i] for i, _ in parts] if parts else [numbers[i] for i in v.named]
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

    paid = [(r, d) for r, d in zip(rows, decided) if d.matched]
    pids = iter(S.insert_payments(conn, [_payment(r, d) for r, d in paid]))
    out = [next(pids) if d.matched else None for d in decided]
    parts: list[tuple[int, int, int, date]] = []
    for r, d, pid in zip(rows, decided, out):
        if pid is not None and d.parts:
            parts.extend((pid, inv, amt, r["date"]) for inv, amt in d.parts)
    S.write_allocations(conn, parts, {inv: opens[inv] for _, inv, _, _ in parts}, {})
    return out


def _payment(row: dict[str, Any], d: Decision) -> dict[str, Any]:
    first = d.parts[0][0] if d.parts and d.reason.split("; ")[-1] in NAMING else None
    return {
        "customer_id": d.customer,
        "date": row["date"],
        "amount": row["amount"],
        "currency": row["currency"],
        "invoice_id": first,
        "reference": row["serial"],
        "unapplied": d.rest if d.parts else row["amount"],  # what the allocations leave
    }


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
