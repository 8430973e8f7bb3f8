"""Credit use cases: 5C scoring, stored assessments, limits, the credit check, the risk matrix.

Money in the results is ``Decimal`` yuan (two places), dates are ``date``. The store is
imported inside the functions: ``credit check`` starts quickly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from huikuan.core.errors import HuikuanError
from huikuan.core.money import to_decimal
from huikuan.services.creditcheck import CreditCheck as CreditCheck
from huikuan.services.creditcheck import check as check

if TYPE_CHECKING:
    from huikuan.core.credit import Assessment
    from huikuan.core.creditpolicy import CreditInputs
    from huikuan.services.context import Context
    from huikuan.store.credit_assessments import Stored

UNRATED = "unrated"


@dataclass(frozen=True)
class Scored:
    """A 5C assessment (:class:`~huikuan.core.credit.Assessment`) and its stored id (None
    when it was not stored)."""

    assessment: Assessment
    id: int | None

    @property
    def recommended_limit(self) -> Decimal:
        return to_decimal(self.assessment.recommended_limit)


@dataclass(frozen=True)
class StoredAssessment:
    """An assessment as stored: who made it, with its inputs, and when it was adopted."""

    id: int
    customer: str
    date: date
    assessor: str
    total: int
    rating: str
    recommended_limit: Decimal
    recommended_terms: str
    currency: str
    scores: dict[str, int]
    weights: dict[str, str]
    inputs: dict[str, Any]
    reasons: list[str]
    missing: list[str]
    applied_at: str | None  # UTC ISO time


@dataclass(frozen=True)
class CreditLine:
    """One customer in ``credit list``: latest rating, limit, exposure and what is left."""

    code: str
    name: str
    rating: str | None
    total: int | None
    last_assessed: date | None
    credit_limit: Decimal | None
    terms: str | None
    currency: str
    exposure: Decimal
    available: Decimal | None


@dataclass(frozen=True)
class RatingGroup:
    """Customers of one rating (or ``unrated``) and currency, with their summed money."""

    rating: str
    currency: str
    customers: int
    credit_limit: Decimal
    exposure: Decimal
    available: Decimal


@dataclass(frozen=True)
class RiskRow:
    """Open receivables of one rating and currency by days overdue (one amount a bucket)."""

    rating: str
    currency: str
    amounts: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, Decimal("0.00"))


@dataclass(frozen=True)
class RiskMatrix:
    """The risk matrix as of a day: bucket labels and one row per rating and currency."""

    as_of: date
    buckets: list[str]
    rows: list[RiskRow]


def inputs_from_json(text: str, source: str) -> dict[str, Any]:
    """The JSON object of assessment inputs in ``text`` (read from ``source``, for errors)."""
    from huikuan.store.sources import BadJson, JsonObject, loads

    try:
        data = loads(text)
    except BadJson as exc:
        raise HuikuanError(f"{source}:{exc.line}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise HuikuanError(f"{source}: expected a JSON object of inputs")
    if isinstance(data, JsonObject) and data.problem:
        raise HuikuanError(f"{source}: {data.problem}")
    return data


def score(ctx: Context, code: str, raw: Mapping[str, Any], *, store: bool = True) -> Scored:
    """Assess ``code`` on the 5C as of ``ctx.as_of`` from ``raw`` inputs (checked) and the
    ledger's payment history; store the assessment (history is kept) unless ``store`` is off."""
    from huikuan.core.credit import assess
    from huikuan.core.creditpolicy import parse_inputs
    from huikuan.store import credit as S
    from huikuan.store.credit_assessments import save
    from huikuan.store.ledger import require_customer

    inputs: CreditInputs = parse_inputs(raw)
    cfg, day = ctx.config, ctx.as_of
    with ctx.ledger.transaction() as conn:
        cid = require_customer(conn, code).id
        currency = S.limit_currency(conn, cid, cfg.currency)
        history = S.history(conn, cid, currency, day)
        result = assess(code, day, inputs, history, cfg.credit, currency)
        saved = save(conn, ctx.user, cid, result, inputs, ctx.clock()) if store else None
    return Scored(result, saved)


