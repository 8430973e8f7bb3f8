"""Storing a statement's lines and matching them (used by ``services.bank.import_statement``;
one transaction: a failure anywhere stores nothing).

Lines go in date order. The new ones (per account, by serial, else by date, amount, direction,
counterparty and memo: the keys already stored are looked up once) are kept :data:`CHUNK`
lines at a time; what matching the new credit lines reads is read once for them all (see
``bank_matching``), then they are decided and written :data:`CHUNK` at a time: payments and
allocations, the lines with their outcome (tuples in the table's order,
``store.bank_writes``), the audit entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from huikuan.core.errors import ImportFailed
from huikuan.core.money import parse_currency

if TYPE_CHECKING:
    from huikuan.services.context import Context
    from huikuan.store.bankfile import Statement, StatementLine
    from huikuan.store.db import Connection

CHUNK = 2_500  # lines written at a time (and new ones looked for)


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
    conn: Connection,
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
    others = {line.currency or default for line in stmt.lines} - {ctx.config.currency}
    known = {ctx.config.currency} | S.ledger_currencies(conn, others)
    for used in sorted(others - known):
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
    conn: Connection,
    stmt: Statement,
    batch: int,
    account: str | None,
    currency: str,
) -> Counts:
    """Store and match the statement's new lines: what matching reads is read once for all
    new credit lines, then they are decided and written chunk by chunk."""
    from huikuan.services import bank_matching as M
    from huikuan.store import bank as S

    lines = sorted(stmt.lines, key=lambda line: line.date)
    known, seen = _stored_keys(conn, lines, account), dict[str, set[str]]()
    fresh = [
        line
        for start in range(0, len(lines), CHUNK)
        for line in _fresh(lines[start : start + CHUNK], account, known, seen)
    ]
    del known, seen  # the keys of every line: memory
    credit = [line for line in fresh if line.direction == "credit"]
    facts = [
        M.LineFacts(
            x.amount,
            x.currency or currency,
            x.counterparty,
            x.counterparty_account,
            x.memo,
            x.serial,
        )
        for x in credit
    ]
    decided, opens = M.decide_as_read(conn, ctx.config.auto_match_score, facts)
    matched, stored = 0, Stored(batch, account, currency, S.day_value(conn))
    for start in range(0, len(fresh), CHUNK):
        chunk = fresh[start : start + CHUNK]
        turns = [next(decided) if x.direction == "credit" else None for x in chunk]
        matched += _write(ctx, conn, chunk, turns, opens, stored)
        opens.clear()  # written: a later line paying one of them sets it again
    accounts = sorted({account or line.account or "" for line in lines})
    return Counts(accounts, len(lines), len(fresh), matched, len(credit) - matched)


@dataclass(frozen=True)
class Stored:
    """What every stored line of the import shares: its import, account and currency, and
    how its date goes to the driver (``store.bank.day_value``)."""

    batch: int
    account: str | None
    currency: str
    day: Callable[[date], Any]

    def row(self, line: StatementLine, outcome: tuple[Any, ...]) -> tuple[Any, ...]:
        """The line as ``store.bank.LINE_COLUMNS``, ``outcome`` being status, customer id,
        payment id, invoices, reason and score."""
        return (
            self.batch,
            self.account or line.account,
            self.day(line.date),
            line.amount,
            line.currency or self.currency,
            line.direction,
            line.counterparty,
            line.counterparty_account,
            line.memo,
            line.serial,
            line.dedup_key(),
            *outcome,
        )


DEBIT = ("ignored", None, None, None, "debit", None)


def _stored_keys(
    conn: Connection, lines: Sequence[StatementLine], account: str | None
) -> dict[str, set[str]]:
    """The lines' keys already stored, by account (one look-up for them all)."""
    from huikuan.store import bank as S

    keys: dict[str, list[str]] = {}
    for x in lines:
        keys.setdefault(account or x.account or "", []).append(x.dedup_key())
    return {acct: S.existing_keys(conn, acct, mine) for acct, mine in keys.items()}


def _fresh(
    lines: Sequence[StatementLine],
    account: str | None,
    stored: dict[str, set[str]],
    seen: dict[str, set[str]],
) -> list[StatementLine]:
    """The lines whose keys are not ``stored`` (per account) nor ``seen`` earlier in the
    file (keys by account), each once."""
    out = []
    for acct in sorted({account or x.account or "" for x in lines}):
        earlier = seen.setdefault(acct, set())
        for x in lines:
            if (account or x.account or "") != acct:
                continue
            key = x.dedup_key()
            if key not in stored[acct] and key not in earlier:
                earlier.add(key)
                out.append(x)
    return out


def _write(
    ctx: Context,
    conn: Connection,
    chunk: list[StatementLine],
    decided: Sequence[Any],
    opens: dict[int, int],
    stored: Stored,
) -> int:
    """Record the payments of a chunk's matched lines, insert the lines with their outcome,
    audit the matches; return how many matched."""
    from huikuan.services import bank_matching as M
    from huikuan.store import bank as S

    credit = [(x, d) for x, d in zip(chunk, decided) if d is not None]
    facts = [_payable(x, stored) for x, _ in credit]
    payments = iter(M.record(conn, facts, [d for _, d in credit], opens))
    rows, audited = [], []
    for x, d in zip(chunk, decided):
        pid = next(payments) if d is not None else None
        rows.append(stored.row(x, DEBIT if d is None else d.outcome(pid)))
        if pid is not None:
            audited.append((len(rows) - 1, d, pid))
    ids = S.insert_line_rows(conn, rows)
    M.audit(conn, ctx.user, [ids[i] for i, _, _ in audited], *_pair(audited))
    return len(audited)


def _payable(line: StatementLine, stored: Stored) -> dict[str, Any]:
    """What ``bank_matching.record`` reads of a credit line."""
    return {
        "date": line.date,
        "amount": line.amount,
        "currency": line.currency or stored.currency,
        "serial": line.serial,
    }


def _pair(audited: list[tuple[int, Any, int]]) -> tuple[list[Any], list[int | None]]:
    return [d for _, d, _ in audited], [p for _, _, p in audited]
