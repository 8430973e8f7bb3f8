"""``services.dunning`` without the CLI: plan, run (exactly once, failures, drops), todo.

C1 owes INV-1, 5,000.00 due 2026-11-01: on 2026-11-20 it is 19 days late, so with
``escalation = "jump"`` the standard policy's "demand" level is due (a letter and an email).
"""

from __future__ import annotations

from service_helpers import CLOCK, MakeCtx
from store_helpers import Book

from huikuan.services import dunning

DAY = "2026-11-20"


def _owes(book: Book, email: str | None = "ap@md.example.cn") -> None:
    book.customer("C1", "上海明达机械有限公司", **({"email": email} if email else {}))
    book.invoice("INV-1", "C1", "2026-10-01", "5000", due="2026-11-01")


def _what(actions: list[dunning.Action]) -> list[tuple[str, list[str], str, str]]:
    return sorted((a.customer, a.invoices, a.level, a.channel) for a in actions)


def test_the_plan_is_what_the_run_records_and_delivers(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book)
    ctx = make_ctx(DAY)
    planned = dunning.plan(ctx)
    assert planned.day_off is None and planned.waiting == {}
    assert {a.status for a in planned.actions} == {"planned"}
    assert {a.channel for a in planned.actions} == {"email", "letter"}
    done = dunning.run(ctx)
    assert _what(done.actions) == _what(planned.actions)
    assert {a.status for a in done.actions} == {"sent"}
    assert (done.failed, done.problems, done.sending) == (0, [], 0)
    assert sorted(p.name for p in ctx.outbox.iterdir() if p.suffix != ".pdf") == [
        "HK-2026-000001.html",
        "HK-2026-000002.eml",
    ]


def test_a_second_run_sends_nothing_again(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book)
    ctx = make_ctx(DAY)
    assert len(dunning.run(ctx).actions) == 2
    again = dunning.run(ctx)
    assert (again.actions, again.failed, again.problems) == ([], 0, [])
    assert dunning.plan(ctx).actions == []
    rows = book.execute("SELECT status, updated_at FROM dunning_message").fetchall()
    assert rows == [("sent", CLOCK), ("sent", CLOCK)]  # stamped by the context's clock


def test_an_email_without_an_address_fails_with_its_reason_and_raises_a_task(
    book: Book, make_ctx: MakeCtx
) -> None:
    _owes(book, email=None)
    ctx = make_ctx(DAY)
    done = dunning.run(ctx)
    status = {a.channel: a.status for a in done.actions}
    assert status == {"letter": "sent", "email": "failed"}
    assert done.failed == 1
    (problem,) = done.problems
    assert (problem.kind, problem.who) == ("failed", ["C1 email"])
    assert problem.reason.startswith("C1: no email address")
    assert problem.reason.endswith("(a task to find the address is in `huikuan remind todo`)")
    assert dunning.plan(ctx).waiting == {"retry": 1}
    kinds = [t["kind"] for t in dunning.todo(ctx).tasks]
    assert kinds and all(t["customer"] == "C1" for t in dunning.todo(ctx).tasks)


def test_a_retry_of_a_paid_invoice_is_dropped(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book, email=None)
    dunning.run(make_ctx(DAY))
    book.payment("C1", "2026-11-21", "5000")
    done = dunning.run(make_ctx("2026-11-23"))
    assert [(a.channel, a.status) for a in done.actions] == [("email", "dropped")]
    (problem,) = done.problems
    assert problem.kind == "dropped" and "nothing left to collect on INV-1" in problem.reason
    assert done.failed == 0


def test_nothing_runs_on_a_day_off(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book)
    ctx = make_ctx("2026-11-21", calendar="CN")  # a Saturday
    planned, done = dunning.plan(ctx), dunning.run(ctx)
    assert planned.actions == done.actions == []
    assert done.day_off is not None and done.day_off.startswith("2026-11-21 is not a working day")
    assert planned.day_off == done.day_off
    assert book.execute("SELECT count(*) FROM dunning_message").fetchone() == (0,)


def test_a_day_off_runs_when_configured(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book)
    ctx = make_ctx("2026-11-21", calendar="CN", dunning={"escalation": "jump", "run_on_holidays": True})  # fmt: skip
    assert dunning.day_off(ctx) is None
    assert len(dunning.run(ctx).actions) == 2


def test_todo_keeps_only_the_users_customers(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book, email=None)
    ctx = make_ctx(DAY)
    dunning.run(ctx)
    assert dunning.todo(ctx, "nobody").tasks == []
    assert dunning.todo(ctx, "nobody").user == "nobody"


def test_the_ledger_stays_usable_after_a_failed_delivery(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book, email=None)
    dunning.run(make_ctx(DAY))
    assert not book.conn.in_transaction  # the failed message's transaction was closed
    assert dunning.run(make_ctx(DAY)).failed == 1  # retried, and fails again
