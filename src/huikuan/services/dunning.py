"""The daily dunning engine: what to send today (plan), send it (run), the day's tasks (todo).

Exactly once: each run decides and records under the write lock, so each invoice gets each
level once even when runs overlap; messages are then claimed one by one and delivered (see
:mod:`huikuan.services.delivery`). A failed message is retried by the next run, a stale claim
(a crashed run) is taken over, a retry whose invoices were settled meanwhile is dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huikuan.core.errors import HuikuanError
from huikuan.i18n import translate
from huikuan.services import delivery as delivery_service

if TYPE_CHECKING:
    from huikuan.core.dunning import Plan, Skip
    from huikuan.services.context import Context

Row = dict[str, Any]
STALE = timedelta(minutes=10)  # a message "sending" this long was left by a crashed run


@dataclass(frozen=True)
class Action:
    """One thing a run does (or did): a channel of a customer's level, and its status."""

    customer: str
    invoices: list[str]
    level: str
    channel: str
    status: str

    def row(self) -> dict[str, Any]:
        """The action as an output row (the JSON keys of DESIGN.md)."""
        return {"customer": self.customer, "invoices": list(self.invoices),
                "level": self.level, "channel": self.channel, "status": self.status}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One reason messages failed (``kind`` failed) or were dropped, and whom it concerns."""

    kind: str
    reason: str
    who: list[str]


@dataclass(frozen=True)
class DunningPlan:
    """What ``run`` would do as of the day: actions (with earlier messages still waiting),
    who is left alone and why, the count of waiting messages by state, and ``day_off``: the
    note saying why nothing runs on a day that is not a working day (else None)."""

    actions: list[Action]
    skips: list[Skip] = field(default_factory=list)
    waiting: dict[str, int] = field(default_factory=dict)
    day_off: str | None = None


@dataclass(frozen=True)
class DunningRun:
    """What a run did: its actions (new, then retried), the problems grouped by reason, how
    many messages failed (retried next run), how many another run is sending, the waiting
    messages (on a day off) and the day-off note."""

    actions: list[Action]
    problems: list[Problem] = field(default_factory=list)
    failed: int = 0
    sending: int = 0
    waiting: dict[str, int] = field(default_factory=dict)
    day_off: str | None = None


@dataclass(frozen=True)
class TodoList:
    """The day's tasks (store rows with names, salesperson, contacts and talking points)."""

    user: str | None
    tasks: list[dict[str, Any]]


def day_off(ctx: Context) -> str | None:
    """Why nothing runs on ``ctx.as_of`` (not a working day, runs off on such days), or None."""
    day, cfg = ctx.as_of, ctx.config
    if cfg.dunning.run_on_holidays or ctx.calendar.is_workday(day):
        return None
    return (
        f"{day} is not a working day (calendar {cfg.calendar}): no dunning"
        " today; the next working day's run catches up. Set [dunning] run_on_holidays = true"
        " to run on such days."
    )


def plan(ctx: Context) -> DunningPlan:
    """What :func:`run` would do now, and who is left alone and why. Writes nothing."""
    from huikuan.core.dunning import TASKS
    from huikuan.store import delivery as D

    off = day_off(ctx)
    actions, skips = ([], []) if off else _planned(ctx, lambda ch: "task" if ch in TASKS else "planned")  # fmt: skip
    waiting = D.waiting(ctx.ledger.conn, _stale_before(ctx))
    actions += [_action(m, m["state"]) for m in waiting]
    return DunningPlan(actions, skips, _count(waiting), off)


SHARE = 0.8  # of the customers planned here while a forked child plans the rest and the tasks


def _planned(ctx: Context, status_of: Any) -> tuple[list[Action], list[Skip]]:
    """:func:`_plans` as actions: each customer's round becomes its actions as soon as it
    is planned (a whole ledger's steps are not held), then the limitation tasks.

    Where a second core can help, a forked child plans the customers from an id on and finds
    the tasks over a second connection while this process plans the others (a separate
    read, as the plan writes nothing: a run decides again under the write lock)."""
    from huikuan.store import aside
    from huikuan.store import dunning as S

    conn = ctx.ledger.conn
    split = S.customer_split(conn, SHARE) if aside.helps(conn) else None  # None: all here

    def rest(reader: Any) -> tuple[tuple[list[Action], list[Skip]], list[Row], set[int]]:
        rounds = ([], []) if split is None else _rounds(ctx, reader, status_of, (split, None))
        return rounds, _tasks(ctx, reader), set(ctx.calendar.missing_years)

    with aside.in_child(conn, rest) as later:
        actions, skips = _rounds(ctx, conn, status_of, (None, split))
        (more, others), tasks, years = later()
    ctx.calendar.missing_years.update(years)  # what the child's copy of it noted
    actions += more  # customers by id, as the debtors come
    skips += others
    actions.sort(key=attrgetter("customer"))  # shown by code (a stable sort)
    skips.sort(key=attrgetter("customer"))
    return actions + _actions(ctx, [], tasks, status_of), skips


