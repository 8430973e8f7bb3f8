"""Bank statements: bank_import, bank_line, bank_alias (DESIGN §10).

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huikuan.db.types import Timestamp

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("layout", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("imported_at", Timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "bank_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("bank_import.id"), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("counterparty", sa.String(), nullable=True),
        sa.Column("counterparty_account", sa.String(), nullable=True),
        sa.Column("memo", sa.String(), nullable=True),
        sa.Column("serial", sa.String(), nullable=True),
        sa.Column("dedup_key", sa.String(), nullable=False),
        sa.Column("status", sa.String(), server_default="unmatched", nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=True),
        sa.Column("payment_id", sa.Integer(), sa.ForeignKey("payment.id"), nullable=True),
        sa.Column("invoices", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('unmatched', 'matched', 'ignored')", name="bank_line_status"
        ),
        sa.CheckConstraint("direction IN ('credit', 'debit')", name="bank_line_direction"),
        sa.CheckConstraint("amount > 0", name="bank_line_amount"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account", "dedup_key", name="bank_line_once"),
    )
    op.create_index("bank_line_status_date", "bank_line", ["status", "date"])
    op.create_index("ix_bank_line_payment_id", "bank_line", ["payment_id"])
    op.create_table(
        "bank_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("learnt_at", Timestamp(), nullable=False),
        sa.CheckConstraint("kind IN ('name', 'account')", name="bank_alias_kind"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "value", name="bank_alias_once"),
    )


def downgrade() -> None:
    op.drop_table("bank_alias")
    op.drop_index("ix_bank_line_payment_id", "bank_line")
    op.drop_index("bank_line_status_date", "bank_line")
    op.drop_table("bank_line")
    op.drop_table("bank_import")
