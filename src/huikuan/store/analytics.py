"""SQL behind ``provision`` and ``cost bad-debt``: open amounts by age band, write-offs."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from huikuan.core.aging import Buckets
from huikuan.core.provision import ProvisionPolicy, ProvisionRow, band_of_bucket, provide
from huikuan.db.models import Customer, Payment
from huikuan.db.tables import table_of
from huikuan.store.db import Connection, sa_of
from huikuan.store.reports import aging_cells

CUST = table_of(Customer)
PAY = table_of(Payment)
START = sa.bindparam("s", type_=sa.Date())
END = sa.bindparam("e", type_=sa.Date())


def provision_rows(
    conn: Connection,
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
        legal = {code: bool(flag) for code, flag in sa_of(conn).execute(legal_statement())}
    for row in rows.values():
        provide(row, policy, *policy.rate_for(row.key, bool(legal.get(row.key))))
    return list(rows.values())


def legal_statement() -> sa.Select[Any]:
    """``(code, litigation flag)`` of every customer."""
    return sa.select(CUST.c.code, CUST.c.legal)


def segments_statement() -> sa.Select[Any]:
    """``(code, segment or '')`` of every customer."""
    return sa.select(CUST.c.code, sa.func.coalesce(CUST.c.segment, ""))


def segments(conn: Connection) -> dict[str, str]:
    """Customer code -> segment ('' when none)."""
    return {code: seg for code, seg in sa_of(conn).execute(segments_statement())}


def written_off_statement(since: bool) -> sa.Select[Any]:
    """``(currency, 分)`` of write-offs dated up to ``:e`` (and from ``:s`` when ``since``)."""
    where = [PAY.c.kind == "write_off", PAY.c.date <= END]
    if since:
        where.append(PAY.c.date >= START)
    total = sa.cast(sa.func.sum(PAY.c.amount), sa.BigInteger)
    stmt = sa.select(PAY.c.currency, total).where(*where).group_by(PAY.c.currency)
    return stmt.order_by(PAY.c.currency)


def written_off(conn: Connection, start: date | None, end: date) -> list[tuple[str, int]]:
    """``(currency, 分)`` written off (坏账核销) from ``start`` (or the beginning) to ``end``."""
    params = {"e": end} | ({"s": start} if start else {})
    result = sa_of(conn).execute(written_off_statement(start is not None), params)
    return [(currency, fen) for currency, fen in result]
