"""Collections measures: 回款率, DSO, CEI, overdue ratio, average days to pay; periods.

For one group (salesperson, segment, customer or all) in one currency and one period
[start, end] (both days included, ``days`` = end − start + 1):

- credit_sales: invoices issued in the period;
- collections: cash payments applied to invoices, by allocation date in the period (credit
  notes and write-offs are not collections);
- opening: receivables open at the end of the day before ``start``; closing: open at the
  end of ``end`` (an invoice issued by D, less what was applied to it by D);
  closing_current: the part of closing not yet due on ``end``;
- collection_rate (回款率) = collections ÷ (opening + credit_sales) × 100;
- dso = closing ÷ credit_sales × days;
- cei = (opening + credit_sales − closing) ÷ (opening + credit_sales − closing_current) × 100;
- overdue_ratio = (closing − closing_current) ÷ closing × 100;
- avg_days_to_pay = Σ(applied × days from issue to payment) ÷ Σ applied, over the period's
  cash allocations (a payment before the issue date counts 0 days).

A zero denominator gives ``None`` (no figure), never a made-up 0. Percentages and days are
rounded half-up: rates to two decimals, days to one.
"""

from __future__ import annotations

import calendar as cal
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from huikuan.core.dates import MAX_DATE, MIN_DATE, SUPPORTED
from huikuan.core.errors import InvalidValue
from huikuan.core.money import format_fen
from huikuan.core.text import shorten

UNITS = ("month", "quarter")
MAX_PERIODS = 480  # 40 years of months: one SQL pass has a few columns per period
_MINUS_ZERO = Decimal("-0")
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|[Qq]([1-4])))?$")


@dataclass
class Sums:
    """What the ledger gives for one group, currency and period (amounts in 分)."""

    credit_sales: int = 0
    collections: int = 0
    opening: int = 0
    closing: int = 0
    closing_current: int = 0
    paid: int = 0  # cash applied in the period (the weight of the days to pay)
    paid_days: int = 0  # Σ applied × days from issue to payment


def _ratio(num: int, den: int, places: str, scale: int = 100) -> Decimal | None:
    """``num × scale ÷ den`` rounded half-up to ``places`` ("0.01", "0.1"), in integers: a
    report by customer and month has millions of these (equal to :func:`decimal_ratio`)."""
    if den == 0:
        return None
    digits = len(places) - 2
    q, r = divmod(abs(num) * scale * 10**digits, abs(den))
    if 2 * r >= abs(den):
        q += 1
    if (num < 0) != (den < 0):
        q = -q if q else _MINUS_ZERO  # Decimal keeps the sign of a zero: "-0.00"
    return Decimal(q).scaleb(-digits)