def assessments(ctx: Context, code: str) -> list[StoredAssessment]:
    """A customer's stored assessments, newest first."""
    from huikuan.store import credit_assessments as S
    from huikuan.store.ledger import require_customer

    conn = ctx.ledger.conn
    return [_stored(r) for r in S.assessments(conn, require_customer(conn, code).id)]


def _stored(row: Stored) -> StoredAssessment:
    at = None if row.applied_at is None else row.applied_at.isoformat()
    limit = to_decimal(row.recommended_limit)
    return StoredAssessment(**{**row._asdict(), "recommended_limit": limit, "applied_at": at})


def credit_lines(ctx: Context, stale: int | None = None) -> Iterator[CreditLine]:
    """Every customer's rating, limit, exposure and available credit as of ``ctx.as_of``
    (by code); with ``stale``, only those not assessed for that many days, or never."""
    from huikuan.store.creditlist import credit_rows

    rows = credit_rows(ctx.ledger.conn, ctx.as_of, stale, ctx.config.currency)
    for r in rows:
        limit = None if r.credit_limit is None else to_decimal(r.credit_limit)
        exposure = to_decimal(r.exposure)
        yield CreditLine(
            r.code, r.name, r.rating, r.total, r.last_assessed, limit, r.terms,
            r.currency, exposure, None if limit is None else limit - exposure,
        )  # fmt: skip


def by_rating(lines: Iterator[CreditLine] | list[CreditLine]) -> list[RatingGroup]:
    """Customers, limits, exposure and available credit summed per rating and currency, best
    rating first (``unrated`` last), then by currency. A missing limit counts as zero."""
    from huikuan.core.creditpolicy import RATINGS

    zero = Decimal("0.00")
    sums: dict[tuple[str, str], list[Any]] = {}
    for line in lines:
        g = sums.setdefault((line.rating or UNRATED, line.currency), [0, zero, zero, zero])
        g[0] += 1
        g[1] += line.credit_limit or zero
        g[2] += line.exposure
        g[3] += line.available or zero
    order = {r: n for n, r in enumerate((*RATINGS, UNRATED))}
    keys = sorted(sums, key=lambda k: (order[k[0]], k[1]))
    return [RatingGroup(k[0], k[1], *sums[k]) for k in keys]


def apply(ctx: Context, code: str, assessment: int | None = None) -> StoredAssessment:
    """Adopt an assessment's (default: the latest) limit and terms as the customer's (audited);
    return the assessment adopted."""
    from huikuan.store import credit_assessments as S

    at = ctx.clock()
    with ctx.ledger.transaction() as conn:
        adopted = _stored(S.apply(conn, ctx.user, code, assessment, at))
    return replace(adopted, applied_at=at)


def matrix(ctx: Context) -> RiskMatrix:
    """Open receivables as of ``ctx.as_of`` by the customers' latest rating × days overdue
    (the configured aging buckets), per currency; best rating first, ``unrated`` last."""
    from huikuan.core.aging import Buckets
    from huikuan.core.creditpolicy import RATINGS
    from huikuan.store import credit as S
    from huikuan.store.credit_assessments import latest

    conn, day = ctx.ledger.conn, ctx.as_of
    buckets = Buckets(ctx.config.buckets)
    ratings = {code: _rating(latest(conn, cid, day)) for cid, code, _ in S.customer_ids(conn)}
    cells: dict[tuple[str, str], list[int]] = {}
    for code, currency, b, fen in S.risk_cells(conn, day, buckets):
        cells.setdefault((ratings[code], currency), [0] * len(buckets.labels))[b] += fen
    order = {r: n for n, r in enumerate((*RATINGS, UNRATED))}
    keys = sorted(cells, key=lambda k: (order[k[0]], k[1]))
    rows = [RiskRow(k[0], k[1], [to_decimal(f) for f in cells[k]]) for k in keys]
    return RiskMatrix(day, list(buckets.labels), rows)


def _rating(found: Stored | None) -> str:
    """The rating of the latest assessment, ``unrated`` without one."""
    return found.rating if found is not None and found.rating else UNRATED
