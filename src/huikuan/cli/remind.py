"""``remind plan|run|todo``: the daily dunning engine, from a terminal or cron."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from huikuan.cli.common import APP_NAME, App, FormatOpt, emit, ledger, now, parse_day, state
from huikuan.core.errors import HuikuanError
from huikuan.i18n import translate
from huikuan.output import Result

remind_app = App(
    help="Dunning: what to send today (plan), send it (run), the day's tasks (todo).\n\nExample: huikuan remind plan"
)
AsOf = Annotated[str | None, typer.Option(help="Run as of this date [today].")]
ACTION_COLUMNS = ["customer", "invoices", "level", "channel", "status"]


def outbox_dir() -> Path:
    """``HUIKUAN_OUTBOX``, else ``[delivery] outbox``, else ``<app dir>/outbox``."""
    import os

    env = os.environ.get("HUIKUAN_OUTBOX")
    if env:
        return Path(env).expanduser()
    return state().config.outbox or Path(typer.get_app_dir(APP_NAME)) / "outbox"


def _plans(conn: Any, day: date) -> tuple[list[Any], list[Any], list[dict[str, Any]]]:
    """What a run does on ``day``: each customer's round, who is left alone and why, and the
    limitation tasks to raise. ``remind plan`` shows it; ``remind run`` records it."""
    from huikuan.core.dunning import plan_run
    from huikuan.store import dunning as S
    from huikuan.store.collections import limitation_rows

    cfg, cal = state().config.dunning, state().calendar
    plans, skips = plan_run(S.debtors(conn, cfg, day), cfg, day, cal)
    ahead = state().config.make_calendar()  # years ahead lack holiday data: not warned here
    near = [r for r in limitation_rows(conn, day, ahead) if 0 <= r["days_left"] <= 180]
    return plans, skips, S.limitation_due(conn, near)


def _action_rows(
    plans: list[Any], tasks: list[dict[str, Any]], status_of: Any
) -> list[dict[str, Any]]:
    cfg, rows = state().config.dunning, []
    for plan in plans:
        level = cfg.policies[plan.policy][plan.level]
        for channel in level.channels:
            rows.append(
                {
                    "customer": plan.customer,
                    "invoices": [s.invoice for s in plan.steps],
                    "level": level.name,
                    "channel": channel,
                    "status": status_of(channel),
                }
            )
    for t in tasks:
        rows.append(
            {
                "customer": t["customer"],
                "invoices": [t["invoice"]],
                "level": t["level_name"],
                "channel": t["channel"],
                "status": status_of(t["channel"]),
            }
        )
    return rows


def _day_off(day: date) -> bool:
    """True, said on stderr, when ``day`` is not a working day and runs are off on such days."""
    if state().config.dunning.run_on_holidays or state().calendar.is_workday(day):
        return False
    _note(
        f"{day} is not a working day (calendar {state().config.calendar}): no dunning"
        " today; the next working day's run catches up. Set [dunning] run_on_holidays = true"
        " to run on such days."
    )
    return True


def _summary(actions: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    return {
        key: dict(sorted(Counter(a[key] for a in actions).items()))
        for key in ("level", "channel", "status")
    }


def _emit_actions(
    day: date, actions: list[dict[str, Any]], title: str, fmt: str, notes: list[str]
) -> None:
    summary = _summary(actions)
    notes = notes + [
        f"{k}: " + ", ".join(f"{n} {v}" for n, v in c.items()) for k, c in summary.items() if c
    ]
    doc = {"as_of": day.isoformat(), "actions": actions, "summary": summary}
    shown = [{**a, "invoices": " ".join(a["invoices"])} for a in actions]
    emit(
        Result(
            ACTION_COLUMNS,
            shown if fmt in ("table", "csv") else actions,
            document=doc,
            title=title,
            notes=notes or ["Nothing to do."],
        ),
        fmt,
    )


@remind_app.command("plan")
def plan(as_of: AsOf = None, fmt: FormatOpt = "table") -> None:
    """Show what `remind run` would do now, and who is left alone and why. Writes nothing.

    The same rounds and limitation tasks the run records, plus earlier failed messages it
    would retry. On a day that is not a working day nothing runs (unless
    [dunning] run_on_holidays = true).

    Example: huikuan remind plan --as-of 2026-12-01
    """
    from huikuan.core.dunning import TASKS
    from huikuan.store import delivery as D

    day = parse_day(as_of, "--as-of")
    off = _day_off(day)
    with ledger() as led:
        plans, skips, tasks = ([], [], []) if off else _plans(led.conn, day)
        waiting = D.waiting(led.conn, _stale_before())
    actions = _action_rows(plans, tasks, lambda ch: "task" if ch in TASKS else "planned")
    actions += [_retry_row(m, m["state"]) for m in waiting]
    notes = [f"{day} is not a working day: nothing runs."] if off else []
    notes += [
        f"Left alone: {s.customer}{' ' + s.invoice if s.invoice else ''}: {s.reason}" for s in skips
    ]
    _emit_actions(day, actions, f"Dunning plan as of {day}", fmt, notes + _waiting_note(waiting))


def _stale_before() -> str:
    return (datetime.now(UTC) - STALE).isoformat(timespec="seconds")


def _waiting_note(waiting: list[dict[str, Any]]) -> list[str]:
    """One line saying how many messages are not delivered yet (none: no line)."""
    if not waiting:
        return []
    count = Counter(m["state"] for m in waiting)
    parts = ", ".join(f"{n} {state}" for state, n in sorted(count.items()))
    return [
        f"{len(waiting)} message(s) not delivered yet ({parts}): `huikuan remind run` sends them"
    ]


def _retry_row(m: dict[str, Any], status: str) -> dict[str, Any]:
    return {
        "customer": m["customer"],
        "invoices": m["invoices"],
        "level": m["level_name"],
        "channel": m["channel"],
        "status": status,
    }


@remind_app.command("run")
def run(
    as_of: AsOf = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Same as `remind plan`.")] = False,
    fmt: FormatOpt = "table",
) -> None:
    """Record today's dunning actions once, write the messages, raise the tasks.

    Safe to run from cron at any frequency: each invoice gets each level exactly once, even
    when two runs overlap. By default ([dunning] escalation = "step") an invoice rises one
    level at a time, at most once per min_interval_days; "jump" goes to the level now due.
    On a day that is not a working day the run does nothing and says so on stderr
    ([dunning] run_on_holidays = false); the next working day's run catches up.
    Exit 1 when a message could not be delivered (retried next run); a retry whose invoices
    were paid, credited or disputed meanwhile is dropped, not sent.
    Letters need [company] name, bank and account; an email needs an address (else a task
    to find it). SMTP delivery is at-least-once with a stable Message-ID: a run killed just
    after the server accepted a message sends the same message again on the next run.

    Example (crontab): 0 8 * * 1-5  huikuan remind run --format json >> remind.log
    """
    from huikuan.store import delivery as D

    if dry_run:
        plan(as_of, fmt)
        return
    day = parse_day(as_of, "--as-of")
    if _day_off(day):
        with ledger() as led:
            waiting = D.waiting(led.conn, _stale_before())
        notes = [f"{day} is not a working day: nothing runs.", *_waiting_note(waiting)]
        _emit_actions(day, [], f"Dunning run {day}", fmt, notes)
        return
    actions = _record(day)
    problems: dict[tuple[str, str], list[str]] = {}
    sent = _deliver(day, [a["id"] for a in actions], problems)
    retried = _retried(sent, {a["id"] for a in actions})
    failed = sum(1 for s in sent.values() if s == "failed")
    for a in actions + retried:
        status = sent.get(a.pop("id"), a["status"])
        a["status"] = "task" if status == "open" else status
    with ledger() as led:
        left = [m for m in D.waiting(led.conn, _stale_before()) if m["state"] == "sending"]
    _emit_actions(day, actions + retried, f"Dunning run {day}", fmt, [])
    _report(problems)
    if left:
        _note(f"{len(left)} message(s) are being sent by another run")
    if failed:
        typer.echo(
            "Error: "
            + state().say(
                f"{failed} message(s) could not be delivered; they are retried on the next run"
            ),
            err=True,
        )
        raise typer.Exit(1)


def _note(message: str) -> None:
    typer.echo(f"Note: {state().say(message)}", err=True)


def _report(problems: dict[tuple[str, str], list[str]]) -> None:
    """One line per distinct reason (not one per message), naming whom it concerns."""
    for (kind, why), who in problems.items():
        shown = ", ".join(who[:5]) + (f" (+{len(who) - 5})" if len(who) > 5 else "")
        line = f"{shown}: {state().say(why)}"
        typer.echo(f"Warning: {line}" if kind == "failed" else f"Note: {line}", err=True)


def _record(day: date) -> list[dict[str, Any]]:
    """Decide and record under the write lock; return the new actions with message ids."""
    from huikuan.store import dunning as S

    with ledger() as led, led.transaction() as conn:
        plans, _, tasks = _plans(conn, day)
        ids = S.record(conn, plans, state().config.dunning, day, now())
        ids += S.limitation_tasks(conn, tasks, day, now())
        rows = S.messages(conn, S.by_id(ids)) if ids else []
    return [
        {
            "id": m["id"],
            "customer": m["customer"],
            "invoices": m["invoices"],
            "level": m["level_name"],
            "channel": m["channel"],
            "status": m["status"],
        }
        for m in rows
    ]


STALE = timedelta(minutes=10)  # a message "sending" this long was left by a crashed run


def _deliver(
    day: date, own: list[int], problems: dict[tuple[str, str], list[str]]
) -> dict[int, str]:
    """Deliver this run's messages, earlier failures and stale ones (see cli/deliver.py);
    why a message failed or was dropped goes into ``problems`` (reason -> who)."""
    from huikuan.store import delivery as D

    out: dict[int, str] = {}
    box = outbox_dir()
    with ledger() as led:
        for m in D.to_deliver(led.conn, own, _stale_before()):
            if D.claim(led.conn, m, now()):
                status, why = _deliver_one(led, m, day, box)
                out[m["id"]] = status
                if why:
                    problems.setdefault((status, why), []).append(f"{m['customer']} {m['channel']}")
    return out


def _deliver_one(led: Any, m: dict[str, Any], day: date, box: Path) -> tuple[str, str | None]:
    """Deliver one claimed message; any failure marks it failed with the reason (never stuck
    in ``sending``) and the run goes on with the others."""
    from huikuan.cli.deliver import Dropped, NoAddress, deliver
    from huikuan.store import delivery as D
    from huikuan.store import dunning as S

    try:
        done_ = deliver(led, state().config, m, day, box, now())
    except Dropped as exc:
        S.drop(led.conn, m["id"], str(exc), now())
        return "dropped", str(exc)
    except Exception as exc:  # any failure of one message fails that message only
        why = _reason(exc, box)
        if led.conn.in_transaction:
            led.conn.rollback()
        S.finish(led.conn, m["id"], False, why, now())
        if isinstance(exc, NoAddress):
            with led.transaction() as conn:
                D.address_task(conn, m, day, now())
            why += " (a task to find the address is in `huikuan remind todo`)"
        return "failed", why
    S.finish(led.conn, m["id"], True, done_.detail, now())
    return "sent", None


def _reason(exc: Exception, box: Path) -> str:
    """Why a message failed, in one line."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{box}: {exc.strerror}"
    if isinstance(exc, HuikuanError):
        return str(exc)
    if isinstance(exc, RecursionError | MemoryError):
        return f"{exc.__class__.__name__} while composing or sending the message"
    return f"{exc.__class__.__name__}: {exc}".splitlines()[0]