def _rounds(
    ctx: Context, conn: Any, status_of: Any, part: tuple[int | None, int | None]
) -> tuple[list[Action], list[Skip]]:
    """The rounds of the customers with ids in ``part`` as actions, and who is left alone."""
    from huikuan.core.dunning import plan_each
    from huikuan.store import dunning as S

    cfg, day = ctx.config.dunning, ctx.as_of
    actions: list[Action] = []
    skips: list[Skip] = []
    for found, why in plan_each(S.each_debtor(conn, cfg, day, part), cfg, day, ctx.calendar):
        skips += why
        if found:
            actions += _actions(ctx, [found], [], status_of)
    return actions, skips


def run(ctx: Context) -> DunningRun:
    """Record today's actions once, deliver them (and earlier failures), raise the tasks."""
    from huikuan.store import delivery as D

    off = day_off(ctx)
    if off:
        return DunningRun([], waiting=_count(D.waiting(ctx.ledger.conn, _stale_before(ctx))), day_off=off)  # fmt: skip
    new = _record(ctx)
    problems: dict[tuple[str, str], list[str]] = {}
    sent = _deliver(ctx, [mid for mid, _ in new], problems)
    retried = _retried(ctx, sent, {mid for mid, _ in new})
    actions = [_with_status(a, sent.get(mid, a.status)) for mid, a in new + retried]
    left = [m for m in D.waiting(ctx.ledger.conn, _stale_before(ctx)) if m["state"] == "sending"]
    return DunningRun(
        actions,
        [Problem(kind, why, who) for (kind, why), who in problems.items()],
        failed=sum(1 for s in sent.values() if s == "failed"),
        sending=len(left),
    )


def _with_status(a: Action, status: str) -> Action:
    return Action(
        a.customer, a.invoices, a.level, a.channel, "task" if status == "open" else status
    )


def _count(waiting: list[Any]) -> dict[str, int]:
    return dict(sorted(Counter(m["state"] for m in waiting).items()))


def _stale_before(ctx: Context) -> str:
    return (ctx.now() - STALE).isoformat(timespec="seconds")


def _plans(ctx: Context, conn: Any) -> tuple[list[Plan], list[Skip], list[dict[str, Any]]]:
    """What a run does on the day: each customer's round, who is left alone and why, and the
    limitation tasks to raise. :func:`plan` shows it; :func:`run` records it."""
    from huikuan.core.dunning import plan_run
    from huikuan.store import dunning as S

    cfg, day = ctx.config.dunning, ctx.as_of
    plans, skips = plan_run(S.each_debtor(conn, cfg, day), cfg, day, ctx.calendar)
    plans.sort(key=attrgetter("customer"))  # debtors come by id; shown by code (stable)
    skips.sort(key=attrgetter("customer"))
    return plans, skips, _tasks(ctx, conn)


def _tasks(ctx: Context, conn: Any) -> list[dict[str, Any]]:
    """The limitation tasks to raise on the day (periods ending within 180 days); the
    records give just what the tasks need, not each a report row."""
    from huikuan.store import dunning as S
    from huikuan.store.limitation import limitation_records

    ahead, day = ctx.config.make_calendar(), ctx.as_of  # years ahead: not warned here
    near = [
        {"customer": code, "invoice": number, "days_left": (end - day).days}
        for end, number, code, *_ in limitation_records(conn, day, ahead, 180)
        if end >= day
    ]
    return S.limitation_due(conn, near)


