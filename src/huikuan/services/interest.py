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


def _streamed(ctx: Context, found: Iterator[InvoiceInterest]) -> Iterator[InvoiceInterest]:
    """``found`` read in the ledger's streaming mode (PostgreSQL: batches through a
    server-side cursor, so memory stays flat however many invoices there are)."""
    with ctx.ledger.streaming():
        yield from found
