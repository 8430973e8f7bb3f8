"""The PostgreSQL test server: a database per test, cloned from a template and dropped.

``HUIKUAN_TEST_DATABASE_URL`` names a database on the server that the test user may connect
to and create databases from. Databases are made with ``STRATEGY FILE_COPY`` (a file copy of
the template: ~70 ms for a ledger's ~100 files on a server in memory, faster than WAL-logging
every block). A worker thread with a connection of its own drops each test's database after
the test and has the next clone of the same template ready before it is asked for, so a test
waits for neither.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import uuid
from collections.abc import Callable

import sqlalchemy as sa

PG_SERVER = os.environ.get("HUIKUAN_TEST_DATABASE_URL")


class PgServer:
    """Admin connections to the test server; names its databases ``ht_<run>_<n>``."""

    def __init__(self, url: str) -> None:
        self.base = sa.make_url(url).set(drivername="postgresql+psycopg")
        if self.base.password:
            os.environ["PGPASSWORD"] = str(self.base.password)  # the CLI reads it from there
        self.engine = sa.create_engine(
            self.base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )
        self.conn = self.engine.connect()
        self.run = uuid.uuid4().hex[:8]
        self.numbers = itertools.count(1)
        self.made: set[str] = set()
        self.errors: list[Exception] = []  # the worker's, for a look in a debugger
        self.ready: dict[str | None, queue.Queue[str]] = {}
        self.jobs: queue.Queue[Callable[[sa.Connection], None] | None] = queue.Queue()
        self.worker = threading.Thread(target=self._work, daemon=True)
        self.worker.start()

    def create(self, template: str | None = None) -> str:
        """A new database now (a copy of ``template`` if given); its name."""
        return self._create(self.conn, template)

    def clone(self, template: str | None = None) -> str:
        """A fresh copy of ``template`` (an empty database for None), made ahead of time when
        the previous test used the same one; the next copy is started in the background."""
        ready = self.ready.setdefault(template, queue.Queue())
        try:
            name = ready.get_nowait()
        except queue.Empty:
            name = self.create(template)
        self.jobs.put(lambda conn: ready.put(self._create(conn, template)))
        return name

    def drop_later(self, name: str) -> None:
        """Drop the database in the background (see :meth:`drop`)."""
        self.jobs.put(lambda conn: self._drop(conn, name))

    def drop(self, name: str) -> None:
        """Drop the database, ending any session still on it (e.g. a killed process's)."""
        self._drop(self.conn, name)

    def url(self, name: str) -> str:
        """The database's ``postgresql://`` URL as huikuan takes it (no password)."""
        url = self.base.set(database=name, password=None, drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        """Finish the background work, drop what is left (clones, templates), disconnect."""
        self.jobs.put(None)
        self.worker.join()
        for name in sorted(self.made):
            self.drop(name)
        self.conn.close()
        self.engine.dispose()

    def _create(self, conn: sa.Connection, template: str | None) -> str:
        name = f"ht_{self.run}_{next(self.numbers)}"
        source = f' TEMPLATE "{template}"' if template else ""
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"{source} STRATEGY FILE_COPY')
        self.made.add(name)
        return name

    def _drop(self, conn: sa.Connection, name: str) -> None:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.discard(name)

    def _work(self) -> None:
        """The worker: runs the queued jobs on its own connection until ``None``."""
        with self.engine.connect() as conn:
            while (job := self.jobs.get()) is not None:
                try:
                    job(conn)
                except sa.exc.DBAPIError as exc:  # a clone not made: made when asked for
                    self.errors.append(exc)
