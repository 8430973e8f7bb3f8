"""The allocation rule (DESIGN §3), as a pure function over open balances.

1. a payment naming an invoice goes to that invoice first;
2. the rest goes to open invoices of the same currency, oldest first
   (by due date, then issue date, then number) — the caller passes them in that order;
3. what is left stays as unapplied credit.
"""

from __future__ import annotations

from collections.abc import Iterable


def allocate(
    amount: int, open_invoices: Iterable[tuple[int, int]], named: tuple[int, int] | None = None
) -> tuple[list[tuple[int, int]], int]:
    """Split ``amount`` over ``(invoice_id, open)`` pairs; return the allocations and the rest.

    ``named`` is the invoice the payment names, if any. Allocation amounts are always > 0.
    """
    rest = amount
    out: list[tuple[int, int]] = []
    seen = set()
    for inv_id, open_amount in ([named] if named else []) + list(open_invoices):
        if rest <= 0:
            break
        if inv_id in seen or open_amount <= 0:
            continue
        seen.add(inv_id)
        take = min(rest, open_amount)
        out.append((inv_id, take))
        rest -= take
    return out, rest
