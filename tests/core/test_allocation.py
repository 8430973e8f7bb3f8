"""core/allocation.py against DESIGN §3: named invoice first, then oldest first, rest unapplied."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from huikuan.core.allocation import allocate


def test_oldest_first_in_the_given_order() -> None:
    parts, left = allocate(600, [(7, 300), (3, 500), (9, 900)])
    assert parts == [(7, 300), (3, 300)]
    assert left == 0


def test_named_invoice_first_then_the_given_order() -> None:
    parts, left = allocate(1000, [(1, 300), (2, 500), (3, 900)], named=(3, 900))
    assert parts == [(3, 900), (1, 100)]
    assert left == 0


def test_named_invoice_takes_all_when_it_can() -> None:
    parts, left = allocate(400, [(1, 300), (2, 500)], named=(2, 500))
    assert parts == [(2, 400)]
    assert left == 0


def test_named_invoice_not_in_the_open_list_is_still_paid_first() -> None:
    parts, left = allocate(500, [(1, 300)], named=(5, 250))
    assert parts == [(5, 250), (1, 250)]
    assert left == 0


def test_named_invoice_is_not_paid_twice() -> None:
    parts, left = allocate(2000, [(1, 300), (2, 500)], named=(2, 500))
    assert parts == [(2, 500), (1, 300)]
    assert left == 1200


def test_named_invoice_already_paid_goes_oldest_first() -> None:
    parts, left = allocate(500, [(1, 300), (2, 400)], named=(5, 0))
    assert parts == [(1, 300), (2, 200)]
    assert left == 0


def test_named_invoice_already_paid_and_nothing_else_open() -> None:
    assert allocate(200, [], named=(2, 0)) == ([], 200)


def test_remainder_stays_unapplied() -> None:
    parts, left = allocate(1000, [(1, 300), (2, 500)])
    assert parts == [(1, 300), (2, 500)]
    assert left == 200


def test_no_open_invoices_everything_unapplied() -> None:
    assert allocate(1234, []) == ([], 1234)


def test_amount_exactly_equal_to_the_open_total() -> None:
    assert allocate(800, [(1, 300), (2, 500)]) == ([(1, 300), (2, 500)], 0)
    assert allocate(500, [(1, 500)]) == ([(1, 500)], 0)
    assert allocate(500, [(1, 600)], named=(1, 500)) == ([(1, 500)], 0)


def test_paid_invoices_in_the_list_are_skipped() -> None:
    parts, left = allocate(300, [(1, 0), (2, 100), (3, -50), (4, 500)])
    assert parts == [(2, 100), (4, 200)]
    assert left == 0


def test_allocations_are_always_positive() -> None:
    parts, _ = allocate(100, [(1, 100), (2, 100)])
    assert parts == [(1, 100)]  # nothing left for 2: no zero allocation


def test_open_invoices_may_be_any_iterable() -> None:
    parts, left = allocate(150, iter([(1, 100), (2, 100)]))
    assert parts == [(1, 100), (2, 50)] and left == 0


# --- properties ------------------------------------------------------------------------------

OPENS = st.lists(st.integers(min_value=0, max_value=10**7), max_size=10)


@given(st.integers(min_value=1, max_value=10**8), OPENS, st.data())
def test_allocation_invariants(amount: int, opens: list[int], data: st.DataObject) -> None:
    invoices = list(enumerate(opens, 1))
    named = data.draw(st.none() | st.sampled_from(invoices)) if invoices else None
    parts, left = allocate(amount, invoices, named=named)
    open_of = dict(invoices)
    applied = sum(a for _, a in parts)
    # nothing lost, nothing made up
    assert applied + left == amount
    assert left >= 0
    # no part exceeds the invoice's open amount, each invoice at most once, all positive
    assert all(0 < a <= open_of[i] for i, a in parts)
    assert len({i for i, _ in parts}) == len(parts)
    # credit is left over only when every open invoice is fully paid
    assert left == 0 or applied == sum(opens)
    # the named invoice is served first
    if named is not None and named[1] > 0:
        assert parts[0] == (named[0], min(amount, named[1]))
    # the rest follows the given order: every invoice before the last one paid is paid in full
    rest = [(i, a) for i, a in parts if named is None or i != named[0]]
    order = [i for i, _ in invoices if open_of[i] > 0 and (named is None or i != named[0])]
    assert [i for i, _ in rest] == order[: len(rest)]
    assert all(a == open_of[i] for i, a in rest[:-1])
