"""Collection work: the contact log, promises to pay, the excuse playbook, 诉讼时效.

Money in the results is ``Decimal`` yuan (two places), dates are ``date``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from huikuan.core.errors import InvalidValue
from huikuan.core.limitation import Restart, advice
from huikuan.core.money import from_decimal, to_decimal

if TYPE_CHECKING:
    from huikuan.core.calendar import WorkCalendar
    from huikuan.core.playbook import Excuse
    from huikuan.services.context import Context
    from huikuan.store.limitation import Limitation as LimitationRecord

PROMISE_STATUS = ("open", "kept", "broken")


def channels() -> tuple[str, ...]:
    """The contact log's channels: phone, email, letter, …"""
    from huikuan.store.collections import LOG_CHANNELS

    return LOG_CHANNELS


def outcomes() -> tuple[str, ...]:
    """What a contact came to: reached, no-answer, promised, …"""
    from huikuan.store.collections import OUTCOMES

    return OUTCOMES


def choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    """``value`` as one of ``allowed`` (case, ``_`` and spaces as ``-`` forgiven), or None."""
    if value is None:
        return None
    norm = value.strip().lower().replace("_", "-").replace(" ", "-")
    if norm not in allowed:
        raise InvalidValue(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return norm


@dataclass(frozen=True)
class NewContact:
    """A contact to log: when, how, what came of it; ``excuse`` is a code or its wording."""

    day: date
    channel: str
    outcome: str | None = None
    invoice: str | None = None
    excuse: str | None = None
    note: str | None = None
    evidence: str | None = None
    acknowledged: bool = False


@dataclass(frozen=True)
class Logged:
    """A logged contact: its id, the channel and outcome as recorded, the excuse's code and
    the follow-up day it schedules (None without an excuse)."""

    id: int
    customer: str
    day: date
    channel: str
    outcome: str | None
    excuse: str | None
    follow_up: date | None


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One entry of the contact log."""

    id: int
    day: date
    customer: str
    invoice: str | None
    channel: str
    outcome: str | None
    excuse: str | None
    follow_up: date | None
    acknowledged: bool
    evidence: str | None
    reference: str | None
    note: str | None
    user: str


@dataclass(frozen=True)
class NewPromise:
    """A promise to pay ``amount`` by ``promised`` (made on ``made_on``); ``currency`` None:
    the ledger's (a promise for an invoice takes the invoice's)."""

    amount: Decimal
    promised: date
    made_on: date
    invoice: str | None = None
    currency: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PromiseLine:
    """A promise with what was paid towards it by its date, and its status then."""

    id: int
    customer: str
    invoice: str | None
    made_on: date
    promised_date: date
    currency: str
    amount: Decimal
    paid: Decimal
    status: str
    note: str | None


class LimitationLine(NamedTuple):
    """An open invoice, the end of its 3-year limitation period and what to do (a named
    tuple: a whole ledger's lines are made one after another)."""

    invoice: str
    customer: str
    name: str
    due_date: date
    open: Decimal
    currency: str
    expires: date
    days_left: int
    restarted_by: Restart | None
    action: str


@dataclass(frozen=True)
class Limitation:
    """诉讼时效 as of a day, soonest end first. The lines are read from the open ledger as
    they are used; ``missing_years`` (years whose end dates count weekends only, no holiday
    data) is complete once they have been read."""

    as_of: date
    lines: Iterable[LimitationLine]
    calendar: WorkCalendar = field(repr=False)

    @property
    def missing_years(self) -> list[int]:
        return sorted(self.calendar.missing_years)


def log_contact(ctx: Context, code: str, new: NewContact) -> Logged:
    """Record a contact with ``code`` (audited); an excuse schedules its follow-up from the
    playbook. The invoice, when named, must be the customer's."""
    from huikuan.core.playbook import excuse as find_excuse
    from huikuan.store import collections as S

    rec: dict[str, Any] = {
        "date": new.day.isoformat(),
        "channel": choice(new.channel, S.LOG_CHANNELS, "--channel"),
        "outcome": choice(new.outcome, S.OUTCOMES, "--outcome"),
        "invoice": new.invoice,
        "note": new.note,
        "evidence": new.evidence,
        "acknowledged": new.acknowledged,
    }
    follow_up = None
    if new.excuse is not None:
        found = find_excuse(new.excuse)
        follow_up = new.day + timedelta(days=found.follow_up_days)
        rec |= {"excuse": found.code, "follow_up": follow_up.isoformat()}
    with ctx.ledger.transaction() as conn:
        new_id = S.add_log(conn, ctx.user, code, rec, ctx.clock())
    channel, outcome, excuse = rec["channel"], rec["outcome"], rec.get("excuse")
    return Logged(new_id, code, new.day, channel, outcome, excuse, follow_up)


def contact_log(
    ctx: Context, code: str | None = None, since: date | None = None, until: date | None = None
) -> list[LogEntry]:
    """Logged contacts (of ``code``; between the days given), oldest first."""
    from huikuan.store import collections as S

    return [_entry(row) for row in S.logs(ctx.ledger.conn, code, since, until)]


def _entry(row: dict[str, Any]) -> LogEntry:
    day = _day(row.pop("date"))
    return LogEntry(**{**row, "day": day, "follow_up": _day(row["follow_up"])})


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def add_promise(ctx: Context, code: str, new: NewPromise) -> int:
    """Record a promise to pay (audited): its id. Dunning of the customer pauses until the
    date + grace."""
    from huikuan.store import collections as S

    if new.promised < new.made_on:
        raise InvalidValue(f"--date {new.promised} is before the promise was made ({new.made_on})")
    rec = {
        "amount": from_decimal(new.amount),
        "promised_date": new.promised.isoformat(),
        "made_on": new.made_on.isoformat(),
        "invoice": new.invoice,
        "note": new.note,
        "currency": new.currency or ctx.config.currency,
    }
    with ctx.ledger.transaction() as conn:
        return S.add_promise(conn, ctx.user, code, rec, ctx.clock())


def promises(ctx: Context, code: str | None = None, status: str | None = None) -> list[PromiseLine]:
    """Promises made by ``ctx.as_of`` with their status then (open, kept or broken), by date;
    only ``code``'s, only those of ``status`` when given."""
    from huikuan.store import collections as S

    wanted = choice(status, PROMISE_STATUS, "--status")
    found = S.promises(ctx.ledger.conn, ctx.as_of, code)
    return [_promise(p) for p in found if wanted in (None, p["status"])]


def _promise(row: dict[str, Any]) -> PromiseLine:
    days = {k: date.fromisoformat(row[k]) for k in ("made_on", "promised_date")}
    money = {k: Decimal(row[k]) for k in ("amount", "paid")}
    return PromiseLine(**(row | days | money))


def playbook(code: str | None = None) -> list[Excuse]:
    """The excuse ``code`` (a code, its Chinese wording or short name), else all ten."""
    from huikuan.core.playbook import EXCUSES, excuse

    return [excuse(code)] if code else list(EXCUSES)


def limitation(ctx: Context, within: int | None = None, lang: str | None = None) -> Limitation:
    """When each open invoice's limitation period ends as of ``ctx.as_of`` (only those ending
    within ``within`` days or already ended, when given) with advice in ``lang``, soonest
    first. The lines are made as they are read, while the ledger is open (only restarted
    records wait, as compact tuples, until their end comes)."""
    from huikuan.store.limitation import limitation_sorted

    cal = ctx.config.make_calendar()  # a calendar of its own: years ahead are noted, not warned
    found = limitation_sorted(ctx.ledger.conn, ctx.as_of, cal, within)
    lines = (_limitation_line(rec, ctx.as_of, lang or ctx.language) for rec in found)
    return Limitation(ctx.as_of, lines, cal)


def _limitation_line(rec: LimitationRecord, as_of: date, lang: str) -> LimitationLine:
    end, number, code, name, due, open_fen, currency, restart = rec
    left = (end - as_of).days
    return LimitationLine(
        number, code, name, due, to_decimal(open_fen), currency, end, left, restart,
        advice(left, lang),
    )  # fmt: skip
