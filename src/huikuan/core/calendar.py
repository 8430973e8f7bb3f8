"""Working days: the CN calendar with 调休 (from ``chinesecalendar``), or weekends only.

Past the last year the ``chinesecalendar`` package knows, the CN calendar falls back to
weekends only for that year and records the year in ``missing_years`` so the caller can warn
(core code never prints). Holidays and make-up working days from the config override both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from huikuan.core.errors import InvalidValue

CALENDARS = ("CN", "none")


@dataclass
class WorkCalendar:
    """Decides whether a day is a working day."""

    kind: str = "CN"
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    missing_years: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.kind not in CALENDARS:
            raise InvalidValue(
                f"unknown calendar {self.kind!r} (use one of: {', '.join(CALENDARS)})"
            )
        self._holidays, self._workdays, self._years = (
            _cn_data() if self.kind == "CN" else ({}, {}, range(0))
        )
        # answers already worked out: a dunning run asks the same few thousand days again
        # and again (``missing_years`` is filled the first time, as without the memo)
        self._moved: dict[tuple[date, int], date] = {}

    @property
    def data_years(self) -> range:
        """Years the built-in CN data covers (empty for ``none``)."""
        return self._years

    def is_workday(self, day: date) -> bool:
        """True when ``day`` is a working day."""
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if self.kind == "none":
            return True
        if day.year not in self._years:
            self.missing_years.add(day.year)
        elif day in self._workdays:
            return True
        elif day in self._holidays:
            return False
        return day.weekday() < 5

    def roll_forward(self, day: date) -> date:
        """The first working day on or after ``day`` (民法典 Art. 203)."""
        if self.kind == "none" and not self.extra_holidays:
            return day
        for _ in range(366):
            if self.is_workday(day):
                return day
            day += timedelta(days=1)
        raise InvalidValue(f"no working day within a year after {day}")

    def add_workdays(self, day: date, n: int) -> date:
        """Move ``n`` working days forward (n > 0) or back (n < 0) from ``day``."""
        found = self._moved.get((day, n))
        if found is None:
            found = self._moved[day, n] = self._add_workdays(day, n)
        return found

    def _add_workdays(self, day: date, n: int) -> date:
        step = timedelta(days=1 if n >= 0 else -1)
        for _ in range(abs(n)):
            day += step
            while not self.is_workday(day):
                day += step
        return day


def make_calendar(
    kind: str, holidays: Iterable[date] = (), workdays: Iterable[date] = ()
) -> WorkCalendar:
    """Build a calendar; config-given holidays and make-up workdays override the data."""
    return WorkCalendar(kind, frozenset(holidays), frozenset(workdays))


_CACHE: dict[str, tuple[dict[date, object], dict[date, object], range]] = {}


def _cn_data() -> tuple[dict[date, object], dict[date, object], range]:
    if "CN" not in _CACHE:
        import chinese_calendar

        holidays = dict(chinese_calendar.holidays)
        workdays = dict(chinese_calendar.workdays)
        years = {d.year for d in holidays}
        _CACHE["CN"] = (holidays, workdays, range(min(years), max(years) + 1))
    return _CACHE["CN"]
