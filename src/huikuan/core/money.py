"""Money: one way in (``parse_amount``), one way out (``format_fen``).

Amounts are integers of minor units (分) in storage and ``Decimal`` at the edges. Never float.
"""

from __future__ import annotations

import re
from decimal import Decimal

from huikuan.core.errors import InvalidValue

_PLAIN = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


def parse_fen(text: str, *, allow_zero: bool = False) -> int:
    """Parse a user amount (``1234.5``, ``1,234.50``, ``¥1,234.50``, ``1234.50元``) into 分.

    Raises :class:`InvalidValue` for empty, non-numeric, negative, zero (unless allowed),
    NaN/inf and amounts with more than two decimals.
    """
    m = _PLAIN.match(text)
    if m is None:
        return _parse_slow(text, allow_zero)
    fen = int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))
    if fen == 0 and not allow_zero:
        raise InvalidValue("must be greater than zero")
    return fen


def _parse_slow(text: str, allow_zero: bool) -> int:
    raw = text.strip()
    # The currency sign only in front, 元 only at the end: "12元5" is not 125 (nor 12.5).
    cleaned = raw[1:].lstrip() if raw.startswith(("¥", "￥")) else raw
    cleaned = cleaned[:-1].rstrip() if cleaned.endswith("元") else cleaned
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    if not cleaned:
        raise InvalidValue("is empty" if not raw else f"not a number: {raw!r}")
    if cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")")):
        raise InvalidValue(f"must not be negative: {raw!r}")
    if "," in cleaned:
        if not _GROUPED.match(cleaned):
            raise InvalidValue(f"badly grouped number: {raw!r}")
        cleaned = cleaned.replace(",", "")
    if re.fullmatch(r"\d+\.\d{3,}", cleaned):
        raise InvalidValue(f"more than two decimal places: {raw!r}")
    if cleaned != text and _PLAIN.match(cleaned):
        return parse_fen(cleaned, allow_zero=allow_zero)
    raise InvalidValue(f"not a number: {raw!r}")


def to_decimal(fen: int) -> Decimal:
    """分 -> Decimal yuan with two places."""
    return Decimal(fen).scaleb(-2)


def from_decimal(value: Decimal) -> int:
    """Decimal yuan -> 分; refuses values with more than two decimals."""
    if not value.is_finite():
        raise InvalidValue(f"not a number: {value}")
    scaled = value.scaleb(2)
    if scaled != scaled.to_integral_value():
        raise InvalidValue(f"more than two decimal places: {value}")
    return int(scaled)


def format_fen(fen: int) -> str:
    """分 -> ``"1234.50"`` (JSON/CSV form)."""
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), 100)
    return f"{sign}{q}.{r:02d}"


def format_grouped(fen: int) -> str:
    """分 -> ``"1,234.50"`` (table form)."""
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), 100)
    return f"{sign}{q:,}.{r:02d}"


def parse_currency(text: str) -> str:
    """A 3-letter ISO currency code, upper-cased."""
    code = text.strip()
    if not _CURRENCY.match(code):
        raise InvalidValue(f"currency must be 3 letters like CNY or USD, not {text!r}")
    return code.upper()
