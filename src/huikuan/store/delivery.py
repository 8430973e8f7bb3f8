"""Claiming dunning messages for delivery, and what is still waiting to go out.

A run claims a message (pending/failed -> sending) by one conditional UPDATE, recording
who holds it: process id, host and when. A ``sending`` message whose process is gone (same
host: the pid no longer runs, or runs a process started after the claim) is retried at once;
one claimed on another host, whose processes cannot be seen from here, after a timeout.
A new (pending) message is left to the run that recorded it while that run is alive (its
pid and host are recorded with the message), so each message is reported by one run; failed
messages, and pending ones whose run is gone, are taken by any run: the claim makes sure only
one sends them.
"""

from __future__ import annotations

import os
import socket
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from huikuan.db.models import DunningMessage
from huikuan.db.types import Timestamp
from huikuan.store.db import Connection, sa_of
from huikuan.store.dunning import M, Row, _customer_id, _message, by_id, messages, msg

UNSENT = ("pending", "failed")  # taken by any run; a claim makes sure only one sends them


def to_deliver(conn: Connection, own: list[int], stale_before: str) -> list[Row]:
    """Messages for this run to send: its own new ones, any pending or failed ones (retried),
    and ones a crashed run left half-sent: at once when the process holding the claim on
    this host is gone, after ``stale_before`` when it ran on another host (or is unknown)."""
    rows = messages(
        conn,
        sa.and_(M.status != "open", sa.or_(by_id(own), M.status.in_((*UNSENT, "sending")))),
    )
    mine = set(own)
    return [m for m in rows if m["id"] in mine or not _held_elsewhere(m, stale_before)]


def _held_elsewhere(m: Row, stale_before: str) -> bool:
    """Whether another live run has ``m``: sending it, or having just recorded it (pending)."""
    if m["status"] == "sending":
        return not claim_gone(m, stale_before)
    if m["status"] != "pending" or not m["claimed_pid"] or _this_process(m):
        return False
    return not claim_gone(m, stale_before)  # recorded by a run that may still be delivering


def _this_process(m: Row) -> bool:
    return bool(m["claimed_pid"] == os.getpid() and m["claimed_host"] == socket.gethostname())


def claim_gone(m: Row, stale_before: str) -> bool:
    """Whether the claim on a ``sending`` message was left by a process that is gone."""
    if m["claimed_host"] == socket.gethostname() and m["claimed_pid"]:
        return not _alive(int(m["claimed_pid"]), m["claimed_at"])
    return bool(m["updated_at"] < stale_before)


def _alive(pid: int, since: str | None) -> bool:
    """Whether ``pid`` still runs the process that claimed at ``since`` (not a reused pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    started = _started(pid)
    if started is None or since is None:
        return True
    return started <= datetime.fromisoformat(since).timestamp() + 2  # (tick and clock slack)


def waiting(conn: Connection, stale_before: str) -> list[Row]:
    """Messages not delivered yet, each with ``state``: ``retry`` (failed before),
    ``waiting`` (pending, or left by a crashed run) or ``sending`` (a live run has it)."""
    out = []
    for m in messages(conn, M.status.in_(("pending", "sending", "failed"))):
        if m["status"] == "failed":
            m["state"] = "retry"
        elif m["status"] == "sending" and not claim_gone(m, stale_before):
            m["state"] = "sending"
        else:
            m["state"] = "waiting"
        out.append(m)
    return out


def _started(pid: int) -> float | None:
    """When process ``pid`` started (Unix time), where /proc tells; else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def claim(conn: Connection, m: Row, now: str) -> bool:
    """Take message ``m`` for delivery, recording who holds it (pid, host, when); False when
    another run took it first (a ``sending`` one is taken only if its claim is unchanged).

    One conditional UPDATE, committed on its own: its row count says which run won.
    """
    cur = sa_of(conn).execute(
        _CLAIM,
        {
            "mid": m["id"],
            "now": now,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "held_since": m["updated_at"],
            "held_pid": m["claimed_pid"],
            "held_host": m["claimed_host"],
        },
    )
    return cur.rowcount == 1


_CLAIM = (
    sa.update(DunningMessage)
    .where(msg.id == sa.bindparam("mid"))
    .values(
        status="sending",
        attempts=msg.attempts + 1,
        updated_at=sa.bindparam("now", type_=Timestamp),
        claimed_pid=sa.bindparam("pid"),
        claimed_host=sa.bindparam("host"),
        claimed_at=sa.bindparam("now", type_=Timestamp),
    )
    .where(
        sa.or_(
            msg.status.in_(UNSENT),
            sa.and_(  # left by a run that is gone, and nobody took it over since
                msg.status == "sending",
                msg.updated_at == sa.bindparam("held_since", type_=Timestamp),
                msg.claimed_pid.is_not_distinct_from(sa.bindparam("held_pid", type_=sa.Integer)),
                msg.claimed_host.is_not_distinct_from(sa.bindparam("held_host", type_=sa.String)),
            ),
        )
    )
)
ADDRESS_TASK = "find-email"  # level name of the task raised for an email with no address


def address_task(conn: Connection, m: Row, day: date, now: str) -> None:
    """Raise a task to find the email address of message ``m``'s customer (once)."""
    cid = _customer_id(conn, m["customer"])
    if sa_of(conn).execute(_ADDRESS_TASK, {"cid": cid}).first():
        return
    _message(
        conn, cid, day, "address", 1200, ADDRESS_TASK, "call", None, m["invoices"], "open", now
    )


_ADDRESS_TASK = sa.select(msg.id).where(
    msg.customer_id == sa.bindparam("cid"),
    msg.status == "open",
    msg.level_name == ADDRESS_TASK,
)


def close_address_tasks(conn: Connection, code: str, reference: str, now: str) -> None:
    """The customer's email went out: the task to find the address is no longer needed."""
    why = f"address found: {reference} sent"
    params = {"cid": _customer_id(conn, code), "error": why, "now": now}
    sa_of(conn).execute(_CLOSE_ADDRESS_TASKS, params)


_CLOSE_ADDRESS_TASKS = (
    sa.update(DunningMessage)
    .where(
        msg.status == "open",
        msg.level_name == ADDRESS_TASK,
        msg.customer_id == sa.bindparam("cid"),
    )
    .values(
        status="dropped",
        error=sa.bindparam("error"),
        updated_at=sa.bindparam("now", type_=Timestamp),
    )
)
