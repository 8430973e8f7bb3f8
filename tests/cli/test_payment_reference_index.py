"""Revision 0005: the index on payment(customer_id, reference) behind the duplicate check.

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


def _engine() -> sa.Engine:
    return make_engine(parse_ledger_url(os.environ["HUIKUAN_DB"]))


def _payment_indexes(engine: sa.Engine) -> dict[str, list[str]]:
    return {
        ix["name"] or "": list(ix["column_names"])
        for ix in sa.inspect(engine).get_indexes("payment")
    }


def _revision(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one())


def test_a_new_ledger_has_the_index_at_head(cli: Any) -> None:
    cli("init")
    engine = _engine()
    assert _revision(engine) == HEAD
    assert _payment_indexes(engine)["payment_reference"] == ["customer_id", "reference"]
    engine.dispose()


def test_a_0004_ledger_upgrades_every_row_kept(cli: Any, tmp_path: Path) -> None:
    cli("init", "--demo")
    aging = json.loads(cli("aging", "--as-of", AS_OF, "--format", "json").stdout)
    engine = _engine()
    with engine.begin() as conn:  # the ledger as huikuan at revision 0004 left it
        conn.execute(sa.text("DROP INDEX payment_reference"))
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0004'"))
        payments = conn.execute(sa.text("SELECT * FROM payment ORDER BY id")).all()
    assert "payment_reference" not in _payment_indexes(engine)
    assert json.loads(cli("aging", "--as-of", AS_OF, "--format", "json").stdout) == aging
    assert _revision(engine) == HEAD
    assert _payment_indexes(engine)["payment_reference"] == ["customer_id", "reference"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT * FROM payment ORDER BY id")).all() == payments
    engine.dispose()
    copy = tmp_path / "copy.db"
    cli("db", "copy", "--to", str(copy))
    assert (
        json.loads(cli("--db", str(copy), "aging", "--as-of", AS_OF, "--format", "json").stdout)
        == aging
    )
