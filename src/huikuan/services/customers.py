"""Customers and their contacts: add, list, show, edit, block, unblock; contact add and list.

Contact corrections (edit, remove) are in :mod:`huikuan.services.corrections`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from huikuan.core.errors import HuikuanError
from huikuan.core.rows import plain

if TYPE_CHECKING:
    from huikuan.services.context import Context
    from huikuan.store.read_models import Balance, ContactRow, CustomerInfo, CustomerRow

Row = dict[str, Any]


@dataclass(frozen=True)
class CustomerDetail:
    """A customer's fields, contacts and balances per currency (overdue as of the day)."""

    info: CustomerInfo
    contacts: list[ContactRow]
    balances: list[Balance]


def add_customer(ctx: Context, row: Mapping[str, str | None]) -> str:
    """Check and add one customer; return its code."""
    from huikuan.core.errors import Conflict
    from huikuan.core.records import check_customer, raise_problems
    from huikuan.store import ledger as L

    rec, problems = check_customer(row)
    raise_problems(problems)
    with ctx.ledger.transaction() as conn:
        if L.customer_ref(conn, rec["code"]):
            raise Conflict(f"customer {rec['code']} already exists (use `huikuan customer edit`)")
        L.insert_customers(conn, [rec])
        L.audit(conn, ctx.user, "add", "customer", rec["code"], rec)
    return str(rec["code"])


def list_customers(
    ctx: Context, segment: str | None, salesperson: str | None, blocked: bool | None
) -> Iterator[CustomerRow]:
    """Customers, by code."""
    from huikuan.store import queries as Q

    yield from Q.customers(ctx.ledger.conn, segment, salesperson, blocked)


def show_customer(ctx: Context, code: str) -> CustomerDetail:
    """A customer with its contacts and balances."""
    from huikuan.store import queries as Q

    conn = ctx.ledger.conn
    info = Q.customer(conn, code)
    return CustomerDetail(info, list(Q.contacts(conn, code)), Q.balances(conn, code, ctx.as_of))


def edit_customer(
    ctx: Context,
    code: str,
    given: Mapping[str, str],
    legal: bool | None = None,
    dunning_policy: str | None = None,
) -> None:
    """Change the given fields (text as typed; ``""`` clears), the legal flag and the
    dunning policy (``""``: by segment); audited with old and new values."""
    from huikuan.core.records import CUSTOMER_COLUMNS, check_customer, raise_problems
    from huikuan.store import ledger as L
    from huikuan.store import queries as Q

    if not given and legal is None and dunning_policy is None:
        raise HuikuanError("nothing to change (give at least one option, see --help)")
    with ctx.ledger.transaction() as conn:
        fields = plain(Q.customer(conn, code))  # as text, the form check_customer reads
        current = {k: v for k, v in fields.items() if k in CUSTOMER_COLUMNS}
        rec, problems = check_customer({**current, **given})
        raise_problems(problems)
        changes: dict[str, Any] = {k: rec[k] for k in given}
        if legal is not None:
            changes["legal"] = int(legal)
        if dunning_policy is not None:
            changes["dunning_policy"] = _policy(ctx, dunning_policy)
        L.update_customer(conn, ctx.user, code, changes)


def _policy(ctx: Context, name: str) -> str | None:
    policies = ctx.config.dunning.policies
    if name and name not in policies:
        raise HuikuanError(f"unknown dunning policy {name!r} (known: {', '.join(policies)})")
    return name or None


def set_blocked(ctx: Context, code: str, blocked: bool, reason: str | None) -> None:
    """Block (credit checks say no) or unblock a customer."""
    from huikuan.store import ledger as L

    with ctx.ledger.transaction() as conn:
        L.set_blocked(conn, ctx.user, code, blocked, reason)


def add_contact(ctx: Context, code: str, row: Mapping[str, str | None]) -> Row:
    """Check and add a contact to a customer; return the checked record."""
    from huikuan.core.records import check_contact, raise_problems
    from huikuan.store import ledger as L

    rec, problems = check_contact(row)
    raise_problems(problems)
    with ctx.ledger.transaction() as conn:
        L.add_contact(conn, ctx.user, code, rec)
    return rec


def list_contacts(ctx: Context, code: str | None) -> Iterator[ContactRow]:
    """Contacts (not removed), finance and decision makers first."""
    from huikuan.store import queries as Q

    yield from Q.contacts(ctx.ledger.conn, code)
