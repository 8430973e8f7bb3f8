"""Work beside the ledger's connection: a second, read-only connection to a SQLite ledger
file, in a helper thread.

The sqlite3 module lets go of the GIL while a statement runs, so a long statement run there
and the caller's own statements on the ledger's connection use two cores. :class:`Beside`
runs whole checks (``doctor``: each statement sees a snapshot of its own, as on one
connection in autocommit); :func:`rows_in_two` reads part of one report's rows there, from
the snapshot the ledger's connection reads (``kpi --by customer``).
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huikuan.db.sqlite import Failure as SqliteFailure
from huikuan.store import direct
from huikuan.store.db import LedgerConnection, read_only

if TYPE_CHECKING:
    import sqlalchemy as sa

Job = Callable[[LedgerConnection], Any]


class Beside:
    """``jobs`` run in order on a read-only connection of their own, in one helper thread;
    :meth:`results` waits for them (and raises what one of them raised). When that
    connection cannot be opened, :meth:`results` runs them on ``fallback`` instead."""

    def __init__(self, path: Path, jobs: Sequence[Job], fallback: LedgerConnection) -> None:
        self._jobs, self._fallback = jobs, fallback
        self._opened = False
        self._results: list[Any] = []
        self._error: BaseException | None = None
        self._conn: LedgerConnection | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, args=(path, jobs), name="beside")
        self._thread.start()

    def _run(self, path: Path, jobs: Sequence[Job]) -> None:
        try:
            conn = self._conn = read_only(path)
            self._opened = True
            try:
                for job in jobs:
                    if self._stopped:
                        return
                    self._results.append(job(conn))
            finally:
                conn.close()
        except BaseException as exc:  # handed to the caller by results()
            self._error = exc

    def results(self) -> list[Any]:
        """What the jobs returned, in order, once they are done."""
        self._thread.join()
        if not self._opened:  # e.g. a directory where SQLite may not read the -shm file
            return [job(self._fallback) for job in self._jobs]
        if self._error is not None:
            raise self._error
        return self._results

    def cancel(self) -> None:
        """Stop the running statement and wait for the thread (the caller failed)."""
        self._stopped = True
        if self._conn is not None:
            with contextlib.suppress(Exception):  # already closed: nothing runs
                self._conn.interrupt()
        self._thread.join()


@contextlib.contextmanager
def beside(path: Path, jobs: Sequence[Job], fallback: LedgerConnection) -> Iterator[Beside]:
    """:class:`Beside` for the ``with`` block; when the block fails, the jobs are stopped."""
    work = Beside(path, jobs, fallback)
    try:
        yield work
    except BaseException:
        work.cancel()
        raise


# --- one statement's rows read beside the ledger's connection --------------------------------


@contextlib.contextmanager
def rows_in_two(
    db: sa.Connection, whole: Any, near: Any, far: Any
) -> Iterator[Iterator[tuple[Any, ...]]]:
    """The rows of ``near`` read on the ledger's connection, followed by those of ``far``,
    which a helper thread reads at the same time on a second connection, from the same
    snapshot (:func:`~huikuan.db.sqlite.one_snapshot`): two cores for one report. Where
    that cannot be had (PostgreSQL, a transaction already open, no second connection, a
    commit between the two snapshots), the rows of ``whole`` on the ledger's connection,
    in one statement. (The caller makes both come to the same: ``whole`` may be ``near``
    UNION ALL ``far``, or sums of it.)"""
    pair = second_reader(db)
    if pair is None:
        yield iter(db.execute(whole))  # (SQLAlchemy's rows: every engine's result types)
        return
    conn, other = pair
    reader = _Reader(other, *direct.prepared(db, far))
    try:
        yield itertools.chain(direct.rows(db, near), reader)
    finally:
        reader.stop()
        other.close()
        conn.execute("COMMIT")  # the read transaction ends


def second_reader(db: sa.Connection) -> tuple[LedgerConnection, LedgerConnection] | None:
    """The ledger's SQLite connection and a second one to its file, both in a read
    transaction on one snapshot; None when that cannot be had."""
    from huikuan.db.sqlite import SMALL_CACHE_KIB, file_of, one_snapshot

    conn = getattr(getattr(db, "connection", None), "driver_connection", None)
    if not isinstance(conn, LedgerConnection) or conn.in_transaction:  # (or a stand-in)
        return None
    path = file_of(conn)
    try:
        other = read_only(path, any_thread=True, cache_kib=SMALL_CACHE_KIB) if path else None
    except SqliteFailure:
        other = None
    if other is None:
        return None
    try:
        if one_snapshot(conn, other):
            return conn, other
    except SqliteFailure:  # e.g. busy: then the one statement, as before
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    other.close()
    return None


class _Reader:
    """A helper thread running one prepared statement on its own connection, handing the
    batches over through a small queue (the SQLite work runs without the GIL)."""

    def __init__(self, conn: LedgerConnection, sql: str, params: Any, procs: Any) -> None:
        self._conn = conn
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=QUEUED)
        self._stopped = False
        self._thread = threading.Thread(target=self._run, args=(sql, params, procs))
        self._thread.start()

    def _run(self, sql: str, params: Any, procs: Any) -> None:
        try:
            for batch in direct.batches_of(self._conn, sql, params, procs):
                self._put(batch)
                if self._stopped:
                    return
            self._put(_DONE)
        except BaseException as exc:  # handed over to the reading thread
            self._put(exc)

    def _put(self, item: Any) -> None:
        while not self._stopped:
            with contextlib.suppress(queue.Full):
                self._queue.put(item, timeout=0.05)
                return

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while (item := self._queue.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield from item

    def stop(self) -> None:
        """Stop reading (at once when the rows were not all read) and wait for the thread."""
        self._stopped = True
        if self._thread.is_alive():
            with contextlib.suppress(SqliteFailure):
                self._conn.interrupt()
        self._thread.join()


QUEUED = 8  # batches waiting at most: the rows never pile up in memory
_DONE = object()
