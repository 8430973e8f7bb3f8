"""core/interest.py: hand-computed interest with partial payments, grace, cap, rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from huikuan.core.errors import InvalidValue
from huikuan.core.interest import InterestRule, accrue, make_interest, rule_for

D = Decimal
DAILY = InterestRule()  # 0.05% a day
DUE = date(2026, 1, 31)


def test_plain_overdue_invoice() -> None:
    # 10,000.00 open from 02-01 to 03-02 inclusive: 28 + 2 = 30 days × 0.05% = 150.00
    assert accrue(DAILY, DUE, 1_000_000, [], date(2026, 3, 2)) == (1_000_000, 1_000_000, 30, 15_000)


def test_partial_payments_stop_interest_on_what_they_paid() -> None:
    paid = [(date(2026, 2, 15), 400_000), (date(2026, 2, 25), 100_000)]
    # 02-01..02-14: 14 days × 10,000 × 0.05% = 70.00
    # 02-15..02-24: 10 days × 6,000 × 0.05% = 30.00
    # 02-25..03-02:  6 days × 5,000 × 0.05% = 15.00           -> 115.00, 30 days
    assert accrue(DAILY, DUE, 1_000_000, paid, date(2026, 3, 2)) == (1_000_000, 500_000, 30, 11_500)


def test_paid_in_full_stops_interest_and_what_was_paid_by_the_due_date_is_no_principal() -> None:
    paid = [(date(2026, 1, 20), 200_000), (date(2026, 2, 11), 800_000)]
    # principal 8,000.00; 02-01..02-10 = 10 days × 8,000 × 0.05% = 40.00, then nothing open
    assert accrue(DAILY, DUE, 1_000_000, paid, date(2026, 6, 30)) == (800_000, 0, 10, 4_000)


def test_payment_on_the_first_day_and_before_the_as_of() -> None:
    assert accrue(DAILY, DUE, 1_000_000, [(date(2026, 2, 1), 1_000_000)], date(2026, 3, 1))[2:] == (
        0,
        0,
    )
    assert accrue(DAILY, DUE, 1_000_000, [], DUE) == (1_000_000, 1_000_000, 0, 0)  # not late yet


def test_grace_days() -> None:
    rule = InterestRule(grace_days=10)
    # interest from 02-11: 02-11..03-02 = 18 + 2 = 20 days × 10,000 × 0.05% = 100.00
    assert accrue(rule, DUE, 1_000_000, [], date(2026, 3, 2))[2:] == (20, 10_000)
    assert accrue(rule, DUE, 1_000_000, [], date(2026, 2, 10))[2:] == (0, 0)
    # a payment inside the grace period lowers the base before any interest
    assert accrue(rule, DUE, 1_000_000, [(date(2026, 2, 5), 500_000)], date(2026, 3, 2))[2:] == (
        20,
        5_000,
    )


def test_cap() -> None:
    rule = InterestRule(cap=D("0.3"))
    # 1,000 days × 0.05% = 50% of the principal, capped at 30%: 3,000.00 on 10,000.00
    assert accrue(rule, DUE, 1_000_000, [], date(2028, 10, 27))[3] == 300_000
    assert accrue(rule, DUE, 1_000_000, [], date(2026, 3, 2))[3] == 15_000  # under the cap


def test_annual_rate_and_day_count() -> None:
    # 6% a year on 10,000.00 for 30 days: /365 -> 49.315… = 49.32; /360 -> 50.00
    assert (
        accrue(InterestRule("annual", D("0.06")), DUE, 1_000_000, [], date(2026, 3, 2))[3] == 4_932
    )
    rule = InterestRule("annual", D("0.06"), day_count=360)
    assert accrue(rule, DUE, 1_000_000, [], date(2026, 3, 2))[3] == 5_000


def test_lpr_markup_and_a_leap_year() -> None:
    rule = make_interest({"kind": "lpr", "lpr": "3.00%", "markup": "50%"}).default
    assert rule.text == "LPR 3.00% × 1.5/year"
    assert rule.text_zh == "一年期LPR 3.00%的1.5倍"
    assert (
        DAILY.text_zh == "每日0.05%" and InterestRule("annual", D("0.06")).text_zh == "年利率6.00%"
    )
    # 4.5% a year; due 2028-02-27, as of 2028-03-01: 02-28, 02-29, 03-01 = 3 days
    # 100,000.00 × 4.5% / 365 × 3 = 36.986… -> 36.99
    assert accrue(rule, date(2028, 2, 27), 10_000_000, [], date(2028, 3, 1))[2:] == (3, 3_699)


def test_rounding_is_once_per_invoice_half_up() -> None:
    # 0.01 × 0.05% × 1 day = 0.000005 分 ... 1 分 × 10 days = 0.005 分 -> 0
    assert accrue(DAILY, DUE, 1, [], date(2026, 2, 10))[3] == 0
    # 33.33 × 0.05% × 3 days = 0.049995 元 = 4.9995 分 -> 5
    assert accrue(DAILY, DUE, 3_333, [], date(2026, 2, 3))[3] == 5


def test_policy_overrides() -> None:
    policy = make_interest({
        "rate": "0.03%", "in_letters": True,
        "customers": {"C1": {"kind": "annual", "rate": "8%"}},
        "contracts": {"HT-1": {"grace_days": 15}},
    })  # fmt: skip
    assert policy.in_letters and policy.default.rate == D("0.0003")
    assert rule_for(policy, "C1", None).kind == "annual"
    assert rule_for(policy, "C1", "HT-1") == InterestRule(rate=D("0.0003"), grace_days=15)
    assert rule_for(policy, "C2", "HT-9") == policy.default
    assert policy.default.text == "0.03%/day"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"kind": "weekly"}, "kind must be one of"),
        ({"rate": "-1%"}, "must not be negative"),
        ({"rate": "abc"}, "not a percentage"),
        ({"kind": "lpr"}, "needs lpr"),
        ({"kind": "annual"}, "needs a rate"),
        ({"day_count": 366}, "365 or 360"),
        ({"grace_days": -1}, "at least 0"),
        ({"in_letters": "yes"}, "true or false"),
        ({"speed": 1}, "unknown [interest] setting"),
        ({"customers": {"C1": {"colour": 1}}}, "unknown interest.customers.C1 setting"),
    ],
)
def test_bad_interest_config(table: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidValue, match=message.replace("[", r"\[")):
        make_interest(table)
