"""Contracts with milestone schedules (付款节点): parsing, splitting, and what falls due.

A schedule is a list of milestones, each a share of the contract amount, an event and a
number of days: ``"30% 签约+7; 60% 验收+30; 10% 质保期满+30"``. Events are the contract's
life (签约/sign, 发货/ship, 到货/deliver, 验收/accept, 质保期满/warranty_end) or a fixed
date (``2026-12-31+0``). Shares are percentages (up to two decimals) adding up to exactly
100%; amounts are split to the 分 with the remainder on the last milestone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta

from huikuan.core.calendar import WorkCalendar
from huikuan.core.dates import parse_date
from huikuan.core.errors import InvalidValue
from huikuan.core.text import shorten

EVENTS = ("sign", "ship", "deliver", "accept", "warranty_end")
EVENT_NAMES = {  # what users write -> event code
    "sign": "sign", "signing": "sign", "签约": "sign", "签订": "sign", "签合同": "sign",
    "ship": "ship", "shipment": "ship", "发货": "ship",
    "deliver": "deliver", "delivery": "deliver", "到货": "deliver", "交货": "deliver",
    "accept": "accept", "acceptance": "accept", "验收": "accept",
    "warranty_end": "warranty_end", "warranty": "warranty_end", "质保期满": "warranty_end",
    "质保到期": "warranty_end", "质保": "warranty_end",
}  # fmt: skip
EVENT_ZH = {"sign": "签约", "ship": "发货", "deliver": "到货", "accept": "验收",
            "warranty_end": "质保期满", "date": "日期"}  # fmt: skip
MILESTONE_LABEL = {"sign": "预付款", "ship": "发货款", "deliver": "到货款",
                   "accept": "验收款", "warranty_end": "质保金", "date": "分期款"}  # fmt: skip
MAX_MILESTONES = 50
MAX_DAYS = 3650
_ITEM = re.compile(
    r"^\s*(?P<share>[0-9.]+)\s*[%％]\s*(?P<event>[^+＋]+?)\s*(?:[+＋]\s*(?P<days>\S+))?\s*$"
)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Milestone:
    """One instalment: ``share`` in percent (``Decimal("30")``), the event code ("date" for a
    fixed day, then ``on`` is that day) and the days after the event it falls due."""

    share: Decimal
    event: str
    days: int = 0
    on: date | None = None

    @property
    def label(self) -> str:
        """The milestone's name on its invoice (预付款, 验收款, 质保金 …)."""
        return MILESTONE_LABEL[self.event]

    def text(self) -> str:
        """The milestone as a schedule item (``30% 签约+7``)."""
        what = self.on.isoformat() if self.on else EVENT_ZH[self.event]
        return f"{_share_text(self.share)}% {what}+{self.days}"


def event_code(text: str) -> str:
    """``"验收"``/``"accept"`` -> ``"accept"``; an unknown name is an error."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in EVENT_NAMES:
        known = "签约/sign, 发货/ship, 到货/deliver, 验收/accept, 质保期满/warranty_end"
        raise InvalidValue(f"unknown contract event {shorten(text)!r} (known: {known})")
    return EVENT_NAMES[key]


def parse_schedule(text: str) -> list[Milestone]:
    """``"30% 签约+7; 60% 验收+30; 10% 质保期满+30"`` -> milestones (checked)."""
    items = [p for p in re.split(r"[;；\n]", text) if p.strip()]
    return check_schedule([_item(p) for p in items])


def _item(text: str) -> Milestone:
    m = _ITEM.match(text)
    if not m:
        raise InvalidValue(
            f"schedule item {shorten(text.strip())!r}: write it as 30% 签约+7 (share, event, days)"
        )
    where = f"schedule item {shorten(text.strip())!r}"
    return milestone(m["share"], m["event"], m["days"] or "0", where)


def milestone(share: object, event: object, days: object, where: str) -> Milestone:
    """One milestone from its three parts as written (a schedule item or a file entry)."""
    pct = _share(share, where)
    n = _days(days, where)
    name = str(event).strip()
    try:
        return Milestone(pct, "date", n, parse_date(name))
    except InvalidValue:
        pass
    try:
        return Milestone(pct, event_code(name), n)
    except InvalidValue as exc:
        raise InvalidValue(f"{where}: {exc}") from None


def schedule_from_entries(entries: Iterable[Mapping[str, object]]) -> list[Milestone]:
    """Milestones from a schedule file's entries (``{"share": 30, "event": "签约", "days": 7}``)."""
    out = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, Mapping) or "share" not in entry or "event" not in entry:
            raise InvalidValue(f"schedule entry {n}: needs share and event (and days)")
        share = str(entry["share"]).rstrip("%％")
        out.append(milestone(share, entry["event"], entry.get("days", 0), f"schedule entry {n}"))
    return check_schedule(out)


def _share(text: object, where: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidValue(f"{where}: share {shorten(str(text))!r} is not a percentage") from None
    if not value.is_finite() or value <= 0 or value > HUNDRED or value != round(value, 2):
        raise InvalidValue(f"{where}: share must be above 0% and at most 100%, two decimals")
    return value


def _days(text: object, where: str) -> int:
    raw = str(text).strip().removesuffix("天").removesuffix("d")
    if not raw.isdigit() or int(raw) > MAX_DAYS:
        raise InvalidValue(f"{where}: days must be a whole number from 0 to {MAX_DAYS}")
    return int(raw)


def check_schedule(items: Sequence[Milestone]) -> list[Milestone]:
    """The schedule, if its shares add up to exactly 100% and it is not empty or huge."""
    if not items:
        raise InvalidValue("the schedule has no milestones")
    if len(items) > MAX_MILESTONES:
        raise InvalidValue(f"the schedule has more than {MAX_MILESTONES} milestones")
    total = sum((m.share for m in items), Decimal(0))
    if total != HUNDRED:
        raise InvalidValue(f"the schedule's shares add up to {_share_text(total)}%, not 100%")
    return list(items)


def split_amount(amount: int, schedule: Sequence[Milestone]) -> list[int]:
    """Each milestone's amount in 分: its share rounded down, the remainder on the last."""
    parts = [
        int((Decimal(amount) * m.share / HUNDRED).to_integral_value(ROUND_FLOOR))
        for m in schedule[:-1]
    ]
    return [*parts, amount - sum(parts)]


def due_on(event_day: date, days: int, cal: WorkCalendar) -> date:
    """The milestone's due date: the event plus its days, moved to a working day."""
    return cal.roll_forward(event_day + timedelta(days=days))


def warranty_end(accepted: date, months: int) -> date:
    """When a warranty of ``months`` from acceptance ends (for the 质保金's expected date)."""
    end: date = accepted + relativedelta(months=months)
    return end


def _share_text(value: Decimal) -> str:
    """``Decimal("30")`` -> ``"30"``, ``Decimal("33.50")`` -> ``"33.5"``."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def milestone_status(
    issued: date | None, due: date | None, open_fen: int | None, as_of: date
) -> str:
    """``to_come`` (no invoice yet, or issued later), ``paid`` (nothing open), ``due`` (open
    and due on or before ``as_of``) or ``invoiced`` (open, not yet due)."""
    if issued is None or due is None or open_fen is None or issued > as_of:
        return "to_come"
    if open_fen <= 0:
        return "paid"
    return "due" if due <= as_of else "invoiced"
