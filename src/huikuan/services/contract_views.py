"""Where contracts stand (``contract show``/``list``): invoiced, due, paid and to come.

Amounts are 分; a milestone is ``to_come`` until its invoice is issued, then ``invoiced``
(not yet due), ``due`` (open on or past its due date) or ``paid``. The retention (质保金,
the milestones on 质保期满) is counted apart while it is open or to come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from huikuan.core.contracts import milestone_status, warranty_end
from huikuan.services.context import Context
from huikuan.store import contracts as S
from huikuan.store.db import Connection


@dataclass(frozen=True)
class MilestoneView:
    """One milestone as of the day."""

    seq: int
    share: str
    event: str
    on: date | None
    days: int
    amount: int
    invoice: str | None
    issue_date: date | None
    due_date: date | None
    expected: date | None
    paid: int
    open: int
    status: str


@dataclass(frozen=True)
class ContractView:
    """A contract with its totals and milestones as of ``as_of``."""

    number: str
    customer: str
    name: str
    amount: int
    currency: str
    description: str | None
    warranty_months: int | None
    events: dict[str, date]
    milestones: list[MilestoneView]

    def total(self, what: str) -> int:
        """``paid``, ``invoiced``, ``to_come`` (amounts), or the open amount in status ``what``."""
        if what == "paid":
            return sum(m.paid for m in self.milestones)
        if what in ("invoiced", "to_come"):
            invoiced = what == "invoiced"
            return sum(m.amount for m in self.milestones if (m.status != "to_come") == invoiced)
        return sum(m.open for m in self.milestones if m.status == what)

    @property
    def retention(self) -> int:
        """The 质保金 still held: open or to come on the warranty-end milestones."""
        return sum(
            m.amount if m.status == "to_come" else m.open
            for m in self.milestones
            if m.event == "warranty_end"
        )


def show_contract(ctx: Context, number: str) -> ContractView:
    """One contract as of ``ctx.as_of``."""
    conn = ctx.ledger.conn
    return _view(conn, S.require_contract(conn, number), ctx)


def list_contracts(ctx: Context, customer: str | None = None) -> list[ContractView]:
    """Every contract (of one customer) as of ``ctx.as_of``, by number."""
    conn = ctx.ledger.conn
    return [_view(conn, c, ctx) for c in S.contracts(conn, customer)]


def _view(conn: Connection, c: S.ContractRow, ctx: Context) -> ContractView:
    happened = S.events(conn, c.id)
    rows = S.milestones(conn, c.id, ctx.as_of)
    views = [_milestone(m, happened, c.warranty_months, ctx) for m in rows]
    return ContractView(
        c.number, c.customer, c.name, c.amount, c.currency, c.description,
        c.warranty_months, happened, views,
    )  # fmt: skip


def _milestone(
    m: S.MilestoneRow, happened: dict[str, date], months: int | None, ctx: Context
) -> MilestoneView:
    status = milestone_status(m.issue_date, m.due_date, m.open, ctx.as_of)
    open_fen = m.open if status not in ("to_come", "paid") and m.open else 0
    paid = m.amount - (m.open or 0) if status != "to_come" else 0
    return MilestoneView(
        m.seq, share_text(m.share_bp), m.event, m.on, m.days, m.amount, m.invoice,
        m.issue_date, m.due_date, _expected(m, happened, months, ctx), paid, open_fen, status,
    )  # fmt: skip


def _expected(
    m: S.MilestoneRow, happened: dict[str, date], months: int | None, ctx: Context
) -> date | None:
    """When a milestone not yet invoiced is expected to fall due, where that is known."""
    if m.invoice is not None:
        return None
    if m.event == "date" and m.on is not None:
        return ctx.calendar.roll_forward(m.on + timedelta(days=m.days))
    if m.event != "warranty_end" or "accept" not in happened or months is None:
        return None
    end = warranty_end(happened["accept"], months)
    return ctx.calendar.roll_forward(end + timedelta(days=m.days))


def share_text(share_bp: int) -> str:
    """3000 -> ``"30"``, 3350 -> ``"33.5"`` (percent)."""
    text = f"{Decimal(share_bp) / 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
