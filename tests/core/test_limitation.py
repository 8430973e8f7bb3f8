"""诉讼时效 end dates: corresponding day, leap years, month ends, holidays, restarts."""

from __future__ import annotations

from datetime import date

import pytest

from huikuan.core.calendar import make_calendar
from huikuan.core.limitation import Restart, advice, expiry, period_end, years_later

CN = make_calendar("CN")
NONE = make_calendar("none")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2023, 3, 15), date(2026, 3, 15)),
        (date(2024, 2, 29), date(2027, 2, 28)),  # leap day: no Feb 29 in 2027 -> month end
        (date(2021, 2, 28), date(2024, 2, 28)),  # not moved to the leap day
        (date(2023, 1, 31), date(2026, 1, 31)),
    ],
)
def test_corresponding_day(start: date, end: date) -> None:
    assert years_later(start, 3) == end
    assert period_end(start, NONE) == end


def test_last_day_on_a_holiday_moves_to_the_next_working_day() -> None:
    # 2023-10-01 + 3 years = 2026-10-01, 国庆: the period ends on 2026-10-08
    assert period_end(date(2023, 10, 1), CN) == date(2026, 10, 8)
    # a Saturday moves to Monday
    assert period_end(date(2023, 11, 21), CN) == date(2026, 11, 23)
    assert period_end(date(2023, 10, 1), NONE) == date(2026, 10, 1)


def test_restarts_take_the_latest_event_before_expiry() -> None:
    events = [
        Restart("payment", date(2024, 5, 6), "payment 100.00"),
        Restart("acknowledged", date(2025, 3, 3), "letter"),
    ]
    end, by = expiry(date(2023, 3, 15), events, NONE, date(2026, 1, 1))
    assert end == date(2028, 3, 3) and by == events[1]


def test_events_after_as_of_or_before_start_or_after_expiry_do_not_count() -> None:
    start = date(2023, 3, 15)
    before = Restart("payment", date(2023, 3, 1))
    late = Restart("promise", date(2026, 4, 1))  # after the period ended on 2026-03-15
    future = Restart("demand", date(2026, 1, 10))
    assert expiry(start, [before, late], NONE, date(2026, 5, 1)) == (date(2026, 3, 15), None)
    end, by = expiry(start, [before, late, future], NONE, date(2026, 1, 9))
    assert (end, by) == (date(2026, 3, 15), None)
    # the demand of 2026-01-10 restarted it before it ran out, so the promise counts too
    end, by = expiry(start, [before, late, future], NONE, date(2026, 5, 1))
    assert (end, by) == (date(2029, 4, 1), late)


@pytest.mark.parametrize(
    ("days", "word"),
    [(-1, "expired"), (0, "urgent"), (60, "urgent"), (61, "send"), (181, "no action")],
)
def test_advice(days: int, word: str) -> None:
    assert word in advice(days)
    assert advice(days, "zh")
