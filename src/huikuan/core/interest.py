"""Late interest / 违约金: simple interest on what is open past the due date.

Rules (``[interest]``, per customer ``[interest.customers.C001]``, per contract
``[interest.contracts."HT-01"]``; a contract rule beats a customer rule beats the default):

- ``kind = "daily"``: ``rate`` a day; default 0.05% (每日万分之五, 保障中小企业款项支付条例 Art. 17);
- ``kind = "annual"``: ``rate`` a year, a day being ``rate ÷ day_count`` (365, or 360);
- ``kind = "lpr"``: ``lpr`` (the 1-year LPR you enter, e.g. "3.00%") × (1 + ``markup``), a
  year; ``markup = "50%"`` is the courts' "LPR 上浮 50%", i.e. 1.5 × LPR (not LPR + 50 points);
- ``grace_days``: no interest for that many days after the due date;
- ``cap``: the interest of one invoice is at most ``cap`` × its principal (e.g. "30%").

Counting: the principal is what was open at the end of the due date. Interest accrues for
each day d from due date + grace days + 1 up to and including the as-of date, on the amount
still open at the start of day d: a payment (or credit note, write-off) dated P stops the
interest on what it paid from day P on — day P itself accrues nothing on it. Interest per
invoice is computed exactly and rounded half-up to the 分 once, then capped.
Disputed invoices accrue like the others (the contract still runs) and are flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from huikuan.core.errors import InvalidValue
from huikuan.core.money import format_fen, to_decimal
from huikuan.core.percent import parse_percent, percent_text

KINDS = ("daily", "annual", "lpr")
RULE_KEYS = {"kind", "rate", "day_count", "grace_days", "cap", "lpr", "markup"}


@dataclass(frozen=True)
class InterestRule:
    """How interest accrues on one invoice."""

    kind: str = "daily"
    rate: Decimal = Decimal("0.0005")
    day_count: int = 365
    grace_days: int = 0
    cap: Decimal | None = None
    lpr: Decimal | None = None
    markup: Decimal = Decimal(0)

    @property
    def daily(self) -> Decimal:
        """The rate for one day, as a fraction."""
        if self.kind == "daily":
            return self.rate
        if self.kind == "annual":
            return self.rate / self.day_count
        assert self.lpr is not None
        return self.lpr * (1 + self.markup) / self.day_count

    @property
    def text(self) -> str:
        """Human text: ``0.05%/day``, ``6.00%/year``, ``LPR 3.00% × 1.5/year``."""
        if self.kind == "daily":
            return f"{_pct(self.rate)}%/day"
        if self.kind == "annual":
            return f"{percent_text(self.rate)}%/year"
        assert self.lpr is not None
        return f"LPR {percent_text(self.lpr)}% × {1 + self.markup:g}/year"

    @property
    def text_zh(self) -> str:
        """中文: ``每日0.05%``, ``年利率6.00%``, ``一年期LPR 3.00%的1.5倍``."""
        if self.kind == "daily":
            return f"每日{_pct(self.rate)}%"
        if self.kind == "annual":
            return f"年利率{percent_text(self.rate)}%"
        assert self.lpr is not None
        return f"一年期LPR {percent_text(self.lpr)}%的{1 + self.markup:g}倍"


@dataclass(frozen=True)
class InterestPolicy:
    """The default rule, the overrides, and whether letters show the interest."""

    default: InterestRule = field(default_factory=InterestRule)
    customers: dict[str, InterestRule] = field(default_factory=dict)
    contracts: dict[str, InterestRule] = field(default_factory=dict)
    in_letters: bool = False


@dataclass(frozen=True, slots=True)
class InvoiceInterest:
    """One invoice's interest as of a date: amounts kept in 分 (``*_fen``), read in yuan
    (``principal``, ``open``, ``interest``: Decimal), so a long report makes no Decimal it
    does not show."""

    number: str
    customer: str
    currency: str
    contract: str | None
    due_date: date
    principal_fen: int
    open_fen: int
    days: int
    rate: str
    interest_fen: int
    disputed: bool
    rate_zh: str = ""

    @property
    def principal(self) -> Decimal:
        """What was open at the end of the due date, in yuan."""
        return to_decimal(self.principal_fen)

    @property
    def open(self) -> Decimal:
        """What is open on the as-of date, in yuan."""
        return to_decimal(self.open_fen)

    @property
    def interest(self) -> Decimal:
        """The interest, in yuan."""
        return to_decimal(self.interest_fen)


ROW_KEYS = (
    "customer", "number", "currency", "contract", "due_date", "principal", "open", "days",
    "rate", "interest", "disputed",
)  # fmt: skip  # a row of ``interest`` (JSON keys, CSV columns), in this order


def interest_row(i: InvoiceInterest) -> dict[str, Any]:
    """The invoice's row of ``interest``: amounts as ``"1234.50"``, the due date ISO."""
    return {
        "customer": i.customer,
        "number": i.number,
        "currency": i.currency,
        "contract": i.contract,
        "due_date": i.due_date.isoformat(),
        "principal": format_fen(i.principal_fen),
        "open": format_fen(i.open_fen),
        "days": i.days,
        "rate": i.rate,
        "interest": format_fen(i.interest_fen),
        "disputed": i.disputed,
    }


