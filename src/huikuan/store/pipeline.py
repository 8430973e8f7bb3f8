"""Checking the rows of a big import in a second process while this one inserts them.

Reading CSV and checking rows is Python work; inserting and indexing is SQLite's. On a
machine with two or more cores a forked child does the first while the parent does the
second. The child never touches the database: it sends each checked chunk through a pipe
together with the problems it found, the bytes it read (for the progress bar) and, at the
end, the years its calendar had no holiday data for. The pipe holds about one chunk, so the
child stays at most a chunk or two ahead and memory stays flat.

The child never outlives the parent (a ``kill -9`` of the import must not leave a process
holding the ledger's files open): on Linux the kernel kills it when the parent dies
(``PR_SET_PDEATHSIG``), and everywhere it keeps only its end of the pipe, so a send to a parent
that is gone fails with EPIPE and the child exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from huikuan.core.calendar import WorkCalendar
from huikuan.core.errors import HuikuanError

Chunk = Any  # what the importer inserts at a time: (line, row) items, or a packed block
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def available() -> bool:
    """Whether a second process can help here (two or more cores and ``fork``)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def checked_in_child(
    chunks: Callable[[], Iterator[Chunk]],
    problems: list[str],
    redirect: Callable[[Callable[[int], None] | None], None],
    progress: Callable[[int], None] | None,
    calendar: WorkCalendar,
) -> Iterator[Chunk]:
    """The chunks ``chunks()`` makes, made in a forked child; its problems land in ``problems``.

    ``redirect(fn)`` points the file's read counter at ``fn`` (the child counts bytes and the
    parent advances ``progress``). Errors in the child are raised here as they would have been.
    """
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_child, args=(chunks, problems, redirect, calendar, send, receive, os.getpid())
    )
    child.start()
    send.close()
    try:
        yield from _receive(receive, problems, progress, calendar)
    finally:
        receive.close()
        child.join(timeout=1)
        if child.is_alive():
            child.kill()
            child.join()


def _receive(
    receive: Any,
    problems: list[str],
    progress: Callable[[int], None] | None,
    calendar: WorkCalendar,
) -> Iterator[Chunk]:
    while True:
        try:
            kind, payload = receive.recv()
        except EOFError:
            raise HuikuanError("the process checking the rows stopped unexpectedly") from None
        if kind == "error":
            _raise(*payload)
        items, found, read, missing = payload
        problems.extend(found)
        if progress and read:
            progress(read)
        if kind == "done":
            calendar.missing_years.update(missing)
            return
        yield items


def _raise(kind: str, detail: Any) -> None:
    if kind == "unicode":
        raise UnicodeDecodeError(detail[0], b"", 0, 0, detail[1])
    if kind == "huikuan":
        raise HuikuanError(*detail[0], summary=detail[1])
    raise RuntimeError(f"checking the rows failed:\n{detail}")


def _child(
    chunks: Callable[[], Iterator[Chunk]],
    problems: list[str],
    redirect: Callable[[Callable[[int], None] | None], None],
    calendar: WorkCalendar,
    send: Any,
    receive: Any,
    parent: int,
) -> None:
    receive.close()  # only the parent reads: with the parent gone, a send fails (EPIPE)
    _die_with_parent(parent)
    try:
        _produce(chunks, problems, redirect, calendar, send)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent stopped reading (it failed, was interrupted or killed)
    finally:
        with contextlib.suppress(OSError):
            send.close()


def _die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when the parent dies; exit if it is already gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:  # it died before the request above took effect
        os._exit(0)


def _produce(
    chunks: Callable[[], Iterator[Chunk]],
    problems: list[str],
    redirect: Callable[[Callable[[int], None] | None], None],
    calendar: WorkCalendar,
    send: Any,
) -> None:
    read = [0]
    redirect(lambda n: read.__setitem__(0, read[0] + n))
    sent = 0
    try:
        for items in chunks():
            send.send(("chunk", (items, problems[sent:], read[0], ())))
            sent, read[0] = len(problems), 0
        send.send(("done", ([], problems[sent:], read[0], set(calendar.missing_years))))
    except UnicodeDecodeError as exc:
        send.send(("error", ("unicode", (exc.encoding, exc.reason))))
    except HuikuanError as exc:
        send.send(("error", ("huikuan", (exc.messages, exc.summary))))
    except (BrokenPipeError, ConnectionResetError):
        raise
    except BaseException:
        send.send(("error", ("crash", traceback.format_exc())))
