"""Part of a whole-ledger read done on a second core, over a second connection.

A report that needs two independent reads of a big SQLite ledger can let the second run
beside the first: in a thread (:func:`in_thread`) when the first spends its time inside
SQLite (which releases the GIL while a statement runs, e.g. sorting before the first row),
or in a forked child (:func:`in_child`) when the first is Python work that would hold the
GIL. Either way the second read opens its own read-only connection to the ledger file; the
ledger's connection runs each statement in a snapshot of its own anyway (autocommit), so
the reads see the ledger as a run of separate statements would.

All or nothing: where no second connection can help (PostgreSQL, a ledger not in WAL mode,
one core, or no core idle now) or the helper fails in any way, the work is done on the ledger's own connection
when its result is asked for, exactly as without this module.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import signal
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar

from huikuan.core.errors import HuikuanError
from huikuan.store.db import Connection, LedgerConnection

if TYPE_CHECKING:
    from huikuan.core.calendar import WorkCalendar

T = TypeVar("T")
Work = Callable[[Connection], T]


class Later(Generic[T]):
    """The result of some work, computed aside or on ``conn`` when first asked for."""

    def __init__(self, conn: Connection, work: Work[T]) -> None:
        self.conn, self.work = conn, work
        self.value: tuple[T] | None = None  # set when the helper delivered

    def __call__(self) -> T:
        """The result (waits for the helper; computes it here, once, if the helper failed)."""
        self.wait()
        if self.value is None:
            self.value = (self.work(self.conn),)
        return self.value[0]

    def wait(self) -> None:
        """Wait for the helper, if any (none here)."""

    def stop(self) -> None:
        """Stop a helper whose result is not wanted (none here)."""


@contextlib.contextmanager
def in_thread(conn: Connection, work: Work[T]) -> Iterator[Later[T]]:
    """``work(reader)`` started in a thread over a second connection; the block gets a
    :class:`Later` to ask for the result. Pays where the block meanwhile runs a long
    statement (the GIL is free) and waits for the result before its own Python work."""
    path = _reader_path(conn)
    later: Later[T] = Later(conn, work) if path is None else _Threaded(conn, work, path)
    try:
        yield later
    finally:
        later.stop()


@contextlib.contextmanager
def in_child(conn: Connection, work: Work[T]) -> Iterator[Later[T]]:
    """``work(reader)`` started in a forked child over a second connection (its result
    comes back pickled through a pipe); the block gets a :class:`Later` to ask for it."""
    path = _reader_path(conn)
    later: Later[T] = Later(conn, work) if path is None else _Forked(conn, work, path)
    try:
        yield later
    finally:
        later.stop()


def helps(conn: Connection) -> bool:
    """Whether work given to :func:`in_thread`, :func:`in_child` or :func:`streamed` would
    be done aside (else it is done on ``conn``): a caller may split its work accordingly."""
    return _reader_path(conn) is not None


def _reader_path(conn: Connection) -> str | None:
    """The ledger file a second connection can read as ``conn`` would, if a second core can
    help (SQLite in WAL mode, no transaction open on ``conn``, a core idle); else None."""
    if not isinstance(conn, LedgerConnection) or conn.in_transaction:
        return None  # another engine, or a transaction whose view only ``conn`` has
    if not idle_core():
        return None
    from huikuan.store.bulk import reader_path

    return reader_path(conn)


def idle_core() -> bool:
    """Whether a second core is there and free now: two or more cores, ``fork``, and a load
    average leaving one idle (on a busy machine a second process only adds its own costs:
    the results are the same either way, only the time differs)."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity else os.cpu_count() or 1
    if cores < 2 or not hasattr(os, "fork"):
        return False
    try:
        return os.getloadavg()[0] < cores - 0.5
    except (AttributeError, OSError):  # no load average here
        return True


def _on_reader(path: str, work: Work[T]) -> T:
    from huikuan.store.bulk import open_reader

    reader = open_reader(path)
    try:
        return work(reader)
    finally:
        reader.close()


class _Threaded(Later[T]):
    def __init__(self, conn: Connection, work: Work[T], path: str) -> None:
        super().__init__(conn, work)
        self.thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self.thread.start()

    def _run(self, path: str) -> None:
        with contextlib.suppress(Exception):  # failed: the work is done again on ``conn``
            self.value = (_on_reader(path, self.work),)

    def wait(self) -> None:
        self.thread.join()

    stop = wait  # a read-only thread: let it finish (it holds nothing of the caller's)