def _pct(value: Decimal) -> str:
    """Percent text without trailing zeros beyond two places (0.05, 0.033)."""
    text = f"{(value * 100).normalize():f}"
    return text if "." in text and len(text.split(".")[1]) > 2 else percent_text(value)


def make_interest(table: dict[str, Any]) -> InterestPolicy:
    """Parse and check ``[interest]``."""
    unknown = sorted(set(table) - RULE_KEYS - {"in_letters", "customers", "contracts"})
    if unknown:
        raise InvalidValue(f"unknown [interest] setting(s): {', '.join(unknown)}")
    default = _rule({k: v for k, v in table.items() if k in RULE_KEYS}, InterestRule(), "interest")
    in_letters = table.get("in_letters", False)
    if not isinstance(in_letters, bool):
        raise InvalidValue("interest.in_letters must be true or false")
    return InterestPolicy(
        default=default,
        customers=_overrides(table.get("customers", {}), default, "customers"),
        contracts=_overrides(table.get("contracts", {}), default, "contracts"),
        in_letters=in_letters,
    )


def _overrides(value: Any, base: InterestRule, name: str) -> dict[str, InterestRule]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise InvalidValue(
            f'[interest.{name}] holds tables, e.g. [interest.{name}."X"] rate = "0.03%"'
        )
    return {str(k): _rule(v, base, f"interest.{name}.{k}") for k, v in value.items()}


def _rule(table: dict[str, Any], base: InterestRule, where: str) -> InterestRule:
    extra = sorted(set(table) - RULE_KEYS)
    if extra:
        raise InvalidValue(f"unknown {where} setting(s): {', '.join(extra)}")
    kind = str(table.get("kind", base.kind))
    if kind not in KINDS:
        raise InvalidValue(f"{where}.kind must be one of {', '.join(KINDS)}, not {kind!r}")
    changes: dict[str, Any] = {"kind": kind}
    for key in ("rate", "cap", "lpr", "markup"):
        if key in table:
            changes[key] = _rate(table[key], f"{where}.{key}")
    if kind != base.kind and "rate" not in table and kind == "annual":
        raise InvalidValue(f'{where}: kind = "annual" needs a rate, e.g. rate = "6%"')
    for key, low in (("day_count", 360), ("grace_days", 0)):
        if key in table:
            changes[key] = _whole(table[key], f"{where}.{key}", low)
    if changes.get("day_count", base.day_count) not in (360, 365):
        raise InvalidValue(f"{where}.day_count must be 365 or 360")
    rule = replace(base, **changes)
    if rule.kind == "lpr" and rule.lpr is None:
        raise InvalidValue(f'{where}: kind = "lpr" needs lpr, e.g. lpr = "3.00%"')
    return rule


def _rate(value: Any, what: str) -> Decimal:
    rate = parse_percent(value, what)
    if rate < 0:
        raise InvalidValue(f"{what} must not be negative")
    return rate


