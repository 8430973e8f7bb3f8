"""Corrections, never deletions: voided invoices, reversed payments, removed contacts.

Adds ``invoice.voided_on/void_reason``, ``payment.reversed_on/reversal_reason`` and
``contact.removed_on/removal_reason``; a payment may be of kind ``void`` (the adjustment that
closes a voided invoice) and an allocation may be negative (a counter-entry), so the CHECKs
``payment_kind`` and ``allocation_amount`` change. SQLite cannot alter a CHECK: ``payment`` and
``allocation`` are rebuilt in batch mode from the definitions below (a ledger adopted from 0.1
has unnamed inline CHECKs, so nothing is reflected), every row and index kept.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KINDS = "kind IN ('payment', 'credit_note', 'write_off', 'void')"


def upgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("voided_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("void_reason", sa.String(), nullable=True))
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("removed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("removal_reason", sa.String(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite()
    else:
        _alter_checks()
    op.create_index(
        "payment_reversed",
        "payment",
        ["reversed_on"],
        sqlite_where=sa.text("reversed_on IS NOT NULL"),
        postgresql_where=sa.text("reversed_on IS NOT NULL"),
    )


def _alter_checks() -> None:
    """PostgreSQL: swap the two CHECKs and add the payment columns in place."""
    op.add_column("payment", sa.Column("reversed_on", sa.Date(), nullable=True))
    op.add_column("payment", sa.Column("reversal_reason", sa.String(), nullable=True))
    op.drop_constraint("payment_kind", "payment", type_="check")
    op.create_check_constraint("payment_kind", "payment", KINDS)
    op.drop_constraint("allocation_amount", "allocation", type_="check")
    op.create_check_constraint("allocation_amount", "allocation", "amount <> 0")


def _rebuild_sqlite() -> None:
    """SQLite: rebuild ``payment`` and ``allocation`` with the new CHECKs (rows copied)."""
    meta = sa.MetaData()
    with op.batch_alter_table("payment", recreate="always", copy_from=_payment_0001(meta)) as batch:
        batch.add_column(sa.Column("reversed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("reversal_reason", sa.String(), nullable=True))
        batch.create_check_constraint("payment_kind", KINDS)
    with op.batch_alter_table(
        "allocation", recreate="always", copy_from=_allocation_0001(meta)
    ) as batch:
        batch.create_check_constraint("allocation_amount", "amount <> 0")


def _payment_0001(meta: sa.MetaData) -> sa.Table:
    """``payment`` as of 0001, less the kind CHECK (replaced)."""
    table = sa.Table(
        "payment",
        meta,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(), server_default="payment", nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), nullable=True),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column("method", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("unapplied", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name="payment_amount"),
        sa.CheckConstraint("unapplied >= 0 AND unapplied <= amount", name="payment_unapplied"),
    )
    sa.Index("payment_customer", table.c.customer_id, table.c.date)
    sa.Index(
        "payment_unapplied",
        table.c.customer_id,
        table.c.currency,
        table.c.date,
        table.c.id,
        sqlite_where=sa.text("unapplied > 0"),
    )
    return table


def _allocation_0001(meta: sa.MetaData) -> sa.Table:
    """``allocation`` as of 0001, less the amount CHECK (replaced)."""
    table = sa.Table(
        "allocation",
        meta,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payment_id", sa.Integer(), sa.ForeignKey("payment.id"), nullable=False),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
    )
    sa.Index("allocation_invoice", table.c.invoice_id)
    sa.Index("allocation_payment", table.c.payment_id)
    sa.Index("allocation_date", table.c.date)
    return table


def downgrade() -> None:
    raise NotImplementedError("huikuan does not downgrade a ledger")
