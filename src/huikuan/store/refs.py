"""Looking a customer up by code: light, so ``credit check`` need not import the ledger's
write paths (:mod:`huikuan.store.ledger` re-exports these)."""

from __future__ import annotations

import sqlalchemy as sa

from huikuan.core.errors import NotFound
from huikuan.core.refs import CustomerRef
from huikuan.db.tables import customer
from huikuan.store.db import Connection, sa_of

CUSTOMER_REF = sa.select(customer.c.id, customer.c.code, customer.c.terms).where(
    customer.c.code == sa.bindparam("code")
)


def customer_ref(conn: Connection, code: str) -> CustomerRef | None:
    """The customer with ``code``, or None."""
    row = sa_of(conn).execute(CUSTOMER_REF, {"code": code}).first()
    return CustomerRef(*row) if row else None


def require_customer(conn: Connection, code: str) -> CustomerRef:
    """The customer with ``code``; :class:`NotFound` otherwise."""
    ref = customer_ref(conn, code)
    if ref is None:
        raise NotFound(f"unknown customer {code!r} (see `huikuan customer list`)")
    return ref
