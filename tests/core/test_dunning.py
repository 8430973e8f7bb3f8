"""Level selection: before due, each level, catch-up, intervals, exemptions; policy config."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from huikuan.core.calendar import make_calendar
from huikuan.core.dunning import (
    DEFAULT_LEVELS,
    Debtor,
    DunningConfig,
    OpenInvoice,
    Rules,
    next_level,
    plan_debtor,
)
from huikuan.core.dunning_config import make_dunning
from huikuan.core.errors import HuikuanError

CN = make_calendar("CN")
CFG = DunningConfig()
JUMP = Rules("jump")  # these tests pin the catch-up escalation; step: test_dunning_step.py
DUE = date(2026, 11, 16)  # a Monday
NAMES = [lv.name for lv in DEFAULT_LEVELS]  # friendly overdue demand escalate visit final


def level_on(day: date, done: frozenset[int] = frozenset()) -> str | None:
    inv = OpenInvoice("INV-1", DUE, 10_000, done=done)
    step = next_level(inv, DEFAULT_LEVELS, day, CN, JUMP)
    return None if step is None else NAMES[step.level]


@pytest.mark.parametrize(
    ("day", "level"),
    [
        (date(2026, 11, 10), None),  # 4 working days before due: nothing yet
        (date(2026, 11, 11), "friendly"),  # 3 working days before Monday 11-16
        (DUE, "friendly"),
        (DUE + timedelta(days=1), "overdue"),
        (DUE + timedelta(days=14), "overdue"),
        (DUE + timedelta(days=15), "demand"),
        (DUE + timedelta(days=30), "escalate"),
        (DUE + timedelta(days=60), "visit"),
        (DUE + timedelta(days=90), "final"),
        (DUE + timedelta(days=900), "final"),
    ],
)
def test_level_by_days(day: date, level: str | None) -> None:
    assert level_on(day) == level


def test_friendly_reminder_counts_working_days_over_national_day() -> None:
    # due Thursday 2026-10-08 (first working day after 国庆, 10-01..10-07 are holidays):
    # 3 working days before it are 09-30, 09-29, 09-28 -> the reminder starts on Monday 09-28
    inv = OpenInvoice("INV-2", date(2026, 10, 8), 100)
    assert next_level(inv, DEFAULT_LEVELS, date(2026, 9, 25), CN) is None
    step = next_level(inv, DEFAULT_LEVELS, date(2026, 9, 28), CN)
    assert step is not None and NAMES[step.level] == "friendly"


def test_done_levels_are_never_repeated() -> None:
    assert level_on(DUE + timedelta(days=3), frozenset({1})) is None
    # once demand is done, nothing until escalation comes due
    assert level_on(DUE + timedelta(days=20), frozenset({0, 1, 2})) is None
    assert level_on(DUE + timedelta(days=31), frozenset({0, 1, 2})) == "escalate"


def test_catch_up_after_gap_acts_once_at_the_right_level_and_skips_lower() -> None:
    inv = OpenInvoice("INV-1", DUE, 10_000, done=frozenset({0}))
    step = next_level(inv, DEFAULT_LEVELS, DUE + timedelta(days=35), CN, JUMP)
    assert step is not None
    assert NAMES[step.level] == "escalate"
    assert [NAMES[n] for n in step.skipped] == ["overdue", "demand"]


def debtor(*invoices: OpenInvoice, **kw: object) -> Debtor:
    return Debtor("C001", "standard", invoices, **kw)  # type: ignore[arg-type]


def test_one_message_per_customer_at_the_highest_level() -> None:
    old = OpenInvoice("OLD", DUE - timedelta(days=40), 500)
    new = OpenInvoice("NEW", DUE, 700)
    plan, _ = plan_debtor(
        debtor(old, new), make_dunning({"escalation": "jump"}), DUE + timedelta(days=2), CN
    )
    assert plan is not None
    assert NAMES[plan.level] == "escalate"
    assert [(s.invoice, NAMES[s.level]) for s in plan.steps] == [
        ("OLD", "escalate"),
        ("NEW", "overdue"),
    ]


def test_minimum_interval_between_messages() -> None:
    d = debtor(OpenInvoice("A", DUE, 500), last_message=DUE + timedelta(days=10))
    plan, skips = plan_debtor(d, CFG, DUE + timedelta(days=15), CN)
    assert plan is None and "next from 2026-12-03" in skips[-1].reason
    plan, _ = plan_debtor(d, CFG, DUE + timedelta(days=17), CN)
    assert plan is not None


@pytest.mark.parametrize(
    ("inv", "kw", "reason"),
    [
        (OpenInvoice("A", DUE, 500, disputed=True), {}, "disputed"),
        (OpenInvoice("A", DUE, 500), {"blocked": True}, "blocked"),
        (OpenInvoice("A", DUE, 500), {"legal": True}, "in litigation"),
        (OpenInvoice("A", DUE, 500, paused_until=DUE + timedelta(days=9)), {}, "promise"),
    ],
)
def test_no_dunning_for(inv: OpenInvoice, kw: dict[str, object], reason: str) -> None:
    plan, skips = plan_debtor(debtor(inv, **kw), CFG, DUE + timedelta(days=5), CN)
    assert plan is None
    assert reason in skips[0].reason


def test_promise_pause_ends_after_grace() -> None:
    inv = OpenInvoice("A", DUE, 500, paused_until=DUE + timedelta(days=9))
    plan, _ = plan_debtor(debtor(inv), CFG, DUE + timedelta(days=10), CN)
    assert plan is not None


def test_minimum_amount() -> None:
    cfg = make_dunning({"min_amount": "100.00"})
    small, big = OpenInvoice("S", DUE, 9_999), OpenInvoice("B", DUE, 10_000)
    plan, skips = plan_debtor(debtor(small, big), cfg, DUE + timedelta(days=1), CN)
    assert plan is not None and [s.invoice for s in plan.steps] == ["B"]
    assert skips[0].invoice == "S" and "minimum" in skips[0].reason


def test_custom_policy_by_segment_and_customer() -> None:
    cfg = make_dunning(
        {
            "policies": {"strict": {"levels": [{"name": "nag", "offset": 0, "channels": ["sms"]}]}},
            "segments": {"零售": "strict"},
            "min_interval_days": 3,
        }
    )
    assert cfg.policy_for(None, "零售") == "strict"
    assert cfg.policy_for(None, "制造") == "standard"
    assert cfg.policy_for("standard", "零售") == "standard"
    assert cfg.policies["strict"][0].channels == ("sms",)
    with pytest.raises(HuikuanError, match="unknown dunning policy"):
        cfg.policy_for("nope", None)


@pytest.mark.parametrize(
    "raw",
    [
        {"policies": {"x": {"levels": []}}},
        {"policies": {"x": {"levels": [{"offset": 1, "channels": ["fax"]}]}}},
        {"policies": {"x": {"levels": [{"offset": "1", "channels": ["sms"]}]}}},
        {
            "policies": {
                "x": {
                    "levels": [
                        {"offset": 5, "channels": ["sms"]},
                        {"offset": 1, "channels": ["sms"]},
                    ]
                }
            }
        },
        {"policies": {"x": {"levels": [{"offset": 1, "channels": ["sms"], "letter": "poem"}]}}},
        {"segments": {"零售": "missing"}},
        {"min_interval_days": -1},
        {"min_amount": "abc"},
        {"colour": "red"},
    ],
)
def test_bad_dunning_config(raw: dict[str, object]) -> None:
    with pytest.raises(HuikuanError):
        make_dunning(raw)
