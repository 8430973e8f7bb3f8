"""Bank statements (银行流水): imports, their lines and what matching learnt (DESIGN §10).

A line is stored once per account: ``dedup_key`` is the bank serial, else the date, amount,
counterparty and memo (unique per account). ``status`` is ``unmatched`` (waiting in the 认领
queue, maybe with a suggested customer), ``matched`` (a payment was recorded: ``payment_id``)
or ``ignored`` (``reason`` says why). Aliases map a counterparty name (normalised) or a
counterparty account to a customer; a claim teaches them.
"""

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field

from huikuan.db.models import LedgerModel, fk, money, one_of, stamp

LINE_STATUSES = ("unmatched", "matched", "ignored")
DIRECTIONS = ("credit", "debit")
ALIAS_KINDS = ("name", "account")


class BankImport(LedgerModel, table=True):
    """One ``bank import`` of a statement file."""

    __tablename__ = "bank_import"
    id: int | None = Field(default=None, primary_key=True)
    file: str
    layout: str
    account: str
    lines: int
    new: int
    username: str
    imported_at: dt.datetime = stamp()


class BankLine(LedgerModel, table=True):
    """One line of a bank statement and what became of it."""

    __tablename__ = "bank_line"
    __table_args__ = (
        one_of("status", LINE_STATUSES, "bank_line_status"),
        one_of("direction", DIRECTIONS, "bank_line_direction"),
        sa.CheckConstraint("amount > 0", name="bank_line_amount"),
        sa.UniqueConstraint("account", "dedup_key", name="bank_line_once"),
        sa.Index("bank_line_status_date", "status", "date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    import_id: int = fk("bank_import.id")
    account: str
    date: dt.date
    amount: int = money()
    currency: str
    direction: str
    counterparty: str | None = None
    counterparty_account: str | None = None
    memo: str | None = None
    serial: str | None = None
    dedup_key: str
    status: str = Field(default="unmatched", sa_column_kwargs={"server_default": "unmatched"})
    customer_id: int | None = fk("customer.id", nullable=True)
    payment_id: int | None = fk("payment.id", nullable=True, index=True)
    invoices: str | None = None  # invoice numbers, space-separated
    reason: str | None = None
    score: int | None = None


class BankAlias(LedgerModel, table=True):
    """A counterparty name (normalised) or account learnt to be a customer's."""

    __tablename__ = "bank_alias"
    __table_args__ = (
        one_of("kind", ALIAS_KINDS, "bank_alias_kind"),
        sa.UniqueConstraint("kind", "value", name="bank_alias_once"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str
    value: str
    customer_id: int = fk("customer.id")
    username: str
    learnt_at: dt.datetime = stamp()
