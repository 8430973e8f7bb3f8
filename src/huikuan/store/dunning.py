"""Dunning runs in the ledger: the facts for level selection, recording each action once.

The facts per open invoice: the levels it had (done or skipped), the highest one done and
the day of that run (step escalation waits ``min_interval_days`` from it), promise pauses;
per customer, the day of its last round. Limitation tasks (levels 1060/1180) are kept in the
same record but are no policy level.

Exactly once: a run takes the write lock (BEGIN IMMEDIATE) before it reads what was done,
then records each invoice's level under a UNIQUE (invoice, level) key and each message to
send. Delivery happens after the commit; a message is claimed (pending/failed -> sending)
in its own short transaction, so two overlapping runs never deliver the same message twice,
and a failed one is retried by the next run (claims: :mod:`huikuan.store.delivery`).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from huikuan.core.dunning import (
    TASKS,
    Debtor,
    DunningConfig,
    OpenInvoice,
    Plan,
    limitation_task,
)

Row = dict[str, Any]
POLICY_LEVELS = 1000  # level numbers from here on are limitation tasks, not policy levels

_OPEN = """
SELECT i.id, i.number, i.due_date, i.open_amount, i.disputed, c.id, c.code, c.segment,
  c.dunning_policy, c.blocked, c.legal
