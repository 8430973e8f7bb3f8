"""Reading the audit log: who changed what, when, and why."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from huikuan.store.auditlog import AuditFilter, Entry

if TYPE_CHECKING:
    from huikuan.services.context import Context

__all__ = ["AuditFilter", "Entry", "audit_entries"]


def audit_entries(ctx: Context, where: AuditFilter) -> Iterator[Entry]:
    """Audit entries matching ``where``, oldest first (``detail`` as parsed JSON)."""
    from huikuan.store.auditlog import entries

    yield from entries(ctx.ledger.conn, where)
