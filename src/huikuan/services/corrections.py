"""Corrections, never deletions: void or edit an invoice, reverse a payment (退票), edit or
remove a contact. Each takes a reason, runs in one transaction and is audited with the state
before and after; the ledger entries are dated (see :mod:`huikuan.store.corrections`), so
reports as of an earlier day are unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.store.corrections import Reversal, Void

if TYPE_CHECKING:
    from huikuan.services.context import Context

__all__ = ["Reversal", "Void"]


@dataclass(frozen=True)
class Edited:
    """What a correction changed: the fields' values before and after."""

    key: str
    before: dict[str, Any]
    after: dict[str, Any]


def void_invoice(ctx: Context, number: str, reason: str, reverse_allocations: bool) -> Void:
    """Void an invoice as of the context's day (see :func:`store.corrections.void_invoice`)."""
    from huikuan.store import corrections as K

    with ctx.ledger.transaction() as conn:
        return K.void_invoice(
            conn, number, on=ctx.as_of, reason=reason, user=ctx.user,
            reverse_allocations=reverse_allocations,
        )  # fmt: skip


def reverse_payment(ctx: Context, key: str, reason: str) -> Reversal:
    """Reverse the payment with id or reference ``key`` as of the context's day."""
    from huikuan.store import corrections as K

    with ctx.ledger.transaction() as conn:
        pid = K.find_payment(conn, key)
        return K.reverse_payment(conn, pid, on=ctx.as_of, reason=reason, user=ctx.user)


def edit_invoice(ctx: Context, number: str, given: Mapping[str, str], reason: str) -> Edited:
    """Change an invoice's due date, salesperson, contract, description (``""`` clears the
    text ones) or amount (only while nothing is applied to it)."""
    from huikuan.store import edits as E

    if not given:
        raise HuikuanError("nothing to change (give at least one option, see --help)")
    changes = {k: _invoice_value(k, v) for k, v in given.items()}
    with ctx.ledger.transaction() as conn:
        diff = E.edit_invoice(conn, number, changes, reason=reason, user=ctx.user, on=ctx.as_of)
    return Edited(number, diff.before, diff.after)


def _invoice_value(field: str, text: str) -> Any:
    from huikuan.core.dates import parse_date
    from huikuan.core.money import parse_fen
    from huikuan.core.text import required_line

    option = f"--{field.replace('_', '-')}"
    try:
        if field == "due_date":
            return parse_date(text)
        if field == "amount":
            return parse_fen(text)
    except HuikuanError as exc:
        raise InvalidValue(f"{option}: {exc}") from None
    return required_line(text, option) if text.strip() else None


def edit_contact(
    ctx: Context,
    code: str,
    name: str,
    given: Mapping[str, str],
    reason: str,
    current_role: str | None = None,
) -> Edited:
    """Change the given fields of the customer's contact ``name`` (``""`` clears one)."""
    from huikuan.core.records import check_contact, raise_problems
    from huikuan.store import edits as E

    if not given:
        raise HuikuanError("nothing to change (give at least one option, see --help)")
    with ctx.ledger.transaction() as conn:
        cid, before = E.find_contact(conn, code, name, _role(current_role))
        rec, problems = check_contact({**before, **given})
        raise_problems(problems)
        diff = E.edit_contact(conn, code, cid, before, rec, reason=reason, user=ctx.user)
    return Edited(f"{code} {name}", diff.before, diff.after)


def remove_contact(
    ctx: Context, code: str, name: str, reason: str, current_role: str | None = None
) -> date:
    """Mark the customer's contact ``name`` removed as of the context's day."""
    from huikuan.store import edits as E

    with ctx.ledger.transaction() as conn:
        cid, before = E.find_contact(conn, code, name, _role(current_role))
        E.remove_contact(conn, code, cid, before, on=ctx.as_of, reason=reason, user=ctx.user)
    return ctx.as_of


def _role(text: str | None) -> str | None:
    from huikuan.core.records import parse_role

    return None if text is None else parse_role(text)
