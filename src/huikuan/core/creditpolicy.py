"""Credit policy (``[credit]`` in huikuan.toml) and assessment inputs, validated.

Defaults (documented in examples/huikuan.toml and the README):

- weights: character 0.35, capacity 0.20, capital 0.20, collateral 0.10, conditions 0.15
  (must sum to 1);
- ratings by total score: AAA >= 85, AA >= 75, A >= 65, B >= 50, else C;
- risk coefficients for the limit: AAA 200%, AA 100%, A 80%, B 60%, C 0 (款到发货 only);
- terms offered: AAA NET90, AA NET60, A NET30, B NET15, C PREPAID;
- the limit is capped at 20% of (tangible) net worth when that is known;
- credit hold when any invoice is more than 60 days overdue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.core.money import parse_fen
from huikuan.core.terms import parse_terms
from huikuan.core.text import printable, shorten

COMPONENTS = ("character", "capacity", "capital", "collateral", "conditions")
RATINGS = ("AAA", "AA", "A", "B", "C")
D = Decimal


def _d(values: dict[str, str]) -> dict[str, Decimal]:
    return {k: D(v) for k, v in values.items()}


@dataclass(frozen=True)
class CreditPolicy:
    """The firm's credit policy: weights, rating thresholds, coefficients, terms, holds."""

    weights: dict[str, Decimal] = field(
        default_factory=lambda: _d(
            {
                "character": "0.35",
                "capacity": "0.20",
                "capital": "0.20",
                "collateral": "0.10",
                "conditions": "0.15",
            }
        )
    )
    thresholds: dict[str, Decimal] = field(
        default_factory=lambda: _d({"AAA": "85", "AA": "75", "A": "65", "B": "50"})
    )
    coefficients: dict[str, Decimal] = field(
        default_factory=lambda: _d({"AAA": "2", "AA": "1", "A": "0.8", "B": "0.6", "C": "0"})
    )
    terms: dict[str, str] = field(
        default_factory=lambda: {
            "AAA": "NET90",
            "AA": "NET60",
            "A": "NET30",
            "B": "NET15",
            "C": "PREPAID",
        }
    )
    net_worth_share: Decimal = Decimal("0.2")
    hold_days: int = 60


POLICY_KEYS = {"weights", "ratings", "coefficients", "terms", "net_worth_share", "hold_days"}


def make_policy(raw: Mapping[str, Any]) -> CreditPolicy:
    """Build a policy from the ``[credit]`` table over the defaults; raise on bad values."""
    unknown = sorted(set(raw) - POLICY_KEYS)
    if unknown:
        raise HuikuanError(f"unknown [credit] setting(s): {', '.join(unknown)}")
    base = CreditPolicy()
    weights = {**base.weights, **_numbers(raw.get("weights", {}), "credit.weights", COMPONENTS)}
    check_weights(weights)
    thresholds = {
        **base.thresholds,
        **_numbers(raw.get("ratings", {}), "credit.ratings", RATINGS[:4]),
    }
    _check_thresholds(thresholds)
    coefs = {
        **base.coefficients,
        **_numbers(raw.get("coefficients", {}), "credit.coefficients", RATINGS),
    }
    terms = {**base.terms, **_terms(raw.get("terms", {}))}
    share = _numbers({"v": raw.get("net_worth_share", base.net_worth_share)}, "credit", ("v",))["v"]
    if not 0 < share <= 1:
        raise HuikuanError("credit.net_worth_share must be above 0 and at most 1")
    hold = raw.get("hold_days", base.hold_days)
    if not isinstance(hold, int) or isinstance(hold, bool) or hold < 0:
        raise HuikuanError("credit.hold_days must be a whole number of days >= 0")
    return CreditPolicy(weights, thresholds, coefs, terms, share, hold)


def check_weights(weights: Mapping[str, Decimal]) -> None:
    """Weights are >= 0 and sum to exactly 1."""
    if any(w < 0 for w in weights.values()):
        raise HuikuanError("credit.weights must not be negative")
    total = sum(weights.values(), D(0))
    if total != 1:
        shown = ", ".join(f"{k} {v}" for k, v in weights.items())
        raise HuikuanError(f"credit.weights must sum to 1, not {total} ({shown})")


