"""The per-dialect constructs give the same answers on both engines."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from huikuan.db.dialect import as_date, days_between, greatest, least, unindexed
from huikuan.db.engine import make_engine, parse_ledger_url

PG_URL = os.environ.get("HUIKUAN_TEST_DATABASE_URL")
ENGINES = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> sa.Engine:
    return make_engine(
        parse_ledger_url(tmp_path / "d.db" if request.param == "sqlite" else PG_URL or "")
    )


@pytest.mark.parametrize(
    ("a", "b", "days"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 1), 59),
        (dt.date(2024, 3, 1), dt.date(2024, 2, 1), -29),
        (dt.date(2026, 5, 5), dt.date(2026, 5, 5), 0),
    ],
)
def test_days_between(engine: sa.Engine, a: dt.date, b: dt.date, days: int) -> None:
    with engine.connect() as conn:
        assert conn.execute(sa.select(days_between(as_date(a), as_date(b)))).scalar() == days


def test_greatest_least(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(
                greatest(3, 7),
                least(3, 7),
                greatest(as_date(dt.date(2026, 1, 2)), as_date(dt.date(2025, 1, 2))),
            )
        ).one()
    assert row[0] == 7 and row[1] == 3 and str(row[2]) == "2026-01-02"


def test_unindexed_is_the_value_on_both_engines(engine: sa.Engine) -> None:
    day = as_date(dt.date(2026, 5, 5))
    with engine.connect() as conn:
        assert conn.execute(sa.select(unindexed(sa.literal(7)) + 1)).scalar() == 8
        assert conn.execute(sa.select(unindexed(day) <= day)).scalar()
    sqlite_sql = str(sa.select(unindexed(sa.column("d"))).compile(dialect=engine.dialect))
    assert ("+d" in sqlite_sql) == (engine.dialect.name == "sqlite")
