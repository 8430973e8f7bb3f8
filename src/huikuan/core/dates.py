"""Date parsing: ``2026-11-22``, ``2026/11/22``, ``2026/1/5``, ``2026年11月22日``."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from huikuan.core.errors import InvalidValue

_DATE = re.compile(
    r"^(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|年(\d{1,2})月(\d{1,2})日)$"
)


@lru_cache(maxsize=8192)
def parse_date(text: str) -> date:
    """Parse one of the accepted date forms; impossible dates (2026-02-30) are errors."""
    s = text.strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-" and (s[:4] + s[5:7] + s[8:]).isdigit():
        try:
            return date(int(s[:4]), int(s[5:7]), int(s[8:]))
        except ValueError:
            pass
    m = _DATE.match(s)
    if m is None:
        if not s:
            raise InvalidValue("is empty")
        raise InvalidValue(f"not a date: {text!r} (use 2026-11-22, 2026/11/22 or 2026年11月22日)")
    year = int(m.group(1))
    month, day = (int(g) for g in m.groups()[1:] if g is not None)
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidValue(f"no such date: {text!r}") from None
