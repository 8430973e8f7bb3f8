"""Typed rows and their output form (:func:`huikuan.core.rows.plain`)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from huikuan.core.rows import Fen, plain, plain_all


class _Sample(NamedTuple):
    name: str
    amount: Fen
    limit: Fen | None
    count: int
    day: dt.date
    at: dt.datetime | None
    flag: bool


def test_plain_formats_money_by_annotation_and_dates_as_iso() -> None:
    row = _Sample("甲", Fen(-123405), Fen(5), 1234, dt.date(2026, 3, 1), None, True)
    assert plain(row) == {
        "name": "甲",
        "amount": "-1234.05",
        "limit": "0.05",
        "count": 1234,  # an int that is not money stays a number
        "day": "2026-03-01",
        "at": None,
        "flag": True,
    }


def test_plain_keeps_field_order_and_none_money() -> None:
    stamp = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    row = _Sample("a", Fen(0), None, 0, dt.date(2026, 1, 2), stamp, False)
    (out,) = plain_all([row])
    assert list(out) == list(_Sample._fields)
    assert (out["amount"], out["limit"], out["at"]) == ("0.00", None, stamp.isoformat())
