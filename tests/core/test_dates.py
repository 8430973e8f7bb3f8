"""core/dates.py against DESIGN §2: the accepted date forms, and impossible dates refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.core.dates import parse_date
from huikuan.core.errors import HuikuanError, InvalidValue


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-22", date(2026, 11, 22)),
        ("2026/11/22", date(2026, 11, 22)),
        ("2026年11月22日", date(2026, 11, 22)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026/01/05", date(2026, 1, 5)),
        ("2026-1-5", date(2026, 1, 5)),
        ("2026年1月5日", date(2026, 1, 5)),
        ("2024-02-29", date(2024, 2, 29)),  # leap year
        ("2000/2/29", date(2000, 2, 29)),  # divisible by 400: leap
        ("2024年2月29日", date(2024, 2, 29)),
        (" 2026-11-22 ", date(2026, 11, 22)),
        ("2026-12-31", date(2026, 12, 31)),
        ("2027-01-01", date(2027, 1, 1)),
    ],
)
def test_accepted_forms(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2025-02-29",  # not a leap year
        "1900-02-29",  # divisible by 100, not by 400
        "2026/2/30",
        "2026年2月30日",
        "2026-04-31",
        "2026-13-01",
        "2026-00-10",
        "2026-01-00",
        "2026/13/1",
    ],
)
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidValue, match="no such date"):
        parse_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "tomorrow",
        "today",
        "明天",
        "22/11/2026",
        "11/22/2026",
        "2026.11.22",
        "20261122",
        "2026-11-22T10:00",
        "2026-11",
        "26-11-22",
        "2026/11-22",
        "2026年11月22",
        "2026-011-22",
        "2026-+1-22",
        "+202-11-22",
        "2026- 1-22",
    ],
)
def test_other_text_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue, match="not a date"):
        parse_date(text)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_is_refused(text: str) -> None:
    with pytest.raises(HuikuanError, match="empty"):
        parse_date(text)


def test_error_names_the_accepted_forms() -> None:
    with pytest.raises(InvalidValue) as info:
        parse_date("tomorrow")
    message = str(info.value)
    assert "tomorrow" in message and "2026-11-22" in message


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_every_form_of_every_real_date(day: date) -> None:
    y, m, d = day.year, day.month, day.day
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{y}/{m}/{d}") == day
    assert parse_date(f"{y}/{m:02d}/{d:02d}") == day
    assert parse_date(f"{y}年{m}月{d}日") == day


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_day_after_month_end_is_refused(day: date) -> None:
    # the day after the last of the month, written into the same month: 2026-02-29, 2026-04-31…
    next_month = day.replace(day=28) + timedelta(days=4)
    last = (next_month - timedelta(days=next_month.day)).day
    with pytest.raises(InvalidValue):
        parse_date(f"{day.year}/{day.month}/{last + 1}")
