"""SQL behind ``provision`` and ``cost bad-debt``: open amounts by age band, write-offs."""

from __future__ import annotations

import sqlite3
from datetime import date

from huikuan.core.aging import Buckets
from huikuan.core.provision import ProvisionPolicy, ProvisionRow, band_of_bucket, provide
from huikuan.store.reports import aging_cells


def provision_rows(
    conn: sqlite3.Connection,
    policy: ProvisionPolicy,
    as_of: date,
    legal: dict[str, bool] | None = None,
) -> list[ProvisionRow]:
    """Per customer and currency: open amounts as of D by band, and the provision.

    Litigation flags: ``legal`` (code -> flag) when given, else the customers' flags now.
    """
    spec = Buckets(policy.bands, policy.basis)
    rows: dict[tuple[str, str], ProvisionRow] = {}
    width = len(policy.bands) + 1
    for code, name, currency, index, fen in aging_cells(conn, as_of, spec, "customer", False):
        row = rows.setdefault((code, currency), ProvisionRow(code, name, currency, [0] * width))
        row.bands[band_of_bucket(index, policy.basis)] += fen
    if legal is None:
        legal = dict(conn.execute("SELECT code, legal FROM customer"))
    for row in rows.values():
        provide(row, policy, *policy.rate_for(row.key, bool(legal.get(row.key))))
    return list(rows.values())


def segments(conn: sqlite3.Connection) -> dict[str, str]:
    """Customer code -> segment ('' when none)."""
    return dict(conn.execute("SELECT code, COALESCE(segment, '') FROM customer"))


def written_off(conn: sqlite3.Connection, start: date | None, end: date) -> list[tuple[str, int]]:
    """``(currency, 分)`` written off (坏账核销) from ``start`` (or the beginning) to ``end``."""
    return conn.execute(
        "SELECT currency, SUM(amount) FROM payment WHERE kind = 'write_off'"
        " AND date <= :e AND (:s IS NULL OR date >= :s) GROUP BY currency ORDER BY currency",
        {"s": start.isoformat() if start else None, "e": end.isoformat()},
    ).fetchall()
