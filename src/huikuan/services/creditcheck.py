"""The credit check (may a new credit sale go ahead?), apart from the other credit use cases
so that ``credit check`` imports only what it needs (:mod:`huikuan.services.credit`
re-exports it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from huikuan.core.money import from_decimal, to_decimal

if TYPE_CHECKING:
    from huikuan.services.context import Context


@dataclass(frozen=True)
class CreditCheck:
    """May a new credit sale of ``amount`` go ahead, and why not."""

    customer: str
    allowed: bool
    limit: Decimal | None
    exposure: Decimal
    available: Decimal
    reasons: list[str]
    amount: Decimal
    currency: str
    as_of: date


def check(ctx: Context, code: str, amount: Decimal) -> CreditCheck:
    """May a new credit sale of ``amount`` to ``code`` go ahead as of ``ctx.as_of``?"""
    from huikuan.core.creditcheck import check_credit
    from huikuan.store import credit as S

    st = S.standing(ctx.ledger.conn, code, ctx.as_of, ctx.config.currency)
    res = check_credit(st, from_decimal(amount), ctx.config.credit.hold_days)
    return CreditCheck(
        code, res.allowed, None if st.limit is None else to_decimal(st.limit),
        to_decimal(st.exposure), to_decimal(res.available), res.reasons,
        to_decimal(from_decimal(amount)), st.currency, ctx.as_of,
    )  # fmt: skip
