"""Contracts with milestone schedules: contract, contract_milestone, contract_event.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huikuan.db.types import Timestamp

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

EVENTS = "'sign', 'ship', 'deliver', 'accept', 'warranty_end'"


def upgrade() -> None:
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("warranty_months", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.CheckConstraint("amount > 0", name="contract_amount"),
        sa.CheckConstraint("warranty_months >= 0", name="contract_warranty_months"),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_contract_customer_id", "contract", ["customer_id"])
    op.create_table(
        "contract_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"event IN ({EVENTS}, 'date')", name="contract_milestone_event"),
        sa.CheckConstraint("share_bp > 0 AND share_bp <= 10000", name="contract_milestone_share"),
        sa.CheckConstraint("days >= 0", name="contract_milestone_days"),
        sa.CheckConstraint("amount >= 0", name="contract_milestone_amount"),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "seq", name="contract_milestone_once"),
    )
    op.create_table(
        "contract_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("at", Timestamp(), nullable=False),
        sa.CheckConstraint(f"event IN ({EVENTS})", name="contract_event_event"),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "event", name="contract_event_once"),
    )


def downgrade() -> None:
    op.drop_table("contract_event")
    op.drop_table("contract_milestone")
    op.drop_index("ix_contract_customer_id", table_name="contract")
    op.drop_table("contract")
