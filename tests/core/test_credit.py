"""5C scoring curves, policy validation, ratings, the limit formula and the credit check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from huikuan.core.credit import (
    CURVES,
    History,
    assess,
    capacity,
    capital,
    character,
    collateral,
    conditions,
    curve,
    rating_for,
    recommend_limit,
    term_months,
)
from huikuan.core.creditcheck import Standing, check_credit
from huikuan.core.creditpolicy import CreditPolicy, make_policy, parse_inputs
from huikuan.core.errors import HuikuanError, InvalidValue

DAY = date(2026, 11, 22)
POLICY = CreditPolicy()


@pytest.mark.parametrize("name", sorted(CURVES))
def test_curves_are_flat_beyond_their_ends(name: str) -> None:
    (x0, y0), (xn, yn) = CURVES[name][0], CURVES[name][-1]
    assert curve(name, D(x0)) == D(y0)
    assert curve(name, D(x0) - 100) == D(y0)
    assert curve(name, D(xn)) == D(yn)
    assert curve(name, D(xn) + 100) == D(yn)


@pytest.mark.parametrize(
    ("name", "x", "score"),
    [
        ("current_ratio", "0.5", "0"),
        ("current_ratio", "1", "40"),
        ("current_ratio", "1.25", "55"),  # halfway between 40 and 70
        ("current_ratio", "2", "100"),
        ("debt_ratio", "0.3", "100"),
        ("debt_ratio", "0.6", "55"),  # halfway between 70 and 40
        ("debt_ratio", "0.9", "0"),
        ("quick_ratio", "1", "100"),
        ("worst_overdue", "120", "20"),  # 30 - 30 * 30/90
        ("avg_days_late", "0", "100"),
        ("outlook", "3", "50"),
        ("outlook", "5", "100"),
        ("collateral_cover", "1", "100"),
    ],
)
def test_curve_points_and_interpolation(name: str, x: str, score: str) -> None:
    assert curve(name, D(x)) == D(score)


def test_default_weights_sum_to_one() -> None:
    assert sum(POLICY.weights.values()) == 1


def test_weights_must_sum_to_one() -> None:
    with pytest.raises(HuikuanError, match="must sum to 1"):
        make_policy({"weights": {"character": 0.5}})


def test_weights_override_that_sums_to_one_is_accepted() -> None:
    weights = {
        "character": 0.4,
        "capacity": 0.2,
        "capital": 0.2,
        "collateral": 0.1,
        "conditions": 0.1,
    }
    policy = make_policy({"weights": weights})
    assert policy.weights["character"] == D("0.4")


@pytest.mark.parametrize(
    "raw",
    [
        {"weights": {"charm": 0.1}},
        {"weights": {"character": -0.1}},
        {"ratings": {"AAA": 50, "AA": 60}},
        {"coefficients": {"A": "lots"}},
        {"terms": {"A": "NET"}},
        {"hold_days": -1},
        {"net_worth_share": 0},
        {"surprise": 1},
    ],
)
def test_bad_policy_is_rejected(raw: dict[str, object]) -> None:
    with pytest.raises(HuikuanError):
        make_policy(raw)


@pytest.mark.parametrize(
    ("total", "rating"),
    [
        (100, "AAA"),
        (85, "AAA"),
        (84, "AA"),
        (75, "AA"),
        (65, "A"),
        (64, "B"),
        (50, "B"),
        (49, "C"),
        (0, "C"),
    ],
)
def test_rating_thresholds(total: int, rating: str) -> None:
    assert rating_for(total, POLICY) == rating


def test_inputs_are_parsed_exactly() -> None:
    inputs = parse_inputs(
        {
            "current_ratio": "1.8",
            "net_worth": "-1,000.50",
            "industry_outlook": 4,
            "collateral_value": "0",
        }
    )
    assert inputs.get("current_ratio") == D("1.8")
    assert inputs.get("net_worth") == -100050
    assert inputs.get("industry_outlook") == 4
    assert inputs.get("collateral_value") == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("current_ratio", "-1"),
        ("quick_ratio", "abc"),
        ("debt_ratio", "NaN"),
        ("industry_outlook", "6"),
        ("region_outlook", "0"),
        ("character", "101"),
        ("annual_revenue", "-5"),
        ("expected_monthly_sales", "1.234"),
        ("bogus", "1"),
        ("current_ratio", True),
    ],
)
def test_bad_inputs_are_rejected(key: str, value: object) -> None:
    with pytest.raises(InvalidValue, match=key):
        parse_inputs({key: value})


def test_all_bad_inputs_reported_at_once() -> None:
    with pytest.raises(InvalidValue) as exc:
        parse_inputs({"current_ratio": "-1", "industry_outlook": "9"})
    assert len(exc.value.messages) == 2


def test_character_from_history_orders_good_above_bad() -> None:
    good = History(invoices_due=10, paid_on_time=10, late_base_fen=100, worst_overdue=0)
    bad = History(
        invoices_due=10,
        paid_on_time=2,
        late_fen_days=100 * 120,
        late_base_fen=100,
        worst_overdue=120,
    )
    none = parse_inputs({})
    assert character(good, none).score == 100
    # 0.4*20 + 0.3*curve(120 late)=0.3*(20-20*30/90) + 0.3*20
    assert character(bad, none).score == D(8) + D("0.3") * (D(20) - D(20) * 30 / 90) + D(6)


def test_character_penalties_for_promises_and_disputes() -> None:
    clean = History(invoices_due=4, paid_on_time=4)
    worse = History(invoices_due=4, paid_on_time=4, broken_promises=1, disputes=5)
    none = parse_inputs({})
    assert character(clean, none).score - character(worse, none).score == 15 + 30


def test_character_without_history_uses_assessor_input_and_says_so() -> None:
    part = character(History(), parse_inputs({"character": "70"}))
    assert part.score == 70
    assert "no payment history" in part.why[0]
    missing = character(History(), parse_inputs({}))
    assert missing.score == 50 and missing.missing == ["character"]


def test_capacity_uses_cash_margin_when_revenue_known() -> None:
    part = capacity(
        parse_inputs({"current_ratio": "2", "operating_cash_flow": "100", "annual_revenue": "1000"})
    )
    assert part.score == 100  # both at the top of their curves
    part = capacity(parse_inputs({"operating_cash_flow": "-1"}))
    assert part.score == 0 and "current_ratio" in part.missing


def test_capital_net_worth_against_exposure() -> None:
    inputs = parse_inputs({"net_worth": "500000"})
    assert capital(inputs, exposure=10_000_000).score == 80  # 5x the exposure
    assert capital(parse_inputs({"net_worth": "-1"}), exposure=100).score == 0
    assert capital(parse_inputs({}), exposure=None).score == 40  # cautious default


def test_tangible_net_worth_preferred() -> None:
    inputs = parse_inputs({"net_worth": "1000000", "tangible_net_worth": "-1"})
    assert capital(inputs, exposure=100).score == 0


def test_collateral_cover() -> None:
    assert collateral(parse_inputs({"collateral_value": "500"}), exposure=100000).score == 60
    assert collateral(parse_inputs({"guarantee_value": "2000"}), exposure=100000).score == 100
    assert collateral(parse_inputs({}), exposure=100000).score == 0


def test_conditions_outlooks() -> None:
    assert conditions(parse_inputs({"industry_outlook": 5, "region_outlook": 1})).score == 50
    part = conditions(parse_inputs({"industry_outlook": 5}))
    assert part.score == 75 and part.missing == ["region_outlook"]


@pytest.mark.parametrize(
    ("code", "months"),
    [("NET30", D(1)), ("NET45", D("1.5")), ("EOM30", D("1.5")), ("PREPAID", D(0)), (None, D(0))],
)
def test_term_months(code: str | None, months: D) -> None:
    assert term_months(code) == months


def test_limit_formula() -> None:
    # 100,000.00 a month x NET60 (2 months) x AA 100% = 200,000.00
    limit, why = recommend_limit(10_000_000, "AA", "NET60", parse_inputs({}), POLICY)
    assert limit == 20_000_000 and why == []
    # AAA 200% x NET90 (3 months) = 600,000.00, capped at 20% of 1,000,000.00 net worth
    limit, why = recommend_limit(
        10_000_000, "AAA", "NET90", parse_inputs({"net_worth": "1000000"}), POLICY
    )
    assert limit == 20_000_000 and "capped" in why[0]
    # B 60% x NET15 (0.5 month) x 12,345.67 = 3,703.70 -> rounded down to 3,700.00
    limit, _ = recommend_limit(1_234_567, "B", "NET15", parse_inputs({}), POLICY)
    assert limit == 370_000


def test_rating_c_gets_no_credit() -> None:
    limit, why = recommend_limit(10_000_000, "C", "PREPAID", parse_inputs({}), POLICY)
    assert limit == 0 and "款到发货" in why[0]


def test_assess_end_to_end() -> None:
    inputs = parse_inputs(
        {
            "current_ratio": "2",
            "quick_ratio": "1",
            "debt_ratio": "0.3",
            "net_worth": "10000000",
            "operating_cash_flow": "100",
            "annual_revenue": "1000",
            "collateral_value": "1000000",
            "industry_outlook": 5,
            "region_outlook": 5,
            "expected_monthly_sales": "100000",
        }
    )
    history = History(invoices_due=3, paid_on_time=3, terms="NET30")
    a = assess("C001", DAY, inputs, history, POLICY, "CNY")
    assert a.scores == {
        "character": 100,
        "capacity": 100,
        "capital": 100,
        "collateral": 100,
        "conditions": 100,
    }
    assert (a.total, a.rating, a.recommended_terms) == (100, "AAA", "NET90")
    assert a.recommended_limit == 100_000_00 * 3 * 2
    assert a.missing == []


def test_assess_reports_missing_inputs() -> None:
    a = assess("C002", DAY, parse_inputs({}), History(), POLICY, "CNY")
    assert "expected_monthly_sales" in a.missing and "current_ratio" in a.missing
    assert a.rating == "C" and a.recommended_limit == 0


def _standing(**kw: object) -> Standing:
    base: dict[str, object] = {
        "code": "C001",
        "currency": "CNY",
        "limit": 100_000,
        "exposure": 40_000,
    }
    return Standing(**{**base, **kw})  # type: ignore[arg-type]


def test_check_allowed_within_limit() -> None:
    res = check_credit(_standing(), 60_000, 60)
    assert res.allowed and res.available == 60_000


def test_check_over_limit() -> None:
    res = check_credit(_standing(), 60_001, 60)
    assert not res.allowed and "exceeds the limit" in res.reasons[0]


@pytest.mark.parametrize(
    ("kw", "text"),
    [
        ({"blocked": True, "blocked_reason": "fraud"}, "blocked: fraud"),
        ({"legal": True}, "litigation"),
        ({"rating": "C", "rated_on": "2026-01-01"}, "rated C"),
        (
            {"worst_overdue": 61, "worst_invoice": "INV-1", "overdue_invoices": 3},
            "61 days overdue and 2 more",
        ),
        ({"limit": None}, "no credit limit"),
    ],
)
def test_check_holds(kw: dict[str, object], text: str) -> None:
    res = check_credit(_standing(**kw), 1, 60)
    assert not res.allowed
    assert any(text in r for r in res.reasons)


def test_overdue_at_hold_days_is_not_yet_a_hold() -> None:
    assert check_credit(_standing(worst_overdue=60, worst_invoice="X"), 1, 60).allowed
