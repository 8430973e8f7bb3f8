"""Milestone schedules: parsing what users write, splitting to the 分, statuses."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.core.calendar import make_calendar
from huikuan.core.contracts import (
    Milestone,
    check_schedule,
    due_on,
    event_code,
    milestone_status,
    parse_schedule,
    schedule_from_entries,
    split_amount,
    warranty_end,
)
from huikuan.core.errors import InvalidValue


def test_the_seed_schedule_in_chinese() -> None:
    plan = parse_schedule("30% 签约+7; 60% 验收+30; 10% 质保期满+30")
    assert plan == [
        Milestone(Decimal(30), "sign", 7),
        Milestone(Decimal(60), "accept", 30),
        Milestone(Decimal(10), "warranty_end", 30),
    ]
    assert [m.label for m in plan] == ["预付款", "验收款", "质保金"]
    assert plan[0].text() == "30% 签约+7"


def test_english_names_full_width_signs_dates_and_no_days() -> None:
    plan = parse_schedule("33.5％ sign；16.5% ship+10\n40% Deliver + 5；10% 2027-03-31+0")
    assert [(m.share, m.event, m.days, m.on) for m in plan] == [
        (Decimal("33.5"), "sign", 0, None),
        (Decimal("16.5"), "ship", 10, None),
        (Decimal(40), "deliver", 5, None),
        (Decimal(10), "date", 0, date(2027, 3, 31)),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30% 签约+7; 60% 验收+30", "add up to 90%, not 100%"),
        ("50% 签约; 60% 验收", "add up to 110%, not 100%"),
        ("100% 开票", "unknown contract event '开票'"),
        ("100 签约", r"write it as 30% 签约\+7"),
        ("0% 签约; 100% 验收", "share must be above 0%"),
        ("100.001% 签约", "two decimals"),
        ("100% 签约+-3", "days must be a whole number"),
        ("100% 签约+9999", "days must be a whole number from 0 to 3650"),
        ("  ;  ", "the schedule has no milestones"),
    ],
)
def test_bad_schedules_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        parse_schedule(text)


def test_schedule_file_entries() -> None:
    entries = json.loads(
        '[{"share": 30, "event": "签约", "days": 7}, {"share": "70%", "event": "accept"}]'
    )
    assert schedule_from_entries(entries) == [
        Milestone(Decimal(30), "sign", 7),
        Milestone(Decimal(70), "accept", 0),
    ]
    with pytest.raises(InvalidValue, match="schedule entry 2: needs share and event"):
        schedule_from_entries([{"share": 30, "event": "sign"}, {"share": 70}])


def test_event_names() -> None:
    assert event_code("验收") == event_code("Accept") == event_code("acceptance") == "accept"
    assert event_code("warranty-end") == event_code("质保期满") == "warranty_end"
    with pytest.raises(InvalidValue, match="known: 签约/sign"):
        event_code("付款")


def test_split_puts_the_remainder_on_the_last() -> None:
    plan = parse_schedule("30% 签约; 60% 验收; 10% 质保期满")
    assert split_amount(10_000_005, plan) == [3_000_001, 6_000_003, 1_000_001]
    assert split_amount(1, plan) == [0, 0, 1]
    thirds = parse_schedule("33.33% sign; 33.33% ship; 33.34% accept")
    assert split_amount(100, thirds) == [33, 33, 34]


@given(
    st.integers(min_value=1, max_value=99_999_999_999_999),
    st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=8),
)
def test_split_always_adds_up_to_the_amount(amount: int, weights: list[int]) -> None:
    """Any schedule whose shares add to 100%: the parts add to the amount, none negative."""
    total = sum(weights)
    bps = [w * 10_000 // total for w in weights]
    bps[-1] += 10_000 - sum(bps)
    if bps[-1] <= 0:
        return
    plan = check_schedule([Milestone(Decimal(b) / 100, "sign") for b in bps])
    parts = split_amount(amount, plan)
    assert sum(parts) == amount and min(parts) >= 0


def test_due_dates_roll_to_a_working_day_and_warranty_ends() -> None:
    cn = make_calendar("CN")
    assert due_on(date(2026, 9, 24), 7, cn) == date(2026, 10, 8)  # 国庆: 10-01 … 10-07
    assert due_on(date(2026, 9, 24), 7, make_calendar("none")) == date(2026, 10, 1)
    assert warranty_end(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_statuses() -> None:
    day = date(2026, 11, 30)
    assert milestone_status(None, None, None, day) == "to_come"
    assert milestone_status(date(2026, 12, 1), date(2026, 12, 31), 100, day) == "to_come"
    assert milestone_status(date(2026, 11, 1), date(2026, 12, 1), 100, day) == "invoiced"
    assert milestone_status(date(2026, 11, 1), date(2026, 11, 30), 100, day) == "due"
    assert milestone_status(date(2026, 11, 1), date(2026, 11, 2), 0, day) == "paid"
