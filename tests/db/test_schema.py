"""Opening a ledger brings it to the head: new ledgers, and huikuan 0.1 ledgers in place."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import SQLModel

import huikuan.db.models  # noqa: F401  (the tables)
from huikuan.db.engine import make_engine, parse_ledger_url
from huikuan.db.schema import HEAD, _upgrade, current_revision, ensure_schema

FIXTURES = Path(__file__).parent.parent / "fixtures"
OLD = FIXTURES / "ledger-0.1-demo.db"


def _columns(engine: sa.Engine) -> dict[str, set[str]]:
    insp = sa.inspect(engine)
    return {
        t: {c["name"] for c in insp.get_columns(t)}
        for t in insp.get_table_names()
        if t not in ("alembic_version", "_migrations")
    }


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    names = [n for n in names if not n.startswith("sqlite_stat")]  # planner statistics, not rows
    out = {n: conn.execute(f"SELECT COUNT(*) FROM {n}").fetchone()[0] for n in names}
    conn.close()
    return out


MODEL_COLUMNS = {t.name: set(t.columns.keys()) for t in SQLModel.metadata.sorted_tables}


def test_new_ledger_gets_the_models_schema(tmp_path: Path) -> None:
    engine = make_engine(parse_ledger_url(tmp_path / "new.db"))
    assert ensure_schema(engine) == [f"created at {HEAD}"]
    assert _columns(engine) == MODEL_COLUMNS
    assert ensure_schema(engine) == []


def test_the_migrations_from_scratch_give_the_models_schema(tmp_path: Path) -> None:
    """The Alembic history (baseline and later revisions) and the models never drift apart."""
    engine = make_engine(parse_ledger_url(tmp_path / "replayed.db"))
    with engine.begin() as conn:
        _upgrade(conn)
        assert current_revision(conn) == HEAD
    assert _columns(engine) == MODEL_COLUMNS


def test_old_ledger_adopted_with_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(OLD, path)
    before = _counts(path)
    engine = make_engine(parse_ledger_url(path))
    assert ensure_schema(engine)[0] == "adopted a huikuan 0.1 ledger"
    with engine.connect() as conn:
        assert current_revision(conn) == HEAD
    after = _counts(path)
    assert {k: after[k] for k in before if k != "_migrations"} == {
        k: v for k, v in before.items() if k != "_migrations"
    }
    assert after["_migrations"] == before["_migrations"] + 2  # m009, m010 applied first
    assert _columns(engine) == MODEL_COLUMNS
