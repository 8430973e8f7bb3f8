"""Aging buckets: definitions, labels, and which bucket a number of days falls in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from huikuan.core.errors import InvalidValue
from huikuan.core.text import shorten

DEFAULT_LIMITS = (30, 60, 90, 180, 365)
BASES = ("due", "issue")
MAX_DAYS = 36500  # a bucket limit of 100 years: anything above is a typo
MAX_BUCKETS = 50


@dataclass(frozen=True)
class Buckets:
    """Bucket upper limits in days and the counting basis (``due`` or ``issue``)."""

    limits: tuple[int, ...] = DEFAULT_LIMITS
    basis: str = "due"

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise InvalidValue(f"basis must be 'due' or 'issue', not {self.basis!r}")
        if not self.limits or any(b <= a for a, b in zip(self.limits, self.limits[1:])):
            raise InvalidValue(
                "bucket limits must be increasing whole numbers of days, e.g. 30,60,90"
            )
        if self.limits[0] < 1:
            raise InvalidValue("bucket limits must be positive")
        if self.limits[-1] > MAX_DAYS or len(self.limits) > MAX_BUCKETS:
            raise InvalidValue(
                f"at most {MAX_BUCKETS} bucket limits of at most {MAX_DAYS} days (100 years)"
            )

    @property
    def labels(self) -> list[str]:
        """``current, 1-30, 31-60, …, 365+`` (due basis) or ``0-30, 31-60, …`` (issue basis)."""
        first = (
            ["current", f"1-{self.limits[0]}"] if self.basis == "due" else [f"0-{self.limits[0]}"]
        )
        middle = [f"{a + 1}-{b}" for a, b in zip(self.limits, self.limits[1:])]
        return [*first, *middle, f"{self.limits[-1]}+"]

    def index(self, days: int) -> int:
        """Bucket index for ``days`` past due (due basis) or since issue (issue basis)."""
        offset = 0
        if self.basis == "due":
            if days <= 0:
                return 0
            offset = 1
        for i, limit in enumerate(self.limits):
            if days <= limit:
                return i + offset
        return len(self.limits) + offset

    def cutoffs(self, as_of: date) -> list[date]:
        """Earliest date still in each bucket but the last, for date-range bucketing in SQL.

        A row whose reference date (due or issue) is ``>= cutoffs[i]`` (and not in an earlier
        bucket) falls in bucket ``i``; older rows fall in the last bucket.
        """
        first = [as_of] if self.basis == "due" else []
        return [*first, *(as_of - timedelta(days=n) for n in self.limits)]


def parse_limits(text: str) -> tuple[int, ...]:
    """Parse ``--buckets 30,60,90`` into limits."""
    try:
        limits = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise InvalidValue(
            f"buckets must be whole numbers of days like 30,60,90, not {shorten(text)!r}"
        ) from None
    Buckets(limits)
    return limits


@dataclass
class AgingRow:
    """One group's open amounts per bucket (分) in one currency, and its unapplied credit."""

    key: str
    name: str
    currency: str
    amounts: list[int]
    unapplied: int = 0

    @property
    def total(self) -> int:
        """Sum of the buckets (the open receivable, not netted with unapplied credit)."""
        return sum(self.amounts)


def summarize(
    cells: Iterable[tuple[str, str, str, int, int]],
    credits: Iterable[tuple[str, str, str, int]],
    n_buckets: int,
) -> tuple[list[AgingRow], list[AgingRow]]:
    """Group cells into rows (total descending, then key) and per-currency totals."""
    rows: dict[tuple[str, str], AgingRow] = {}
    for key, name, currency, bucket, amount in cells:
        row = rows.get((key, currency))
        if row is None:
            row = rows[key, currency] = AgingRow(key, name, currency, [0] * n_buckets)
        row.amounts[bucket] += amount
    return _rows_and_totals(rows, credits, n_buckets)


def summarize_groups(
    groups: Iterable[tuple[str, str, str, Sequence[int]]],
    credits: Iterable[tuple[str, str, str, int]],
    n_buckets: int,
) -> tuple[list[AgingRow], list[AgingRow]]:
    """:func:`summarize` for each group's amounts per bucket at once (a group with nothing
    open left out, as it has no cells): the same rows, without a cell per bucket."""
    rows: dict[tuple[str, str], AgingRow] = {}
    for key, name, currency, amounts in groups:
        if not any(amounts):
            continue
        row = rows.get((key, currency))
        if row is None:
            rows[key, currency] = AgingRow(key, name, currency, list(amounts))
        else:
            row.amounts = [a + b for a, b in zip(row.amounts, amounts)]
    return _rows_and_totals(rows, credits, n_buckets)


def _rows_and_totals(
    rows: dict[tuple[str, str], AgingRow],
    credits: Iterable[tuple[str, str, str, int]],
    n_buckets: int,
) -> tuple[list[AgingRow], list[AgingRow]]:
    """The credits added to the rows; the rows in order and the per-currency totals."""
    for key, name, currency, amount in credits:
        row = rows.get((key, currency))
        if row is None:
            row = rows[key, currency] = AgingRow(key, name, currency, [0] * n_buckets)
        row.unapplied += amount
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.key, r.currency))
    totals: dict[str, AgingRow] = {}
    for row in ordered:
        tot = totals.setdefault(row.currency, AgingRow("", "", row.currency, [0] * n_buckets))
        tot.amounts = [a + b for a, b in zip(tot.amounts, row.amounts)]
        tot.unapplied += row.unapplied
    return ordered, [totals[c] for c in sorted(totals)]
