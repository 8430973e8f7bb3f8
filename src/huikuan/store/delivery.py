"""Claiming dunning messages for delivery, and what is still waiting to go out.

A run claims a message (pending/failed -> sending) in its own short transaction, recording
who holds it: process id, host and when. A ``sending`` message whose process is gone (same
host: the pid no longer runs, or runs a process started after the claim) is retried at once;
one claimed on another host, whose processes cannot be seen from here, after a timeout.
Pending and failed messages are taken by any run: the claim makes sure only one sends them.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from datetime import date, datetime
from pathlib import Path

from huikuan.store.dunning import Row, _customer_id, _message, messages


def to_deliver(conn: sqlite3.Connection, own: list[int], stale_before: str) -> list[Row]:
    """Messages for this run to send: its own new ones, any pending or failed ones (retried),
    and ones a crashed run left half-sent: at once when the process holding the claim on
    this host is gone, after ``stale_before`` when it ran on another host (or is unknown)."""
    marks = ",".join("?" * len(own)) or "NULL"
    rows = messages(
        conn,
        f"m.status != 'open' AND (m.id IN ({marks}) OR m.status IN ('pending', 'failed', 'sending'))",
        tuple(own),
    )
    return [m for m in rows if m["status"] != "sending" or claim_gone(m, stale_before)]


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


def waiting(conn: sqlite3.Connection, stale_before: str) -> list[Row]:
    """Messages not delivered yet, each with ``state``: ``retry`` (failed before),
    ``waiting`` (pending, or left by a crashed run) or ``sending`` (a live run has it)."""
    out = []
    for m in messages(conn, "m.status IN ('pending', 'sending', 'failed')"):
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
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def claim(conn: sqlite3.Connection, m: Row, now: str) -> bool:
    """Take message ``m`` for delivery, recording who holds it (pid, host, when); False when
    another run took it first (a ``sending`` one is taken only if its claim is unchanged)."""
    conn.execute("BEGIN IMMEDIATE")
    cur = conn.execute(
        "UPDATE dunning_message SET status = 'sending', attempts = attempts + 1, updated_at = ?,"
        " claimed_pid = ?, claimed_host = ?, claimed_at = ?"
        " WHERE id = ? AND (status IN ('pending', 'failed')"
        " OR (status = 'sending' AND updated_at = ? AND claimed_pid IS ? AND claimed_host IS ?))",
        (now, os.getpid(), socket.gethostname(), now, m["id"], m["updated_at"],
         m["claimed_pid"], m["claimed_host"]),
    )  # fmt: skip
    conn.execute("COMMIT")
    return cur.rowcount == 1


ADDRESS_TASK = "find-email"  # level name of the task raised for an email with no address


def address_task(conn: sqlite3.Connection, m: Row, day: date, now: str) -> None:
    """Raise a task to find the email address of message ``m``'s customer (once)."""
    cid = _customer_id(conn, m["customer"])
    if conn.execute(
        "SELECT 1 FROM dunning_message WHERE customer_id = ? AND status = 'open'"
        " AND level_name = ?",
        (cid, ADDRESS_TASK),
    ).fetchone():
        return
    _message(
        conn, cid, day, "address", 1200, ADDRESS_TASK, "call", None, m["invoices"], "open", now
    )


def close_address_tasks(conn: sqlite3.Connection, code: str, reference: str, now: str) -> None:
    """The customer's email went out: the task to find the address is no longer needed."""
    conn.execute(
        "UPDATE dunning_message SET status = 'dropped', error = ?, updated_at = ?"
        " WHERE status = 'open' AND level_name = ? AND customer_id = ?",
        (f"address found: {reference} sent", now, ADDRESS_TASK, _customer_id(conn, code)),
    )
