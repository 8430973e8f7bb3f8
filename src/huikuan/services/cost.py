"""What the ledger's bad debt costs: write-offs (坏账核销) and the current provision, with the
extra sales needed to earn each back at a net margin. The calculators without a ledger
(``cost delay``, ``cost bad-debt --amount``) are pure: :mod:`huikuan.core.cost`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from huikuan.core.money import to_decimal

if TYPE_CHECKING:
    from huikuan.services.context import Context


@dataclass(frozen=True)
class BadDebt:
    """Bad debt of one ``source`` (``written_off`` or ``provision``) in one currency, and the
    sales needed to earn it back at ``margin``."""

    source: str
    currency: str
    amount: Decimal
    margin: Decimal
    extra_sales: Decimal


def bad_debt(ctx: Context, margin: Decimal, since: date | None = None) -> list[BadDebt]:
    """Write-offs dated up to ``ctx.as_of`` (from ``since`` when given) per currency, then the
    provision as of ``ctx.as_of`` per currency; amounts of zero are left out."""
    from huikuan.core.cost import extra_sales
    from huikuan.services.provision import figures
    from huikuan.store.analytics import written_off

    conn, day = ctx.ledger.conn, ctx.as_of
    offs = written_off(conn, since, day)
    provided: dict[str, int] = {}
    for r in figures(conn, ctx.config.provision, day, "customer"):
        provided[r.currency] = provided.get(r.currency, 0) + r.provision
    found = [("written_off", c, f) for c, f in offs]
    found += [("provision", c, f) for c, f in sorted(provided.items())]
    return [
        BadDebt(src, cur, to_decimal(fen), margin, extra_sales(to_decimal(fen), margin))
        for src, cur, fen in found
        if fen > 0
    ]
