"""Money: one way in (``parse_fen``), one way out (``format_fen``).

Amounts are integers of minor units (分) in storage and ``Decimal`` at the edges. Never float.
One amount is at most :data:`MAX_FEN` (999,999,999,999.99): every entry point (options, CSV,
JSON, ``--from`` inputs, config) parses with :func:`parse_fen`, which refuses more, so sums of
up to ~92,000 maximal amounts still fit SQLite's 64-bit integers.
"""

from __future__ import annotations

import re
from decimal import Decimal

from huikuan.core.errors import InvalidValue
from huikuan.core.text import shorten

_PLAIN = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
MAX_FEN = 10**14 - 1
"""The largest amount one field may hold, in 分 (999,999,999,999.99)."""
_MAX_WHOLE = len(str(MAX_FEN // 100))  # digits before the point


def parse_fen(text: str, *, allow_zero: bool = False) -> int:
    """Parse a user amount (``1234.5``, ``1,234.50``, ``¥1,234.50``, ``1234.50元``) into 分.

    Raises :class:`InvalidValue` for empty, non-numeric, negative, zero (unless allowed),
    NaN/inf and amounts with more than two decimals.
    """
    m = _PLAIN.match(text)
    if m is None:
        return _parse_slow(text, allow_zero)
    return _fen(m, text, allow_zero)


def _fen(m: re.Match[str], shown: str, allow_zero: bool) -> int:
    """分 from a :data:`_PLAIN` match; ``shown`` is the text as written, for messages."""
    whole = m.group(1).lstrip("0") or "0"
    if len(whole) > _MAX_WHOLE:  # so at most MAX_FEN; and before int(), which refuses 4,300+ digits
        raise InvalidValue(f"{shorten(shown)} is above the maximum {format_grouped(MAX_FEN)}")
    fen = int(whole) * 100 + int((m.group(2) or "0").ljust(2, "0"))
    if fen == 0 and not allow_zero:
        raise InvalidValue("must be greater than zero")
    return fen


def _parse_slow(text: str, allow_zero: bool) -> int:
    raw = text.strip()
    shown = shorten(raw)
    # The currency sign only in front, 元 only at the end: "12元5" is not 125 (nor 12.5).
    cleaned = raw[1:].lstrip() if raw.startswith(("¥", "￥")) else raw
    cleaned = cleaned[:-1].rstrip() if cleaned.endswith("元") else cleaned
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    if not cleaned:
        raise InvalidValue("is empty" if not raw else f"not a number: {shown!r}")
    if cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")")):
        raise InvalidValue(f"must not be negative: {shown!r}")
    if "," in cleaned:
        if not _GROUPED.match(cleaned):
            raise InvalidValue(f"badly grouped number: {shown!r}")
        cleaned = cleaned.replace(",", "")
    if re.fullmatch(r"\d+\.\d{3,}", cleaned):
        raise InvalidValue(f"more than two decimal places: {shown!r}")
    m = _PLAIN.match(cleaned)
    if cleaned != text and m:
        return _fen(m, raw, allow_zero)
    raise InvalidValue(f"not a number: {shown!r}")


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
    """分 -> ``"1234.50"`` (JSON/CSV form; as ``str(to_decimal(fen))``, made faster: a long
    report writes millions)."""
    if fen < 0:
        return "-" + format_fen(-fen)
    return "%d.%02d" % divmod(fen, 100)  # noqa: UP031 (%-formatting: a third faster)


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
