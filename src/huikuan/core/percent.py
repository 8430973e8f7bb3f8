"""Percentages as users write them: ``10%`` or the fraction ``0.10`` — one rule for all.

A value with ``%`` (or the full-width ``％``) is a percent; without it, a fraction. A bare
number above 1 (``10``) is refused with a hint, since it is almost always a forgotten ``%``.
Values are ``Decimal`` fractions (``Decimal("0.10")``), never float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from huikuan.core.errors import InvalidValue
from huikuan.core.text import shorten


def parse_percent(text: str | int | float | Decimal, what: str) -> Decimal:
    """``"10%"`` / ``"0.10"`` -> ``Decimal("0.10")``; ``what`` names the value in errors."""
    raw = str(text).strip()
    body = raw[:-1].strip() if raw.endswith(("%", "％")) else None
    try:
        value = Decimal(body if body is not None else raw)
    except InvalidOperation:
        raise InvalidValue(
            f"{what}: not a percentage: {shorten(raw)!r} (write 10% or 0.10)"
        ) from None
    if not value.is_finite():
        raise InvalidValue(f"{what}: not a percentage: {shorten(raw)!r}")
    if value and not -9 <= value.adjusted() <= 6:  # 1e400% or 1e-400%: no rate is that
        raise InvalidValue(f"{what}: {shorten(raw)} is out of range for a percentage")
    if body is not None:
        return value / 100
    if value > 1:
        raise InvalidValue(
            f"{what}: {shorten(raw)} is more than 100%; did you mean {shorten(raw)}%?"
        )
    return value


def percent_text(fraction: Decimal, places: int = 2) -> str:
    """``Decimal("0.1")`` -> ``"10.00"`` (percent, rounded half-up)."""
    quantum = Decimal(1).scaleb(-places)
    return str((fraction * 100).quantize(quantum, rounding=ROUND_HALF_UP))


def in_range(
    value: Decimal, what: str, *, low: Decimal = Decimal(0), high: Decimal = Decimal(1),
    low_open: bool = False,
) -> Decimal:  # fmt: skip
    """``value`` when ``low <= value <= high`` (``low < value`` with ``low_open``), else an error."""
    too_low = value <= low if low_open else value < low
    if too_low or value > high:
        bound = "greater than" if low_open else "at least"
        raise InvalidValue(
            f"{what} must be {bound} {percent_text(low)}% and at most {percent_text(high)}%, "
            f"not {percent_text(value)}%"
        )
    return value
