"""The allocation rule (DESIGN §3), as a pure function over open balances.

1. a payment naming an invoice goes to that invoice first;
2. the rest goes to open invoices of the same currency, oldest first
   (by due date, then issue date, then number) — the caller passes them in that order;
3. what is left stays as unapplied credit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator


def allocate(
    amount: int, open_invoices: Iterable[tuple[int, int]], named: tuple[int, int] | None = None
) -> tuple[list[tuple[int, int]], int]:
    """Split ``amount`` over ``(invoice_id, open)`` pairs; return the allocations and the rest.

    ``named`` is the invoice the payment names, if any. Allocation amounts are always > 0.
    """
    rest = amount
    out: list[tuple[int, int]] = []
    seen = set()
    for inv_id, open_amount in itertools.chain([named] if named else [], open_invoices):
        if rest <= 0:
            break
        if inv_id in seen or open_amount <= 0:
            continue
        seen.add(inv_id)
        take = min(rest, open_amount)
        out.append((inv_id, take))
        rest -= take
    return out, rest


Key = tuple[int, str]  # (customer id, currency)
NewPayment = tuple[int, Key, int, int | None]  # (payment id, key, amount, named invoice id)


def allocate_in_order(
    payments: Iterable[NewPayment], queues: dict[Key, list[int]], opens: dict[int, int]
) -> tuple[list[tuple[int, int, int]], dict[int, int]]:
    """Allocate ``payments`` one after the other, each by :func:`allocate`, over shared balances.

    ``queues`` lists each (customer, currency)'s open invoice ids oldest first; ``opens``
    holds every listed or named invoice's open amount (not changed: a copy is kept). Returns
    the allocations ``(payment id, invoice id, amount)`` in writing order and, per payment
    whose unapplied amount changed, what stays unapplied.
    """
    left_open = dict(opens)
    starts: dict[Key, int] = {}
    out: list[tuple[int, int, int]] = []
    unapplied: dict[int, int] = {}
    for pid, key, amount, named in payments:
        queue = queues.get(key, [])
        start = _skip_paid(queue, starts.get(key, 0), left_open)
        starts[key] = start
        named_pair = None if named is None else (named, left_open.get(named, 0))
        rest = amount
        if named_pair is not None:
            parts, rest = allocate(rest, [], named_pair)
            _take(pid, parts, left_open, out)
        if rest > 0:
            parts, rest = allocate(rest, _still_open(queue, start, left_open, named))
            _take(pid, parts, left_open, out)
        if rest != amount:
            unapplied[pid] = rest
    return out, unapplied


def _skip_paid(queue: list[int], start: int, left_open: dict[int, int]) -> int:
    while start < len(queue) and left_open[queue[start]] <= 0:
        start += 1
    return start


def _still_open(
    queue: list[int], start: int, left_open: dict[int, int], named: int | None
) -> Iterator[tuple[int, int]]:
    for inv in itertools.islice(queue, start, None):
        if inv != named and left_open[inv] > 0:
            yield inv, left_open[inv]


def _take(
    pid: int,
    parts: list[tuple[int, int]],
    left_open: dict[int, int],
    out: list[tuple[int, int, int]],
) -> None:
    for inv, amt in parts:
        left_open[inv] -= amt
        out.append((pid, inv, amt))
