"""Payment terms (DESIGN §4): codes, Chinese aliases, and due dates."""

from __future__ import annotations

import calendar as _cal
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from huikuan.core.calendar import WorkCalendar
from huikuan.core.errors import InvalidValue

_PATTERNS = (
    (re.compile(r"^NET\s*(\d{1,4})$", re.I), "NET"),
    (re.compile(r"^账期\s*(\d{1,4})\s*天$"), "NET"),
    (re.compile(r"^EOM\s*(\d{1,4})$", re.I), "EOM"),
    (re.compile(r"^月结\s*(\d{1,4})\s*天$"), "EOM"),
)
_FIXED = {"PREPAID": "PREPAID", "款到发货": "PREPAID", "COD": "COD", "货到付款": "COD"}
KNOWN = "NET<n> (账期<n>天), EOM<n> (月结<n>天), PREPAID (款到发货), COD (货到付款)"


@dataclass(frozen=True)
class Terms:
    """Parsed payment terms: ``kind`` is NET, EOM, PREPAID or COD; ``days`` for NET/EOM."""

    kind: str
    days: int = 0

    @property
    def code(self) -> str:
        """The canonical code, e.g. ``NET30``."""
        return f"{self.kind}{self.days}" if self.kind in ("NET", "EOM") else self.kind


@lru_cache(maxsize=256)
def parse_terms(code: str) -> Terms:
    """Parse a terms code (case-insensitive, Chinese aliases accepted)."""
    text = code.strip()
    fixed = _FIXED.get(text.upper())
    if fixed:
        return Terms(fixed)
    for pattern, kind in _PATTERNS:
        m = pattern.match(text)
        if m:
            return Terms(kind, int(m.group(1)))
    raise InvalidValue(f"unknown terms code {code!r} (known: {KNOWN})")


def raw_due_date(terms: Terms, issue: date, delivery: date | None = None) -> date:
    """The due date before any working-day adjustment."""
    if terms.kind == "NET":
        return issue + timedelta(days=terms.days)
    if terms.kind == "EOM":
        month_end = issue.replace(day=_cal.monthrange(issue.year, issue.month)[1])
        return month_end + timedelta(days=terms.days)
    if terms.kind == "COD" and delivery is not None:
        return delivery
    return issue


def due_date(terms: Terms, issue: date, cal: WorkCalendar, delivery: date | None = None) -> date:
    """The due date, rolled to the next working day of ``cal`` when needed."""
    return cal.roll_forward(raw_due_date(terms, issue, delivery))
