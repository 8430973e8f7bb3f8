"""The whole-number interest from grouped sums (what ``interest`` runs on a ledger whose rules
share their grace days) against the payment-by-payment Decimal reference, ``accrue``."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from huikuan.core.interest import InterestRule, Ratio, RuleRates, accrue, accrued_fen
from huikuan.core.money import format_fen, to_decimal

DUE = date(2026, 1, 31)
RULES = [
    InterestRule(),
    InterestRule(grace_days=5),
    InterestRule(cap=Decimal("0.3")),
    InterestRule("daily", Decimal("0.00033"), grace_days=3, cap=Decimal("0.125")),
    InterestRule("annual", Decimal("0.06")),  # 0.06 / 365: 28 digits, Decimal's own way
    InterestRule("annual", Decimal("0.0435"), day_count=360, grace_days=10),
    InterestRule("lpr", lpr=Decimal("0.0345"), markup=Decimal("0.5")),
]

payments = st.lists(
    st.tuples(st.integers(-20, 400), st.integers(1, 5_000_000)), max_size=6
)  # (days after the due date, 分)


def _from_sums(rule: InterestRule, amount: int, paid: list[tuple[date, int]], as_of: date):
    """What the grouped query gives for these allocations, then ``accrued_fen``."""
    g = rule.grace_days
    early = sum(f for d, f in paid if d <= DUE)
    late_ones = [(d, f) for d, f in paid if d > DUE]
    late = sum(f for _, f in late_ones)
    held = sum(f * max((d - DUE).days - 1, g) for d, f in late_ones)
    last_age = max(((d - DUE).days for d, _ in late_ones), default=None)
    age = (as_of - DUE).days
    rate = RuleRates().of(rule)
    return accrued_fen(rate, amount - early, late, age, age * late - held, last_age)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(RULES),
    st.integers(1, 10**12),
    payments,
    st.integers(-5, 2_000),
)
def test_sums_give_what_payment_by_payment_gives(
    rule: InterestRule, amount: int, raw: list[tuple[int, int]], age: int
) -> None:
    as_of = DUE + timedelta(days=age)
    paid = sorted((DUE + timedelta(days=w), f) for w, f in raw)
    paid = [(d, f) for d, f in paid if d <= as_of]  # allocations dated by the as-of date
    # allocations never exceed the amount
    total, kept = 0, []
    for d, f in paid:
        if total + f <= amount:
            kept.append((d, f))
            total += f
    principal, left, days, fen = accrue(rule, DUE, amount, kept, as_of)
    if principal <= 0 or age - rule.grace_days <= 0:
        return  # the grouped query leaves these out (nothing can accrue)
    assert _from_sums(rule, amount, kept, as_of) == (left, days, fen)


@settings(max_examples=500, deadline=None)
@given(
    st.integers(-(10**26), 10**26),  # (Decimal quantizes at most 28 digits)
    st.sampled_from([r.daily for r in RULES] + [Decimal("0.3"), Decimal("0.125"), Decimal(0)]),
)
def test_ratio_rounds_as_decimal_does(n: int, value: Decimal) -> None:
    expected = int((n * value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert Ratio.of(value).times_rounded(n) == expected


def test_ratio_rounds_half_away_from_zero() -> None:
    half = Ratio.of(Decimal("0.5"))
    assert [half.times_rounded(n) for n in (1, 3, -1, -3, 0)] == [1, 2, -1, -2, 0]
    assert Ratio.of(Decimal("0.06") / 365).exact_below == 1  # many digits: Decimal's way


@given(st.integers(-(10**16), 10**16))
def test_format_fen_is_the_decimal_text(fen: int) -> None:
    assert format_fen(fen) == str(to_decimal(fen))