FROM invoice i JOIN customer c ON c.id = i.customer_id
WHERE i.open_amount > 0 AND i.issue_date <= ?
ORDER BY c.code, i.due_date, i.number
"""


def debtors(conn: sqlite3.Connection, cfg: DunningConfig, as_of: date) -> list[Debtor]:
    """Customers with open invoices, with what was done and what pauses dunning."""
    done, reached = _done_levels(conn), _reached(conn)
    pauses = _promise_pauses(conn, cfg, as_of)
    last = dict(
        conn.execute(
            "SELECT customer_id, MAX(run_date) FROM dunning_message WHERE level < ?"
            " AND status NOT IN ('failed', 'dropped') GROUP BY customer_id",
            (POLICY_LEVELS,),
        ).fetchall()
    )
    groups: dict[str, list[Any]] = {}
    for (
        iid,
        number,
        due,
        open_,
        disputed,
        cid,
        code,
        segment,
        policy,
        blocked,
        legal,
    ) in conn.execute(_OPEN, (as_of.isoformat(),)):
        head = groups.setdefault(code, [cid, cfg.policy_for(policy, segment), blocked, legal, []])
        paused = max((p for k, p in pauses.items() if k in ((cid, None), (cid, iid))), default=None)
        highest, since = reached.get(iid, (None, None))
        head[4].append(
            OpenInvoice(
                number,
                date.fromisoformat(due),
                open_,
                bool(disputed),
                frozenset(done.get(iid, ())),
                paused,
                highest,
                since,
            )
        )
    return [
        Debtor(
            code,
            policy,
            tuple(invs),
            bool(blocked),
            bool(legal),
            date.fromisoformat(last[cid]) if cid in last else None,
        )
        for code, (cid, policy, blocked, legal, invs) in groups.items()
    ]


def _done_levels(conn: sqlite3.Connection) -> dict[int, set[int]]:
    done: dict[int, set[int]] = defaultdict(set)
    for iid, level in conn.execute(
        "SELECT a.invoice_id, a.level FROM dunning_action a JOIN invoice i ON i.id = a.invoice_id"
        " WHERE i.open_amount > 0"
    ):
        done[iid].add(level)
    return done


def _reached(conn: sqlite3.Connection) -> dict[int, tuple[int, date]]:
    """Open invoice -> the highest policy level it has had (done) and the day of that run."""
    out: dict[int, tuple[int, date]] = {}
    for iid, level, day in conn.execute(
        "SELECT a.invoice_id, a.level, a.run_date FROM dunning_action a"
        " JOIN invoice i ON i.id = a.invoice_id WHERE i.open_amount > 0 AND a.status = 'done'"
        " AND a.level < ? ORDER BY a.invoice_id, a.level",
        (POLICY_LEVELS,),
    ):
        out[iid] = (level, date.fromisoformat(day))
    return out


def _promise_pauses(
    conn: sqlite3.Connection, cfg: DunningConfig, as_of: date
) -> dict[tuple[int, int | None], date]:
    """(customer, invoice or None) -> promise date + grace, for promises not broken or kept."""
    from huikuan.store.collections import promises

    out: dict[tuple[int, int | None], date] = {}
    grace = timedelta(days=cfg.promise_grace_days)
    ids = dict(conn.execute("SELECT code, id FROM customer").fetchall())
    for p in promises(conn, as_of):
        if p["status"] == "kept":
            continue
        until = date.fromisoformat(p["promised_date"]) + grace
        inv = None
        if p["invoice"]:
            inv = conn.execute(
                "SELECT id FROM invoice WHERE number = ?", (p["invoice"],)
            ).fetchone()[0]
        key = (ids[p["customer"]], inv)
        out[key] = max(out.get(key, until), until)
    return out


def record(
    conn: sqlite3.Connection, plans: list[Plan], cfg: DunningConfig, as_of: date, now: str
) -> list[int]:
    """Record the plans' actions and messages (inside the caller's write transaction)."""
    ids: list[int] = []
    for plan in plans:
        cid, level = _customer_id(conn, plan.customer), cfg.policies[plan.policy][plan.level]
        numbers = [s.invoice for s in plan.steps]
        for channel in level.channels:
            status = "open" if channel in TASKS else "pending"
            ids.append(
                _message(
                    conn,
                    cid,
                    as_of,
                    plan.policy,
                    plan.level,
                    level.name,
                    channel,
                    level.letter,
                    numbers,
                    status,
                    now,
                )
            )
        for step in plan.steps:
            iid = _invoice_id(conn, step.invoice)
            names = cfg.policies[plan.policy]
            for n in step.skipped:
                _action(conn, iid, n, names[n].name, "skipped", as_of, None)
            _action(conn, iid, step.level, names[step.level].name, "done", as_of, ids[-1])
    return ids


def _message(
    conn: sqlite3.Connection,
    cid: int,
    day: date,
    policy: str,
    level: int,
    name: str,
    channel: str,
    letter: str | None,
    numbers: list[str],
    status: str,
    now: str,
) -> int:
    cur = conn.execute(
        "INSERT INTO dunning_message (customer_id, run_date, policy, level, level_name, channel,"
        " letter, invoices, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            cid,
            day.isoformat(),
            policy,
            level,
            name,
            channel,
            letter,
            json.dumps(numbers),
            status,
            now,
            now,
        ),
    )
    return int(cur.lastrowid or 0)


def _action(
    conn: sqlite3.Connection,
    iid: int,
    level: int,
    name: str,
    status: str,
    day: date,
    message: int | None,
) -> None:
    conn.execute(
        "INSERT INTO dunning_action (invoice_id, level, level_name, status, run_date, message_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (iid, level, name, status, day.isoformat(), message),
    )


def _customer_id(conn: sqlite3.Connection, code: str) -> int:
    return int(conn.execute("SELECT id FROM customer WHERE code = ?", (code,)).fetchone()[0])


def _invoice_id(conn: sqlite3.Connection, number: str) -> int:
    return int(conn.execute("SELECT id FROM invoice WHERE number = ?", (number,)).fetchone()[0])


def limitation_due(conn: sqlite3.Connection, rows: list[Row]) -> list[Row]:
    """The limitation tasks to raise now for these :func:`limitation_rows` rows: per invoice,
    the most urgent threshold (180, then 60 days left) not raised yet."""
    out = []
    for row in rows:
        iid = _invoice_id(conn, row["invoice"])
        done = [
            r[0]
            for r in conn.execute(
                "SELECT level FROM dunning_action WHERE invoice_id = ? AND level >= ?",
                (iid, POLICY_LEVELS),
            )
        ]
        task = limitation_task(row["days_left"], done)
        if task is not None:
            days, level = task
            name = f"limitation-{days}"
            out.append({"customer": row["customer"], "invoice": row["invoice"], "level": level,
                        "level_name": name, "channel": "legal", "invoice_id": iid})  # fmt: skip
    return out


def limitation_tasks(conn: sqlite3.Connection, due: list[Row], as_of: date, now: str) -> list[int]:
    """Record the tasks :func:`limitation_due` found: a ``legal`` message and its action."""
    ids = []
    for task in due:
        cid = _customer_id(conn, task["customer"])
        mid = _message(conn, cid, as_of, "limitation", task["level"], task["level_name"],
                       "legal", None, [task["invoice"]], "open", now)  # fmt: skip
        _action(conn, task["invoice_id"], task["level"], task["level_name"], "done", as_of, mid)
        ids.append(mid)
    return ids


# --- delivery bookkeeping -----------------------------------------------------------------

_MESSAGE = """SELECT m.id, c.code AS customer, c.name, c.email, c.language, m.run_date, m.policy,
  m.level, m.level_name, m.channel, m.letter, m.invoices, m.status, m.attempts, m.error, m.evidence,
  m.reference, m.updated_at, m.claimed_pid, m.claimed_host, m.claimed_at
  FROM dunning_message m JOIN customer c ON c.id = m.customer_id"""


def messages(conn: sqlite3.Connection, where: str, params: tuple[Any, ...] = ()) -> list[Row]:
    cur = conn.execute(f"{_MESSAGE} WHERE {where} ORDER BY m.id", params)
    names = [d[0] for d in cur.description]
    out = []
    for values in cur:
        row = dict(zip(names, values))
        row["invoices"] = json.loads(row["invoices"])
        out.append(row)
    return out


def set_reference(conn: sqlite3.Connection, mid: int, reference: str) -> None:
    """Tie a message to its letter's reference (a retry re-sends the same letter)."""
    conn.execute("UPDATE dunning_message SET reference = ? WHERE id = ?", (reference, mid))


