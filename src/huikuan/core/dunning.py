"""Dunning policies and level selection (催款流程): who is reminded today, and how firmly.

Rules (pure; the store supplies the facts, ``as_of`` is passed in):

- escalation ``step`` (the default, per policy): an invoice rises at most one level above the
  highest level it has had, and only once the policy's ``min_interval_days`` have passed since
  it reached that level. Its first contact is the first level that applies: a level up to the
  due date (offset <= 0, e.g. the friendly reminder) applies only while the invoice is not yet
  overdue; an invoice already overdue at first contact starts at the first overdue level
  (offset >= 1) whose trigger has passed, never straight at a later one. Levels passed over
  (a friendly reminder that no longer applies) are recorded as skipped, so they never come back;
- escalation ``jump``: an invoice gets the highest level whose trigger date (due date + offset,
  in calendar or working days) has passed and that it has not had yet; lower levels it never
  had are recorded as skipped (a run after a gap catches up once, at the level now due);
- no dunning for disputed invoices, blocked or litigation customers, invoices under an open
  promise to pay (until promise date + grace), open amounts below the minimum;
- one customer gets one message per channel, at the highest level among its invoices, listing
  them all; a round for overdue invoices leaves out invoices not yet overdue (a demand or final
  letter lists overdue invoices only, and every invoice recorded must be one the message lists);
  at most one round per customer per ``min_interval_days``;
- limitation (诉讼时效) tasks: when an invoice's period ends within 180, then 60 days, one legal
  task for the most urgent threshold reached, raised once (never both at once).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from huikuan.core.calendar import WorkCalendar
from huikuan.core.errors import HuikuanError

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


ESCALATIONS = ("step", "jump")
LIMITATION_TASKS = ((60, 1060), (180, 1180))  # (days left, level number), most urgent first


@dataclass(frozen=True)
class Rules:
    """How a policy escalates (``step`` or ``jump``) and the days between its rounds."""

    escalation: str = "step"
    min_interval_days: int = 7


@dataclass(frozen=True)
class DunningConfig:
    """``[dunning]``: policies by name, which segment uses which, and the general rules.

    ``overrides``: a policy's own ``escalation`` / ``min_interval_days`` (over the global ones).
    """

    policies: dict[str, tuple[Level, ...]] = field(
        default_factory=lambda: {"standard": DEFAULT_LEVELS}
    )
    segments: dict[str, str] = field(default_factory=dict)
    default_policy: str = "standard"
    min_interval_days: int = 7
    min_amount: int = 0
    promise_grace_days: int = 3
    escalation: str = "step"
    run_on_holidays: bool = False
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def policy_for(self, customer_policy: str | None, segment: str | None) -> str:
        """The customer's own policy, else its segment's, else the default."""
        name = customer_policy or self.segments.get(segment or "") or self.default_policy
        if name not in self.policies:
            raise HuikuanError(
                f"unknown dunning policy {name!r} (known: {', '.join(self.policies)})"
            )
        return name

    def rules(self, policy: str) -> Rules:
        """The escalation and interval in force for ``policy``."""
        own = self.overrides.get(policy, {})
        return Rules(
            own.get("escalation", self.escalation),
            own.get("min_interval_days", self.min_interval_days),
        )


# --- level selection ---------------------------------------------------------------------


NO_LEVELS: frozenset[int] = frozenset()


@dataclass(frozen=True, init=False)
class OpenInvoice:
    """An open invoice as the dunning run sees it."""

    number: str
    due: date
    open: int
    disputed: bool = False
    done: frozenset[int] = NO_LEVELS  # levels (indexes) already done or skipped
    paused_until: date | None = None  # promise date + grace
    highest: int | None = None  # the highest level it has had (done, not skipped)
    reached: date | None = None  # the day it reached ``highest``

    def __init__(
        self,
        number: str,
        due: date,
        open: int,
        disputed: bool = False,
        done: frozenset[int] = NO_LEVELS,
        paused_until: date | None = None,
        highest: int | None = None,
        reached: date | None = None,
    ) -> None:
        """The fields set at once: a frozen dataclass's own ``__init__`` sets them one by
        one through ``object.__setattr__``, twice as slow for a whole ledger's invoices."""
        self.__dict__.update(
            number=number, due=due, open=open, disputed=disputed, done=done,
            paused_until=paused_until, highest=highest, reached=reached,
        )  # fmt: skip


@dataclass(frozen=True)
class Debtor:
    """A customer with open invoices."""

    code: str
    policy: str
    invoices: tuple[OpenInvoice, ...]
    blocked: bool = False
    legal: bool = False
    last_message: date | None = None


@dataclass(slots=True)  # a whole-ledger plan holds one per invoice due a level
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
    inv: OpenInvoice,
    levels: tuple[Level, ...],
    as_of: date,
    cal: WorkCalendar,
    rules: Rules = Rules(),
) -> Step | None:
    """The level an invoice should get now, or None (nothing new is due yet)."""
    if rules.escalation == "jump":
        return _jump(inv, levels, as_of, cal)
    return _step(inv, levels, as_of, cal, rules.min_interval_days)


def _jump(
    inv: OpenInvoice, levels: tuple[Level, ...], as_of: date, cal: WorkCalendar
) -> Step | None:
    """The highest level now due, lower ones not had recorded as skipped."""
    passed = [n for n, lv in enumerate(levels) if lv.trigger(inv.due, cal) <= as_of]
    if not passed or passed[-1] in inv.done:
        return None
    top = passed[-1]
    return Step(inv.number, top, [n for n in passed[:-1] if n not in inv.done])


