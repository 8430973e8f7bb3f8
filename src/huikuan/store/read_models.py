"""The typed rows :mod:`huikuan.store.queries` returns (read models, not dicts).

Fields in the order of the output contract's columns; money as :data:`Fen`, dates as
``date``. :func:`huikuan.core.rows.plain` gives their output form.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from huikuan.core.rows import Fen


class CustomerRow(NamedTuple):
    """A customer in ``customer list``."""

    code: str
    name: str
    segment: str | None
    region: str | None
    salesperson: str | None
    email: str | None
    phone: str | None
    language: str
    credit_limit: Fen | None
    terms: str | None
    blocked: bool
    blocked_reason: str | None
    legal: bool


class CustomerInfo(NamedTuple):
    """One customer's fields (``customer show``)."""

    code: str
    name: str
    segment: str | None
    region: str | None
    salesperson: str | None
    email: str | None
    phone: str | None
    language: str
    credit_limit: Fen | None
    terms: str | None
    dunning_policy: str | None
    blocked: bool
    blocked_reason: str | None
    legal: bool
    created_at: dt.datetime


class ContactRow(NamedTuple):
    """A contact of a customer."""

    customer: str
    name: str
    role: str
    title: str | None
    phone: str | None
    email: str | None
    wechat: str | None
    note: str | None


class Balance(NamedTuple):
    """A customer's balances in one currency."""

    currency: str
    invoiced: Fen
    open: Fen
    overdue: Fen
    unapplied: Fen


class InvoiceRow(NamedTuple):
    """An invoice in ``invoice list``."""

    number: str
    customer: str
    issue_date: dt.date
    due_date: dt.date
    amount: Fen
    open: Fen
    currency: str
    terms: str | None
    salesperson: str | None
    disputed: bool
    dispute_reason: str | None
    days_overdue: int


class InvoiceInfo(NamedTuple):
    """One invoice's fields (``invoice show``); the void fields are set once it is voided."""

    number: str
    customer: str
    issue_date: dt.date
    due_date: dt.date
    amount: Fen
    open: Fen
    currency: str
    terms: str | None
    salesperson: str | None
    disputed: bool
    dispute_reason: str | None
    contract: str | None
    description: str | None
    milestone: str | None
    voided_on: dt.date | None
    void_reason: str | None


class AllocationRow(NamedTuple):
    """What was applied to an invoice: a payment, credit note or write-off."""

    date: dt.date
    kind: str
    amount: Fen
    reference: str | None
    method: str | None


class PaymentRow(NamedTuple):
    """A payment (or credit note, write-off) in ``payment list``."""

    id: int
    date: dt.date
    customer: str
    kind: str
    amount: Fen
    currency: str
    invoice: str | None
    reference: str | None
    method: str | None
    unapplied: Fen
    note: str | None
    reversed_on: dt.date | None


class Applied(NamedTuple):
    """Where part of a payment went; ``open_after`` is None for the unapplied rest."""

    invoice: str
    amount: Fen
    open_after: Fen | None


class CustomerExport(NamedTuple):
    """A customer with the import columns."""

    code: str
    name: str
    segment: str | None
    region: str | None
    salesperson: str | None
    email: str | None
    phone: str | None
    language: str
    credit_limit: Fen | None
    terms: str | None


class InvoiceExport(NamedTuple):
    """An invoice with the import columns."""

    number: str
    customer: str
    issue_date: dt.date
    amount: Fen
    due_date: dt.date
    terms: str | None
    currency: str
    contract: str | None
    salesperson: str | None
    description: str | None
    milestone: str | None


class PaymentExport(NamedTuple):
    """A payment with the import columns (its invoice unless that was voided)."""

    customer: str
    date: dt.date
    amount: Fen
    invoice: str | None
    currency: str
    reference: str | None
    method: str | None


ExportRow = CustomerExport | InvoiceExport | PaymentExport
