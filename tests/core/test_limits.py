"""The documented limits: one amount at most 999,999,999,999.99; dates 1900-01-01 … 2199-12-31."""

from __future__ import annotations

from datetime import date

import pytest

from huikuan.core.dates import MAX_DATE, MIN_DATE, parse_date
from huikuan.core.errors import InvalidValue
from huikuan.core.money import MAX_FEN, format_grouped, parse_fen
from huikuan.core.quick import _amount


def test_the_maximum_is_documented_and_accepted() -> None:
    assert format_grouped(MAX_FEN) == "999,999,999,999.99"
    assert parse_fen("999999999999.99") == MAX_FEN
    assert parse_fen("999,999,999,999.99") == MAX_FEN
    assert parse_fen("¥999,999,999,999.99元") == MAX_FEN
    assert parse_fen("0" * 5000 + "1.50") == 150  # leading zeros are not digits of value


@pytest.mark.parametrize(
    "text",
    [
        "1000000000000",
        "999999999999.999",
        "99999999999999999999",
        "92233720368547758.07",  # 2^63 - 1 分: accepted before, then broke every report
        "92233720368547758.08",
        "1,000,000,000,000.00",
        "¥1000000000000元",
        "9" * 5000,  # int() refuses 4,300+ digits: must not be reached
        "9" * 5000 + ".00",
    ],
)
def test_above_the_maximum_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_fen(text, allow_zero=True)
    message = str(info.value)
    if "decimal" not in message:
        assert message.endswith("is above the maximum 999,999,999,999.99")
    assert len(message) < 120  # a 5,000-digit value is not echoed whole


def test_the_quick_import_path_leaves_big_amounts_to_the_full_check() -> None:
    assert _amount("999999999999.99") == MAX_FEN
    assert _amount("1000000000000") == 0
    assert _amount("9" * 5000) == 0


def test_the_supported_date_range() -> None:
    assert date(1900, 1, 1) == MIN_DATE
    assert date(2199, 12, 31) == MAX_DATE
    assert parse_date("1900-01-01") == MIN_DATE
    assert parse_date("2199/12/31") == MAX_DATE
    assert parse_date("2199年12月31日") == MAX_DATE


@pytest.mark.parametrize(
    "text", ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31", "1899/1/1", "2200年1月1日"]
)
def test_dates_outside_the_range_are_refused(text: str) -> None:
    with pytest.raises(InvalidValue, match="outside the supported range 1900-01-01 … 2199-12-31"):
        parse_date(text)


def test_a_long_non_date_is_not_echoed_whole() -> None:
    with pytest.raises(InvalidValue) as info:
        parse_date("x" * 100_000)
    assert len(str(info.value)) < 200
