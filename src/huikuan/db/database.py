"""An open ledger: its engine, and the units of work the services run in.

``read()`` gives a session for reports; ``write()`` a session in one transaction that commits
when the block ends and rolls back on any exception (all-or-nothing). On SQLite a write
transaction holds the write lock from its start; on PostgreSQL rows are locked as they are
read ``FOR UPDATE`` where a use case needs it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from huikuan.core.errors import HuikuanError
from huikuan.db.engine import LedgerURL, make_engine, parse_ledger_url
from huikuan.db.schema import ensure_schema


class Database:
    """One ledger, SQLite file or PostgreSQL database."""

    def __init__(self, where: LedgerURL, engine: sa.Engine) -> None:
        self.where = where
        self.engine = engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (one consistent snapshot on both engines)."""
        with Session(self.engine) as session:
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction: commit at the end, roll back on error."""
        conn = self.engine.connect().execution_options(huikuan_write=True)
        try:
            with Session(bind=conn) as session, session.begin():
                yield session
        finally:
            conn.close()

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()


def open_database(value: str | Path, *, create: bool = False) -> Database:
    """Open the ledger at ``value`` (path or URL), creating it with ``create``; upgrade it."""
    where = parse_ledger_url(value)
    if where.engine == "sqlite" and where.path is not None:
        _check_or_create_file(where.path, create)
    db = Database(where, make_engine(where))
    try:
        ensure_schema(db.engine)
    except sa.exc.OperationalError:
        db.close()
        raise
    except sa.exc.DatabaseError as exc:
        db.close()
        raise HuikuanError(f"{where.display()} is not a huikuan ledger: {exc.orig}") from None
    return db


def _check_or_create_file(path: Path, create: bool) -> None:
    if path.exists():
        return
    if not create:
        raise HuikuanError(
            f"no ledger at {path} (run `huikuan init`, or point --db / HUIKUAN_DB at yours)"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise HuikuanError(f"cannot create ledger {path}: {exc.strerror}") from None
    os.close(fd)
