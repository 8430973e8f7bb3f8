"""Stored credit assessments: every 5C assessment kept with its inputs, weights, scores and
advice; the latest one rates a customer; adopting one sets the customer's limit and terms."""

from __future__ import annotations

import datetime as dt
import json
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa

from huikuan.core.errors import NotFound
from huikuan.core.money import format_fen
from huikuan.core.rows import Fen
from huikuan.db.tables import credit_assessment, customer
from huikuan.store.db import Connection, sa_of
from huikuan.store.refs import require_customer

if TYPE_CHECKING:
    from huikuan.core.credit import Assessment
    from huikuan.core.creditpolicy import CreditInputs

_CID = sa.bindparam("cid", type_=sa.Integer())
_AS_OF = sa.bindparam("as_of", type_=sa.Date())
_JSON = ("scores", "weights", "inputs", "reasons", "missing")  # stored as JSON text


class Stored(NamedTuple):
    """An assessment as stored, with its customer's code; ``applied_at`` once adopted."""

    id: int
    customer: str
    date: dt.date
    assessor: str
    total: int
    rating: str
    recommended_limit: Fen
    recommended_terms: str
    currency: str
    scores: dict[str, int]
    weights: dict[str, str]
    inputs: dict[str, Any]
    reasons: list[str]
    missing: list[str]
    applied_at: dt.datetime | None


def save(
    conn: Connection, user: str, cid: int, a: Assessment, inputs: CreditInputs, now: str
) -> int:
    """Store an assessment (history is never overwritten); return its id."""
    stmt = sa.insert(credit_assessment).values(
        customer_id=cid,
        date=a.date,
        assessor=user,
        inputs=_dump(inputs.as_json()),
        weights=_dump({k: str(v) for k, v in a.weights.items()}),
        scores=_dump(a.scores),
        total=a.total,
        rating=a.rating,
        recommended_limit=a.recommended_limit,
        recommended_terms=a.recommended_terms,
        currency=a.currency,
        reasons=_dump(a.reasons),
        missing=_dump(a.missing),
        created_at=now,
    )
    new_id = sa_of(conn).execute(stmt.returning(credit_assessment.c.id)).scalar_one()
    from huikuan.store.ledger import audit  # the write paths only: reads start quickly

    audit(conn, user, "assess", "credit", a.customer, {"rating": a.rating, "total": a.total})
    return int(new_id)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def assessment_query() -> sa.Select[Any]:
    """Stored assessments with their customer's code (to complete with ``where``)."""
    a = credit_assessment.c
    return sa.select(
        a.id,
        customer.c.code.label("customer"),
        a.date,
        a.assessor,
        a.total,
        a.rating,
        a.recommended_limit,
        a.recommended_terms,
        a.currency,
        a.scores,
        a.weights,
        a.inputs,
        a.reasons,
        a.missing,
        a.applied_at,
    ).join(customer, customer.c.id == a.customer_id)


def _row(found: Any) -> Stored:
    """A stored assessment with its JSON fields read."""
    row = found._asdict()
    for key in _JSON:
        row[key] = json.loads(row[key])
    return Stored(**row)


def assessments(conn: Connection, cid: int) -> list[Stored]:
    """A customer's assessments, newest first."""
    a = credit_assessment.c
    stmt = assessment_query().where(a.customer_id == cid).order_by(a.date.desc(), a.id.desc())
    return [_row(r) for r in sa_of(conn).execute(stmt)]


def latest(conn: Connection, cid: int, as_of: date | None = None) -> Stored | None:
    """The newest assessment dated on or before ``as_of`` (any date when None)."""
    p = {"cid": cid, "as_of": as_of or date.max}
    found = sa_of(conn).execute(_latest(), p).first()
    return _row(found) if found else None


@cache
def _latest() -> sa.Select[Any]:
    a = credit_assessment.c
    return (
        assessment_query()
        .where(a.customer_id == _CID, a.date <= _AS_OF)
        .order_by(a.date.desc(), a.id.desc())
        .limit(1)
    )


def apply(conn: Connection, user: str, code: str, assessment_id: int | None, now: str) -> Stored:
    """Adopt an assessment's limit and terms as the customer's (audited); return it."""
    from huikuan.store.ledger import audit  # the write paths only: reads start quickly

    cid = require_customer(conn, code).id
    rows = assessments(conn, cid)
    pick = (
        rows[0]
        if rows and assessment_id is None
        else next((r for r in rows if r.id == assessment_id), None)
    )
    if pick is None:
        which = f"assessment {assessment_id}" if assessment_id else "an assessment"
        raise NotFound(f"customer {code} has no {which} (run `huikuan credit score {code}`)")
    db, c, a = sa_of(conn), customer.c, credit_assessment.c
    old = db.execute(sa.select(c.credit_limit, c.terms).where(c.id == cid)).one()
    db.execute(
        sa.update(customer)
        .where(c.id == cid)
        .values(credit_limit=pick.recommended_limit, terms=pick.recommended_terms)
    )
    db.execute(sa.update(credit_assessment).where(a.id == pick.id).values(applied_at=now))
    audit(
        conn,
        user,
        "apply",
        "credit",
        code,
        {
            "assessment": pick.id,
            "old": {
                "credit_limit": None if old[0] is None else format_fen(old[0]),
                "terms": old[1],
            },
            "new": {
                "credit_limit": format_fen(pick.recommended_limit),
                "terms": pick.recommended_terms,
            },
        },
    )
    return pick