def retries(conn: sqlite3.Connection) -> list[Row]:
    """Messages that failed and wait for the next run."""
    return messages(conn, "m.status = 'failed'")


def finish(conn: sqlite3.Connection, mid: int, ok: bool, detail: str, now: str) -> None:
    """Record a delivery's outcome: evidence when sent, the reason when failed."""
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "UPDATE dunning_message SET status = ?, evidence = ?, error = ?, updated_at = ? WHERE id = ?",
        ("sent" if ok else "failed", detail if ok else None, None if ok else detail, now, mid),
    )
    conn.execute("COMMIT")


def drop(conn: sqlite3.Connection, mid: int, why: str, now: str) -> None:
    """Give up a message for good: what it asked for was settled or disputed since."""
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "UPDATE dunning_message SET status = 'dropped', error = ?, updated_at = ? WHERE id = ?",
        (why, now, mid),
    )
    conn.execute("COMMIT")


def still_owed(
    conn: sqlite3.Connection, numbers: list[str], as_of: date, *, overdue: bool
) -> list[str]:
    """Which of ``numbers`` are still open and undisputed (and past due, with ``overdue``)."""
    marks = ",".join("?" * len(numbers)) or "NULL"
    rows = conn.execute(
        f"SELECT number FROM invoice WHERE number IN ({marks}) AND open_amount > 0"
        " AND disputed = 0 AND (? = 0 OR due_date < ?) ORDER BY number",
        (*numbers, int(overdue), as_of.isoformat()),
    )
    return [r[0] for r in rows]


def open_invoices_of(conn: sqlite3.Connection, numbers: list[str], as_of: date) -> list[Row]:
    """Invoice facts for a message: number, dates, amounts, days overdue."""
    out = []
    for number in numbers:
        n, issue, due, amount, open_, cur = conn.execute(
            "SELECT number, issue_date, due_date, amount, open_amount, currency FROM invoice"
            " WHERE number = ?",
            (number,),
        ).fetchone()
        days = (as_of - date.fromisoformat(due)).days
        out.append(
            {
                "number": n,
                "issue_date": issue,
                "due_date": due,
                "amount": amount,
                "open": open_,
                "currency": cur,
                "days_overdue": max(days, 0),
            }
        )
    return out
