"""The ledger's schema: SQLModel table models, the one source for SQLite and PostgreSQL.

Money is ``BigInteger`` 分, dates are ``Date``, flags ``Boolean``, enumerations are checked,
timestamps are UTC (:class:`Timestamp`). Foreign keys, unique keys (the exactly-once keys of
dunning among them) and the partial indexes the reports read are declared here. No column is
named after a reserved word of either engine (the 0.1 schema's ``user`` is ``username``).
"""

# No ``from __future__ import annotations`` in the model modules: pydantic and SQLAlchemy would
# evaluate each annotation string again when building the classes (every command pays it).
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from huikuan.db.dialect import partial_index
from huikuan.db.types import Timestamp

ROLES = ("decision_maker", "finance", "purchasing", "legal_rep", "other")
PAYMENT_KINDS = ("payment", "credit_note", "write_off", "void")
LOG_CHANNELS = ("phone", "email", "letter", "visit", "sms", "wechat", "legal")
MESSAGE_STATUSES = ("pending", "sending", "sent", "failed", "open", "dropped")
ACTION_STATUSES = ("done", "skipped")
RATINGS = ("AAA", "AA", "A", "B", "C")


def one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    """``CHECK (column IN (…))`` with a stable name."""
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name)


def money(*, nullable: bool = False, **kw: Any) -> Any:
    """A money column: integer 分 in a 64-bit integer."""
    return Field(sa_type=sa.BigInteger, nullable=nullable, **kw)


def fk(target: str, *, nullable: bool = False, index: bool = False) -> Any:
    """A foreign key to ``target`` (``table.id``)."""
    return Field(foreign_key=target, nullable=nullable, index=index)


def stamp(*, nullable: bool = False) -> Any:
    """A UTC timestamp column."""
    return Field(sa_type=Timestamp, nullable=nullable)


class LedgerModel(SQLModel):
    """The base of the table models. They declare the schema and are never validated as
    pydantic models, so pydantic builds no validator for them until one is first used
    (``defer_build``): every command imports them, and building one per table is slow."""

    model_config = {"defer_build": True}