def _retried(sent: dict[int, str], new: set[int]) -> list[dict[str, Any]]:
    """Earlier failed messages this run delivered (or failed again)."""
    from huikuan.store import dunning as S

    old = [i for i in sent if i not in new]
    if not old:
        return []
    with ledger() as led:
        rows = S.messages(led.conn, S.by_id(old))
    return [{**_retry_row(m, "retry"), "id": m["id"]} for m in rows]


@remind_app.command("todo")
def todo(
    user: Annotated[
        str | None, typer.Option("--user", help="Only this salesperson's customers.")
    ] = None,
    as_of: AsOf = None,
    fmt: FormatOpt = "table",
) -> None:
    """Today's list: calls, visits, escalations, broken promises, excuse follow-ups.

    Example: huikuan remind todo --user 王丽
    """
    from huikuan.store import dunning as S
    from huikuan.store.todo import contacts, tasks

    day = parse_day(as_of, "--as-of")
    with ledger() as led:
        people = S.people(led.conn)
        lang = state().language  # talking points are for the user: in the UI language
        rows = [
            t
            for t in tasks(led.conn, day, dict.fromkeys(people, lang))
            if user is None or people[t["customer"]][0] == user
        ]
        for t in rows:
            t["points"] = translate(t["points"], lang)
            t["name"] = people[t["customer"]][1]
            t["salesperson"] = people[t["customer"]][0]
            t["contacts"] = contacts(led.conn, t["customer"])
    shown = [
        {**t, "invoices": " ".join(t["invoices"]), "contacts": _who(t["contacts"])} for t in rows
    ]
    cols = [
        "kind",
        "customer",
        "name",
        "salesperson",
        "invoices",
        "amount",
        "since",
        "contacts",
        "points",
    ]
    emit(
        Result(
            cols,
            shown if fmt in ("table", "csv") else rows,
            document={"as_of": day.isoformat(), "user": user, "tasks": rows},
            title=f"To do {day}" + (f" for {user}" if user else ""),
            notes=[] if rows else ["Nothing to do today."],
            optional=["since", "salesperson"],  # a narrow terminal keeps room for the points
        ),
        fmt,
    )


def _who(people: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{p['name']} ({p['role']}) {p['phone'] or p['email'] or ''}".strip() for p in people[:2]
    )


def register(app: typer.Typer) -> None:
    """Add the remind command group to the root app."""
    app.add_typer(remind_app, name="remind")