class _Forked(Later[T]):
    def __init__(self, conn: Connection, work: Work[T], path: str) -> None:
        super().__init__(conn, work)
        receive, send = os.pipe()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            os.close(receive)
            _child(path, work, send, parent)
        os.close(send)
        self.receive: int | None = receive

    def wait(self) -> None:
        if self.receive is None:
            return
        with os.fdopen(self.receive, "rb") as pipe:
            self.receive = None
            data = pipe.read()
        os.waitpid(self.pid, 0)
        with contextlib.suppress(Exception):  # nothing or a crash: done again on ``conn``
            self.value = pickle.loads(data)

    def stop(self) -> None:
        if self.receive is not None:  # not wanted (the caller failed): end the child
            os.close(self.receive)
            self.receive = None
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


def _child(path: str, work: Work[T], send: int, parent: int) -> None:
    """Do the work on a connection of its own, send the result, exit without cleaning up
    what belongs to the parent (its connections, buffered output, exit handlers)."""
    from huikuan.store.pipeline import _die_with_parent

    code = 1
    try:
        _die_with_parent(parent)
        data = pickle.dumps((_on_reader(path, work),), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(send, "wb") as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)


BATCH = 2000  # items of a stream sent at a time
PIPE_BYTES = 1 << 20  # the pipe holds several batches: the child is not held up at every one
_LENGTH = 8  # bytes of a message's length before it


def streamed(
    conn: Connection, produce: Callable[[Connection], Iterable[T]], calendar: WorkCalendar
) -> Iterator[T]:
    """``produce(reader)``'s items, made in a forked child over a second connection while
    this process uses them (sent pickled, a batch at a time; the pipe holds about one, so
    the child stays a batch or two ahead). ``calendar`` gets the years the child's copy of
    it found no holiday data for. Done here on ``conn`` where a child cannot help, or when
    the child fails before its first batch; a failure after it is an error."""
    path = _reader_path(conn)
    if path is None:
        yield from produce(conn)
        return
    child = _Stream(path, produce, calendar)
    try:
        kind, payload = child.receive()
        if kind == "error":  # nothing used yet: all of it here instead
            yield from produce(conn)
            return
        while kind == "items":
            yield from payload
            kind, payload = child.receive()
        if kind == "error":
            raise HuikuanError(f"reading the ledger in a second process failed: {payload}")
        calendar.missing_years.update(payload)
    finally:
        child.stop()


class _Stream:
    """The parent's end of :func:`streamed`: the child's process and its pipe."""

    def __init__(
        self, path: str, produce: Callable[[Connection], Iterable[Any]], calendar: WorkCalendar
    ) -> None:
        receive, send = os.pipe()
        with contextlib.suppress(AttributeError, OSError):  # Linux: room for a few batches
            fcntl.fcntl(send, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            os.close(receive)
            _stream_child(path, produce, calendar, send, parent)
        os.close(send)
        self.pipe: IO[bytes] | None = os.fdopen(receive, "rb")

    def receive(self) -> tuple[str, Any]:
        """The next message: ("items", list), ("done", missing years) or ("error", why)."""
        assert self.pipe is not None
        head = self.pipe.read(_LENGTH)
        if len(head) < _LENGTH:
            return "error", "it stopped unexpectedly"
        data = self.pipe.read(int.from_bytes(head, "little"))
        return pickle.loads(data)  # type: ignore[no-any-return]

    def stop(self) -> None:
        """Close the pipe; end the child if it is still running (the caller stopped early)."""
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


def _stream_child(
    path: str,
    produce: Callable[[Connection], Iterable[Any]],
    calendar: WorkCalendar,
    send: int,
    parent: int,
) -> None:
    from huikuan.store.pipeline import _die_with_parent

    code = 1
    try:
        _die_with_parent(parent)
        with os.fdopen(send, "wb") as pipe:
            _send_all(pipe, path, produce, calendar)
        code = 0
    finally:
        os._exit(code)


def _send_all(
    pipe: IO[bytes],
    path: str,
    produce: Callable[[Connection], Iterable[Any]],
    calendar: WorkCalendar,
) -> None:
    def send(message: tuple[str, Any]) -> None:
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        pipe.write(len(data).to_bytes(_LENGTH, "little") + data)

    try:
        from huikuan.store.bulk import open_reader

        reader = open_reader(path)
        items = iter(produce(reader))
        while batch := list(islice(items, BATCH)):
            send(("items", batch))
        send(("done", set(calendar.missing_years)))
    except (BrokenPipeError, ConnectionResetError):
        raise  # the parent stopped reading: nothing to tell it
    except BaseException:
        send(("error", traceback.format_exc().strip().splitlines()[-1]))
