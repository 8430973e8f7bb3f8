"""Bank statements (银行流水核销): import, match, the 认领 queue, claim, unclaim, ignore.

``import_statement`` stores a statement's new lines (debit lines as ``ignored``: money out is
never matched) and matches its credit lines at once; ``match`` matches the lines still waiting
(after new invoices, customers or aliases). Lines scoring at least ``[bank] auto_match_score``
become payments (reference = the bank serial) allocated by the ledger's rule; the others wait
with their best guess. Every decision goes to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from huikuan.core.bankmatch import allocate_one
from huikuan.core.bankmatch import normalise_name as normalise_name
from huikuan.core.errors import Conflict, InvalidValue
from huikuan.core.money import format_fen
from huikuan.runtime import collector_paused

if TYPE_CHECKING:
    from huikuan.services.context import Context
    from huikuan.store.bankfile import Statement
    from huikuan.store.db import Connection

STATUSES = ("unmatched", "matched", "ignored")


@dataclass(frozen=True)
class ImportRequest:
    """``bank import FILE``'s options."""

    path: str
    bank: str | None = None
    account: str | None = None
    mapping: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    currency: str | None = None


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (the JSON of ``bank import``)."""

    file: str
    account: str
    lines: int
    new: int
    duplicates: int
    matched: int
    unmatched: int
    layout: str

    def row(self) -> dict[str, Any]:
        keys = ("file", "account", "lines", "new", "duplicates", "matched", "unmatched")
        return {k: getattr(self, k) for k in keys}


@dataclass(frozen=True)
class LineView:
    """A bank line as ``bank list`` shows it."""

    line: int
    date: str
    amount: str
    currency: str
    direction: str
    counterparty: str | None
    counterparty_account: str | None
    memo: str | None
    serial: str | None
    status: str
    customer: str | None
    invoices: list[str]
    reason: str | None
    score: int | None

    def row(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class MatchResult:
    """What ``bank match`` did (or, with ``dry_run``, would do) to the waiting lines."""

    lines: list[LineView]
    matched: int
    unmatched: int
    dry_run: bool


@dataclass(frozen=True)
class Claimed:
    """A claimed line, where its payment went, and the aliases learnt."""

    line: LineView
    applied: list[dict[str, Any]]
    learnt: list[str] = field(default_factory=list)


def view(row: dict[str, Any]) -> LineView:
    """A stored line (``store.bank.lines`` row) as a :class:`LineView`."""
    day = row["date"]
    return LineView(
        line=row["line"],
        date=day.isoformat() if isinstance(day, date) else str(day),
        amount=format_fen(row["amount"]),
        currency=row["currency"],
        direction=row["direction"],
        counterparty=row["counterparty"],
        counterparty_account=row["counterparty_account"],
        memo=row["memo"],
        serial=row["serial"],
        status=row["status"],
        customer=row["customer"],
        invoices=(row["invoices"] or "").split(),
        reason=row["reason"],
        score=row["score"],
    )


# --- import ---------------------------------------------------------------------------------


def import_statement(ctx: Context, req: ImportRequest) -> ImportSummary:
    """Read, store (new lines only) and match one statement, all or nothing."""
    from huikuan.store.bank_layouts import layout_for, parse_map
    from huikuan.store.bankfile import read_statement

    mapping = parse_map(req.mapping)
    layout = layout_for(req.bank, mapping)
    with collector_paused():
        stmt = read_statement(req.path, layout, mapping, sheet=req.sheet, encoding=req.encoding)
        return _import(ctx, req, stmt)


def _import(ctx: Context, req: ImportRequest, stmt: Statement) -> ImportSummary:
    """Store and match the statement read (:func:`import_statement`)."""
    from huikuan.services import bank_import as B
    from huikuan.store import bank as S
    from huikuan.store.ledger import audit

    with ctx.ledger.small_cache(), ctx.ledger.transaction() as conn:
        account, currency = B.settle(ctx, conn, stmt, req.account, req.currency)
        batch = S.add_import(
            conn,
            {
                "file": req.path,
                "layout": stmt.layout,
                "account": "",
                "lines": len(stmt.lines),
                "new": 0,
                "username": ctx.user,
            },
        )
        got = B.store(ctx, conn, stmt, batch, account, currency)
        summary = ImportSummary(
            req.path,
            ", ".join(got.accounts),
            got.lines,
            got.new,
            got.lines - got.new,
            got.matched,
            got.unmatched,
            stmt.layout,
        )
        S.finish_import(conn, batch, summary.account, got.new)
        audit(
            conn,
            ctx.user,
            "import",
            "bank_import",
            str(batch),
            {**summary.row(), "layout": summary.layout},
        )
    return summary


# --- matching -------------------------------------------------------------------------------


def match(ctx: Context, dry_run: bool = False) -> MatchResult:
    """Match the credit lines waiting in the queue; ``dry_run``: say what would match."""
    from huikuan.services import bank_matching as M
    from huikuan.store import bank as S

    with ctx.ledger.transaction() as conn:
        waiting = list(S.lines(conn, "unmatched", credit_only=True))
        decided, opens = M.decide(conn, ctx.config.auto_match_score, [M.facts(w) for w in waiting])
        if dry_run:
            views = [_dry_view(w, d) for w, d in zip(waiting, decided)]
            matched = sum(v.status == "matched" for v in views)
            return MatchResult(views, matched, len(views) - matched, True)
        payments = M.record(conn, waiting, decided, opens)
        S.set_lines(
            conn,
            [{"line": w["line"], **d.fields(p)} for w, d, p in zip(waiting, decided, payments)],
        )
        M.audit(conn, ctx.user, [w["line"] for w in waiting], decided, payments)
        matched = sum(p is not None for p in payments)
        views = [
            view({**w, **d.fields(p), "customer": d.code})
            for w, d, p in zip(waiting, decided, payments)
        ]
    return MatchResult(views, matched, len(waiting) - matched, False)


def _dry_view(row: dict[str, Any], d: Any) -> LineView:
    fields = {**d.fields(None), "status": "matched" if d.matched else "unmatched"}
    return view({**row, **fields, "customer": d.code, "invoices": " ".join(d.named)})


# --- the queue ------------------------------------------------------------------------------


def list_lines(ctx: Context, status: str | None = None) -> Iterator[LineView]:
    """Stored lines by date (``status``: only those)."""
    from huikuan.store import bank as S

    if status is not None and status not in STATUSES:
        raise InvalidValue(f"--status must be one of {', '.join(STATUSES)}, not {status!r}")
    return (view(r) for r in S.lines(ctx.ledger.conn, status, stream=True))


def _one(conn: Connection, line_id: int) -> dict[str, Any]:
    from huikuan.store import bank as S

    return S.line(conn, line_id)


def claim(ctx: Context, line_id: int, code: str, invoices: list[str]) -> Claimed:
    """Record the line as the customer's payment (to ``invoices`` first, then by the ledger's
    rule) and learn its counterparty's name and account as the customer's."""
    from huikuan.store import bank as S
    from huikuan.store import ledger as L
    from huikuan.store import queries as Q
    from huikuan.store.bank_book import paid_references

    with ctx.ledger.transaction() as conn:
        row = _claimable(conn, line_id)
        cust = L.require_customer(conn, code)
        named = _named(conn, row, cust.id, invoices)
        if row["serial"] and paid_references(conn, [(cust.id, row["serial"])]):
            raise Conflict(
                f"{code} already has a payment with reference {row['serial']}"
                f" (see `huikuan payment list`); `huikuan bank ignore {line_id}` if it is that one"
            )
        queue = S.open_invoices(conn, [cust.id]).get((cust.id, row["currency"]), [])
        left: dict[int, int] = {}
        parts, rest = allocate_one(row["amount"], [i for i, _ in named], queue, left)
        first = named[0][0] if named else None
        pid = S.insert_payments(
            conn,
            [
                {
                    "customer_id": cust.id,
                    "date": row["date"],
                    "amount": row["amount"],
                    "currency": row["currency"],
                    "invoice_id": first,
                    "reference": row["serial"],
                }
            ],
        )[0]
        S.write_allocations(
            conn,
            [(pid, i, a, row["date"]) for i, a in parts],
            {i: left[i] for i, _ in parts},
            {pid: rest} if parts else {},
        )
        numbers = {i.id: i.number for i in queue} | dict(named)
        decision = {
            "line": line_id,
            "status": "matched",
            "customer_id": cust.id,
            "payment_id": pid,
            "invoices": " ".join(numbers[i] for i, _ in parts) or None,
            "reason": "claimed",
            "score": 100,
        }
        S.set_lines(conn, [decision])
        learnt = _learn(conn, ctx.user, row, cust.id)
        S.audit_many(
            conn,
            ctx.user,
            [
                (
                    "claim",
                    str(line_id),
                    {
                        "customer": code,
                        "payment": pid,
                        "invoices": decision["invoices"],
                        "was": row["status"],
                        "learnt": learnt,
                    },
                )
            ],
        )
        return Claimed(view(S.line(conn, line_id)), Q.applied(conn, pid), learnt)


def _claimable(conn: Connection, line_id: int) -> dict[str, Any]:
    row = _one(conn, line_id)
    if row["direction"] != "credit":
        raise Conflict(f"bank line {line_id} is a debit (money out): only credit lines are claimed")
    if row["status"] == "matched":
        raise Conflict(
            f"bank line {line_id} is matched to {row['customer']} already"
            f" (`huikuan bank unclaim {line_id}` first)"
        )
    return row


def _named(
    conn: Connection, row: dict[str, Any], cid: int, numbers: list[str]
) -> list[tuple[int, str]]:
    """The ``--invoice`` invoices as ``(id, number)``: the customer's, in the line's currency."""
    from huikuan.store import ledger as L

    out = []
    for number in dict.fromkeys(numbers):
        inv = L.require_invoice(conn, number)
        if inv.customer_id != cid:
            raise Conflict(f"invoice {number} is not this customer's")
        if inv.currency != row["currency"]:
            raise Conflict(f"invoice {number} is in {inv.currency}, the line in {row['currency']}")
        out.append((inv.id, number))
    return out


def _learn(conn: Connection, user: str, row: dict[str, Any], cid: int) -> list[str]:
    """Remember the line's counterparty name (unless it is the customer's own) and account."""
    from huikuan.store import bank as S

    learnt = []
    name, account = row["counterparty"], row["counterparty_account"]
    if name and normalise_name(name) != normalise_name(S.customer_name(conn, cid)):
        S.learn(conn, user, "name", normalise_name(name), cid)
        learnt.append(f"name {name}")
    if account:
        S.learn(conn, user, "account", account, cid)
        learnt.append(f"account {account}")
    return learnt


def unclaim(ctx: Context, line_id: int) -> LineView:
    """Undo a matched line: its payment is reversed as of the day (``payment reverse``), the
    aliases it taught forgotten, and the line waits in the queue again."""
    from huikuan.store import bank as S
    from huikuan.store.corrections import reverse_payment

    with ctx.ledger.transaction() as conn:
        row = _one(conn, line_id)
        if row["status"] != "matched" or row["payment_id"] is None:
            raise Conflict(f"bank line {line_id} is {row['status']}, not matched: nothing to undo")
        reversal = reverse_payment(
            conn,
            row["payment_id"],
            on=ctx.as_of,
            user=ctx.user,
            reason=f"bank unclaim of line {line_id}",
        )
        forgot = S.forget(
            conn,
            row["customer_id"],
            normalise_name(row["counterparty"] or ""),
            row["counterparty_account"],
        )
        S.set_lines(
            conn,
            [
                {
                    "line": line_id,
                    "status": "unmatched",
                    "customer_id": None,
                    "payment_id": None,
                    "invoices": None,
                    "reason": "unclaimed",
                    "score": None,
                }
            ],
        )
        S.audit_many(
            conn,
            ctx.user,
            [
                (
                    "unclaim",
                    str(line_id),
                    {
                        "customer": row["customer"],
                        "payment": row["payment_id"],
                        "freed": [[a.invoice, a.amount] for a in reversal.freed],
                        "forgot": forgot,
                    },
                )
            ],
        )
        return view(S.line(conn, line_id))


def ignore(ctx: Context, line_id: int, reason: str) -> LineView:
    """Take a waiting line out of the queue (a loan, a refund, a transfer) with a reason."""
    from huikuan.store import bank as S

    with ctx.ledger.transaction() as conn:
        row = _one(conn, line_id)
        if row["status"] == "matched":
            raise Conflict(
                f"bank line {line_id} is matched (`huikuan bank unclaim {line_id}` first)"
            )
        S.set_lines(
            conn,
            [
                {
                    "line": line_id,
                    "status": "ignored",
                    "customer_id": None,
                    "payment_id": None,
                    "invoices": None,
                    "reason": reason,
                    "score": None,
                }
            ],
        )
        S.audit_many(
            conn, ctx.user, [("ignore", str(line_id), {"reason": reason, "was": row["status"]})]
        )
        return view(S.line(conn, line_id))
