"""Date parsing: ``2026-11-22``, ``2026/11/22``, ``2026/1/5``, ``2026年11月22日``.

Dates from :data:`MIN_DATE` to :data:`MAX_DATE` (1900-01-01 … 2199-12-31) are supported; every
entry point (options, CSV, JSON, config) parses with :func:`parse_date`, which refuses others
before anything is written, so date arithmetic (due dates, limitation periods) cannot overflow.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from huikuan.core.errors import InvalidValue
from huikuan.core.text import shorten

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)
SUPPORTED = f"the supported range {MIN_DATE.isoformat()} … {MAX_DATE.isoformat()}"
_DATE = re.compile(
    r"^(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|年(\d{1,2})月(\d{1,2})日)$"
)


@lru_cache(maxsize=8192)
def parse_date(text: str) -> date:
    """Parse one of the accepted date forms; impossible dates (2026-02-30) are errors."""
    s = text.strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-" and (s[:4] + s[5:7] + s[8:]).isdigit():
        try:
            return in_range(date(int(s[:4]), int(s[5:7]), int(s[8:])))
        except ValueError:
            pass
    m = _DATE.match(s)
    if m is None:
        if not s:
            raise InvalidValue("is empty")
        raise InvalidValue(
            f"not a date: {shorten(text)!r} (use 2026-11-22, 2026/11/22 or 2026年11月22日)"
        )
    year = int(m.group(1))
    month, day = (int(g) for g in m.groups()[1:] if g is not None)
    try:
        day_ = date(year, month, day)
    except ValueError:
        raise InvalidValue(f"no such date: {shorten(text)!r}") from None
    return in_range(day_)


def in_range(day: date) -> date:
    """``day`` when it is within the supported range, else an error saying the range."""
    if not MIN_DATE <= day <= MAX_DATE:
        raise InvalidValue(f"{day.isoformat()} is outside {SUPPORTED}")
    return day
