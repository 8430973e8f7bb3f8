"""``summarize_groups`` (the aging report's path: one row of bucket sums per group) gives what
``summarize`` gives for the same amounts cell by cell (the path of the other callers)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from huikuan.core.aging import summarize, summarize_groups

N = 7
KEYS = st.sampled_from(["C1", "C2", "C10", "张三"])
CURRENCIES = st.sampled_from(["CNY", "USD"])
AMOUNTS = st.lists(st.sampled_from([0, 0, 1, 250, 10**12]), min_size=N, max_size=N)
GROUPS = st.lists(st.tuples(KEYS, CURRENCIES, AMOUNTS), max_size=12)  # keys may repeat
CREDITS = st.lists(st.tuples(KEYS, CURRENCIES, st.integers(1, 10**6)), max_size=4)


def _cells(groups: list[tuple[str, str, list[int]]]) -> list[tuple[str, str, str, int, int]]:
    """The groups as ``aging_cells`` gives them: a cell per bucket with something open."""
    return [(k, f"N{k}", cur, i, a) for k, cur, amounts in groups for i, a in enumerate(amounts) if a]  # fmt: skip


@given(GROUPS, CREDITS)
def test_groups_summarize_as_their_cells(
    groups: list[tuple[str, str, list[int]]], credits: list[tuple[str, str, int]]
) -> None:
    named = [(k, f"N{k}", cur, tuple(amounts)) for k, cur, amounts in groups]
    paid = [(k, f"N{k}", cur, amount) for k, cur, amount in credits]
    assert summarize_groups(named, paid, N) == summarize(_cells(groups), paid, N)


def test_a_group_with_nothing_open_has_no_row_unless_it_has_credit() -> None:
    groups = [("C1", "N", "CNY", (0,) * N), ("C2", "N", "CNY", (0, 5, 0, 0, 0, 0, 0))]
    rows, totals = summarize_groups(groups, [("C3", "M", "CNY", 7)], N)
    assert [(r.key, r.total, r.unapplied) for r in rows] == [("C2", 5, 0), ("C3", 0, 7)]
    assert [(t.currency, t.amounts[1], t.unapplied) for t in totals] == [("CNY", 5, 7)]
