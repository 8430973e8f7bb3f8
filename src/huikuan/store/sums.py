"""Sums of 分 that stay integers on both engines (:mod:`huikuan.store.collections` re-exports
them; this module is light, for the commands that start quickly)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def fen_sum(value: Any) -> sa.ColumnElement[int]:
    """``SUM`` of 分 as a 64-bit integer on both engines (PostgreSQL sums ``bigint`` as
    ``numeric``, which would come back as ``Decimal``)."""
    return sa.cast(sa.func.sum(value), sa.BigInteger)


def fen_total(value: Any) -> sa.ColumnElement[int]:
    """``COALESCE(SUM(value), 0)`` of 分, an integer on both engines."""
    return sa.func.coalesce(fen_sum(value), 0)
