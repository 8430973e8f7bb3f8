"""5C credit scoring (品德 能力 资本 抵押 条件), ratings, recommended limit and terms.

Every component is a score 0-100 from piecewise-linear curves (``CURVES``; between two
points the score is interpolated, beyond the ends it stays at the end value):

- character: from the ledger when the customer has invoices already due: 40% share of
  invoices settled by their due date, 30% average days late (amount-weighted, open
  overdue amounts counted to the as-of date), 30% worst days overdue now; minus 15 per
  broken promise and 10 per disputed invoice (at most 30). No history: the assessor's
  ``character`` input, else 50.
- capacity: current ratio; operating cash flow as a share of annual revenue (or its sign).
- capital: debt ratio; quick ratio; (tangible) net worth against the exposure considered.
- collateral: (collateral + guarantees) against the exposure considered.
- conditions: industry and region outlook, 1 (poor) to 5 (strong), 3 is neutral.

The exposure considered is expected monthly sales × the months of the customer's current
terms (at least one month). A component with no inputs gets a cautious score (capacity and
capital 40, collateral 0, conditions 50) and its inputs are listed as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from huikuan.core.creditpolicy import COMPONENTS, RATINGS, CreditInputs, CreditPolicy
from huikuan.core.money import format_grouped
from huikuan.core.terms import parse_terms

D = Decimal
Curve = tuple[tuple[str, str], ...]
CURVES: dict[str, Curve] = {
    "avg_days_late": (("0", "100"), ("30", "60"), ("90", "20"), ("180", "0")),
    "worst_overdue": (("0", "100"), ("30", "70"), ("90", "30"), ("180", "0")),
    "current_ratio": (("0.5", "0"), ("1", "40"), ("1.5", "70"), ("2", "100")),
    "cash_margin": (("-0.1", "0"), ("0", "30"), ("0.05", "60"), ("0.1", "100")),
    "debt_ratio": (("0.3", "100"), ("0.5", "70"), ("0.7", "40"), ("0.9", "0")),
    "quick_ratio": (("0.2", "0"), ("0.5", "40"), ("1", "100")),
    "net_worth_cover": (("0", "0"), ("1", "40"), ("5", "80"), ("10", "100")),
    "collateral_cover": (("0", "0"), ("0.5", "60"), ("1", "100")),
    "outlook": (("1", "0"), ("3", "50"), ("5", "100")),
}
UNKNOWN = {"character": 50, "capacity": 40, "capital": 40, "collateral": 0, "conditions": 50}
LIMIT_STEP = 10_000  # recommended limits are rounded down to whole 100 元


def curve(name: str, x: Decimal) -> Decimal:
    """The score of ``x`` on the named curve (flat beyond its ends)."""
    points = [(D(a), D(b)) for a, b in CURVES[name]]
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


@dataclass(frozen=True)
class History:
    """The customer's payment record as of the assessment date (from the ledger)."""

    invoices_due: int = 0
    paid_on_time: int = 0
    late_fen_days: int = 0
    late_base_fen: int = 0
    worst_overdue: int = 0
    disputes: int = 0
    broken_promises: int = 0
    monthly_sales: int | None = None  # 分, average of the last 12 months
    terms: str | None = None  # the customer's current terms code


@dataclass
class Assessment:
    """The result of scoring one customer."""

    customer: str
    date: date
    scores: dict[str, int]
    weights: dict[str, Decimal]
    total: int
    rating: str
    recommended_limit: int
    recommended_terms: str
    currency: str
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass
class _Part:
    score: Decimal
    why: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _mean(values: list[Decimal], component: str) -> Decimal:
    return sum(values, D(0)) / len(values) if values else D(UNKNOWN[component])


def character(history: History, inputs: CreditInputs) -> _Part:
    """Willingness to pay: the ledger's record, or the assessor's view when there is none."""
    if history.invoices_due == 0:
        given = inputs.get("character")
        if given is not None:
            return _Part(D(given), [f"no payment history: assessor's score {given}"])
        return _Part(
            D(UNKNOWN["character"]), ["no payment history and no character input"], ["character"]
        )
    on_time = D(100) * history.paid_on_time / history.invoices_due
    late = D(history.late_fen_days) / history.late_base_fen if history.late_base_fen else D(0)
    base = (
        on_time * D("0.4")
        + curve("avg_days_late", late) * D("0.3")
        + curve("worst_overdue", D(history.worst_overdue)) * D("0.3")
    )
    penalty = 15 * history.broken_promises + min(30, 10 * history.disputes)
    why = [
        f"{on_time:.0f}% of {history.invoices_due} invoices paid on time",
        f"{late:.0f} days late on average",
        f"worst {history.worst_overdue} days overdue now",
    ]
    if history.broken_promises:
        why.append(f"{history.broken_promises} broken promise(s) to pay")
    if history.disputes:
        why.append(f"{history.disputes} disputed invoice(s)")
    return _Part(max(D(0), base - penalty), why)


def capacity(inputs: CreditInputs) -> _Part:
    """Ability to pay from current assets and cash flow."""
    scores, why, missing = [], [], []
    ratio = inputs.get("current_ratio")
    if ratio is None:
        missing.append("current_ratio")
    else:
        scores.append(curve("current_ratio", ratio))
        why.append(f"current ratio {ratio}")
    cash, revenue = inputs.get("operating_cash_flow"), inputs.get("annual_revenue")
    if cash is None:
        missing.append("operating_cash_flow")
    elif revenue:
        margin = D(cash) / revenue
        scores.append(curve("cash_margin", margin))
        why.append(f"operating cash flow {margin:.1%} of revenue")
    else:
        scores.append(D(70 if cash > 0 else 30 if cash == 0 else 0))
        why.append("operating cash flow " + ("positive" if cash > 0 else "not positive"))
    if revenue is None:
        missing.append("annual_revenue")
    return _Part(_mean(scores, "capacity"), why, missing)


