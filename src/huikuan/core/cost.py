"""What delay and bad debt cost (DOMAIN: "What delay costs"). Pure arithmetic in Decimal.

- Delay: money tied up costs interest. At net margin m and annual borrowing rate r, a delay of
  (m ÷ r) × 12 months eats the whole profit of the sale (10% at 5%: 24.0 months).
- Bad debt: to earn back a bad debt B at net margin m the firm must sell B ÷ m more
  (500 at 2%: 25,000.00).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from huikuan.core.errors import InvalidValue
from huikuan.core.percent import in_range, parse_percent, percent_text

DEFAULT_MARGINS = ("2%", "5%", "10%", "15%", "20%")
DEFAULT_RATES = ("3%", "4%", "6%", "8%", "12%")
DEFAULT_AMOUNTS = ("1000", "10000", "100000", "1000000")
MAX_RATE = Decimal(10)  # 1000% a year: anything above is a typo


@dataclass(frozen=True)
class CostPolicy:
    """``[cost]``: the margin and borrowing rate used when the command line gives none."""

    margin: Decimal | None = None
    rate: Decimal | None = None


def make_cost(table: dict[str, Any]) -> CostPolicy:
    """Parse and check the ``[cost]`` table (keys ``margin``, ``rate``)."""
    unknown = sorted(set(table) - {"margin", "rate"})
    if unknown:
        raise InvalidValue(f"unknown [cost] setting(s): {', '.join(unknown)} (known: margin, rate)")
    margin = table.get("margin")
    rate = table.get("rate")
    return CostPolicy(
        margin=check_margin(parse_percent(margin, "cost.margin")) if margin is not None else None,
        rate=check_rate(parse_percent(rate, "cost.rate")) if rate is not None else None,
    )


def check_margin(m: Decimal, what: str = "margin") -> Decimal:
    """A net margin: more than 0 and at most 100%."""
    return in_range(m, what, low_open=True)


def check_rate(r: Decimal, what: str = "rate") -> Decimal:
    """An annual borrowing rate: more than 0 (and below a typo-sized 1000%)."""
    return in_range(r, what, low_open=True, high=MAX_RATE)


def delay_months(margin: Decimal, rate: Decimal) -> Decimal:
    """Months of delay that wipe out the sale's profit: (margin ÷ rate) × 12, one decimal."""
    return (check_margin(margin) / check_rate(rate) * 12).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def extra_sales(amount: Decimal, margin: Decimal) -> Decimal:
    """Sales needed to earn back a bad debt: amount ÷ margin, to the 分."""
    if amount <= 0:
        raise InvalidValue(f"amount must be greater than zero, not {amount}")
    return (amount / check_margin(margin)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def delay_row(margin: Decimal, rate: Decimal) -> dict[str, str]:
    """The JSON object of ``cost delay``."""
    months = delay_months(margin, rate)
    return {"margin": percent_text(margin), "rate": percent_text(rate), "months": str(months)}


def bad_debt_row(amount: Decimal, margin: Decimal) -> dict[str, str]:
    """The JSON object of ``cost bad-debt`` (amounts as strings with two places)."""
    return {
        "amount": str(amount.quantize(Decimal("0.01"))),
        "margin": percent_text(margin),
        "extra_sales": str(extra_sales(amount, margin)),
    }