def _check_thresholds(th: Mapping[str, Decimal]) -> None:
    values = [th[r] for r in RATINGS[:4]]
    if any(not 0 <= v <= 100 for v in values) or values != sorted(values, reverse=True):
        raise HuikuanError(
            "credit.ratings must be scores 0-100 with AAA >= AA >= A >= B (C is below B)"
        )


def _numbers(table: Any, name: str, keys: tuple[str, ...]) -> dict[str, Decimal]:
    if not isinstance(table, Mapping):
        raise HuikuanError(f"{name} must be a table")
    out = {}
    for key, value in table.items():
        if key not in keys:
            raise HuikuanError(f"{name}: unknown key {key!r} (known: {', '.join(keys)})")
        try:
            out[key] = D(str(value))
        except InvalidOperation:
            raise HuikuanError(f"{name}.{key} must be a number, not {value!r}") from None
        if isinstance(value, bool) or not out[key].is_finite() or out[key] < 0:
            raise HuikuanError(f"{name}.{key} must be a number >= 0, not {value!r}")
    return out


def _terms(table: Any) -> dict[str, str]:
    if not isinstance(table, Mapping):
        raise HuikuanError("credit.terms must be a table")
    out = {}
    for key, value in table.items():
        if key not in RATINGS:
            raise HuikuanError(
                f"credit.terms: unknown rating {key!r} (known: {', '.join(RATINGS)})"
            )
        try:
            out[key] = parse_terms(str(value)).code
        except InvalidValue as exc:
            raise HuikuanError(f"credit.terms.{key}: {exc}") from None
    return out


# --- inputs ------------------------------------------------------------------------------

RATIOS = ("current_ratio", "quick_ratio", "debt_ratio")
SIGNED_MONEY = ("net_worth", "tangible_net_worth", "operating_cash_flow")
MONEY = ("annual_revenue", "collateral_value", "guarantee_value", "expected_monthly_sales")
OUTLOOKS = ("industry_outlook", "region_outlook")
INPUT_KEYS = (*RATIOS, *SIGNED_MONEY, *MONEY, *OUTLOOKS, "character")


@dataclass(frozen=True)
class CreditInputs:
    """What the assessor knows; money in 分, ratios as Decimal, outlooks 1-5, character 0-100."""

    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def as_json(self) -> dict[str, Any]:
        """Inputs as JSON-ready values (money as "1234.50", ratios as strings)."""
        from huikuan.core.money import format_fen

        out: dict[str, Any] = {}
        for key, value in self.values.items():
            if key in SIGNED_MONEY or key in MONEY:
                out[key] = format_fen(value)
            elif key in RATIOS:
                out[key] = str(value)
            else:
                out[key] = value
        return out


def parse_inputs(raw: Mapping[str, Any]) -> CreditInputs:
    """Check every input; raise one :class:`InvalidValue` listing all problems."""
    problems, values = [], {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if key not in INPUT_KEYS:
            problems.append(f"{printable(key)}: unknown input (known: {', '.join(INPUT_KEYS)})")
            continue
        try:
            values[key] = _input(key, value)
        except InvalidValue as exc:
            problems.append(f"{key}: {exc}")
    if problems:
        raise InvalidValue(*problems)
    return CreditInputs(values)


def _input(key: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
        raise InvalidValue(f"must be a number, not {shorten(repr(value))}")
    text = str(value).strip()
    if key in SIGNED_MONEY:
        negative = text.startswith("-")
        fen = parse_fen(text.lstrip("-"), allow_zero=True)
        return -fen if negative else fen
    if key in MONEY:
        return parse_fen(text, allow_zero=True)
    if key in RATIOS:
        return _ratio(text)
    low, high = (1, 5) if key in OUTLOOKS else (0, 100)
    digits = text.lstrip("0") or "0"
    if (
        not (text.isascii() and text.isdigit() and len(digits) <= 3)
        or not low <= int(digits) <= high
    ):
        raise InvalidValue(f"must be a whole number from {low} to {high}, not {shorten(text)!r}")
    return int(digits)


def _ratio(text: str) -> Decimal:
    try:
        ratio = D(text)
    except InvalidOperation:
        raise InvalidValue(f"not a number: {shorten(text)!r}") from None
    if not ratio.is_finite() or ratio < 0:
        raise InvalidValue(f"must be a ratio >= 0, not {shorten(text)!r}")
    if ratio > 1000:
        raise InvalidValue(f"is implausibly large: {shorten(text)!r}")
    return ratio
