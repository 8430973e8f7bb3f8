"""The kpi measures' integer rounding equals the Decimal definition, signs and zeros too."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from huikuan.core.kpi import _ratio, days_text, decimal_ratio, percent_text

fen = st.integers(-(10**15), 10**15)


@settings(max_examples=2000, derandomize=True)
@given(fen, fen, st.sampled_from((("0.01", 100), ("0.1", 1))))
def test_integer_ratio_is_the_decimal_ratio(num: int, den: int, how: tuple[str, int]) -> None:
    places, scale = how
    assert str(_ratio(num, den, places, scale)) == str(decimal_ratio(num, den, places, scale))


def test_halves_round_away_from_zero_and_zero_keeps_its_sign() -> None:
    assert str(_ratio(1, 8, "0.01", 100)) == "12.50"
    assert str(_ratio(1, 200, "0.01", 1)) == "0.01"  # 0.005 -> 0.01
    assert str(_ratio(-1, 200, "0.01", 1)) == "-0.01"
    assert str(_ratio(-1, 300, "0.01", 1)) == "-0.00"  # as Decimal's quantize writes it
    assert str(_ratio(0, -5, "0.1", 1)) == "-0.0"
    assert _ratio(5, 0, "0.1", 1) is None


@settings(max_examples=2000, derandomize=True)
@given(fen, fen | st.integers(-12, 12))
def test_the_texts_are_the_decimal_ratios_written_out(num: int, den: int) -> None:
    assert percent_text(num, den) == _text(decimal_ratio(num, den, "0.01"))
    assert days_text(num, den) == _text(decimal_ratio(num, den, "0.1", 1))


def _text(value: object) -> str | None:
    return None if value is None else str(value)
