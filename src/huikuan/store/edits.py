"""Corrections of what was typed: an invoice's fields, a contact's, removing a contact.

Nothing is deleted: a removed contact keeps its row (``removed_on``, ``removal_reason``) and
is no longer listed nor used as an addressee. Each change runs inside the caller's
transaction and is audited with the reason and the values before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import col

from huikuan.core.errors import Conflict, HuikuanError, NotFound
from huikuan.core.money import format_fen
from huikuan.db.models import Contact, Invoice
from huikuan.store.db import Connection, sa_of
from huikuan.store.ledger import CONTACT_FIELDS, apply_credit, audit, id_of, require_customer

INVOICE_EDITABLE = ("due_date", "salesperson", "contract", "description", "amount")
INVOICE_NOW = sa.select(
    id_of(Invoice),
    col(Invoice.customer_id),
    col(Invoice.currency),
    col(Invoice.issue_date),
    col(Invoice.amount),
    col(Invoice.open_amount),
    col(Invoice.voided_on),
    *(col(getattr(Invoice, c)) for c in INVOICE_EDITABLE if c != "amount"),
).where(col(Invoice.number) == sa.bindparam("number"))


class Diff(NamedTuple):
    """What an edit changed: the changed fields' values before and after (dates as ISO text,
    money in 分, as audited)."""

    before: dict[str, Any]
    after: dict[str, Any]


class FoundContact(NamedTuple):
    """A contact's id and its editable fields (:data:`CONTACT_FIELDS`)."""

    id: int
    fields: dict[str, Any]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def edit_invoice(
    conn: Connection,
    number: str,
    changes: Mapping[str, Any],
    *,
    reason: str,
    user: str,
    on: date,
) -> Diff:
    """Set checked invoice fields (``amount`` in 分 only while nothing is applied); return
    ``{"before": …, "after": …}`` of the fields that changed."""
    row = sa_of(conn).execute(INVOICE_NOW, {"number": number}).first()
    if row is None:
        raise NotFound(f"unknown invoice {number!r} (see `huikuan invoice list`)")
    iid, cid, currency, issue, amount, open_amount, voided_on, *rest = row
    now = dict(zip([c for c in INVOICE_EDITABLE if c != "amount"], rest)) | {"amount": amount}
    _check_invoice_edit(number, changes, issue, amount, open_amount, voided_on, currency)
    values = {k: v for k, v in changes.items() if now[k] != v}
    if not values:
        raise HuikuanError(f"invoice {number} already has these values: nothing to change")
    extra = {"open_amount": values["amount"]} if "amount" in values else {}
    sa_of(conn).execute(sa.update(Invoice).where(id_of(Invoice) == iid).values(**values, **extra))
    if "amount" in values:
        apply_credit(conn, cid, currency, on)
    diff = Diff({k: _plain(now[k]) for k in values}, {k: _plain(v) for k, v in values.items()})
    audit(conn, user, "edit", "invoice", number, {"reason": reason, **diff._asdict()})
    return diff


def _check_invoice_edit(
    number: str,
    changes: Mapping[str, Any],
    issue: date,
    amount: int,
    open_amount: int,
    voided_on: date | None,
    currency: str,
) -> None:
    if "amount" in changes and voided_on is not None:
        raise Conflict(f"invoice {number} is void: its amount is not changed")
    if "amount" in changes and open_amount != amount:
        applied = format_fen(amount - open_amount)
        raise Conflict(
            f"invoice {number} has {currency} {applied} applied to it: its amount can only"
            " change while nothing is applied (reverse the payments first)"
        )
    due = changes.get("due_date")
    if due is not None and due < issue:
        raise Conflict(f"due date {due.isoformat()} is before the issue date {issue.isoformat()}")


# --- contacts ----------------------------------------------------------------------------

CONTACT_ROW = (
    sa.select(id_of(Contact), *(col(getattr(Contact, c)) for c in CONTACT_FIELDS))
    .where(
        col(Contact.customer_id) == sa.bindparam("cid"),
        col(Contact.name) == sa.bindparam("name"),
        col(Contact.removed_on).is_(None),
    )
    .order_by(id_of(Contact))
)


def find_contact(conn: Connection, code: str, name: str, role: str | None = None) -> FoundContact:
    """The customer's contact (not removed) called ``name`` (and with ``role``, when given)."""
    cid = require_customer(conn, code).id
    rows = sa_of(conn).execute(CONTACT_ROW, {"cid": cid, "name": name}).all()
    found = [FoundContact(r[0], dict(zip(CONTACT_FIELDS, r[1:]))) for r in rows]
    if role is not None:
        found = [f for f in found if f.fields["role"] == role]
    if not found:
        raise NotFound(f"{code} has no contact named {name!r} (see `huikuan contact list {code}`)")
    if len(found) > 1:
        roles = ", ".join(f.fields["role"] for f in found)
        raise Conflict(
            f"{code} has {len(found)} contacts named {name} ({roles}): give --current-role"
        )
    return found[0]


def edit_contact(
    conn: Connection,
    code: str,
    contact_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    reason: str,
    user: str,
) -> Diff:
    """Set a contact's checked fields; return ``{"before": …, "after": …}`` of what changed."""
    values = {k: after[k] for k in CONTACT_FIELDS if after[k] != before[k]}
    if not values:
        raise HuikuanError(f"contact {before['name']} already has these values: nothing to change")
    sa_of(conn).execute(sa.update(Contact).where(id_of(Contact) == contact_id).values(**values))
    diff = Diff({k: before[k] for k in values}, values)
    detail = {"id": contact_id, "name": before["name"], "reason": reason, **diff._asdict()}
    audit(conn, user, "edit", "contact", code, detail)
    return diff


def remove_contact(
    conn: Connection,
    code: str,
    contact_id: int,
    before: Mapping[str, Any],
    *,
    on: date,
    reason: str,
    user: str,
) -> None:
    """Mark a contact removed on ``on`` (kept, no longer listed nor used as addressee)."""
    sa_of(conn).execute(
        sa.update(Contact)
        .where(id_of(Contact) == contact_id)
        .values(removed_on=on, removal_reason=reason)
    )
    detail = {"id": contact_id, "reason": reason, "removed_on": on.isoformat(), "before": before}
    audit(conn, user, "remove", "contact", code, dict(detail))
