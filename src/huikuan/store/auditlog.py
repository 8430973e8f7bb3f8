"""Reading the audit log (written by :func:`huikuan.store.ledger.audit`), oldest first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import col

from huikuan.db.models import Audit
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import id_of

STREAM = {"yield_per": 2000}


@dataclass(frozen=True)
class AuditFilter:
    """Which entries: of an entity (``invoice``, ``payment``, …), a key (``INV-1``, ``C001``),
    recorded on or after a day (UTC), by a user. None means any."""

    entity: str | None = None
    key: str | None = None
    since: date | None = None
    user: str | None = None


class Entry(NamedTuple):
    """An audit entry: when (UTC), who, what was done to which record, and the detail (the
    parsed JSON: reason, values before and after; text that is not JSON as it is)."""

    id: int
    at: datetime
    user: str
    action: str
    entity: str
    key: str | None
    detail: Any


def entries(conn: Connection, where: AuditFilter) -> Iterator[Entry]:
    """Audit entries (id, at, user, action, entity, key, detail as parsed JSON)."""
    stmt = sa.select(
        id_of(Audit),
        col(Audit.at),
        col(Audit.username),
        col(Audit.action),
        col(Audit.entity),
        col(Audit.key),
        col(Audit.detail),
    )
    if where.entity is not None:
        stmt = stmt.where(col(Audit.entity) == where.entity)
    if where.key is not None:
        stmt = stmt.where(col(Audit.key) == where.key)
    if where.user is not None:
        stmt = stmt.where(col(Audit.username) == where.user)
    if where.since is not None:
        stmt = stmt.where(col(Audit.at) >= datetime.combine(where.since, time(), UTC))
    stmt = stmt.order_by(id_of(Audit)).execution_options(**STREAM)
    for rid, at, user, action, entity, key, detail in sa_of(conn).execute(stmt):
        yield Entry(rid, at, user, action, entity, key, _parsed(detail))


def _parsed(detail: str | None) -> Any:
    if detail is None:
        return None
    try:
        return json.loads(detail)
    except ValueError:
        return detail
