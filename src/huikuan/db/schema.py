"""Bringing a ledger's schema to the head revision when it is opened.

A ledger records its Alembic revision in ``alembic_version``; when that is the head, nothing
more is done (and Alembic is not imported). A new, empty ledger gets the models' tables and is
stamped with the head (the way Alembic recommends: no replay of old steps). A ledger made by
huikuan 0.1 (SQLite, ``_migrations`` rows m001…) first gets its own pending 0.1 steps, then is
adopted: its ``user`` columns are renamed ``username`` and it is stamped with the baseline,
every row kept; later revisions are applied by Alembic. Everything happens under the write
lock, so two processes opening an old ledger at once upgrade it once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from huikuan.core.errors import HuikuanError
from huikuan.db.revision import BASELINE, HEAD

USER_COLUMNS = ("audit", "contact_log", "promise", "letter")  # 0.1 tables with a ``user`` column


def current_revision(conn: sa.Connection) -> str | None:
    """The ledger's revision, or None (new or 0.1)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def is_legacy(conn: sa.Connection) -> bool:
    """A ledger made by huikuan 0.1 (and not yet adopted)."""
    insp = sa.inspect(conn)
    return insp.has_table("_migrations") and not insp.has_table("alembic_version")


def ensure_schema(engine: sa.Engine) -> list[str]:
    """Upgrade the ledger to the head; return what was done (empty when nothing)."""
    with engine.connect() as conn:
        if current_revision(conn) == HEAD:
            return []
    if engine.dialect.name == "sqlite":
        _finish_legacy_chain(engine)
    done: list[str] = []
    conn = engine.connect().execution_options(huikuan_write=True)
    with conn, _rebuilds_allowed(conn), conn.begin():
        _bring_to_head(conn, done)
    return done


@contextmanager
def _rebuilds_allowed(conn: sa.Connection) -> Iterator[None]:
    """On SQLite, foreign keys off while migrating: a batch rebuild drops and renames a table
    other tables point at. The references are checked before the commit, then keys are on again.
    """
    raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
    if raw is None:
        yield
        return
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _check_references(conn: sa.Connection) -> None:
    """A migration must leave no row pointing at a missing row (SQLite, keys off)."""
    if conn.dialect.name == "sqlite" and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
        raise HuikuanError("the schema upgrade would break references between rows; nothing done")


def _bring_to_head(conn: sa.Connection, done: list[str]) -> None:
    """Adopt a 0.1 ledger, create a new one or upgrade an older one (inside the transaction)."""
    if is_legacy(conn):
        _adopt_legacy(conn)
        done.append("adopted a huikuan 0.1 ledger")
    revision = current_revision(conn)
    if revision is None:
        _create(conn)
        done.append(f"created at {HEAD}")
    elif revision != HEAD:
        _upgrade(conn)
        _check_references(conn)
        done.append(f"upgraded to {HEAD}")


def _create(conn: sa.Connection) -> None:
    """The models' tables in an empty database, stamped with the head."""
    from sqlmodel import SQLModel

    import huikuan.db.models  # noqa: F401  (registers the tables)

    if sa.inspect(conn).get_table_names():
        raise HuikuanError("the database holds tables but no huikuan schema revision")
    SQLModel.metadata.create_all(conn)
    _stamp(conn, HEAD)


def _stamp(conn: sa.Connection, revision: str) -> None:
    conn.exec_driver_sql(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
    )
    conn.execute(sa.text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})


def _finish_legacy_chain(engine: sa.Engine) -> None:
    """Apply the 0.1 steps an old ledger still lacks (they manage their own transactions)."""
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        has_legacy = conn.execute(  # type: ignore[union-attr]
            "SELECT 1 FROM sqlite_master WHERE name = '_migrations'"
        ).fetchone()
        if has_legacy:
            from huikuan.store.migrations import migrate, pending

            if pending(conn):  # type: ignore[arg-type]
                migrate(conn)  # type: ignore[arg-type]
    finally:
        raw.close()


def _adopt_legacy(conn: sa.Connection) -> None:
    """Make a 0.1 schema the baseline's and stamp it (rows untouched)."""
    for table in USER_COLUMNS:
        conn.exec_driver_sql(f'ALTER TABLE {table} RENAME COLUMN "user" TO username')
    _stamp(conn, BASELINE)


def _upgrade(conn: sa.Connection) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.util import CommandError

    cfg = Config()
    cfg.set_main_option("script_location", "huikuan.db:migrations")
    cfg.attributes["connection"] = conn
    try:
        command.upgrade(cfg, "head")
    except CommandError:  # a revision this huikuan does not know: made by a newer one
        have = current_revision(conn)
        raise HuikuanError(
            f"the ledger's schema revision {have} is newer than this huikuan knows"
            f" (it expects {HEAD}): upgrade huikuan"
        ) from None
