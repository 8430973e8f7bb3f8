"""Step-by-step escalation (the default), per-policy rules, one kind of round per customer,
limitation tasks, and the new ``[dunning]`` settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from huikuan.core.calendar import make_calendar
from huikuan.core.dunning import (
    DEFAULT_LEVELS,
    Debtor,
    DunningConfig,
    OpenInvoice,
    Rules,
    Step,
    limitation_task,
    next_level,
    plan_debtor,
)
from huikuan.core.dunning_config import make_dunning
from huikuan.core.errors import HuikuanError

CN = make_calendar("CN")
DUE = date(2026, 8, 3)  # a Monday
NAMES = [lv.name for lv in DEFAULT_LEVELS]  # friendly overdue demand escalate visit final


def had(inv: OpenInvoice, step: Step, day: date) -> OpenInvoice:
    """The invoice after a run on ``day`` recorded ``step`` (as the store would supply it)."""
    return replace(
        inv, done=inv.done | {step.level, *step.skipped}, highest=step.level, reached=day
    )


def runs(inv: OpenInvoice, days: list[date], rules: Rules = Rules()) -> list[str | None]:
    """The level each run gives the invoice (None: nothing that day)."""
    out: list[str | None] = []
    for day in days:
        step = next_level(inv, DEFAULT_LEVELS, day, CN, rules)
        out.append(None if step is None else NAMES[step.level])
        if step is not None:
            inv = had(inv, step, day)
    return out


def test_long_overdue_invoice_climbs_one_level_per_interval_never_final_at_once() -> None:
    day1 = DUE + timedelta(days=120)  # 120 days overdue at first contact
    inv = OpenInvoice("OLD", DUE, 500_000)
    first = next_level(inv, DEFAULT_LEVELS, day1, CN)
    assert first is not None and NAMES[first.level] == "overdue"
    assert [NAMES[n] for n in first.skipped] == ["friendly"]  # no longer applies: skipped
    days = [day1 + timedelta(days=n) for n in (0, 6, 7, 13, 14, 21, 28, 35)]
    assert runs(inv, days) == [
        "overdue", None, "demand", None, "escalate", "visit", "final", None
    ]  # fmt: skip


def test_jump_goes_straight_to_the_level_now_due() -> None:
    inv = OpenInvoice("OLD", DUE, 500_000)
    step = next_level(inv, DEFAULT_LEVELS, DUE + timedelta(days=120), CN, Rules("jump"))
    assert step is not None and NAMES[step.level] == "final"
    assert [NAMES[n] for n in step.skipped] == NAMES[:-1]


def test_a_level_waits_for_its_own_trigger_after_the_interval() -> None:
    inv = OpenInvoice("A", DUE, 1_000)
    days = [DUE + timedelta(days=n) for n in (1, 8, 14, 15, 29, 30)]
    assert runs(inv, days) == ["overdue", None, None, "demand", None, "escalate"]


def test_friendly_reminder_before_due_then_overdue_after_the_interval() -> None:
    inv = OpenInvoice("A", DUE, 1_000)
    # 3 working days before Monday 08-03 is Wednesday 07-29
    days = [date(2026, 7, 28), date(2026, 7, 29), DUE + timedelta(days=1), date(2026, 8, 5)]
    assert runs(inv, days) == [None, "friendly", None, "overdue"]  # 08-05 = 07-29 + 7


def test_on_the_due_date_the_friendly_reminder_still_applies() -> None:
    step = next_level(OpenInvoice("A", DUE, 1_000), DEFAULT_LEVELS, DUE, CN)
    assert step is not None and NAMES[step.level] == "friendly"


def test_min_interval_days_per_policy() -> None:
    inv = OpenInvoice("A", DUE, 1_000)
    days = [DUE + timedelta(days=n) for n in (20, 22, 23)]
    assert runs(inv, days, Rules("step", 3)) == ["overdue", None, "demand"]


def debtor(*invoices: OpenInvoice, policy: str = "standard", **kw: object) -> Debtor:
    return Debtor("C001", policy, invoices, **kw)  # type: ignore[arg-type]


def test_policy_overrides_escalation_and_interval() -> None:
    cfg = make_dunning(
        {
            "min_interval_days": 10,
            "policies": {"strict": {"escalation": "jump", "levels": [
                {"name": "nag", "offset": 1, "channels": ["sms"]},
                {"name": "sue", "offset": 30, "channels": ["legal"]},
            ]}, "standard": {"min_interval_days": 2}},
        }
    )  # fmt: skip
    assert cfg.rules("strict") == Rules("jump", 10)
    assert cfg.rules("standard") == Rules("step", 2)
    assert cfg.policies["standard"] == DEFAULT_LEVELS  # an override alone keeps the levels
    day = DUE + timedelta(days=40)
    plan, _ = plan_debtor(debtor(OpenInvoice("A", DUE, 1_000), policy="strict"), cfg, day, CN)
    assert plan is not None and cfg.policies["strict"][plan.level].name == "sue"
    plan, _ = plan_debtor(debtor(OpenInvoice("A", DUE, 1_000)), cfg, day, CN)
    assert plan is not None and NAMES[plan.level] == "overdue"
    # the customer-level interval is the policy's too: 2 days for "standard"
    recent = debtor(OpenInvoice("B", DUE, 1_000), last_message=day - timedelta(days=2))
    assert plan_debtor(recent, cfg, day, CN)[0] is not None


def test_a_round_for_overdue_invoices_leaves_out_those_not_yet_due() -> None:
    # the not-yet-due invoice would be "friendly"; the demand/final letter lists overdue
    # invoices only, so it must not be recorded as reached by this round
    day = DUE + timedelta(days=100)
    old = OpenInvoice("OLD", DUE, 1_000)
    new = OpenInvoice("NEW", day + timedelta(days=1), 2_000)
    for cfg in (DunningConfig(), make_dunning({"escalation": "jump"})):
        plan, skips = plan_debtor(debtor(old, new), cfg, day, CN)
        assert plan is not None and [s.invoice for s in plan.steps] == ["OLD"]
        assert [(s.invoice, s.reason) for s in skips] == [
            ("NEW", f"due {new.due}, not overdue: not in today's round for overdue invoices")
        ]
    plan, _ = plan_debtor(debtor(new), DunningConfig(), day, CN)  # alone: its friendly round
    assert plan is not None and NAMES[plan.level] == "friendly"


@pytest.mark.parametrize(
    ("days_left", "done", "task"),
    [
        (181, (), None),
        (180, (), (180, 1180)),
        (100, (1180,), None),
        (60, (), (60, 1060)),  # within 60 days: only the most urgent task, not both
        (47, (1180,), (60, 1060)),
        (47, (1060,), None),  # the urgent one was raised: never the 180-day one after it
        (0, (), (60, 1060)),
        (-1, (), None),  # expired
    ],
)
def test_limitation_task(days_left: int, done: tuple[int, ...], task: object) -> None:
    assert limitation_task(days_left, done) == task


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"escalation": "leap"}, 'dunning.escalation must be "step" or "jump", not \'leap\''),
        ({"run_on_holidays": "no"}, "dunning.run_on_holidays must be true or false, not 'no'"),
        (
            {"policies": {"standard": {"escalation": 1}}},
            'dunning.policies.standard.escalation must be "step" or "jump", not 1',
        ),
        (
            {"policies": {"standard": {"min_interval_days": -2}}},
            "dunning.policies.standard.min_interval_days must be a whole number of days >= 0",
        ),
        (
            {"policies": {"standard": {"interval": 3}}},
            "dunning.policies.standard: unknown key(s) interval",
        ),
        (
            {"policies": {"new": {"escalation": "jump"}}},
            "dunning.policies.new.levels must be a non-empty list of tables",
        ),
    ],
)
def test_bad_escalation_settings(raw: dict[str, object], message: str) -> None:
    with pytest.raises(HuikuanError) as err:
        make_dunning(raw)
    assert message in str(err.value)


def test_defaults() -> None:
    cfg = make_dunning({})
    assert (cfg.escalation, cfg.run_on_holidays, cfg.rules("standard")) == (
        "step",
        False,
        Rules("step", 7),
    )
    assert make_dunning({"run_on_holidays": True, "escalation": "jump"}).rules("x") == Rules(
        "jump", 7
    )


def test_plan_says_why_an_invoice_waits_for_its_next_level() -> None:
    inv = OpenInvoice(
        "A", DUE, 1_000, done=frozenset({0, 1}), highest=1, reached=DUE + timedelta(days=12)
    )
    day = DUE + timedelta(days=15)  # demand has come due, but "overdue" was 3 days ago
    plan, skips = plan_debtor(debtor(inv), DunningConfig(), day, CN)
    assert plan is None
    assert [(s.invoice, s.reason) for s in skips] == [
        ("A", f"overdue on {DUE + timedelta(days=12)}; next level from {DUE + timedelta(days=19)}")
    ]
    assert plan_debtor(debtor(inv), DunningConfig(), day - timedelta(days=1), CN) == (None, [])
