"""Opening a PostgreSQL ledger (``--db postgresql://user@host/db``).

The engine comes from :func:`huikuan.db.engine.make_engine` (psycopg 3, the ``postgres``
extra; the password only from ``PGPASSWORD`` or ``~/.pgpass``). An empty database becomes a
ledger only with ``create`` (``huikuan init``); the schema is brought to the head like a file's.
"""

from __future__ import annotations

import sqlalchemy as sa

from huikuan.core.errors import HuikuanError
from huikuan.db import postgres
from huikuan.db.engine import LedgerURL, make_engine
from huikuan.db.schema import current_revision, ensure_schema
from huikuan.store.db import Ledger


def open_postgres(where: LedgerURL, user: str, *, create: bool = False) -> Ledger:
    """The ledger in the PostgreSQL database ``where``; errors name it without a password."""
    engine = make_engine(where)
    try:
        if not create:
            _require_ledger(engine, where)
        ensure_schema(engine)
        conn = postgres.open_connection(engine)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        raise HuikuanError(f"cannot open ledger {where.display()}: {_first_line(exc)}") from None
    except sa.exc.DatabaseError as exc:
        engine.dispose()
        raise HuikuanError(
            f"{where.display()} is not a huikuan ledger: {_first_line(exc)}"
        ) from None
    except BaseException:
        engine.dispose()
        raise
    return Ledger(None, conn, user, engine=postgres, name=where.display())


def _require_ledger(engine: sa.Engine, where: LedgerURL) -> None:
    with engine.connect() as conn:
        if current_revision(conn) is None:
            raise HuikuanError(
                f"no ledger in {where.display()} (run `huikuan init`, or point --db / "
                "HUIKUAN_DB at yours)"
            )


def _first_line(exc: sa.exc.DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else str(exc)