def _step(
    inv: OpenInvoice, levels: tuple[Level, ...], as_of: date, cal: WorkCalendar, interval: int
) -> Step | None:
    """The first level that applies above the highest one had, once the interval is over."""
    if inv.reached is not None and as_of < inv.reached + timedelta(days=interval):
        return None
    floor = -1 if inv.highest is None else inv.highest
    for n in range(floor + 1, len(levels)):
        if n not in inv.done and applies(levels[n], inv.due, as_of, cal):
            return Step(inv.number, n, [k for k in range(floor + 1, n) if k not in inv.done])
    return None


def applies(level: Level, due: date, as_of: date, cal: WorkCalendar) -> bool:
    """Its trigger has passed, and a level up to the due date (offset <= 0) only while the
    invoice is not yet overdue."""
    return level.trigger(due, cal) <= as_of and (level.offset >= 1 or as_of <= due)


# (policy, due date) -> (level, levels skipped) of an invoice with no history, or None
Memo = dict[tuple[str, date], tuple[int, list[int]] | None]


def _next_step(
    inv: OpenInvoice,
    policy: tuple[str, tuple[Level, ...], Rules],
    as_of: date,
    cal: WorkCalendar,
    memo: Memo,
) -> Step | None:
    """:func:`next_level`; for an invoice never dunned it depends on the due date alone,
    so it is worked out once per policy and due date."""
    name, levels, rules = policy
    if inv.done or inv.highest is not None or inv.reached is not None:
        return next_level(inv, levels, as_of, cal, rules)
    key = (name, inv.due)
    if key not in memo:
        step = next_level(inv, levels, as_of, cal, rules)
        memo[key] = None if step is None else (step.level, step.skipped)
    found = memo[key]
    return None if found is None else Step(inv.number, found[0], list(found[1]))


def plan_debtor(
    d: Debtor, cfg: DunningConfig, as_of: date, cal: WorkCalendar, memo: Memo | None = None
) -> tuple[Plan | None, list[Skip]]:
    """The round for one customer (or why there is none); ``memo`` keeps the levels of
    invoices never dunned across customers (see :func:`plan_run`)."""
    if d.legal or d.blocked:
        return None, [Skip(d.code, None, "in litigation" if d.legal else "blocked")]
    levels, rules = cfg.policies[d.policy], cfg.rules(d.policy)
    policy, memo = (d.policy, levels, rules), {} if memo is None else memo
    due: list[tuple[OpenInvoice, Step]] = []
    skips = []
    for inv in d.invoices:
        reason = _exempt(inv, cfg, as_of)
        if reason:
            skips.append(Skip(d.code, inv.number, reason))
        elif step := _next_step(inv, policy, as_of, cal, memo):
            due.append((inv, step))
        elif why := _waiting(inv, levels, as_of, cal, rules):
            skips.append(Skip(d.code, inv.number, why))
    steps, later = _one_round(d.code, due, as_of)
    if not steps:
        return None, skips + later
    if d.last_message and (as_of - d.last_message).days < rules.min_interval_days:
        wait = d.last_message + timedelta(days=rules.min_interval_days)
        return None, [
            *skips,
            Skip(d.code, None, f"last message {d.last_message}; next from {wait}"),
        ]
    return Plan(d.code, d.policy, max(s.level for s in steps), steps), skips + later


def _waiting(
    inv: OpenInvoice, levels: tuple[Level, ...], as_of: date, cal: WorkCalendar, rules: Rules
) -> str | None:
    """Why an invoice whose next level has come due waits: the interval since its last one."""
    if rules.escalation != "step" or inv.reached is None or inv.highest is None:
        return None
    if inv.highest >= len(levels) or not next_level(
        replace(inv, reached=None), levels, as_of, cal, rules
    ):
        return None
    until = inv.reached + timedelta(days=rules.min_interval_days)
    return f"{levels[inv.highest].name} on {inv.reached}; next level from {until}"


def _one_round(
    code: str, due: list[tuple[OpenInvoice, Step]], as_of: date
) -> tuple[list[Step], list[Skip]]:
    """The steps of one round: when any invoice is overdue, the round is about overdue
    invoices and those not yet overdue wait for a round of their own."""
    if not any(as_of > inv.due for inv, _ in due):
        return [s for _, s in due], []
    steps = [s for inv, s in due if as_of > inv.due]
    later = [
        Skip(
            code,
            inv.number,
            f"due {inv.due}, not overdue: not in today's round for overdue invoices",
        )
        for inv, _ in due
        if as_of <= inv.due
    ]
    return steps, later


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
    for plan, why in plan_each(debtors, cfg, as_of, cal):
        skips += why
        if plan:
            plans.append(plan)
    return plans, skips


def plan_each(
    debtors: Iterable[Debtor], cfg: DunningConfig, as_of: date, cal: WorkCalendar
) -> Iterator[tuple[Plan | None, list[Skip]]]:
    """:func:`plan_debtor` for each customer in turn, one memo for all (a caller that only
    shows the plans need not hold them all)."""
    memo: Memo = {}
    for d in debtors:
        yield plan_debtor(d, cfg, as_of, cal, memo)


def limitation_task(days_left: int, done: Iterable[int]) -> tuple[int, int] | None:
    """The limitation task an invoice needs now, ``(days, level)``: the most urgent threshold
    its period is within, unless that task was raised already (never the less urgent one too)."""
    if days_left < 0:
        return None
    for days, level in LIMITATION_TASKS:
        if days_left <= days:
            return None if level in set(done) else (days, level)
    return None
