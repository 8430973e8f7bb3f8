"""Booked provision runs (``provision book``) and the litigation flags' history.

A run keeps the policy it used and, per customer, currency and age band, the open amount,
the rate and the provision. Booking a date again marks the earlier run ``superseded`` (it is
kept); only live runs are compared with.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from huikuan.core.errors import Conflict
from huikuan.core.provision import (
    FlagChange,
    ProvisionPolicy,
    ProvisionRow,
    band_provisions,
    own_rate,
    policy_document,
)
from huikuan.store.ledger import audit

RUN_COLUMNS = "id, as_of, booked_at, booked_by, policy"


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


def _run(row: tuple[Any, ...] | None) -> BookedRun | None:
    if row is None:
        return None
    rid, as_of, at, by, policy = row
    return BookedRun(rid, date.fromisoformat(as_of), at, by, json.loads(policy))


def live_run(conn: sqlite3.Connection, day: date) -> BookedRun | None:
    """The live run booked as of ``day``, or None."""
    sql = f"SELECT {RUN_COLUMNS} FROM provision_run WHERE as_of = ? AND superseded = 0"
    return _run(conn.execute(sql, (day.isoformat(),)).fetchone())


def run_on_or_before(conn: sqlite3.Connection, day: date) -> BookedRun | None:
    """The live run as of ``day``, else the last one before it, or None."""
    sql = (
        f"SELECT {RUN_COLUMNS} FROM provision_run WHERE as_of <= ? AND superseded = 0"
        " ORDER BY as_of DESC LIMIT 1"
    )
    return _run(conn.execute(sql, (day.isoformat(),)).fetchone())


def run_rows(conn: sqlite3.Connection, run: BookedRun) -> list[ProvisionRow]:
    """The run's figures per customer and currency (names as the customers have them now)."""
    rows: dict[tuple[str, str], ProvisionRow] = {}
    sql = """SELECT c.code, c.name, l.currency, l.band, l.open, l.provision, l.rate_source
      FROM provision_line l JOIN customer c ON c.id = l.customer_id WHERE l.run_id = ?
      ORDER BY c.code, l.currency, l.band"""
    for code, name, cur, band, fen, provided, source in conn.execute(sql, (run.id,)):
        row = rows.setdefault(
            (code, cur), ProvisionRow(code, name, cur, [0] * run.width, 0, source)
        )
        row.bands[band] += fen
        row.provision += provided
    return list(rows.values())


def book(
    conn: sqlite3.Connection,
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
    if old is not None:
        conn.execute("UPDATE provision_run SET superseded = 1 WHERE id = ?", (old.id,))
    doc = policy_document(policy)
    run_id = conn.execute(
        "INSERT INTO provision_run (as_of, booked_at, booked_by, policy, reason, replaces)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (day.isoformat(), at, user, json.dumps(doc), reason, old.id if old else None),
    ).lastrowid
    assert run_id is not None
    _lines(conn, run_id, policy, rows)
    detail = {"run": run_id, "replaces": old.id if old else None, "reason": reason}
    audit(conn, user, "book", "provision", day.isoformat(), detail | {"totals": _totals(rows)})
    return run_id


def _lines(
    conn: sqlite3.Connection, run_id: int, policy: ProvisionPolicy, rows: list[ProvisionRow]
) -> None:
    ids = dict(conn.execute("SELECT code, id FROM customer"))
    lines = []
    for r in rows:
        own = own_rate(r, policy)
        rates = [own] * len(r.bands) if own is not None else list(policy.rates)
        for band, (fen, rate, part) in enumerate(zip(r.bands, rates, band_provisions(r, policy))):
            if fen:
                lines.append((run_id, ids[r.key], r.currency, band, fen, str(rate), part, r.source))
    conn.executemany(
        "INSERT INTO provision_line (run_id, customer_id, currency, band, open, rate,"
        " provision, rate_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        lines,
    )


def _totals(rows: list[ProvisionRow]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r.currency] = out.get(r.currency, 0) + r.provision
    return dict(sorted(out.items()))


def legal_now(conn: sqlite3.Connection) -> dict[str, bool]:
    """Each customer's litigation flag today."""
    return {code: bool(flag) for code, flag in conn.execute("SELECT code, legal FROM customer")}


def legal_changes(conn: sqlite3.Connection) -> list[FlagChange]:
    """Changes of the litigation flag from the audit log, oldest first, each dated by the
    local day it was recorded on."""
    out = []
    sql = """SELECT at, key, detail FROM audit WHERE entity = 'customer' AND action = 'edit'
      AND detail LIKE '%"legal"%' ORDER BY id"""
    for at, code, detail in conn.execute(sql):
        data = json.loads(detail or "null")
        new = (data or {}).get("new") or {}
        if not isinstance(new, dict) or "legal" not in new:
            continue
        old = (data.get("old") or {}).get("legal")
        on = datetime.fromisoformat(at).astimezone().date()
        out.append(FlagChange(code, on, None if old is None else bool(old), bool(new["legal"])))
    return out
