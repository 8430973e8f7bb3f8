"""A kpi line's text in one call (``line_texts`` from ``Buckets.figures``) is the amounts'
``format_fen`` and ``measure_texts`` of the same :class:`Sums`, signs, zeros and blanks too."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from huikuan.core.kpi import Buckets, Sums, line_texts, measure_texts
from huikuan.core.money import format_fen

fen = st.integers(-(10**13), 10**13) | st.integers(-3, 3)


@settings(max_examples=1000, derandomize=True)
@given(st.tuples(fen, fen, fen, fen, fen, fen, fen), st.integers(1, 400))
def test_line_texts_are_the_sums_written_out(values: tuple[int, ...], days: int) -> None:
    s = Sums(*values)
    amounts = (s.credit_sales, s.collections, s.opening, s.closing)
    want = (*map(format_fen, amounts), *measure_texts(s, days))
    assert line_texts((1, *values), days) == want  # type: ignore[arg-type]


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5), st.integers(0, 5), fen,
                          fen, st.floats(0, 1e9), fen, st.integers(0, 3)), max_size=12))  # fmt: skip
def test_figures_are_the_sums_as_tuples(pieces: list[tuple]) -> None:  # type: ignore[type-arg]
    b = Buckets(4)
    for piece in pieces:
        b.add(*piece)
    assert [(k, *vars(s).values()) for k, s in b.sums()] == list(b.figures())
