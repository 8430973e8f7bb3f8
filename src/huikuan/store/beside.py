"""Work beside the ledger's connection: a second, read-only connection to a SQLite ledger
file, in a helper thread.

The sqlite3 module lets go of the GIL while a statement runs, so a long check run there
(``doctor``'s ``quick_check``) and the caller's own statements on the ledger's connection
use two cores. Each statement sees a snapshot of its own, as on one connection in autocommit.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from huikuan.store.db import LedgerConnection, read_only

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
