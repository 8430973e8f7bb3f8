"""Revision 0006: allocation_invoice widened to a covering index (invoice_id, date, amount,
payment_id) for the reports that sum an invoice's allocations by date.

Runs on the test's ledger (a SQLite file, or PostgreSQL when the suite runs there).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from huikuan.db.engine import make_engine, parse_ledger_url
from huikuan.db.revision import HEAD

AS_OF = "2026-11-22"
COVER = ["invoice_id", "date", "amount", "payment_id"]


def _engine() -> sa.Engine:
    return make_engine(parse_ledger_url(os.environ["HUIKUAN_DB"]))


def _allocation_indexes(engine: sa.Engine) -> dict[str, list[str]]:
    return {
        ix["name"] or "": list(ix["column_names"])
        for ix in sa.inspect(engine).get_indexes("allocation")
    }


def _revision(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one())


def _reports(cli: Any, *db: str) -> tuple[Any, Any]:
    aging = cli(*db, "aging", "--as-of", AS_OF, "--format", "json").stdout
    interest = cli(*db, "interest", "--include-paid", "--as-of", AS_OF, "--format", "json")
    return json.loads(aging), json.loads(interest.stdout)


def test_a_new_ledger_has_the_covering_index(cli: Any) -> None:
    cli("init")
    engine = _engine()
    assert _revision(engine) == HEAD
    assert _allocation_indexes(engine)["allocation_invoice"] == COVER
    engine.dispose()


def test_a_0005_ledger_upgrades_every_row_kept(cli: Any, tmp_path: Path) -> None:
    cli("init", "--demo")
    before = _reports(cli)
    engine = _engine()
    with engine.begin() as conn:  # the ledger as huikuan at revision 0005 left it
        conn.execute(sa.text("DROP INDEX allocation_invoice"))
        conn.execute(sa.text("CREATE INDEX allocation_invoice ON allocation (invoice_id)"))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0005'"))
        rows = conn.execute(sa.text("SELECT * FROM allocation ORDER BY id")).all()
    assert _allocation_indexes(engine)["allocation_invoice"] == ["invoice_id"]
    assert rows and _reports(cli) == before  # opening the ledger upgrades it
    assert _revision(engine) == HEAD
    assert _allocation_indexes(engine)["allocation_invoice"] == COVER
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT * FROM allocation ORDER BY id")).all() == rows
    engine.dispose()
    copy = tmp_path / "copy.db"
    cli("db", "copy", "--to", str(copy))
    assert _reports(cli, "--db", str(copy)) == before
