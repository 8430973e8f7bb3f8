"""core/money.py against DESIGN §2: amounts in, amounts out, currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.core.money import (
    MAX_FEN,
    format_fen,
    format_grouped,
    from_decimal,
    parse_currency,
    parse_fen,
    to_decimal,
)

# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        # the four forms DESIGN §2 names
        ("1234.5", 123450),
        ("1,234.50", 123450),
        ("¥1,234.50", 123450),
        ("1234.50元", 123450),
        # and their neighbours
        ("1234", 123400),
        ("1234.05", 123405),
        ("0.01", 1),
        ("0.1", 10),
        ("￥1234.5", 123450),  # full-width yuan sign
        ("¥ 1,234.50", 123450),
        ("1,234.50 元", 123450),
        ("¥1,234.50元", 123450),
        ("1,234,567.89", 123456789),
        ("1,000", 100000),
        ("  42.00\t", 4200),
        ("+5", 500),
        ("99999999999.99", 9999999999999),
    ],
)
def test_parse_accepts(text: str, fen: int) -> None:
    assert parse_fen(text) == fen


def test_parse_result_is_an_int_not_a_float() -> None:
    assert type(parse_fen("0.29")) is int
    assert parse_fen("0.29") == 29  # 0.29 * 100 == 28.999999999999996 in float


@pytest.mark.parametrize(
    "text",
    [
        "1.234",  # three decimals
        "1,234.567",
        "0.001",
        "12.340",
    ],
)
def test_more_than_two_decimals_is_an_error(text: str) -> None:
    with pytest.raises(InvalidValue, match="decimal"):
        parse_fen(text)


@pytest.mark.parametrize("text", ["-5", "-1,234.50", "¥-5", "-¥5", "(100.00)", "-0.01"])
def test_negative_is_an_error(text: str) -> None:
    with pytest.raises(InvalidValue, match="negative"):
        parse_fen(text)


@pytest.mark.parametrize("text", ["0", "0.00", "0.0", "¥0", "0元", "0,000.00"])
def test_zero_is_an_error_unless_allowed(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_fen(text)


@pytest.mark.parametrize("text", ["0", "0.00", "¥0", "0元"])
def test_zero_where_allowed(text: str) -> None:
    assert parse_fen(text, allow_zero=True) == 0


def test_allow_zero_still_refuses_negative() -> None:
    with pytest.raises(InvalidValue):
        parse_fen("-1", allow_zero=True)


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-inf", "Infinity", "sNaN", "1e5", "1E2"])
def test_nan_inf_and_exponents_are_errors(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_fen(text)


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_empty_is_an_error(text: str) -> None:
    with pytest.raises(InvalidValue, match="empty"):
        parse_fen(text)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "¥",
        "元",
        "¥元",
        "1..2",
        "1.2.3",
        "1.",
        ".5",
        "12,34.50",  # badly grouped
        "1,2345",
        "1234,50",  # decimal comma
        "12元5",  # colloquially 12.50: must not become 125.00
        "1¥2",
        "1 2",
        "五百",
        "100 USD",
        "0x10",
    ],
)
def test_non_numeric_is_an_error(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_fen(text)


def test_errors_are_huikuan_errors_with_the_value_in_the_message() -> None:
    with pytest.raises(HuikuanError) as info:
        parse_fen("12.345")
    assert "12.345" in str(info.value)
    assert info.value.messages  # one line per problem, for the CLI


# --- formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "plain", "grouped"),
    [
        (0, "0.00", "0.00"),
        (1, "0.01", "0.01"),
        (10, "0.10", "0.10"),
        (100, "1.00", "1.00"),
        (123450, "1234.50", "1,234.50"),
        (99999, "999.99", "999.99"),
        (100000, "1000.00", "1,000.00"),
        (123456789, "1234567.89", "1,234,567.89"),
        (-123450, "-1234.50", "-1,234.50"),
        (-5, "-0.05", "-0.05"),
    ],
)
def test_format(fen: int, plain: str, grouped: str) -> None:
    assert format_fen(fen) == plain
    assert format_grouped(fen) == grouped


# --- round trips -----------------------------------------------------------------------------

FEN = st.integers(min_value=1, max_value=MAX_FEN)


@given(FEN)
def test_parse_format_round_trip(fen: int) -> None:
    assert parse_fen(format_fen(fen)) == fen
    assert parse_fen(format_grouped(fen)) == fen
    assert parse_fen("¥" + format_grouped(fen)) == fen
    assert parse_fen(format_fen(fen) + "元") == fen


@given(FEN)
def test_format_parse_round_trip(fen: int) -> None:
    text = format_fen(fen)
    assert format_fen(parse_fen(text)) == text
    grouped = format_grouped(fen)
    assert format_grouped(parse_fen(grouped)) == grouped


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_decimal_round_trip(fen: int) -> None:
    value = to_decimal(fen)
    assert isinstance(value, Decimal)
    assert value == Decimal(fen) / 100
    assert from_decimal(value) == fen
    assert str(value) == format_fen(fen)


@given(st.integers(min_value=0, max_value=10**13), st.integers(min_value=0, max_value=99))
def test_decimal_from_text(yuan: int, cents: int) -> None:
    assert from_decimal(Decimal(f"{yuan}.{cents:02d}")) == yuan * 100 + cents


def test_to_decimal_has_two_places() -> None:
    assert str(to_decimal(123450)) == "1234.50"
    assert to_decimal(5).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        (Decimal("12"), 1200),
        (Decimal("12.5"), 1250),
        (Decimal("12.500"), 1250),
        (Decimal("1E+2"), 10000),
    ],
)
def test_from_decimal(value: Decimal, fen: int) -> None:
    assert from_decimal(value) == fen


@pytest.mark.parametrize(
    "value",
    [Decimal("1.005"), Decimal("0.001"), Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")],
)
def test_from_decimal_refuses(value: Decimal) -> None:
    with pytest.raises(InvalidValue):
        from_decimal(value)


# --- currencies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"), [("CNY", "CNY"), ("cny", "CNY"), ("Usd", "USD"), (" eur ", "EUR")]
)
def test_currency(text: str, code: str) -> None:
    assert parse_currency(text) == code


@pytest.mark.parametrize(
    "text", ["US", "usd1", "USD1", "USDX", "", "   ", "人民币", "¥", "U SD", "12"]
)
def test_bad_currency(text: str) -> None:
    with pytest.raises(InvalidValue, match="3 letters"):
        parse_currency(text)
