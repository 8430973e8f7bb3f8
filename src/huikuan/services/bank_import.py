"""Storing a statement's lines and matching them, :data:`CHUNK` lines at a time (used by
``services.bank.import_statement``; one transaction: a failure anywhere stores nothing).

Lines go in date order; each chunk's new lines (per account, by serial or by date, amount,
direction, counterparty and memo) are decided, their payments recorded and the lines inserted
with their outcome before the next chunk is read, so memory stays bounded and later lines
see the invoices earlier ones paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from huikuan.core.errors import ImportFailed
from huikuan.core.money import parse_currency

if TYPE_CHECKING:
    import sqlite3

    from huikuan.services.context import Context
    from huikuan.store.bankfile import Statement, StatementLine

CHUNK = 10_000


@dataclass(frozen=True)
class Counts:
    """What storing the lines did."""

    accounts: list[str]
    lines: int
    new: int
    matched: int
    unmatched: int


def settle(
    ctx: Context,
    conn: sqlite3.Connection,
    stmt: Statement,
    account: str | None,
    currency: str | None,
) -> tuple[str | None, str]:
    """The statement's account and currency (the options', checked against the file's), and
    every line's currency checked against what the ledger knows."""
    from huikuan.store import bank as S

    given = account.strip() if account else None
    if given and stmt.account and given != stmt.account:
        raise ImportFailed(
            f"{stmt.label}: the statement is for account {stmt.account}, not {given}"
        )
    cur = parse_currency(currency) if currency else None
    if cur and stmt.currency and cur != stmt.currency:
        raise ImportFailed(f"{stmt.label}: the statement is in {stmt.currency}, not {cur}")
    default = cur or stmt.currency or ctx.config.currency
    known = {ctx.config.currency} | S.ledger_currencies(conn)
    for used in sorted({line.currency or default for line in stmt.lines} - known):
        raise ImportFailed(
            f"{stmt.label}: the statement is in {used}, but the ledger has no {used} invoices"
            f" (its currency is {ctx.config.currency})",
            summary="nothing imported",
        )
    if not (given or stmt.account) and any(not line.account for line in stmt.lines):
        raise ImportFailed(f"{stmt.label}: the statement does not say its account: give --account")
    return given or stmt.account, default


def store(
    ctx: Context,
    conn: sqlite3.Connection,
    stmt: Statement,
    batch: int,
    account: str | None,
    currency: str,
) -> Counts:
    """Store and match the statement's new lines, chunk by chunk."""
    lines = sorted(stmt.lines, key=lambda line: line.date)
    new = matched = waiting = 0
    for start in range(0, len(lines), CHUNK):
        rows = [_row(line, account, currency, batch) for line in lines[start : start + CHUNK]]
        got = _chunk(ctx, conn, _fresh(conn, rows))
        new, matched, waiting = new + got[0], matched + got[1], waiting + got[2]
    accounts = sorted({account or line.account or "" for line in lines})
    return Counts(accounts, len(lines), new, matched, waiting)


def _row(line: StatementLine, account: str | None, currency: str, batch: int) -> dict[str, Any]:
    credit = line.direction == "credit"
    return {
        "import_id": batch,
        "account": account or line.account,
        "date": line.date,
        "amount": line.amount,
        "currency": line.currency or currency,
        "direction": line.direction,
        "counterparty": line.counterparty,
        "counterparty_account": line.counterparty_account,
        "memo": line.memo,
        "serial": line.serial,
        "dedup_key": line.dedup_key(),
        "status": "unmatched" if credit else "ignored",
        "reason": None if credit else "debit",
        "customer_id": None,
        "payment_id": None,
        "invoices": None,
        "score": None,
    }


def _fresh(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows not stored yet (per account), each once."""
    from huikuan.store import bank as S

    out, seen = [], set()
    for account in sorted({r["account"] for r in rows}):
        mine = [r for r in rows if r["account"] == account]
        stored = S.existing_keys(conn, account, [r["dedup_key"] for r in mine])
        for r in mine:
            if r["dedup_key"] not in stored and r["dedup_key"] not in seen:
                seen.add(r["dedup_key"])
                out.append(r)
    return sorted(out, key=lambda r: r["date"])


def _chunk(
    ctx: Context, conn: sqlite3.Connection, fresh: Sequence[dict[str, Any]]
) -> tuple[int, int, int]:
    """Decide, record and insert new rows; return (new, matched, waiting)."""
    from huikuan.services import bank_matching as M
    from huikuan.store import bank as S

    credit = [r for r in fresh if r["direction"] == "credit"]
    decided, opens = M.decide(conn, ctx.config.auto_match_score, [M.facts(r) for r in credit])
    payments = M.record(conn, credit, decided, opens)
    for r, d, pid in zip(credit, decided, payments):
        r.update(d.fields(pid))
    ids = S.insert_lines(conn, list(fresh))
    line_of = {id(r): i for r, i in zip(fresh, ids)}
    M.audit(conn, ctx.user, [line_of[id(r)] for r in credit], decided, payments)
    matched = sum(p is not None for p in payments)
    return len(fresh), matched, len(credit) - matched
