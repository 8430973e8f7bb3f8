"""core/calendar.py against DESIGN §4: CN working days with 调休, "none", fallback, config days."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from huikuan.core.calendar import WorkCalendar, make_calendar
from huikuan.core.errors import InvalidValue

# The first year the installed chinesecalendar has no data for (2027 with 1.11.0).
BEYOND = max(d.year for d in chinese_calendar.holidays) + 1


def _days(year: int) -> list[date]:
    start = date(year, 1, 1)
    return [start + timedelta(days=i) for i in range((date(year + 1, 1, 1) - start).days)]


def _makeup_days(year: int) -> list[date]:
    """调休: Saturdays and Sundays that are working days."""
    return [
        d
        for d in chinese_calendar.get_workdays(date(year, 1, 1), date(year, 12, 31))
        if d.weekday() >= 5
    ]


def test_national_day_is_a_holiday_and_the_8th_a_working_day() -> None:
    cal = make_calendar("CN")
    assert not cal.is_workday(date(2026, 10, 1))
    assert not cal.is_workday(date(2026, 10, 7))
    assert cal.is_workday(date(2026, 10, 8))
    assert cal.roll_forward(date(2026, 10, 1)) == date(2026, 10, 8)


def test_makeup_weekend_days_are_working_days() -> None:
    makeup = _makeup_days(2026)
    assert makeup, "chinesecalendar knows 2026's 调休 days"
    cal = make_calendar("CN")
    none = make_calendar("none")
    for day in makeup:
        assert day.weekday() >= 5
        assert cal.is_workday(day), day
        assert cal.roll_forward(day) == day
        # a plain weekday calendar would have said no: CN is not just "weekends off"
        assert none.roll_forward(day) == day
    saturday = next(d for d in makeup if d.weekday() == 5)
    assert cal.is_workday(saturday)


def test_ordinary_weekend_is_not_a_working_day() -> None:
    cal = make_calendar("CN")
    assert not cal.is_workday(date(2026, 11, 21))  # Saturday
    assert not cal.is_workday(date(2026, 11, 22))  # Sunday
    assert cal.roll_forward(date(2026, 11, 21)) == date(2026, 11, 23)


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_cn_agrees_with_chinesecalendar_every_day(year: int) -> None:
    cal = make_calendar("CN")
    for day in _days(year):
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
    assert cal.missing_years == set()


def test_data_years_cover_the_package() -> None:
    cal = make_calendar("CN")
    assert 2026 in cal.data_years
    assert BEYOND not in cal.data_years
    assert cal.data_years.stop == BEYOND
    assert make_calendar("none").data_years == range(0)


def test_calendar_none_never_moves_dates() -> None:
    cal = make_calendar("none")
    for day in [date(2026, 10, 1), date(2026, 11, 21), date(2026, 11, 22), date(BEYOND, 1, 1)]:
        assert cal.is_workday(day)
        assert cal.roll_forward(day) == day
    assert cal.missing_years == set()


def test_calendar_none_add_workdays_counts_calendar_days() -> None:
    cal = make_calendar("none")
    assert cal.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 3)


def test_year_beyond_the_data_falls_back_to_weekends_and_is_reported() -> None:
    cal = make_calendar("CN")
    jan1 = date(BEYOND, 1, 1)
    assert BEYOND not in cal.missing_years
    for day in _days(BEYOND)[:31]:
        assert cal.is_workday(day) == (day.weekday() < 5), day
    assert cal.missing_years == {BEYOND}
    saturday = next(
        jan1 + timedelta(days=i) for i in range(7) if (jan1 + timedelta(i)).weekday() == 5
    )
    assert cal.roll_forward(saturday) == saturday + timedelta(days=2)


def test_missing_years_are_per_calendar() -> None:
    first, second = make_calendar("CN"), make_calendar("CN")
    first.is_workday(date(BEYOND, 3, 3))
    assert first.missing_years == {BEYOND}
    assert second.missing_years == set()


def test_data_year_is_not_reported_missing() -> None:
    cal = make_calendar("CN")
    cal.roll_forward(date(2026, 10, 1))
    assert cal.missing_years == set()


def test_config_holidays_and_workdays_in_a_missing_year() -> None:
    jan1 = date(BEYOND, 1, 1)
    weekday = next(
        jan1 + timedelta(days=i) for i in range(2, 9) if (jan1 + timedelta(i)).weekday() == 2
    )
    saturday = next(
        jan1 + timedelta(days=i) for i in range(7) if (jan1 + timedelta(i)).weekday() == 5
    )
    cal = make_calendar("CN", holidays=[jan1, weekday], workdays=[saturday])
    plain = make_calendar("CN")
    assert plain.is_workday(weekday) and not plain.is_workday(saturday)
    assert not cal.is_workday(weekday)
    assert cal.is_workday(saturday)
    assert not cal.is_workday(jan1)
    assert cal.roll_forward(weekday) == weekday + timedelta(days=1)


def test_config_days_override_the_package_data() -> None:
    makeup = _makeup_days(2026)[0]
    cal = make_calendar("CN", holidays=[makeup, date(2026, 11, 20)], workdays=[date(2026, 10, 1)])
    assert not cal.is_workday(makeup)
    assert not cal.is_workday(date(2026, 11, 20))  # a Friday
    assert cal.is_workday(date(2026, 10, 1))  # a holiday, made a working day
    assert cal.roll_forward(date(2026, 11, 20)) == date(2026, 11, 23)


def test_config_holidays_apply_to_calendar_none() -> None:
    cal = make_calendar("none", holidays=[date(2026, 11, 20)])
    assert not cal.is_workday(date(2026, 11, 20))
    assert cal.roll_forward(date(2026, 11, 20)) == date(2026, 11, 21)  # Saturday counts


def test_add_workdays_skips_holidays_both_ways() -> None:
    cal = make_calendar("CN")
    assert cal.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cal.add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert cal.add_workdays(date(2026, 11, 20), 0) == date(2026, 11, 20)
    assert cal.add_workdays(date(2026, 11, 20), 1) == date(2026, 11, 23)


@pytest.mark.parametrize("kind", ["XX", "cn ", "weekends", ""])
def test_unknown_calendar_kind(kind: str) -> None:
    with pytest.raises(InvalidValue, match="unknown calendar"):
        WorkCalendar(kind)
