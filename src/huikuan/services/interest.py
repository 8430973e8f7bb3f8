"""Late interest (违约金 / 逾期利息) per overdue invoice as of a day, following partial
payments, by the ``[interest]`` rules (the customer's or contract's own where set)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from huikuan.core.interest import InvoiceInterest
from huikuan.core.money import to_decimal

if TYPE_CHECKING:
    from huikuan.services.context import Context


@dataclass(frozen=True, slots=True)
class InterestTotal:
    """One currency's open amount and interest over the listed invoices."""

    currency: str
    open: Decimal
    interest: Decimal


class InterestReport:
    """The invoices that accrued interest (streamed: read them while the ledger is open),
    and, once they have all been read, the totals per currency."""

    def __init__(self, found: Iterable[InvoiceInterest]) -> None:
        self._found = found
        self._sums: dict[str, tuple[int, int]] = {}  # 分 open, 分 interest
        self._done = False

    def __iter__(self) -> Iterator[InvoiceInterest]:
        sums = self._sums
        for i in self._found:
            opened, owed = sums.get(i.currency, (0, 0))
            sums[i.currency] = (opened + i.open_fen, owed + i.interest_fen)
            yield i
        self._done = True

    def totals(self) -> list[InterestTotal]:
        """Per currency, sorted; only after the invoices have been read to the end."""
        if not self._done:
            raise RuntimeError("read the invoices before their totals")
        return [
            InterestTotal(c, to_decimal(o), to_decimal(f))
            for c, (o, f) in sorted(self._sums.items())
        ]


def late_interest(
    ctx: Context, customer: str | None = None, *, include_paid: bool = False
) -> InterestReport:
    """Interest as of ``ctx.as_of`` on the invoices overdue then (of one customer: an unknown
    code is an error); with ``include_paid`` also invoices paid late."""
    from huikuan.store.interest import invoice_interest
    from huikuan.store.ledger import require_customer

    conn = ctx.ledger.conn
    if customer is not None:
        require_customer(conn, customer)
    policy = ctx.config.interest
    found = invoice_interest(conn, policy, ctx.as_of, customer, include_paid=include_paid)
    return InterestReport(_streamed(ctx, found))


class InterestTexts:
    """The same rows as :class:`InterestReport`, mostly as JSON text already: each item is
    either the text of one or more rows (joined by the JSON list's separator) or an
    :class:`InvoiceInterest`; the totals once they have all been read."""

    def __init__(self, found: Iterable[str | InvoiceInterest], sums: dict[str, list[int]]) -> None:
        self._found = found
        self._sums = sums  # the text rows' sums, added by the store as they come
        self._done = False

    def __iter__(self) -> Iterator[str | InvoiceInterest]:
        for item in self._found:
            if isinstance(item, InvoiceInterest):
                total = self._sums.setdefault(item.currency, [0, 0])
                total[0] += item.open_fen
                total[1] += item.interest_fen
            yield item
        self._done = True

    def totals(self) -> list[InterestTotal]:
        """Per currency, sorted; only after the rows have been read to the end."""
        if not self._done:
            raise RuntimeError("read the rows before their totals")
        return [
            InterestTotal(c, to_decimal(o), to_decimal(f))
            for c, (o, f) in sorted(self._sums.items())
        ]


def late_interest_json(
    ctx: Context, customer: str | None = None, *, include_paid: bool = False
) -> InterestTexts | None:
    """:func:`late_interest` with the rows as JSON text made by the database, for a long
    report (None where that fast path does not apply: then use :func:`late_interest`)."""
    from huikuan.db.dialect import JSON_TEXT_DIALECTS
    from huikuan.store.interest_json import json_plan, json_rows
    from huikuan.store.interest_split import whole_ledger_rows
    from huikuan.store.ledger import require_customer

    plan = json_plan(ctx.config.interest)
    if plan is None or ctx.ledger.dialect not in JSON_TEXT_DIALECTS:
        return None
    conn, sums = ctx.ledger.conn, dict[str, list[int]]()
    if customer is not None:
        require_customer(conn, customer)
        found = json_rows(conn, plan, ctx.as_of, customer, include_paid, sums)
    else:
        found = whole_ledger_rows(ctx.ledger, plan, ctx.as_of, include_paid, sums)
    return InterestTexts(found, sums)


def _streamed(ctx: Context, found: Iterator[InvoiceInterest]) -> Iterator[InvoiceInterest]:
    """``found`` read in the ledger's streaming mode (PostgreSQL: batches through a
    server-side cursor, so memory stays flat however many invoices there are)."""
    with ctx.ledger.streaming():
        yield from found
