"""坏账准备 (bad-debt provision) by an aging matrix, with individual assessments.

Open receivables are put in age bands (default: within 1 year, 1–2, 2–3, over 3 years) and
each band carries a rate (default 5%, 20%, 50%, 100%). Age counts, by default, from the
issue date (账龄 from when the receivable arose); ``basis = "due"`` counts from the due date,
and then amounts not yet due fall in the first band.

A customer may instead get one rate for all its receivables: an individual assessment
(``[provision.customers] C005 = "80%"``) beats the litigation rate (``litigation_rate``, for
customers flagged in litigation), which beats the matrix.

Rounding: the provision of each band of each customer and currency is open × rate rounded
half-up to the 分 (an individual rate: the customer's open total × rate, rounded once);
rows and totals are sums of those.

Booking (``provision book``) keeps each run's figures and policy, so a later run can be
compared with what was booked; without a booked run, the earlier figures are rebuilt with
the litigation flags as they stood then (:func:`flags_on`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from huikuan.core.errors import InvalidValue
from huikuan.core.percent import in_range, parse_percent

DEFAULT_BANDS = (365, 730, 1095)
DEFAULT_RATES = ("5%", "20%", "50%", "100%")
KEYS = {"bands", "rates", "basis", "litigation_rate", "customers"}


@dataclass(frozen=True)
class ProvisionPolicy:
    """Band limits in days, one more rate than limits, the basis and the overrides."""

    bands: tuple[int, ...] = DEFAULT_BANDS
    rates: tuple[Decimal, ...] = tuple(parse_percent(r, "rate") for r in DEFAULT_RATES)
    basis: str = "issue"
    litigation_rate: Decimal | None = None
    customers: dict[str, Decimal] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """``0-1y, 1-2y, 2-3y, 3y+`` (whole years) or ``0-180d, 181-365d, 365d+``."""
        if all(b % 365 == 0 for b in self.bands):
            years = [b // 365 for b in self.bands]
            return [f"{a}-{b}y" for a, b in zip([0, *years], years)] + [f"{years[-1]}y+"]
        starts = [0, *(b + 1 for b in self.bands)]
        return [f"{a}-{b}d" for a, b in zip(starts, self.bands)] + [f"{self.bands[-1]}d+"]

    def rate_for(self, code: str, litigation: bool) -> tuple[Decimal | None, str]:
        """The customer's own rate and its source, or ``(None, "matrix")``."""
        if code in self.customers:
            return self.customers[code], "individual"
        if litigation and self.litigation_rate is not None:
            return self.litigation_rate, "litigation"
        return None, "matrix"


def policy_document(policy: ProvisionPolicy) -> dict[str, Any]:
    """The policy as JSON-ready data (rates as fraction strings) that :func:`make_provision`
    reads back unchanged."""
    lit = policy.litigation_rate
    return {
        "bands": list(policy.bands),
        "rates": [str(r) for r in policy.rates],
        "basis": policy.basis,
        "litigation_rate": None if lit is None else str(lit),
        "customers": {c: str(r) for c, r in sorted(policy.customers.items())},
    }


def make_provision(table: dict[str, Any]) -> ProvisionPolicy:
    """Parse and check ``[provision]``; every problem named after its setting."""
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise InvalidValue(f"unknown [provision] setting(s): {', '.join(unknown)}")
    bands = _bands(table.get("bands", list(DEFAULT_BANDS)))
    rates = [
        _rate(r, f"provision.rates[{n}]") for n, r in enumerate(table.get("rates", DEFAULT_RATES))
    ]
    if len(rates) != len(bands) + 1:
        raise InvalidValue(
            f"provision.rates needs {len(bands) + 1} rates for {len(bands)} band limits, not {len(rates)}"
        )
    basis = str(table.get("basis", "issue"))
    if basis not in ("issue", "due"):
        raise InvalidValue(f'provision.basis must be "issue" or "due", not {basis!r}')
    lit = table.get("litigation_rate")  # None: no litigation rate (also from a stored policy)
    customers = table.get("customers", {})
    if not isinstance(customers, dict):
        raise InvalidValue(
            '[provision.customers] must map customer codes to rates, e.g. C005 = "80%"'
        )
    return ProvisionPolicy(
        bands=tuple(bands),
        rates=tuple(rates),
        basis=basis,
        litigation_rate=_rate(lit, "provision.litigation_rate") if lit is not None else None,
        customers={str(c): _rate(r, f"provision.customers.{c}") for c, r in customers.items()},
    )


