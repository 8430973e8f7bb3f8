"""Reports over the ledger as it stood on a day: aging (by group, or invoice by invoice) and
the statement of account (对账单)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from huikuan.core.aging import Buckets
from huikuan.core.money import to_decimal

if TYPE_CHECKING:
    from huikuan.core.aging import AgingRow
    from huikuan.services.context import Context
    from huikuan.store.statement import Line, Summary


@dataclass(frozen=True, slots=True)
class AgingQuery:
    """What to age: the buckets (and basis), the grouping, overdue amounts only, the top N."""

    buckets: Buckets = field(default_factory=Buckets)
    by: str = "customer"
    overdue_only: bool = False
    top: int | None = None


@dataclass(frozen=True, slots=True)
class AgingLine:
    """One group's open amounts per bucket in one currency, and its unapplied credit (a
    currency's totals have an empty key and name)."""

    key: str
    name: str
    currency: str
    amounts: tuple[Decimal, ...]
    unapplied: Decimal

    @property
    def total(self) -> Decimal:
        """The open receivable (not netted with unapplied credit)."""
        return sum(self.amounts, Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class AgingReport:
    """Aging as of a day: the bucket labels, the rows (largest first, cut to ``top``), how
    many rows there were before the cut, and the totals per currency (of every row)."""

    as_of: date
    query: AgingQuery
    labels: list[str]
    rows: list[AgingLine]
    count: int
    totals: list[AgingLine]


class OpenInvoice(NamedTuple):
    """One invoice open as of the day, its days past due (0 when not due) and its bucket.

    A named tuple: there is one per open invoice, made fast."""

    number: str
    customer: str
    name: str
    issue_date: date
    due_date: date
    days_overdue: int
    open: Decimal
    bucket: str
    currency: str


def aging(ctx: Context, query: AgingQuery) -> AgingReport:
    """Open amounts per group and bucket as of ``ctx.as_of``, with the unapplied credit.

    With ``overdue_only`` a group with nothing overdue goes, and so does its credit in the
    totals."""
    from huikuan.core.aging import summarize_groups
    from huikuan.store.reports import aging_groups, unapplied_as_of

    conn, day, spec = ctx.ledger.conn, ctx.as_of, query.buckets
    groups = aging_groups(conn, day, spec, query.by, query.overdue_only)
    credits = unapplied_as_of(conn, day, query.by)
    rows, totals = summarize_groups(groups, credits, len(spec.labels))
    if query.overdue_only:
        rows = [r for r in rows if r.total]
        for t in totals:
            t.unapplied = sum(r.unapplied for r in rows if r.currency == t.currency)
    shown = [_line(r) for r in rows[: query.top]]
    return AgingReport(day, query, spec.labels, shown, len(rows), [_line(t) for t in totals])


def _line(row: AgingRow) -> AgingLine:
    amounts = tuple(map(to_decimal, row.amounts))
    return AgingLine(row.key, row.name, row.currency, amounts, to_decimal(row.unapplied))


def open_invoices(ctx: Context, query: AgingQuery) -> Iterator[OpenInvoice]:
    """The invoices open as of ``ctx.as_of``, oldest due first (streamed: read them while the
    ledger is open), at most ``query.top``; ``query.by`` does not apply."""
    from huikuan.store.reports import aging_invoices

    day, spec = ctx.as_of, query.buckets
    labels, by_due = spec.labels, spec.basis == "due"  # once, not per invoice
    found = aging_invoices(ctx.ledger.conn, day, query.overdue_only)
    for n, (number, code, name, issue, due, amount, currency) in enumerate(found):
        if query.top is not None and n >= query.top:
            return
        issued, due_on = date.fromisoformat(issue), date.fromisoformat(due)
        bucket = labels[spec.index((day - (due_on if by_due else issued)).days)]
        overdue = max((day - due_on).days, 0)
        yield OpenInvoice(number, code, name, issued, due_on, overdue, to_decimal(amount),
                          bucket, currency)  # fmt: skip


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of a statement: an invoice (debit), a payment, credit note or write-off
    (credit), or the opening balance, on ``day``; the running balance of its currency."""

    day: date
    type: str
    reference: str
    due_date: date | None
    currency: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class StatementBalance:
    """One currency's movement over the statement: opening, invoiced, paid, credited,
    written off, and the closing balance."""

    currency: str
    opening: Decimal
    invoiced: Decimal
    paid: Decimal
    credited: Decimal
    written_off: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Statement:
    """A customer's statement of account up to ``as_of`` (from ``since`` with an opening
    balance, or from the start)."""

    customer: str
    name: str
    as_of: date
    since: date | None
    lines: list[StatementLine]
    balances: list[StatementBalance]


def statement(ctx: Context, customer: str, since: date | None = None) -> Statement:
    """The statement of ``customer`` up to ``ctx.as_of``; an unknown code is an error."""
    from huikuan.store.queries import customer as get_customer
    from huikuan.store.statement import statement as build

    conn = ctx.ledger.conn
    name = get_customer(conn, customer).name
    lines, sums = build(conn, customer, ctx.as_of, since)
    return Statement(
        customer, name, ctx.as_of, since,
        [_statement_line(x) for x in lines], [_balance(s) for s in sums],
    )  # fmt: skip


def _statement_line(row: Line) -> StatementLine:
    money = (to_decimal(row.debit), to_decimal(row.credit), to_decimal(row.balance))
    return StatementLine(row.date, row.type, row.reference, row.due_date, row.currency, *money)


def _balance(row: Summary) -> StatementBalance:
    return StatementBalance(row.currency, *map(to_decimal, row[1:]))
