"""Dunning policies and level selection (催款流程): who is reminded today, and how firmly.

Rules (pure; the store supplies the facts, ``as_of`` is passed in):

- an invoice gets the highest level whose trigger date (due date + offset, in calendar or
  working days) has passed and that it has not had yet; lower levels it never had are
  recorded as skipped, so a run after a gap catches up once, at the right level;
- no dunning for disputed invoices, blocked or litigation customers, invoices under an open
  promise to pay (until promise date + grace), open amounts below the minimum;
- one customer gets one message per channel, at the highest level among its invoices,
  listing them all; and at most one round of messages per ``min_interval_days``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from huikuan.core.calendar import WorkCalendar
from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.core.money import parse_fen

CHANNELS = ("email", "letter", "sms", "call", "visit", "escalate", "legal")
TASKS = ("call", "visit", "escalate", "legal")  # channels that are work for a person
LETTER_KINDS = ("reminder", "demand", "final", "statement", "plan")


@dataclass(frozen=True)
class Level:
    """One step of a policy."""

    name: str
    offset: int  # days from the due date; negative = before due
    channels: tuple[str, ...]
    working_days: bool = False
    letter: str | None = None
    interest: bool = False

    def trigger(self, due: date, cal: WorkCalendar) -> date:
        """The first day this level applies to an invoice due on ``due``."""
        if self.working_days:
            return cal.add_workdays(due, self.offset)
        return due + timedelta(days=self.offset)


DEFAULT_LEVELS = (
    Level("friendly", -3, ("email",), working_days=True, letter="reminder"),
    Level("overdue", 1, ("call", "email"), letter="reminder"),
    Level("demand", 15, ("letter", "email"), letter="demand", interest=True),
    Level("escalate", 30, ("escalate",)),
    Level("visit", 60, ("visit",)),
    Level("final", 90, ("letter", "legal"), letter="final", interest=True),
)


@dataclass(frozen=True)
class DunningConfig:
    """``[dunning]``: policies by name, which segment uses which, and the general rules."""

    policies: dict[str, tuple[Level, ...]] = field(
        default_factory=lambda: {"standard": DEFAULT_LEVELS}
    )
    segments: dict[str, str] = field(default_factory=dict)
    default_policy: str = "standard"
    min_interval_days: int = 7
    min_amount: int = 0
    promise_grace_days: int = 3

    def policy_for(self, customer_policy: str | None, segment: str | None) -> str:
        """The customer's own policy, else its segment's, else the default."""
        name = customer_policy or self.segments.get(segment or "") or self.default_policy
        if name not in self.policies:
            raise HuikuanError(
                f"unknown dunning policy {name!r} (known: {', '.join(self.policies)})"
            )
        return name


# --- level selection ---------------------------------------------------------------------


@dataclass(frozen=True)
class OpenInvoice:
    """An open invoice as the dunning run sees it."""

    number: str
    due: date
    open: int
    disputed: bool = False
    done: frozenset[int] = frozenset()  # levels (indexes) already done or skipped
    paused_until: date | None = None  # promise date + grace


@dataclass(frozen=True)
class Debtor:
    """A customer with open invoices."""

    code: str
    policy: str
    invoices: tuple[OpenInvoice, ...]
    blocked: bool = False
    legal: bool = False
    last_message: date | None = None


@dataclass
class Step:
    """What happens to one invoice: ``level`` done now, ``skipped`` levels passed over."""

    invoice: str
    level: int
    skipped: list[int] = field(default_factory=list)


@dataclass
class Plan:
    """One customer's round: a message per channel of ``level``, covering ``steps``."""

    customer: str
    policy: str
    level: int
    steps: list[Step]


@dataclass
class Skip:
    """A customer or invoice left alone, and why (shown by ``remind plan``)."""

    customer: str
    invoice: str | None
    reason: str


def next_level(
    inv: OpenInvoice, levels: tuple[Level, ...], as_of: date, cal: WorkCalendar
) -> Step | None:
    """The level an invoice should get now, or None (nothing new has come due)."""
    passed = [n for n, lv in enumerate(levels) if lv.trigger(inv.due, cal) <= as_of]
    if not passed or passed[-1] in inv.done:
        return None
    top = passed[-1]
    return Step(inv.number, top, [n for n in passed[:-1] if n not in inv.done])


