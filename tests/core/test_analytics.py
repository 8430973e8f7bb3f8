"""core/percent.py, cost.py, provision.py and kpi.py: the arithmetic, the parsing, the edges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.core.cost import bad_debt_row, delay_months, delay_row, extra_sales, make_cost
from huikuan.core.errors import InvalidValue
from huikuan.core.kpi import Sums, label_of, measures, normal_period, period_bounds, split
from huikuan.core.percent import parse_percent, percent_text
from huikuan.core.provision import (
    ProvisionPolicy,
    ProvisionRow,
    band_of_bucket,
    fen_times,
    make_provision,
    merge,
    provide,
)

D = Decimal


@pytest.mark.parametrize(
    ("text", "value"),
    [("10%", "0.10"), ("0.10", "0.10"), (" 5 % ", "0.05"), ("12.5％", "0.125"), ("1", "1"),
     ("0", "0"), ("0.0005", "0.0005"), ("0.05%", "0.0005")],
)  # fmt: skip
def test_parse_percent(text: str, value: str) -> None:
    assert parse_percent(text, "x") == D(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("10", "did you mean 10%?"), ("abc", "not a percentage"), ("", "not a percentage"),
     ("nan%", "not a percentage"), ("inf", "not a percentage")],
)  # fmt: skip
def test_parse_percent_refuses(text: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        parse_percent(text, "x")


def test_percent_text_rounds_half_up() -> None:
    assert percent_text(D("0.677425")) == "67.74"
    assert percent_text(D("0.677450")) == "67.75"


def test_cost_formulas() -> None:
    assert delay_months(D("0.10"), D("0.05")) == D("24.0")  # DOMAIN's example
    assert delay_months(D("0.02"), D("0.12")) == D("2.0")
    assert delay_months(D("0.07"), D("0.045")) == D("18.7")  # 18.666…
    assert extra_sales(D("500"), D("0.02")) == D("25000.00")  # DOMAIN's example
    assert extra_sales(D("1000"), D("0.03")) == D("33333.33")
    assert delay_row(D("0.1"), D("0.05")) == {"margin": "10.00", "rate": "5.00", "months": "24.0"}
    assert bad_debt_row(D("500"), D("0.02"))["extra_sales"] == "25000.00"


@given(st.integers(1, 100), st.integers(1, 100))
def test_delay_grows_with_margin_and_shrinks_with_rate(m: int, r: int) -> None:
    months = delay_months(D(m) / 100, D(r) / 100)
    assert abs(months - D(m) / D(r) * 12) <= D("0.05")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: delay_months(D(0), D("0.05")), "margin must be greater than 0.00%"),
        (lambda: delay_months(D("0.1"), D(0)), "rate must be greater than 0.00%"),
        (lambda: delay_months(D("1.5"), D("0.05")), "at most 100.00%"),
        (lambda: extra_sales(D(0), D("0.1")), "amount must be greater than zero"),
        (lambda: make_cost({"margin": "0%"}), "margin"),
        (lambda: make_cost({"speed": 1}), "unknown [cost] setting"),
    ],
)
def test_cost_refuses(call: object, message: str) -> None:
    with pytest.raises(InvalidValue, match=message.replace("[", r"\[")):
        call()  # type: ignore[operator]


def test_provision_policy_labels_and_defaults() -> None:
    policy = ProvisionPolicy()
    assert policy.labels == ["0-1y", "1-2y", "2-3y", "3y+"]
    assert policy.rates == (D("0.05"), D("0.2"), D("0.5"), D(1))
    days = make_provision({"bands": [90, 365], "rates": ["1%", "5%", "50%"]})
    assert days.labels == ["0-90d", "91-365d", "365d+"]
    assert days.rates == (D("0.01"), D("0.05"), D("0.5"))


def test_provision_overrides_and_rounding() -> None:
    policy = make_provision({"litigation_rate": "80%", "customers": {"C5": "0.3"}})
    assert policy.rate_for("C5", True) == (D("0.3"), "individual")
    assert policy.rate_for("C1", True) == (D("0.8"), "litigation")
    assert policy.rate_for("C1", False) == (None, "matrix")
    row = ProvisionRow("C1", "n", "CNY", [101, 33333, 0, 1])
    provide(row, policy, None, "matrix")
    # 101 × 5% = 5.05 -> 5; 33333 × 20% = 6666.6 -> 6667; 1 × 100% = 1
    assert row.provision == 5 + 6667 + 1
    provide(row, policy, D("0.3"), "individual")
    assert row.provision == fen_times(33435, D("0.3")) == 10031  # 10030.5 -> 10031
    assert band_of_bucket(0, "due") == 0 and band_of_bucket(1, "due") == 0
    assert band_of_bucket(2, "due") == 1 and band_of_bucket(2, "issue") == 2


def test_provision_merge_by_group() -> None:
    a = ProvisionRow("C1", "a", "CNY", [100, 0], 5, "matrix")
    b = ProvisionRow("C2", "b", "CNY", [0, 200], 40, "individual")
    c = ProvisionRow("C3", "c", "USD", [10, 0], 1, "matrix")
    got = merge([a, b, c], {"C1": "制造", "C2": "制造", "C3": "制造"})
    assert [(g.key, g.currency, g.bands, g.provision, g.source) for g in got] == [
        ("制造", "CNY", [100, 200], 45, "mixed"),
        ("制造", "USD", [10, 0], 1, "matrix"),
    ]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"bands": [365, 365]}, "increasing"),
        ({"bands": []}, "list of whole numbers"),
        ({"bands": [0, 10]}, "positive"),
        ({"rates": ["5%"]}, "needs 4 rates"),
        ({"rates": ["5%", "20%", "50%", "-1%"]}, "at least 0.00%"),
        ({"customers": "C1"}, "must map customer codes"),
        ({"basis": "x"}, "basis"),
    ],
)
def test_provision_config_refuses(table: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        make_provision(table)


def test_kpi_measures_and_empty_denominators() -> None:
    s = Sums(credit_sales=330000, collections=160000, opening=60000, closing=200000,
             closing_current=50000, paid=160000, paid_days=8120000)  # fmt: skip
    assert measures(s, 92) == {
        "collection_rate": D("41.03"),
        "dso": D("55.8"),
        "cei": D("55.88"),
        "overdue_ratio": D("75.00"),
        "avg_days_to_pay": D("50.8"),
    }
    assert set(measures(Sums(), 30).values()) == {None}


def test_periods() -> None:
    assert period_bounds("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("2026") == (date(2026, 1, 1), date(2026, 12, 31))
    assert normal_period("2026-q1") == "2026-Q1"
    assert label_of(date(2026, 7, 1), date(2026, 9, 30)) == "2026-Q3"
    assert label_of(date(2026, 2, 1), date(2026, 2, 28)) == "2026-02"
    assert label_of(date(2026, 2, 1), date(2026, 2, 27)) is None
    assert split(date(2026, 2, 15), date(2026, 4, 2), "month") == [
        ("2026-02", date(2026, 2, 15), date(2026, 2, 28)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
        ("2026-04", date(2026, 4, 1), date(2026, 4, 2)),
    ]
    assert [p[0] for p in split(date(2026, 3, 31), date(2026, 7, 1), "quarter")] == [
        "2026-Q1", "2026-Q2", "2026-Q3"]  # fmt: skip
    for bad in ("2026-13", "26-Q1", "2026-Q0", "Q4"):
        with pytest.raises(InvalidValue, match="period must look like"):
            period_bounds(bad)
    with pytest.raises(InvalidValue, match="after"):
        split(date(2026, 2, 1), date(2026, 1, 1), None)