class Customer(LedgerModel, table=True):
    """A customer (客户) and its collection settings."""

    __tablename__ = "customer"
    __table_args__ = (
        one_of("language", ("zh", "en"), "customer_language"),
        sa.CheckConstraint("credit_limit >= 0", name="customer_credit_limit"),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    segment: str | None = None
    region: str | None = None
    salesperson: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str = Field(default="zh", sa_column_kwargs={"server_default": "zh"})
    credit_limit: int | None = money(nullable=True)
    terms: str | None = None
    dunning_policy: str | None = None
    blocked: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    blocked_reason: str | None = None
    legal: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: dt.datetime = stamp()


class Contact(LedgerModel, table=True):
    """A person at a customer, with a role (decision maker, finance, …)."""

    __tablename__ = "contact"
    __table_args__ = (
        one_of("role", ROLES, "contact_role"),
        sa.Index("contact_customer", "customer_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customer.id")
    name: str
    role: str
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None
    note: str | None = None
    removed_on: dt.date | None = None
    removal_reason: str | None = None


class Invoice(LedgerModel, table=True):
    """A receivable (应收单); ``open_amount`` is what is still to collect."""

    __tablename__ = "invoice"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="invoice_amount"),
        sa.CheckConstraint(
            "open_amount >= 0 AND open_amount <= amount", name="invoice_open_amount"
        ),
        sa.Index("invoice_customer", "customer_id"),
        sa.Index("invoice_issue", "issue_date"),
        partial_index(
            "invoice_open",
            "customer_id",
            "currency",
            "due_date",
            "issue_date",
            "number",
            "open_amount",
            where="open_amount > 0",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True)
    customer_id: int = fk("customer.id")
    issue_date: dt.date
    due_date: dt.date
    amount: int = money()
    currency: str
    terms: str | None = None
    contract: str | None = None
    salesperson: str | None = None
    description: str | None = None
    milestone: str | None = None
    disputed: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    dispute_reason: str | None = None
    open_amount: int = money()
    voided_on: dt.date | None = None
    void_reason: str | None = None


class Payment(LedgerModel, table=True):
    """Money in (回款), a credit note, a write-off or the void of an invoice (``void``: an
    adjustment, never cash); ``unapplied`` is credit not yet used. A reversed payment (退票)
    keeps its row, with ``reversed_on`` and counter-allocations dated that day."""

    __tablename__ = "payment"
    __table_args__ = (
        one_of("kind", PAYMENT_KINDS, "payment_kind"),
        sa.CheckConstraint("amount > 0", name="payment_amount"),
        sa.CheckConstraint("unapplied >= 0 AND unapplied <= amount", name="payment_unapplied"),
        sa.Index("payment_customer", "customer_id", "date"),
        sa.Index("payment_reference", "customer_id", "reference"),  # the duplicate check
        partial_index(
            "payment_unapplied",
            "customer_id",
            "currency",
            "date",
            "id",
            where="unapplied > 0",
        ),
        partial_index(
            "payment_reversed",
            "reversed_on",
            where="reversed_on IS NOT NULL",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="payment", sa_column_kwargs={"server_default": "payment"})
    customer_id: int = fk("customer.id")
    date: dt.date
    amount: int = money()
    currency: str
    invoice_id: int | None = fk("invoice.id", nullable=True)
    reference: str | None = None
    method: str | None = None
    note: str | None = None
    unapplied: int = money()
    reversed_on: dt.date | None = None
    reversal_reason: str | None = None


class Allocation(LedgerModel, table=True):
    """Part of a payment applied to an invoice, dated with the payment's date; a negative
    amount undoes an earlier one (a correction), dated the day of the correction."""

    __tablename__ = "allocation"
    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="allocation_amount"),
        # covering: an invoice's allocations by date, summed from the index alone (0006)
        sa.Index("allocation_invoice", "invoice_id", "date", "amount", "payment_id"),
        sa.Index("allocation_payment", "payment_id"),
        sa.Index("allocation_date", "date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = fk("payment.id")
    invoice_id: int = fk("invoice.id")
    amount: int = money()
    date: dt.date


class Audit(LedgerModel, table=True):
    """One change to the ledger: who, when, what (``detail`` is JSON)."""

    __tablename__ = "audit"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = stamp()
    username: str
    action: str
    entity: str
    key: str | None = None
    detail: str | None = None


class CreditAssessment(LedgerModel, table=True):
    """A 5C assessment, kept with its inputs, weights, scores and advice (never overwritten)."""

    __tablename__ = "credit_assessment"
    __table_args__ = (
        one_of("rating", RATINGS, "credit_assessment_rating"),
        sa.CheckConstraint("total BETWEEN 0 AND 100", name="credit_assessment_total"),
        sa.CheckConstraint("recommended_limit >= 0", name="credit_assessment_limit"),
        sa.Index("credit_assessment_customer", "customer_id", "date", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customer.id")
    date: dt.date
    assessor: str
    inputs: str
    weights: str
    scores: str
    total: int
    rating: str
    recommended_limit: int = money()
    recommended_terms: str
    currency: str
    reasons: str
    missing: str
    applied_at: dt.datetime | None = stamp(nullable=True)
    created_at: dt.datetime = stamp()


class ContactLog(LedgerModel, table=True):
    """A contact with a customer (call, email, letter, visit …) and what came of it."""

    __tablename__ = "contact_log"
    __table_args__ = (
        one_of("channel", LOG_CHANNELS, "contact_log_channel"),
        sa.Index("contact_log_customer", "customer_id", "date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customer.id")
    invoice_id: int | None = fk("invoice.id", nullable=True)
    date: dt.date
    channel: str
    outcome: str | None = None
    excuse: str | None = None
    note: str | None = None
    evidence: str | None = None
    reference: str | None = None
    acknowledged: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    follow_up: dt.date | None = None
    username: str
    created_at: dt.datetime = stamp()


class Promise(LedgerModel, table=True):
    """A promise to pay (承诺付款): an amount by a date."""

    __tablename__ = "promise"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="promise_amount"),
        sa.CheckConstraint("promised_date >= made_on", name="promise_dates"),
        sa.Index("promise_customer", "customer_id", "promised_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customer.id")
    invoice_id: int | None = fk("invoice.id", nullable=True)
    amount: int = money()
    currency: str
    made_on: dt.date
    promised_date: dt.date
    note: str | None = None
    username: str
    created_at: dt.datetime = stamp()


class DunningMessage(LedgerModel, table=True):
    """One message of a dunning run to one customer on one channel, and its delivery."""

    __tablename__ = "dunning_message"
    __table_args__ = (
        one_of("status", MESSAGE_STATUSES, "dunning_message_status"),
        sa.Index("dunning_message_customer", "customer_id", "run_date"),
        sa.Index("dunning_message_status", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customer.id")
    run_date: dt.date
    policy: str
    level: int
    level_name: str
    channel: str
    letter: str | None = None
    invoices: str
    status: str
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    error: str | None = None
    evidence: str | None = None
    created_at: dt.datetime = stamp()
    updated_at: dt.datetime = stamp()
    reference: str | None = None
    claimed_pid: int | None = None
    claimed_host: str | None = None
    claimed_at: dt.datetime | None = stamp(nullable=True)


class DunningAction(LedgerModel, table=True):
    """An invoice reaching a dunning level: exactly once per (invoice, level)."""

    __tablename__ = "dunning_action"
    __table_args__ = (
        one_of("status", ACTION_STATUSES, "dunning_action_status"),
        sa.UniqueConstraint("invoice_id", "level", name="dunning_action_once"),
    )
    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = fk("invoice.id")
    level: int
    level_name: str
    status: str
    run_date: dt.date
    message_id: int | None = fk("dunning_message.id", nullable=True)


class Letter(LedgerModel, table=True):
    """A letter issued under a unique reference number, and how it was delivered."""

    __tablename__ = "letter"
    __table_args__ = (sa.Index("letter_customer", "customer_id", "as_of"),)
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True)
    kind: str
    lang: str
    customer_id: int = fk("customer.id")
    as_of: dt.date
    totals: str
    channel: str | None = None
    evidence: str | None = None
    delivered_at: dt.datetime | None = stamp(nullable=True)
    username: str
    created_at: dt.datetime = stamp()


class Target(LedgerModel, table=True):
    """A collection target (回款任务) of a salesperson for a period and currency."""

    __tablename__ = "target"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="target_amount"),
        sa.UniqueConstraint("salesperson", "period", "currency", name="target_once"),
    )
    id: int | None = Field(default=None, primary_key=True)
    salesperson: str
    period: str
    currency: str
    amount: int = money()
    set_by: str
    set_at: dt.datetime = stamp()


RATE_SOURCES = ("matrix", "litigation", "individual")


class ProvisionRun(LedgerModel, table=True):
    """A booked provision (``provision book``) and the policy it used; one live run a date."""

    __tablename__ = "provision_run"
    __table_args__ = (
        partial_index(
            "provision_run_live",
            "as_of",
            unique=True,
            where="superseded = 0",
            pg_where="NOT superseded",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    as_of: dt.date
    booked_at: dt.datetime = stamp()
    booked_by: str
    policy: str
    reason: str | None = None
    replaces: int | None = fk("provision_run.id", nullable=True)
    superseded: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class ProvisionLine(LedgerModel, table=True):
    """One customer, currency and age band of a booked provision."""

    __tablename__ = "provision_line"
    __table_args__ = (
        one_of("rate_source", RATE_SOURCES, "provision_line_rate_source"),
        sa.CheckConstraint("band >= 0", name="provision_line_band"),
        sa.CheckConstraint("open > 0", name="provision_line_open"),
        sa.CheckConstraint("provision >= 0", name="provision_line_provision"),
        sa.UniqueConstraint(
            "run_id", "customer_id", "currency", "band", name="provision_line_once"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = fk("provision_run.id")
    customer_id: int = fk("customer.id")
    currency: str
    band: int
    open: int = money()
    rate: str
    provision: int = money()
    rate_source: str


import huikuan.db.models_bank  # noqa: E402,F401  (bank statements: registers its tables)
from huikuan.db import models_contract as models_contract  # noqa: E402  (registers its tables)

LEDGER_TABLES = tuple(SQLModel.metadata.sorted_tables)
