"""Booked provision runs (``provision book``) and the litigation flags' history.

A run keeps the policy it used and, per customer, currency and age band, the open amount,
the rate and the provision. Booking a date again marks the earlier run ``superseded`` (it is
kept); only live runs are compared with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from huikuan.core.errors import Conflict
from huikuan.core.provision import (
    FlagChange,
    ProvisionPolicy,
    ProvisionRow,
    band_provisions,
    own_rate,
    policy_document,
)
from huikuan.db.models import Audit, Customer, ProvisionLine, ProvisionRun
from huikuan.db.tables import table_of
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import audit

RUN = table_of(ProvisionRun)
LINE = table_of(ProvisionLine)
CUST = table_of(Customer)
AUDIT = table_of(Audit)
DAY = sa.bindparam("d", type_=sa.Date())


@dataclass(frozen=True)
class BookedRun:
    """One live booked run: when, by whom, as of which day, under which policy."""

    id: int
    as_of: date
    booked_at: str
    booked_by: str
    policy: dict[str, Any]

    @property
    def width(self) -> int:
        """Number of age bands the run used."""
        return len(self.policy["bands"]) + 1


def _run(row: Any) -> BookedRun | None:
    if row is None:
        return None
    rid, as_of, at, by, policy = row
    return BookedRun(rid, as_of, at.isoformat(timespec="seconds"), by, json.loads(policy))


def run_statement(on_or_before: bool) -> sa.Select[Any]:
    """The live run as of ``:d`` (or the last one up to it, ``on_or_before``)."""
    cols = (RUN.c.id, RUN.c.as_of, RUN.c.booked_at, RUN.c.booked_by, RUN.c.policy)
    live = RUN.c.superseded == sa.false()
    if not on_or_before:
        return sa.select(*cols).where(RUN.c.as_of == DAY, live)
    stmt = sa.select(*cols).where(RUN.c.as_of <= DAY, live)
    return stmt.order_by(RUN.c.as_of.desc()).limit(1)


def live_run(conn: Connection, day: date) -> BookedRun | None:
    """The live run booked as of ``day``, or None."""
    return _run(sa_of(conn).execute(run_statement(False), {"d": day}).first())


def run_on_or_before(conn: Connection, day: date) -> BookedRun | None:
    """The live run as of ``day``, else the last one before it, or None."""
    return _run(sa_of(conn).execute(run_statement(True), {"d": day}).first())


def run_rows_statement() -> sa.Select[Any]:
    """The lines of run ``:run`` with their customers' code and name, in order."""
    cols = (LINE.c.currency, LINE.c.band, LINE.c.open, LINE.c.provision, LINE.c.rate_source)
    stmt = sa.select(CUST.c.code, CUST.c.name, *cols)
    stmt = stmt.join_from(LINE, CUST, CUST.c.id == LINE.c.customer_id)
    stmt = stmt.where(LINE.c.run_id == sa.bindparam("run"))
    return stmt.order_by(CUST.c.code, LINE.c.currency, LINE.c.band)


def run_rows(conn: Connection, run: BookedRun) -> list[ProvisionRow]:
    """The run's figures per customer and currency (names as the customers have them now)."""
    rows: dict[tuple[str, str], ProvisionRow] = {}
    result = sa_of(conn).execute(run_rows_statement(), {"run": run.id})
    for code, name, cur, band, fen, provided, source in result:
        row = rows.setdefault(
            (code, cur), ProvisionRow(code, name, cur, [0] * run.width, 0, source)
        )
        row.bands[band] += fen
        row.provision += provided
    return list(rows.values())


def book(
    conn: Connection,
    user: str,
    booking: tuple[date, str],
    policy: ProvisionPolicy,
    rows: list[ProvisionRow],
    replace: tuple[bool, str | None] = (False, None),
) -> int:
    """Record a run as of ``booking = (day, booked_at)``; with ``replace = (True, reason)``
    it supersedes the live run of that day (kept), else that run makes it a conflict.
    Audited. Returns the run's id."""
    day, at = booking
    again, reason = replace
    old = live_run(conn, day)
    if old is not None and not again:
        raise Conflict(
            f"a provision as of {day} is already booked (run {old.id}, at {old.booked_at} by "
            f"{old.booked_by}); give --replace --reason … to book it again (the earlier run is kept)"
        )
    db = sa_of(conn)
    if old is not None:
        db.execute(sa.update(RUN).where(RUN.c.id == old.id).values(superseded=True))
    doc = json.dumps(policy_document(policy))
    values = {"as_of": day, "booked_at": at, "booked_by": user, "policy": doc}
    values |= {"reason": reason, "replaces": old.id if old else None}
    run_id: int = db.execute(sa.insert(RUN).values(values).returning(RUN.c.id)).scalar_one()
    _lines(conn, run_id, policy, rows)
    detail = {"run": run_id, "replaces": old.id if old else None, "reason": reason}
    audit(conn, user, "book", "provision", day.isoformat(), detail | {"totals": _totals(rows)})
    return run_id


def _lines(
    conn: Connection, run_id: int, policy: ProvisionPolicy, rows: list[ProvisionRow]
) -> None:
    db = sa_of(conn)
    ids = {code: cid for code, cid in db.execute(sa.select(CUST.c.code, CUST.c.id))}
    lines = []
    for r in rows:
        own = own_rate(r, policy)
        rates = [own] * len(r.bands) if own is not None else list(policy.rates)
        for band, (fen, rate, part) in enumerate(zip(r.bands, rates, band_provisions(r, policy))):
            if fen:
                line = (run_id, ids[r.key], r.currency, band, fen, str(rate), part, r.source)
                lines.append(dict(zip(LINE_COLUMNS, line)))
    if lines:
        db.execute(sa.insert(LINE), lines)


LINE_COLUMNS = (
    "run_id",
    "customer_id",
    "currency",
    "band",
    "open",
    "rate",
    "provision",
    "rate_source",
)


def _totals(rows: list[ProvisionRow]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r.currency] = out.get(r.currency, 0) + r.provision
    return dict(sorted(out.items()))


def legal_now(conn: Connection) -> dict[str, bool]:
    """Each customer's litigation flag today."""
    return {
        code: bool(flag) for code, flag in sa_of(conn).execute(sa.select(CUST.c.code, CUST.c.legal))
    }


def legal_changes(conn: Connection) -> list[FlagChange]:
    """Changes of the litigation flag from the audit log, oldest first, each dated by the
    local day it was recorded on."""
    out = []
    for at, code, detail in sa_of(conn).execute(legal_changes_statement()):
        data = json.loads(detail or "null")
        new = (data or {}).get("new") or {}
        if not isinstance(new, dict) or "legal" not in new:
            continue
        old = (data.get("old") or {}).get("legal")
        on = at.astimezone().date()
        out.append(FlagChange(code, on, None if old is None else bool(old), bool(new["legal"])))
    return out


def legal_changes_statement() -> sa.Select[Any]:
    """``(at, code, detail)`` of the customer edits that name the litigation flag, in order."""
    where = (AUDIT.c.entity == "customer", AUDIT.c.action == "edit")
    stmt = sa.select(AUDIT.c.at, AUDIT.c.key, AUDIT.c.detail).where(*where)
    return stmt.where(AUDIT.c.detail.like('%"legal"%')).order_by(AUDIT.c.id)
