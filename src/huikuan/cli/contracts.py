"""``contract add|event|show|list``: contracts whose amount falls due milestone by milestone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from huikuan.cli.common import App, FormatOpt, checked_by, done, emit, parse_day
from huikuan.cli.context import service_context
from huikuan.core.contracts import EVENT_ZH, event_code
from huikuan.core.money import format_fen, format_grouped
from huikuan.core.text import check_line
from huikuan.output import Result

contract_app = App(
    help="Contracts with milestone schedules (预付/验收/质保金): add, event, show, list.\n\n"
    'Example: huikuan contract add HT-2026-01 C001 100000 --schedule "30% 签约+7; 60% 验收+30; 10% 质保期满+30"'
)
Number = Annotated[str, typer.Argument(help="Contract number (合同号).")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="As of this day [today].")]
Months = Annotated[
    int | None,
    typer.Option(help="Warranty (质保期) in months from acceptance.", min=0, max=240),
]
SHOW_COLUMNS = [
    "seq", "share", "event", "days", "amount", "invoice", "due_date", "paid", "open", "status",
]  # fmt: skip
LIST_COLUMNS = [
    "number", "customer", "name", "currency", "amount", "invoiced", "paid", "due", "to_come",
    "retention",
]  # fmt: skip
MONEY = {"amount", "paid", "open", "invoiced", "due", "to_come", "retention"}


@contract_app.command("add")
def add(
    number: Number,
    customer: Annotated[str, typer.Argument(help="Customer code.")],
    amount: Annotated[str, typer.Argument(help="Contract amount, e.g. 1,000,000.00.")],
    schedule: Annotated[
        str | None,
        typer.Option(help='Milestones: "30% 签约+7; 60% 验收+30; 10% 质保期满+30".'),
    ] = None,
    schedule_file: Annotated[
        Path | None, typer.Option(help="The schedule as a JSON or TOML file instead.")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="Currency [the ledger's].")] = None,
    description: Annotated[
        str | None, typer.Option(help="What the contract is for.", callback=checked_by(check_line))
    ] = None,
    warranty_months: Months = None,
) -> None:
    """Add a contract and its payment schedule (付款节点).

    Each milestone is a share of the amount, an event — 签约/sign, 发货/ship, 到货/deliver,
    验收/accept, 质保期满/warranty_end, or a date such as 2026-12-31 — and days after it.
    Milestones on a date are invoiced at once; the others when `contract event` records
    their event.

    Example: huikuan contract add HT-2026-01 C001 1000000 --schedule "30% 签约+7; 60% 验收+30; 10% 质保期满+30" --warranty-months 12
    """
    from huikuan.services.contracts import NewContract, add_contract, load_schedule

    plan = load_schedule(schedule, schedule_file)
    new = NewContract(number, customer, amount, plan, currency, description, warranty_months)
    with service_context(parse_day(None)) as ctx:
        change = add_contract(ctx, new)
    done(f"Added contract {number} with {len(plan)} milestones")
    _report_invoices(change.invoices)


@contract_app.command("event")
def event(
    number: Number,
    name: Annotated[
        str,
        typer.Argument(
            metavar="EVENT",
            help="签约/sign, 发货/ship, 到货/deliver, 验收/accept or 质保期满/warranty_end.",
            callback=checked_by(event_code),
        ),
    ],
    date: Annotated[str | None, typer.Option("--date", help="When it happened [today].")] = None,
    warranty_months: Months = None,
) -> None:
    """Record a contract event; every milestone on it becomes an invoice.

    The invoice is numbered <contract>-<n>, issued on the event day and due that many days
    later (moved to a working day). With 验收, --warranty-months says when the 质保金 is
    expected.

    Example: huikuan contract event HT-2026-01 验收 --date 2026-11-20 --warranty-months 12
    """
    from huikuan.services.contracts import record_event

    day = parse_day(date, "--date")
    with service_context(day) as ctx:
        change = record_event(ctx, number, event_code(name), day, warranty_months)
    done(f"Recorded {EVENT_ZH[event_code(name)]} of contract {number} on {day.isoformat()}")
    if not change.invoices:
        done("No milestone falls due on this event")
    _report_invoices(change.invoices)


def _report_invoices(invoices: Any) -> None:
    for inv in invoices:
        done(
            f"Invoiced {inv.number} ({inv.milestone}) {format_fen(inv.amount)}, "
            f"due {inv.due_date.isoformat()}"
        )


@contract_app.command("show")
def show(number: Number, as_of: AsOf = None, fmt: FormatOpt = "table") -> None:
    """Show a contract's milestones: invoiced, due, paid and still to come.

    Example: huikuan contract show HT-2026-01 --format json
    """
    from huikuan.services.contract_views import show_contract

    with service_context(parse_day(as_of, "--as-of")) as ctx:
        view = show_contract(ctx, number)
    emit(_show_result(view), fmt)


@contract_app.command("list")
def list_(
    customer: Annotated[str | None, typer.Option(help="Only this customer.")] = None,
    as_of: AsOf = None,
    fmt: FormatOpt = "table",
) -> None:
    """List contracts with what is invoiced, paid, due, to come and held as 质保金.

    Example: huikuan contract list --customer C001
    """
    from huikuan.services.contract_views import list_contracts

    with service_context(parse_day(as_of, "--as-of")) as ctx:
        views = list_contracts(ctx, customer)
    emit(Result(LIST_COLUMNS, [_summary(v) for v in views], money=MONEY), fmt)


def _summary(v: Any) -> dict[str, Any]:
    return {
        "number": v.number, "customer": v.customer, "name": v.name, "currency": v.currency,
        "amount": format_fen(v.amount), "invoiced": format_fen(v.total("invoiced")),
        "paid": format_fen(v.total("paid")), "due": format_fen(v.total("due")),
        "to_come": format_fen(v.total("to_come")), "retention": format_fen(v.retention),
    }  # fmt: skip


def _milestone(m: Any) -> dict[str, Any]:
    return {
        "seq": m.seq, "share": m.share, "event": m.on.isoformat() if m.on else m.event,
        "days": m.days, "amount": format_fen(m.amount), "invoice": m.invoice,
        "issue_date": _iso(m.issue_date), "due_date": _iso(m.due_date or m.expected),
        "expected": m.expected is not None, "paid": format_fen(m.paid),
        "open": format_fen(m.open), "status": m.status,
    }  # fmt: skip


def _iso(day: Any) -> str | None:
    return day.isoformat() if day else None


def _show_result(v: Any) -> Result:
    rows = [_milestone(m) for m in v.milestones]
    doc = {
        **_summary(v), "description": v.description, "warranty_months": v.warranty_months,
        "events": {k: d.isoformat() for k, d in sorted(v.events.items())}, "milestones": rows,
    }  # fmt: skip
    return Result(
        SHOW_COLUMNS, rows, document=doc, money=MONEY, notes=_notes(v),
        title=f"Contract {v.number}: {v.customer} {v.name}, {v.currency} {format_grouped(v.amount)}",
    )  # fmt: skip


def _notes(v: Any) -> list[str]:
    notes = [
        f"Invoiced {format_fen(v.total('invoiced'))}, paid {format_fen(v.total('paid'))}, "
        f"due {format_fen(v.total('due'))}, to come {format_fen(v.total('to_come'))}"
    ]
    if v.retention:
        notes.append(f"Retention (质保金) held: {format_fen(v.retention)}")
    return notes


def register(app: typer.Typer) -> None:
    """Add this command group to the root app."""
    app.add_typer(contract_app, name="contract")