def _bands(value: Any) -> list[int]:
    if not isinstance(value, list) or not value or not all(isinstance(b, int) for b in value):
        raise InvalidValue(
            "provision.bands must be a list of whole numbers of days, e.g. [365, 730, 1095]"
        )
    if value[0] < 1 or any(b <= a for a, b in itertools.pairwise(value)):
        raise InvalidValue("provision.bands must be positive and increasing, e.g. [365, 730, 1095]")
    return list(value)


def _rate(value: Any, what: str) -> Decimal:
    return in_range(parse_percent(value, what), what)


def band_of_bucket(index: int, basis: str) -> int:
    """Band index from an aging bucket index over the same limits (due basis: current -> 0)."""
    return max(index - 1, 0) if basis == "due" else index


def fen_times(fen: int, rate: Decimal) -> int:
    """``fen × rate`` rounded half-up to the 分."""
    return int((Decimal(fen) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class ProvisionRow:
    """One customer's (or group's) open amounts per band in one currency, and the provision."""

    key: str
    name: str
    currency: str
    bands: list[int]
    provision: int = 0
    source: str = "matrix"

    @property
    def open(self) -> int:
        return sum(self.bands)


def provide(row: ProvisionRow, policy: ProvisionPolicy, own: Decimal | None, source: str) -> None:
    """Set ``row.provision`` by the matrix or by the customer's own rate."""
    row.source = source
    if own is not None:
        row.provision = fen_times(row.open, own)
    else:
        row.provision = sum(fen_times(f, r) for f, r in zip(row.bands, policy.rates))


def with_reversals(
    rows: list[ProvisionRow], old: list[ProvisionRow], width: int
) -> list[ProvisionRow]:
    """``rows`` plus an empty row (``width`` bands) for each key provided for in ``old`` and
    settled since, so the reversal of its provision shows (``old`` may be a booked run with
    other bands)."""
    now = {(r.key, r.currency) for r in rows}
    gone = [r for r in old if (r.key, r.currency) not in now]
    return rows + [ProvisionRow(r.key, r.name, r.currency, [0] * width, 0, r.source) for r in gone]


def merge(rows: list[ProvisionRow], key_of: dict[str, str]) -> list[ProvisionRow]:
    """Sum customer rows into groups (``key_of``: customer code -> group key), per currency.

    A group's source is its customers' common source, or ``mixed``.
    """
    out: dict[tuple[str, str], ProvisionRow] = {}
    for r in rows:
        k = key_of.get(r.key, "")
        g = out.get((k, r.currency))
        if g is None:
            out[(k, r.currency)] = ProvisionRow(
                k, k, r.currency, list(r.bands), r.provision, r.source
            )
            continue
        g.bands = [a + b for a, b in zip(g.bands, r.bands)]
        g.provision += r.provision
        g.source = g.source if g.source == r.source else "mixed"
    return list(out.values())


def own_rate(row: ProvisionRow, policy: ProvisionPolicy) -> Decimal | None:
    """The customer's own rate behind ``row.source`` (None: the matrix)."""
    return (
        policy.rate_for(row.key, row.source == "litigation")[0] if row.source != "matrix" else None
    )


def band_provisions(row: ProvisionRow, policy: ProvisionPolicy) -> list[int]:
    """``row.provision`` split by band, summing to it exactly: by the matrix each band's
    open × its rate; with an own rate (rounded once on the total) each band gets the step of
    the rounded running total, so no band is negative."""
    own = own_rate(row, policy)
    if own is None:
        return [fen_times(f, r) for f, r in zip(row.bands, policy.rates)]
    running = list(itertools.accumulate(row.bands))
    steps = [fen_times(total, own) for total in running]
    return [b - a for a, b in zip([0, *steps], steps)]


@dataclass(frozen=True)
class FlagChange:
    """A change of a customer's litigation flag on a day; ``old`` None when not recorded."""

    code: str
    on: date
    old: bool | None
    new: bool


def flags_on(
    current: dict[str, bool], changes: list[FlagChange], day: date
) -> tuple[dict[str, bool], list[FlagChange]]:
    """The flags as they stood at the end of ``day``, from today's and the changes since
    (oldest first); and the changes whose old value had to be inferred (the value set by the
    customer's previous change, else not in litigation, as every customer starts), each
    with the value taken as its ``old``."""
    flags, guessed = dict(current), []
    for n in range(len(changes) - 1, -1, -1):
        change = changes[n]
        if change.on <= day:
            continue
        if change.old is None:
            earlier = [c.new for c in changes[:n] if c.code == change.code]
            flags[change.code] = earlier[-1] if earlier else False
            guessed.append(replace(change, old=flags[change.code]))
        else:
            flags[change.code] = change.old
    return flags, guessed[::-1]