def capital(inputs: CreditInputs, exposure: int | None) -> _Part:
    """Financial strength: leverage, liquidity and net worth against the exposure."""
    scores, why, missing = [], [], []
    for key, name in (("debt_ratio", "debt ratio"), ("quick_ratio", "quick ratio")):
        value = inputs.get(key)
        if value is None:
            missing.append(key)
        else:
            scores.append(curve(key, value))
            why.append(f"{name} {value}")
    worth = _net_worth(inputs)
    if worth is None:
        missing.append("net_worth")
    elif worth <= 0:
        scores.append(D(0))
        why.append("net worth not positive")
    elif exposure:
        scores.append(curve("net_worth_cover", D(worth) / exposure))
        why.append(f"net worth {D(worth) / exposure:.1f}x the exposure")
    else:
        scores.append(D(60))
        why.append("net worth positive (exposure unknown)")
    return _Part(_mean(scores, "capital"), why, missing)


def collateral(inputs: CreditInputs, exposure: int | None) -> _Part:
    """Security: collateral and guarantees against the exposure considered."""
    held = [inputs.get(k) for k in ("collateral_value", "guarantee_value")]
    keys = ["collateral_value", "guarantee_value"]
    missing = keys if all(v is None for v in held) else []
    total = sum(v for v in held if v is not None)
    if not total:
        return _Part(D(UNKNOWN["collateral"]), ["no collateral or guarantee"], missing)
    if not exposure:
        return _Part(D(60), ["collateral given (exposure unknown)"], missing)
    cover = D(total) / exposure
    return _Part(
        curve("collateral_cover", cover), [f"security covers {cover:.0%} of the exposure"], missing
    )


def conditions(inputs: CreditInputs) -> _Part:
    """Industry and regional outlook, 1-5 (3 neutral)."""
    scores, why, missing = [], [], []
    for key in ("industry_outlook", "region_outlook"):
        value = inputs.get(key)
        if value is None:
            missing.append(key)
            scores.append(D(UNKNOWN["conditions"]))
        else:
            scores.append(curve("outlook", D(value)))
            why.append(f"{key.replace('_', ' ')} {value}/5")
    return _Part(_mean(scores, "conditions"), why, missing)


def _net_worth(inputs: CreditInputs) -> int | None:
    tangible: int | None = inputs.get("tangible_net_worth")
    return tangible if tangible is not None else inputs.get("net_worth")


def term_months(code: str | None) -> Decimal:
    """Average months of credit a terms code gives (EOM adds half a month)."""
    if not code:
        return D(0)
    terms = parse_terms(code)
    if terms.kind == "NET":
        return D(terms.days) / 30
    if terms.kind == "EOM":
        return (D(terms.days) + 15) / 30
    return D(0)


def rating_for(total: int, policy: CreditPolicy) -> str:
    """The highest rating whose threshold the total reaches."""
    for rating in RATINGS[:4]:
        if total >= policy.thresholds[rating]:
            return rating
    return "C"


def assess(
    customer: str,
    as_of: date,
    inputs: CreditInputs,
    history: History,
    policy: CreditPolicy,
    currency: str,
) -> Assessment:
    """Score the five Cs, rate, and recommend a limit and terms."""
    monthly = inputs.get("expected_monthly_sales")
    monthly = monthly if monthly is not None else history.monthly_sales
    exposure = int(monthly * max(D(1), term_months(history.terms))) if monthly else None
    parts = {
        "character": character(history, inputs),
        "capacity": capacity(inputs),
        "capital": capital(inputs, exposure),
        "collateral": collateral(inputs, exposure),
        "conditions": conditions(inputs),
    }
    scores = {k: _round(parts[k].score) for k in COMPONENTS}
    total = _round(sum((parts[k].score * policy.weights[k] for k in COMPONENTS), D(0)))
    rating = rating_for(total, policy)
    terms = policy.terms[rating]
    limit, limit_why = recommend_limit(monthly, rating, terms, inputs, policy)
    reasons = [
        f"{k} {scores[k]}/100: {'; '.join(parts[k].why) or 'no inputs, cautious default'}"
        for k in COMPONENTS
        if scores[k] < 60
    ]
    missing = [m for k in COMPONENTS for m in parts[k].missing]
    if monthly is None:
        missing.append("expected_monthly_sales")
    out = Assessment(
        customer, as_of, scores, dict(policy.weights), total, rating, limit, terms, currency
    )
    out.reasons, out.missing = reasons + limit_why, missing
    return out


def recommend_limit(
    monthly: int | None, rating: str, terms: str, inputs: CreditInputs, policy: CreditPolicy
) -> tuple[int, list[str]]:
    """Monthly sales × months of credit × the rating's coefficient, capped by net worth."""
    coef = policy.coefficients[rating]
    if coef == 0 or term_months(terms) == 0:
        return 0, [f"rating {rating}: no credit, cash in advance only (款到发货)"]
    if not monthly:
        return 0, ["no expected monthly sales and no sales history: no limit can be computed"]
    limit = D(monthly) * term_months(terms) * coef
    why = []
    worth = _net_worth(inputs)
    if worth is not None:
        cap = D(max(worth, 0)) * policy.net_worth_share
        if limit > cap:
            limit = cap
            why.append(
                f"limit capped at {policy.net_worth_share:.0%} of net worth ({format_grouped(worth)})"
            )
    return int(limit) // LIMIT_STEP * LIMIT_STEP, why


def _round(value: Decimal) -> int:
    return int(value.quantize(D(1), rounding=ROUND_HALF_UP))
