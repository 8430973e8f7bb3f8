"""``remind plan|run|todo``: the daily dunning engine, from a terminal or cron."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Any

import typer

from huikuan.cli.common import App, FormatOpt, emit, parse_day, state
from huikuan.cli.context import service_context
from huikuan.output import Result
from huikuan.runtime import collector_paused
from huikuan.services import dunning

remind_app = App(
    help="Dunning: what to send today (plan), send it (run), the day's tasks (todo).\n\nExample: huikuan remind plan"
)
AsOf = Annotated[str | None, typer.Option(help="Run as of this date [today].")]
ACTION_COLUMNS = ["customer", "invoices", "level", "channel", "status"]


def _summary(actions: list[dunning.Action]) -> dict[str, dict[str, int]]:
    return {
        key: dict(sorted(Counter(getattr(a, key) for a in actions).items()))
        for key in ("level", "channel", "status")
    }


def _emit_actions(
    day: date, found: list[dunning.Action], title: str, fmt: str, notes: list[str]
) -> None:
    summary = _summary(found)
    notes = notes + [
        f"{k}: " + ", ".join(f"{n} {v}" for n, v in c.items()) for k, c in summary.items() if c
    ]
    rows = map(dunning.Action.row, found)  # JSON: written as made, never held
    doc = {"as_of": day.isoformat(), "actions": rows, "summary": summary}
    emit(
        Result(
            ACTION_COLUMNS,
            _shown(found) if fmt in ("table", "csv") else list(rows) if fmt == "xlsx" else rows,
            document=doc,
            title=title,
            notes=notes or ["Nothing to do."],
        ),
        fmt,
    )


def _shown(found: list[dunning.Action]) -> list[dict[str, Any]]:
    """Rows for a table or CSV: the invoices as one space-separated cell."""
    return [{**a.row(), "invoices": " ".join(a.invoices)} for a in found]


@remind_app.command("plan")
def plan(as_of: AsOf = None, fmt: FormatOpt = "table") -> None:
    """Show what `remind run` would do now, and who is left alone and why. Writes nothing.

    The same rounds and limitation tasks the run records, plus earlier failed messages it
    would retry. On a day that is not a working day nothing runs (unless
    [dunning] run_on_holidays = true).

    Example: huikuan remind plan --as-of 2026-12-01
    """
    day = parse_day(as_of, "--as-of")
    with collector_paused():
        _plan(day, fmt)


def _plan(day: date, fmt: str) -> None:
    with service_context(day) as ctx:
        found = dunning.plan(ctx)
    if found.day_off:
        _note(found.day_off)
    notes = [f"{day} is not a working day: nothing runs."] if found.day_off else []
    notes += [
        f"Left alone: {s.customer}{' ' + s.invoice if s.invoice else ''}: {s.reason}"
        for s in found.skips
    ]
    notes += _waiting_note(found.waiting)
    _emit_actions(day, found.actions, f"Dunning plan as of {day}", fmt, notes)


def _waiting_note(waiting: dict[str, int]) -> list[str]:
    """One line saying how many messages are not delivered yet (none: no line)."""
    if not waiting:
        return []
    parts = ", ".join(f"{n} {state}" for state, n in waiting.items())
    return [
        f"{sum(waiting.values())} message(s) not delivered yet ({parts}):"
        " `huikuan remind run` sends them"
    ]


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
    if dry_run:
        plan(as_of, fmt)
        return
    day = parse_day(as_of, "--as-of")
    with collector_paused(), service_context(day) as ctx:
        done = dunning.run(ctx)
    if done.day_off:
        _note(done.day_off)
        notes = [f"{day} is not a working day: nothing runs.", *_waiting_note(done.waiting)]
        _emit_actions(day, [], f"Dunning run {day}", fmt, notes)
        return
    _emit_actions(day, done.actions, f"Dunning run {day}", fmt, [])
    _report(done.problems)
    if done.sending:
        _note(f"{done.sending} message(s) are being sent by another run")
    if done.failed:
        typer.echo(
            "Error: "
            + state().say(
                f"{done.failed} message(s) could not be delivered; they are retried on the next run"
            ),
            err=True,
        )
        raise typer.Exit(1)


def _note(message: str) -> None:
    typer.echo(f"Note: {state().say(message)}", err=True)


def _report(problems: list[dunning.Problem]) -> None:
    """One line per distinct reason (not one per message), naming whom it concerns."""
    for p in problems:
        who = p.who
        shown = ", ".join(who[:5]) + (f" (+{len(who) - 5})" if len(who) > 5 else "")
        line = f"{shown}: {state().say(p.reason)}"
        typer.echo(f"Warning: {line}" if p.kind == "failed" else f"Note: {line}", err=True)


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
    day = parse_day(as_of, "--as-of")
    with service_context(day) as ctx:
        rows = dunning.todo(ctx, user).tasks
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
