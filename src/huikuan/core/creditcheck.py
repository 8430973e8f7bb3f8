"""The credit check (credit hold): may a new credit sale of X go ahead?

Yes only when exposure (open receivables - unapplied credit) + X stays within the limit and
nothing holds the customer: blocked, in litigation, rated C, or an invoice overdue beyond
the policy's ``hold_days``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from huikuan.core.money import format_grouped


@dataclass(frozen=True)
class Standing:
    """What the ledger says about the customer as of the check date."""

    code: str
    currency: str
    limit: int | None
    exposure: int
    blocked: bool = False
    blocked_reason: str | None = None
    legal: bool = False
    rating: str | None = None
    rated_on: str | None = None
    worst_overdue: int = 0
    worst_invoice: str | None = None
    overdue_invoices: int = 0


@dataclass
class CheckResult:
    """The answer, with every reason that says no (or the margin left when yes)."""

    allowed: bool
    available: int
    reasons: list[str] = field(default_factory=list)


def check_credit(standing: Standing, amount: int, hold_days: int) -> CheckResult:
    """Decide a new credit sale of ``amount`` 分 for the customer."""
    s, reasons = standing, holds(standing, hold_days)
    available = (s.limit or 0) - s.exposure
    if s.limit is None:
        reasons.append(
            f"no credit limit set for {s.code} (run `huikuan credit score` and `credit apply`,"
            " or `huikuan customer edit --credit-limit`)"
        )
    elif s.exposure + amount > s.limit:
        reasons.append(
            f"exposure {format_grouped(s.exposure)} + {format_grouped(amount)} ="
            f" {format_grouped(s.exposure + amount)} {s.currency} exceeds the limit"
            f" {format_grouped(s.limit)}"
        )
    if reasons:
        return CheckResult(False, available, reasons)
    left = available - amount
    return CheckResult(
        True,
        available,
        [f"within the limit: {format_grouped(left)} {s.currency} left after this sale"],
    )


def holds(s: Standing, hold_days: int) -> list[str]:
    """Reasons that stop new credit whatever the limit."""
    out = []
    if s.blocked:
        out.append(
            f"customer {s.code} is blocked" + (f": {s.blocked_reason}" if s.blocked_reason else "")
        )
    if s.legal:
        out.append(f"customer {s.code} is in litigation")
    if s.rating == "C":
        out.append(f"rated C on {s.rated_on}: cash in advance only (款到发货)")
    if s.worst_overdue > hold_days:
        more = f" and {s.overdue_invoices - 1} more overdue" if s.overdue_invoices > 1 else ""
        out.append(
            f"invoice {s.worst_invoice} is {s.worst_overdue} days overdue{more}"
            f" (credit hold after {hold_days} days)"
        )
    return out