def percent_text(num: int, den: int) -> str | None:
    """``str(_ratio(num, den, "0.01"))`` in integers (a report's text, line by line)."""
    if den > 0 and num >= 0:  # the usual case, in the fewest steps: rounded half up
        return "%d.%02d" % divmod((num * 20_000 + den) // (den + den), 100)  # noqa: UP031 (faster)
    return _text(_ratio(num, den, "0.01"))


def days_text(num: int, den: int) -> str | None:
    """``str(_ratio(num, den, "0.1", 1))`` in integers."""
    if den > 0 and num >= 0:
        return "%d.%d" % divmod((num * 20 + den) // (den + den), 10)  # noqa: UP031
    return _text(_ratio(num, den, "0.1", 1))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


Text = str | None


def measure_texts(s: Sums, days: int) -> tuple[Text, Text, Text, Text, Text]:
    """:func:`measure_values` as text."""
    sold, opening, closing, current = s.credit_sales, s.opening, s.closing, s.closing_current
    return (
        percent_text(s.collections, opening + sold),
        days_text(closing * days, sold),
        percent_text(opening + sold - closing, opening + sold - current),
        percent_text(closing - current, closing),
        days_text(s.paid_days, s.paid),
    )


def decimal_ratio(num: int, den: int, places: str, scale: int = 100) -> Decimal | None:
    """:func:`_ratio` by Decimal arithmetic: the definition the fast one is tested against."""
    if den == 0:
        return None
    return (Decimal(num) * scale / Decimal(den)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


class Buckets:
    """One group's and currency's figures gathered by bucket, then made into :class:`Sums`.

    With bounds ``b_0 < … < b_n`` (the day before the first period, then each period's
    last day), a date's *position* is how many bounds lie before it: period k (1-based)
    holds the dates of position k. A *piece* is an amount open from its invoice's issue
    until it was paid (an allocation) or still open: open at bound j when
    ``issued <= j < paid``, and not yet due there when also ``j < due`` (``due``: the bounds
    on or before the due date). Running sums over these positions give every bound's
    balance in one pass."""

    __slots__ = ("cash", "current", "days", "open", "paid", "sales")

    def __init__(self, n: int) -> None:
        # arrays of machine numbers: a report by customer and month holds thousands of these
        self.open = array("q", [0]) * (n + 2)  # changes of the open balance at each position
        self.current = array("q", [0]) * (n + 2)  # … of its not-yet-due part
        self.sales = array("q", [0]) * (n + 1)  # per period (1-based)
        self.cash = array("q", [0]) * (n + 1)
        self.days = array("d", [0.0]) * (n + 1)
        self.paid = array("q", [0]) * (n + 1)  # cash allocations (their 分 may net to 0)

    def add(
        self, issued: int, paid: int, due: int, fen: int, cash: int, days: float, void: int, n: int
    ) -> None:
        """A piece: ``fen`` of an invoice issued at position ``issued``, open until ``paid``
        and due from ``due``; of it ``cash`` (in ``n`` cash allocations, ``days`` 分-days to
        pay) and ``void`` (the void of the invoice, at ``paid``). An invoice's amount is its
        open amount plus all its allocations: its pieces add up to its sale."""
        sales = self.sales
        last = len(sales) - 1
        if 0 < issued <= last:
            sales[issued] += fen
        if paid > issued:  # (conditionals, not min/max: this runs once per row of the SQL)
            opens = self.open
            opens[issued] += fen
            opens[paid] -= fen
            until = paid if paid < due else due
            if until > issued:
                current = self.current
                current[issued] += fen
                current[until] -= fen
        if n:  # cash counts when both exist: the later of payment and issue
            when = paid if paid > issued else issued
            if when <= last:
                self.cash[when] += cash
                self.days[when] += days
                self.paid[when] += n
        if void and paid <= last:
            sales[paid] -= void  # a void cancels the sale in its own period (红冲)

    def sums(self) -> Iterator[tuple[int, Sums]]:
        """``(period, Sums)`` of the periods with sales, a balance or cash (1-based)."""
        for k, *figures in self.figures():
            yield k, Sums(*figures)

    def figures(self) -> Iterator[Figures]:
        """:meth:`sums` as plain tuples ``(period, *Sums fields)``: a report by customer and
        month has hundreds of thousands."""
        opens, currents, sales, cash = self.open, self.current, self.sales, self.cash
        bal, cur = opens[0], currents[0]
        for k in range(1, len(sales)):
            opening = bal
            bal += opens[k]
            cur += currents[k]
            sold, got = sales[k], cash[k]
            if sold or opening or bal:
                yield k, sold, got, opening, bal, cur, got, int(self.days[k])
            elif self.paid[k]:  # no balance to speak of: only the cash
                yield k, sold, got, opening, bal, 0, got, int(self.days[k])


# (period, credit_sales, collections, opening, closing, closing_current, paid, paid_days)
Figures = tuple[int, int, int, int, int, int, int, int]


def line_texts(f: Figures, days: int) -> tuple[str, str, str, str, Text, Text, Text, Text, Text]:
    """A line's four amounts (:func:`~huikuan.core.money.format_fen`) and
    :func:`measure_texts`, from :meth:`Buckets.figures` in one call, without a :class:`Sums`."""
    _, sold, got, was, now, current, paid, paid_days = f
    return (
        format_fen(sold), format_fen(got), format_fen(was), format_fen(now),
        percent_text(got, was + sold), days_text(now * days, sold),
        percent_text(was + sold - now, was + sold - current),
        percent_text(now - current, now), days_text(paid_days, paid),
    )  # fmt: skip


MEASURES = ("collection_rate", "dso", "cei", "overdue_ratio", "avg_days_to_pay")


def measures(s: Sums, days: int) -> dict[str, Decimal | None]:
    """The measures of the module docstring, by name."""
    return dict(zip(MEASURES, measure_values(s, days)))


Measure = Decimal | None


def measure_values(s: Sums, days: int) -> tuple[Measure, Measure, Measure, Measure, Measure]:
    """The measures in the order of :data:`MEASURES`."""
    reduced = s.opening + s.credit_sales - s.closing
    return (
        _ratio(s.collections, s.opening + s.credit_sales, "0.01"),
        _ratio(s.closing * days, s.credit_sales, "0.1", 1),
        _ratio(reduced, s.opening + s.credit_sales - s.closing_current, "0.01"),
        _ratio(s.closing - s.closing_current, s.closing, "0.01"),
        _ratio(s.paid_days, s.paid, "0.1", 1),
    )


def period_bounds(text: str) -> tuple[date, date]:
    """``2026`` / ``2026-11`` / ``2026-Q4`` -> first and last day."""
    m = _PERIOD.match(text.strip())
    if m is None:
        raise InvalidValue(f"period must look like 2026, 2026-11 or 2026-Q4, not {shorten(text)!r}")
    year = int(m.group(1))
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        raise InvalidValue(f"period {text.strip()}: the year is outside {SUPPORTED}")
    if m.group(2):
        month = int(m.group(2))
        return date(year, month, 1), _month_end(year, month)
    if m.group(3):
        q = int(m.group(3))
        return date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
    return date(year, 1, 1), date(year, 12, 31)


def normal_period(text: str) -> str:
    """The canonical spelling (``2026-q4`` -> ``2026-Q4``), checked."""
    period_bounds(text)
    return text.strip().upper()


def _month_end(year: int, month: int) -> date:
    return date(year, month, cal.monthrange(year, month)[1])


def split(start: date, end: date, unit: str | None) -> list[tuple[str, date, date]]:
    """``[(label, first, last)]`` covering [start, end]: one period, or months/quarters clipped."""
    if start > end:
        raise InvalidValue(f"--from {start} is after --to {end}")
    if unit is None:
        return [(f"{start}..{end}", start, end)]
    if unit not in UNITS:
        raise InvalidValue(f"--period must be month or quarter, not {unit!r}")
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if (months if unit == "month" else months // 3 + 1) > MAX_PERIODS:
        raise InvalidValue(
            f"--period {unit}: {start} .. {end} makes more than {MAX_PERIODS} periods; "
            "shorten --from/--to or use a longer period"
        )
    out = []
    day = start
    while day <= end:
        label = f"{day:%Y-%m}" if unit == "month" else f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        last = min(period_bounds(label)[1], end)
        out.append((label, day, last))
        day = last + timedelta(days=1)
    return out


def label_of(start: date, end: date) -> str | None:
    """The period label ``[start, end]`` is exactly (a month, a quarter or a year), or None."""
    for label in (f"{start:%Y-%m}", f"{start.year}-Q{(start.month - 1) // 3 + 1}", str(start.year)):
        if period_bounds(label) == (start, end):
            return label
    return None
