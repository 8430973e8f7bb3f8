"""References to a customer or an invoice as the checks need them (re-exported by
:mod:`huikuan.core.records`; light, so ``credit check`` need not import the record checks)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerRef:
    """What invoice and payment checks need to know of a customer."""

    id: int
    code: str
    terms: str | None


@dataclass(frozen=True)
class InvoiceRef:
    """What a payment check needs to know of the invoice it names."""

    id: int
    customer_id: int
    currency: str