def _whole(value: Any, what: str, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise InvalidValue(f"{what} must be a whole number of at least {low}")
    return value


def rule_for(policy: InterestPolicy, customer: str, contract: str | None) -> InterestRule:
    """The contract's rule, else the customer's, else the default."""
    if contract and contract in policy.contracts:
        return policy.contracts[contract]
    return policy.customers.get(customer, policy.default)


def accrue(
    rule: InterestRule, due: date, amount: int, paid: list[tuple[date, int]], as_of: date
) -> tuple[int, int, int, int]:
    """``(principal, open, days, interest)`` in 分 and days, by the module's counting rule.

    ``paid`` holds the invoice's allocations ``(date, 分)`` dated on or before ``as_of``.
    """
    principal = amount - sum(f for d, f in paid if d <= due)
    balance, day = principal, due + timedelta(days=rule.grace_days + 1)
    exact, days = Decimal(0), 0
    for when, fen in sorted((d, f) for d, f in paid if d > due):
        span = (min(when, as_of + timedelta(days=1)) - day).days
        if span > 0 and balance > 0:
            exact += balance * span * rule.daily
            days += span
        day, balance = max(day, when), balance - fen
    span = (as_of - day).days + 1
    if span > 0 and balance > 0:
        exact += balance * span * rule.daily
        days += span
    return principal, max(balance, 0), days, _rounded(rule, principal, exact)


def _rounded(rule: InterestRule, principal: int, exact: Decimal) -> int:
    """The interest rounded half-up to the 分, then capped."""
    interest = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if rule.cap is not None:
        interest = min(interest, int((principal * rule.cap).quantize(Decimal(1), ROUND_HALF_UP)))
    return interest


PRECISION = 28  # digits of Decimal's default context, in which accrue() multiplies


@dataclass(frozen=True, slots=True)
class Ratio:
    """A Decimal as the exact fraction ``p / q``, and the size below which a whole number
    times it is exact in :data:`PRECISION` digits (so whole-number arithmetic gives what
    Decimal gives; beyond it, or for a rate of many digits such as 6% ÷ 365, Decimal)."""

    value: Decimal
    p: int
    q: int
    exact_below: int

    @classmethod
    def of(cls, value: Decimal) -> Ratio:
        """``value`` as a ratio."""
        p, q = value.as_integer_ratio()
        digits = len(value.as_tuple().digits)
        return cls(value, p, q, 10 ** max(PRECISION - digits, 0))

    def times_rounded(self, n: int) -> int:
        """``n × value`` rounded half-up to a whole number, as ``quantize`` rounds it."""
        if abs(n) >= self.exact_below:
            return int((n * self.value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        twice, q = 2 * abs(n) * self.p, 2 * self.q
        whole = (twice + self.q) // q  # half-up: away from zero at .5
        return whole if n >= 0 else -whole


@dataclass(frozen=True, slots=True)
class RuleRate:
    """What accruing by a rule needs per invoice, worked out once per rule."""

    grace_days: int
    daily: Ratio
    cap: Ratio | None
    text: str
    text_zh: str


class RuleRates:
    """:class:`RuleRate` per rule, made when a rule is first met."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[InterestRule, RuleRate]] = {}

    def of(self, rule: InterestRule) -> RuleRate:
        """The rate of ``rule``."""
        known = self._known.get(id(rule))
        if known is None:
            cap = Ratio.of(rule.cap) if rule.cap is not None else None
            rate = RuleRate(rule.grace_days, Ratio.of(rule.daily), cap, rule.text, rule.text_zh)
            known = self._known[id(rule)] = (rule, rate)  # (the rule kept: its id stays its)
        return known[1]


def accrued_fen(
    rate: RuleRate, principal: int, late: int, age: int, stopped: int, last_age: int | None
) -> tuple[int, int, int]:
    """:func:`accrue` from sums over the payments instead of the payments themselves:
    ``(open, days, interest)`` in 分 and days, in whole numbers.

    ``principal``: open at the end of the due date; ``late``: 分 paid after the due date by
    the as-of date; ``age``: days from the due date to the as-of date; ``stopped``: 分-days
    those payments stopped (each 分 paid on day P counts the days from P, or the accrual's
    first day when later, to the as-of date); ``last_age``: days from the due date to the
    last of those payments. The balance never goes below zero, so the balance-days are
    principal × days less what the payments stopped.
    """
    left = principal - late
    span = age - rate.grace_days  # days from the first accruing day to the as-of date
    if principal <= 0 or span <= 0:
        return max(left, 0), 0, _capped(rate, principal, 0)
    if left > 0:
        days = span
    else:  # accrued up to the payment that cleared it
        assert last_age is not None
        days = max(0, last_age - rate.grace_days - 1)
    interest = rate.daily.times_rounded(principal * span - stopped)
    return max(left, 0), days, _capped(rate, principal, interest)


def _capped(rate: RuleRate, principal: int, interest: int) -> int:
    """The interest, at most the cap × the principal (rounded as :func:`_rounded` does)."""
    return interest if rate.cap is None else min(interest, rate.cap.times_rounded(principal))
