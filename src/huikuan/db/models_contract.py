"""Contracts with milestone schedules (§11): the contract, its milestones, its events.

A milestone's ``invoice_id`` is set when its event is recorded and its invoice made; until
then it is "to come". Shares are kept in basis points (30% = 3000), amounts in 分.
"""

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field

from huikuan.db.models import LedgerModel, fk, money, one_of, stamp

CONTRACT_EVENTS = ("sign", "ship", "deliver", "accept", "warranty_end")
MILESTONE_EVENTS = (*CONTRACT_EVENTS, "date")


class Contract(LedgerModel, table=True):
    """A sales contract (合同) whose amount is invoiced milestone by milestone."""

    __tablename__ = "contract"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="contract_amount"),
        sa.CheckConstraint("warranty_months >= 0", name="contract_warranty_months"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True)
    customer_id: int = fk("customer.id", index=True)
    amount: int = money()
    currency: str
    description: str | None = None
    warranty_months: int | None = None
    created_at: dt.datetime = stamp()


class ContractMilestone(LedgerModel, table=True):
    """One instalment of a contract: share, event, days after it; its invoice once made."""

    __tablename__ = "contract_milestone"
    __table_args__ = (
        one_of("event", MILESTONE_EVENTS, "contract_milestone_event"),
        sa.CheckConstraint("share_bp > 0 AND share_bp <= 10000", name="contract_milestone_share"),
        sa.CheckConstraint("days >= 0", name="contract_milestone_days"),
        sa.CheckConstraint("amount >= 0", name="contract_milestone_amount"),
        sa.UniqueConstraint("contract_id", "seq", name="contract_milestone_once"),
    )
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = fk("contract.id")
    seq: int
    share_bp: int
    event: str
    days: int
    on: dt.date | None = None
    amount: int = money()
    invoice_id: int | None = fk("invoice.id", nullable=True)


class ContractEvent(LedgerModel, table=True):
    """An event of a contract's life (签约, 发货, 到货, 验收, 质保期满), recorded once."""

    __tablename__ = "contract_event"
    __table_args__ = (
        one_of("event", CONTRACT_EVENTS, "contract_event_event"),
        sa.UniqueConstraint("contract_id", "event", name="contract_event_once"),
    )
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = fk("contract.id")
    event: str
    date: dt.date
    username: str
    at: dt.datetime = stamp()