def _actions(
    ctx: Context, plans: list[Plan], tasks: list[dict[str, Any]], status_of: Any
) -> list[Action]:
    cfg, out = ctx.config.dunning, []
    for p in plans:
        level = cfg.policies[p.policy][p.level]
        invoices = [s.invoice for s in p.steps]
        out += [Action(p.customer, invoices, level.name, ch, status_of(ch)) for ch in level.channels]  # fmt: skip
    for t in tasks:
        out.append(Action(t["customer"], [t["invoice"]], t["level_name"], t["channel"], status_of(t["channel"])))  # fmt: skip
    return out


def _action(m: Any, status: str) -> Action:
    """A ``dunning_message`` row as an action with ``status``."""
    return Action(m["customer"], m["invoices"], m["level_name"], m["channel"], status)


def _record(ctx: Context) -> list[tuple[int, Action]]:
    """Decide and record under the write lock; return the new actions with message ids."""
    from huikuan.store import dunning as S

    with ctx.ledger.transaction() as conn:
        plans, _, tasks = _plans(ctx, conn)
        ids = S.record(conn, plans, ctx.config.dunning, ctx.as_of, ctx.clock())
        ids += S.limitation_tasks(conn, tasks, ctx.as_of, ctx.clock())
        rows = S.messages(conn, S.by_id(ids)) if ids else []
    return [(m["id"], _action(m, m["status"])) for m in rows]


def _deliver(
    ctx: Context, own: list[int], problems: dict[tuple[str, str], list[str]]
) -> dict[int, str]:
    """Deliver this run's messages, earlier failures and stale ones; why a message failed or
    was dropped goes into ``problems`` (reason -> who)."""
    from huikuan.store import delivery as D

    out: dict[int, str] = {}
    led = ctx.ledger
    for m in D.to_deliver(led.conn, own, _stale_before(ctx)):
        if D.claim(led.conn, m, ctx.clock()):
            status, why = _deliver_one(ctx, m)
            out[m["id"]] = status
            if why:
                problems.setdefault((status, why), []).append(f"{m['customer']} {m['channel']}")
    return out


def _deliver_one(ctx: Context, m: dict[str, Any]) -> tuple[str, str | None]:
    """Deliver one claimed message; any failure marks it failed with the reason (never stuck
    in ``sending``) and the run goes on with the others."""
    from huikuan.store import delivery as D
    from huikuan.store import dunning as S

    led, box, day = ctx.ledger, ctx.outbox, ctx.as_of
    try:
        done_ = delivery_service.deliver(ctx, m)
    except delivery_service.Dropped as exc:
        S.drop(led.conn, m["id"], str(exc), ctx.clock())
        return "dropped", str(exc)
    except Exception as exc:  # any failure of one message fails that message only
        why = _reason(exc, box)
        if led.conn.in_transaction:
            led.conn.rollback()
        S.finish(led.conn, m["id"], False, why, ctx.clock())
        if isinstance(exc, delivery_service.NoAddress):
            with led.transaction() as conn:
                D.address_task(conn, m, day, ctx.clock())
            why += " (a task to find the address is in `huikuan remind todo`)"
        return "failed", why
    S.finish(led.conn, m["id"], True, done_.detail, ctx.clock())
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


def _retried(ctx: Context, sent: dict[int, str], new: set[int]) -> list[tuple[int, Action]]:
    """Earlier failed messages this run delivered (or failed again)."""
    from huikuan.store import dunning as S

    old = [i for i in sent if i not in new]
    if not old:
        return []
    rows = S.messages(ctx.ledger.conn, S.by_id(old))
    return [(m["id"], _action(m, "retry")) for m in rows]


def todo(ctx: Context, user: str | None = None) -> TodoList:
    """The day's calls, visits, escalations, broken promises and excuse follow-ups (only
    ``user``'s customers when given), talking points in the UI language ``ctx.language``."""
    from huikuan.store import dunning as S
    from huikuan.store.todo import contacts, tasks

    conn, lang = ctx.ledger.conn, ctx.language
    people = S.people(conn)
    rows = [
        t
        for t in tasks(conn, ctx.as_of, dict.fromkeys(people, lang))
        if user is None or people[t["customer"]][0] == user
    ]
    for t in rows:
        t["points"] = translate(t["points"], lang)
        t["name"] = people[t["customer"]][1]
        t["salesperson"] = people[t["customer"]][0]
        t["contacts"] = contacts(conn, t["customer"])
    return TodoList(user, rows)
