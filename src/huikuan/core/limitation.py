"""诉讼时效: the 3-year limitation period of each receivable and what restarts it.

民法典 Art. 188: three years from the day the creditor knew of the breach (an invoice's due
date; for instalments, the last instalment's due date, Art. 189). Art. 195: it restarts when
the creditor demands payment provably or the debtor agrees to pay (a delivered 催款函, a
signed 对账函, a partial payment, a promise). Arts. 201-203: the first day is not counted,
"three years later" ends on the corresponding day (the month end if there is none), and a
last day that is a statutory holiday moves to the next working day.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from huikuan.core.calendar import WorkCalendar

YEARS = 3
RESTART_KINDS = ("payment", "promise", "demand", "acknowledged")


def years_later(day: date, years: int) -> date:
    """The corresponding day ``years`` later (Feb 29 -> Feb 28 when that year has none)."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, _cal.monthrange(year, day.month)[1]))


def period_end(start: date, cal: WorkCalendar, memo: dict[date, date] | None = None) -> date:
    """Last day of the period that starts counting the day after ``start`` (``memo``: ends
    already worked out by start, for a whole ledger's periods)."""
    if memo is None:
        return cal.roll_forward(years_later(start, YEARS))
    end = memo.get(start)
    if end is None:
        end = memo[start] = cal.roll_forward(years_later(start, YEARS))
    return end


@dataclass(frozen=True)
class Restart:
    """An event that restarts the period: ``kind`` in RESTART_KINDS, its date and a detail."""

    kind: str
    date: date
    detail: str = ""

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "date": self.date.isoformat(), "detail": self.detail}


def expiry(
    start: date,
    restarts: Iterable[Restart],
    cal: WorkCalendar,
    as_of: date,
    memo: dict[date, date] | None = None,
) -> tuple[date, Restart | None]:
    """The period's last day as of ``as_of`` and the latest event that restarted it.

    Only events after ``start``, on or before ``as_of``, and before the period ran out count.
    ``memo``: as for :func:`period_end`.
    """
    end, by = period_end(start, cal, memo), None
    for event in sorted(restarts, key=lambda r: r.date):
        if event.date > as_of:
            break
        if start < event.date <= end:
            end, by = period_end(event.date, cal, memo), event
    return end, by


def advice(days_left: int, lang: str = "en") -> str:
    """What to do, by how soon the period ends."""
    if days_left < 0:
        return (
            "时效已过：核实是否有其他中断证据，或取得对方书面确认"
            if lang == "zh"
            else "expired: look for other proof of a restart, or get a written acknowledgement"
        )
    if days_left <= 60:
        return (
            "紧急：立即发出有送达证据的催款函或取得签字对账函，必要时起诉"
            if lang == "zh"
            else "urgent: send a demand with proof of delivery or get a signed statement now; consider suing"
        )
    if days_left <= 180:
        return (
            "发出有送达证据的催款函，或请对方签回对账函"
            if lang == "zh"
            else "send a demand with proof of delivery, or get a signed statement (对账函) back"
        )
    return "无需行动" if lang == "zh" else "no action needed yet"
