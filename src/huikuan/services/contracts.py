"""Contracts with milestones (§11): add a contract, record its events, see where it stands.

Recording an event turns every milestone on it into an invoice (``<contract>-<n>``, due on
the event day plus the milestone's days, moved to a working day); a milestone on a fixed date
is invoiced when the contract is added. Invoices go through the same checks, credit
application and audit as ``invoice add``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from huikuan.core.contracts import (
    EVENT_ZH,
    MILESTONE_LABEL,
    Milestone,
    due_on,
    parse_schedule,
    schedule_from_entries,
    split_amount,
)
from huikuan.core.errors import Conflict, InvalidValue
from huikuan.core.money import format_fen, parse_currency, parse_fen
from huikuan.core.records import Context as RecordContext
from huikuan.core.records import check_invoice, raise_problems
from huikuan.services.context import Context
from huikuan.store import contracts as S
from huikuan.store import ledger as L
from huikuan.store.db import Connection

MAX_WARRANTY_MONTHS = 240


@dataclass(frozen=True)
class NewContract:
    """What ``contract add`` was given (amount as typed; schedule already parsed)."""

    number: str
    customer: str
    amount: str
    schedule: Sequence[Milestone]
    currency: str | None = None
    description: str | None = None
    warranty_months: int | None = None


@dataclass(frozen=True)
class MadeInvoice:
    """An invoice made for a milestone."""

    number: str
    amount: int
    issue_date: date
    due_date: date
    milestone: str


@dataclass(frozen=True)
class ContractChange:
    """What adding a contract or recording an event did."""

    contract: str
    invoices: list[MadeInvoice]
    event: str | None = None


def add_contract(ctx: Context, new: NewContract) -> ContractChange:
    """Store a contract and its schedule; invoice the milestones on fixed dates."""
    _check_number(new.number)
    amount = parse_fen(new.amount)
    currency = parse_currency(new.currency) if new.currency else ctx.config.currency
    _check_warranty(new.warranty_months)
    parts = split_amount(amount, new.schedule)
    with ctx.ledger.transaction() as conn:
        cust = L.require_customer(conn, new.customer)
        if S.find_contract(conn, new.number):
            raise Conflict(f"contract {new.number} already exists")
        cid = S.insert_contract(
            conn, number=new.number, customer_id=cust.id, amount=amount, currency=currency,
            description=new.description, warranty_months=new.warranty_months,
            milestones=_new_milestones(new.schedule, parts), at=ctx.now(),
        )  # fmt: skip
        L.audit(conn, ctx.user, "add", "contract", new.number, _contract_detail(new, amount))
        made = _invoice_due(ctx, conn, S.require_contract(conn, new.number), cid, {})
    return ContractChange(new.number, made)


def _check_number(number: str) -> None:
    from huikuan.core.text import check_line

    check_line(number)
    if not number.strip() or len(number) > 60:
        raise InvalidValue("contract number: must be 1 to 60 characters")


def _check_warranty(months: int | None) -> None:
    if months is not None and not 0 <= months <= MAX_WARRANTY_MONTHS:
        raise InvalidValue(f"--warranty-months must be from 0 to {MAX_WARRANTY_MONTHS}")


def _new_milestones(schedule: Sequence[Milestone], parts: list[int]) -> list[S.NewMilestone]:
    return [
        S.NewMilestone(n, int(m.share * 100), m.event, m.days, m.on, part)
        for n, (m, part) in enumerate(zip(schedule, parts, strict=True), 1)
    ]


def _contract_detail(new: NewContract, amount: int) -> dict[str, object]:
    return {
        "customer": new.customer,
        "amount": format_fen(amount),
        "schedule": "; ".join(m.text() for m in new.schedule),
    }


def record_event(
    ctx: Context, number: str, event: str, day: date, warranty_months: int | None = None
) -> ContractChange:
    """Record an event of the contract; invoice every milestone on it."""
    _check_warranty(warranty_months)
    with ctx.ledger.transaction() as conn:
        contract = S.require_contract(conn, number)
        happened = S.events(conn, contract.id)
        if event in happened:
            raise Conflict(
                f"contract {number}: {EVENT_ZH[event]} was already recorded on "
                f"{happened[event].isoformat()}"
            )
        S.record_event(conn, contract.id, event, day, ctx.user, ctx.now())
        if warranty_months is not None:
            S.set_warranty(conn, contract.id, warranty_months)
        detail = {"event": event, "date": day.isoformat(), "warranty_months": warranty_months}
        L.audit(conn, ctx.user, "event", "contract", number, detail)
        made = _invoice_due(ctx, conn, contract, contract.id, {**happened, event: day})
    return ContractChange(number, made, event)


def _invoice_due(
    ctx: Context,
    conn: Connection,
    contract: S.ContractRow,
    contract_id: int,
    happened: dict[str, date],
) -> list[MadeInvoice]:
    """Invoice the milestones whose event (or fixed date) is known and not yet invoiced."""
    made = []
    for m in S.milestones(conn, contract_id, ctx.as_of):
        day = m.on if m.event == "date" else happened.get(m.event)
        if m.invoice is None and day is not None and m.amount > 0:
            made.append(_invoice(ctx, conn, contract, m, day))
    return made


def _invoice(
    ctx: Context, conn: Connection, contract: S.ContractRow, m: S.MilestoneRow, day: date
) -> MadeInvoice:
    number = f"{contract.number}-{m.seq}"
    if L.invoice_ref(conn, number):
        raise Conflict(f"contract {contract.number}: invoice {number} already exists")
    due = due_on(day, m.days, ctx.calendar)
    row = {
        "number": number, "customer": contract.customer, "amount": format_fen(m.amount),
        "issue_date": day.isoformat(), "due_date": due.isoformat(),
        "currency": contract.currency, "contract": contract.number,
        "milestone": MILESTONE_LABEL[m.event], "description": contract.description,
    }  # fmt: skip
    rctx = RecordContext(ctx.config.currency, ctx.calendar, lambda c: L.customer_ref(conn, c))
    rec, problems = check_invoice(row, rctx)
    raise_problems(problems)
    L.insert_invoices(conn, [rec])
    invoice = L.require_invoice(conn, number)
    S.link_invoice(conn, m.id, invoice.id)
    L.apply_credit(conn, invoice.customer_id, invoice.currency)
    L.audit(conn, ctx.user, "add", "invoice", number, rec)
    return MadeInvoice(number, m.amount, day, due, MILESTONE_LABEL[m.event])


def load_schedule(text: str | None, path: Path | None) -> list[Milestone]:
    """The schedule from ``--schedule`` text or a JSON/TOML file (exactly one of them).

    JSON: a list of ``{"share": 30, "event": "签约", "days": 7}`` (or ``{"milestones": […]}``);
    TOML: ``[[milestone]]`` tables with the same keys.
    """
    if (text is None) == (path is None):
        raise InvalidValue("give the schedule with --schedule or --schedule-file (one of them)")
    if text is not None:
        return parse_schedule(text)
    assert path is not None
    return schedule_from_entries(_entries(path))


def _entries(path: Path) -> list[Any]:
    import json
    import tomllib

    try:
        raw = path.read_text("utf-8-sig")
        data: Any = tomllib.loads(raw) if path.suffix.lower() == ".toml" else json.loads(raw)
    except OSError as exc:
        raise InvalidValue(f"{path}: cannot read ({exc.strerror})") from None
    except (ValueError, UnicodeError) as exc:
        raise InvalidValue(f"{path}: not a valid schedule file ({exc})") from None
    if isinstance(data, dict):
        data = data.get("milestones", data.get("milestone"))
    if not isinstance(data, list):
        raise InvalidValue(f"{path}: expected a list of milestones")
    return data