def plan_debtor(
    d: Debtor, cfg: DunningConfig, as_of: date, cal: WorkCalendar
) -> tuple[Plan | None, list[Skip]]:
    """The round for one customer (or why there is none)."""
    if d.legal or d.blocked:
        return None, [Skip(d.code, None, "in litigation" if d.legal else "blocked")]
    levels, steps, skips = cfg.policies[d.policy], [], []
    for inv in d.invoices:
        reason = _exempt(inv, cfg, as_of)
        if reason:
            skips.append(Skip(d.code, inv.number, reason))
            continue
        step = next_level(inv, levels, as_of, cal)
        if step is not None:
            steps.append(step)
    if not steps:
        return None, skips
    if d.last_message and (as_of - d.last_message).days < cfg.min_interval_days:
        wait = d.last_message + timedelta(days=cfg.min_interval_days)
        return None, [
            *skips,
            Skip(d.code, None, f"last message {d.last_message}; next from {wait}"),
        ]
    return Plan(d.code, d.policy, max(s.level for s in steps), steps), skips


def _exempt(inv: OpenInvoice, cfg: DunningConfig, as_of: date) -> str | None:
    if inv.disputed:
        return "disputed"
    if inv.open < cfg.min_amount:
        return "below the minimum amount"
    if inv.paused_until and as_of <= inv.paused_until:
        return f"promise to pay (until {inv.paused_until})"
    return None


def plan_run(
    debtors: Iterable[Debtor], cfg: DunningConfig, as_of: date, cal: WorkCalendar
) -> tuple[list[Plan], list[Skip]]:
    """Plans for every customer, in the order given."""
    plans, skips = [], []
    for d in debtors:
        plan, why = plan_debtor(d, cfg, as_of, cal)
        skips += why
        if plan:
            plans.append(plan)
    return plans, skips


# --- configuration -----------------------------------------------------------------------

DUNNING_KEYS = {
    "policies",
    "segments",
    "default_policy",
    "min_interval_days",
    "min_amount",
    "promise_grace_days",
}
LEVEL_KEYS = {"name", "offset", "channels", "working_days", "letter", "interest"}


def make_dunning(raw: Mapping[str, Any]) -> DunningConfig:
    """Build ``[dunning]`` over the defaults; raise :class:`HuikuanError` on bad settings."""
    unknown = sorted(set(raw) - DUNNING_KEYS)
    if unknown:
        raise HuikuanError(f"unknown [dunning] setting(s): {', '.join(unknown)}")
    policies = dict(DunningConfig().policies)
    for name, table in _mapping(raw.get("policies", {}), "dunning.policies").items():
        policies[name] = _levels(name, table)
    segments = {
        str(k): str(v) for k, v in _mapping(raw.get("segments", {}), "dunning.segments").items()
    }
    default = str(raw.get("default_policy", "standard"))
    for name in (*segments.values(), default):
        if name not in policies:
            raise HuikuanError(f"dunning: unknown policy {name!r} (known: {', '.join(policies)})")
    cfg = DunningConfig(
        policies,
        segments,
        default,
        _days(raw.get("min_interval_days", 7), "min_interval_days"),
        _amount(raw.get("min_amount", 0)),
        _days(raw.get("promise_grace_days", 3), "promise_grace_days"),
    )
    return cfg


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise HuikuanError(f"{name} must be a table")
    return value


def _days(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise HuikuanError(f"dunning.{name} must be a whole number of days >= 0, not {value!r}")
    return value


def _amount(value: Any) -> int:
    try:
        return parse_fen(str(value), allow_zero=True)
    except InvalidValue as exc:
        raise HuikuanError(f"dunning.min_amount: {exc}") from None


def _levels(policy: str, table: Any) -> tuple[Level, ...]:
    levels = _mapping(table, f"dunning.policies.{policy}").get("levels")
    if not isinstance(levels, list) or not levels:
        raise HuikuanError(f"dunning.policies.{policy}.levels must be a non-empty list of tables")
    out = tuple(_level(f"dunning.policies.{policy}.levels[{n}]", lv) for n, lv in enumerate(levels))
    offsets = [lv.offset for lv in out]
    if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
        raise HuikuanError(f"dunning.policies.{policy}: level offsets must increase")
    return out


def _level(where: str, raw: Any) -> Level:
    raw = _mapping(raw, where)
    if set(raw) - LEVEL_KEYS:
        raise HuikuanError(f"{where}: unknown key(s) {', '.join(sorted(set(raw) - LEVEL_KEYS))}")
    offset, channels = raw.get("offset"), raw.get("channels")
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise HuikuanError(f"{where}.offset must be a whole number of days")
    if not isinstance(channels, list) or not channels or not set(channels) <= set(CHANNELS):
        raise HuikuanError(f"{where}.channels must be a list of {', '.join(CHANNELS)}")
    letter = raw.get("letter")
    if letter is not None and letter not in LETTER_KINDS:
        raise HuikuanError(f"{where}.letter must be one of {', '.join(LETTER_KINDS)}")
    name = str(raw.get("name") or f"level{offset:+d}")
    return Level(
        name,
        offset,
        tuple(channels),
        bool(raw.get("working_days", False)),
        letter,
        bool(raw.get("interest", False)),
    )
