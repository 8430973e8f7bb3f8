"""Baseline: the ledger of huikuan 0.1's migrations m001-m010, ``user`` columns renamed ``username``.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from huikuan.db.types import Timestamp

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", Timestamp(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=True),
        sa.Column("detail", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("segment", sa.String(), nullable=True),
        sa.Column("region", sa.String(), nullable=True),
        sa.Column("salesperson", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("language", sa.String(), server_default="zh", nullable=False),
        sa.Column("credit_limit", sa.BigInteger(), nullable=True),
        sa.Column("terms", sa.String(), nullable=True),
        sa.Column("dunning_policy", sa.String(), nullable=True),
        sa.Column("blocked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("blocked_reason", sa.String(), nullable=True),
        sa.Column("legal", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.CheckConstraint("language IN ('zh', 'en')", name="customer_language"),
        sa.CheckConstraint("credit_limit >= 0", name="customer_credit_limit"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "provision_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("booked_at", Timestamp(), nullable=False),
        sa.Column("booked_by", sa.String(), nullable=False),
        sa.Column("policy", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("replaces", sa.Integer(), nullable=True),
        sa.Column("superseded", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["replaces"],
            ["provision_run.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "provision_run_live",
        "provision_run",
        ["as_of"],
        unique=True,
        sqlite_where=sa.text("superseded = 0"),
        postgresql_where=sa.text("NOT superseded"),
    )
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salesperson", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", Timestamp(), nullable=False),
        sa.CheckConstraint("amount > 0", name="target_amount"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("salesperson", "period", "currency", name="target_once"),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("wechat", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.CheckConstraint(
            "role IN ('decision_maker', 'finance', 'purchasing', 'legal_rep', 'other')",
            name="contact_role",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("contact_customer", "contact", ["customer_id"], unique=False)
    op.create_table(
        "credit_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("assessor", sa.String(), nullable=False),
        sa.Column("inputs", sa.String(), nullable=False),
        sa.Column("weights", sa.String(), nullable=False),
        sa.Column("scores", sa.String(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(), nullable=False),
        sa.Column("recommended_limit", sa.BigInteger(), nullable=False),
        sa.Column("recommended_terms", sa.String(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("reasons", sa.String(), nullable=False),
        sa.Column("missing", sa.String(), nullable=False),
        sa.Column("applied_at", Timestamp(), nullable=True),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.CheckConstraint(
            "rating IN ('AAA', 'AA', 'A', 'B', 'C')", name="credit_assessment_rating"
        ),
        sa.CheckConstraint("recommended_limit >= 0", name="credit_assessment_limit"),
        sa.CheckConstraint("total BETWEEN 0 AND 100", name="credit_assessment_total"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "credit_assessment_customer",
        "credit_assessment",
        ["customer_id", "date", "id"],
        unique=False,
    )
    op.create_table(
        "dunning_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("policy", sa.String(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("level_name", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("letter", sa.String(), nullable=True),
        sa.Column("invoices", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("evidence", sa.String(), nullable=True),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.Column("updated_at", Timestamp(), nullable=False),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column("claimed_pid", sa.Integer(), nullable=True),
        sa.Column("claimed_host", sa.String(), nullable=True),
        sa.Column("claimed_at", Timestamp(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'open', 'dropped')",
            name="dunning_message_status",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "dunning_message_customer", "dunning_message", ["customer_id", "run_date"], unique=False
    )
    op.create_index("dunning_message_status", "dunning_message", ["status"], unique=False)
    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("terms", sa.String(), nullable=True),
        sa.Column("contract", sa.String(), nullable=True),
        sa.Column("salesperson", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("milestone", sa.String(), nullable=True),
        sa.Column("disputed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("dispute_reason", sa.String(), nullable=True),
        sa.Column("open_amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name="invoice_amount"),
        sa.CheckConstraint(
            "open_amount >= 0 AND open_amount <= amount", name="invoice_open_amount"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("invoice_customer", "invoice", ["customer_id"], unique=False)
    op.create_index("invoice_issue", "invoice", ["issue_date"], unique=False)
    op.create_index(
        "invoice_open",
        "invoice",
        ["customer_id", "currency", "due_date", "issue_date", "number", "open_amount"],
        unique=False,
        sqlite_where=sa.text("open_amount > 0"),
        postgresql_where=sa.text("open_amount > 0"),
    )
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("lang", sa.String(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("totals", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("evidence", sa.String(), nullable=True),
        sa.Column("delivered_at", Timestamp(), nullable=True),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_index("letter_customer", "letter", ["customer_id", "as_of"], unique=False)
    op.create_table(
        "provision_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("open", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.String(), nullable=False),
        sa.Column("provision", sa.BigInteger(), nullable=False),
        sa.Column("rate_source", sa.String(), nullable=False),
        sa.CheckConstraint(
            "rate_source IN ('matrix', 'litigation', 'individual')",
            name="provision_line_rate_source",
        ),
        sa.CheckConstraint("band >= 0", name="provision_line_band"),
        sa.CheckConstraint("open > 0", name="provision_line_open"),
        sa.CheckConstraint("provision >= 0", name="provision_line_provision"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["provision_run.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "run_id", "customer_id", "currency", "band", name="provision_line_once"
        ),
    )
    op.create_table(
        "contact_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("excuse", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("evidence", sa.String(), nullable=True),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column("acknowledged", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("follow_up", sa.Date(), nullable=True),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'email', 'letter', 'visit', 'sms', 'wechat', 'legal')",
            name="contact_log_channel",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("contact_log_customer", "contact_log", ["customer_id", "date"], unique=False)
    op.create_table(
        "dunning_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("level_name", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('done', 'skipped')", name="dunning_action_status"),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["dunning_message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invoice_id", "level", name="dunning_action_once"),
    )
    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), server_default="payment", nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(), nullable=True),
        sa.Column("method", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("unapplied", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kind IN ('payment', 'credit_note', 'write_off')", name="payment_kind"),
        sa.CheckConstraint("amount > 0", name="payment_amount"),
        sa.CheckConstraint("unapplied >= 0 AND unapplied <= amount", name="payment_unapplied"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("payment_customer", "payment", ["customer_id", "date"], unique=False)
    op.create_index(
        "payment_unapplied",
        "payment",
        ["customer_id", "currency", "date", "id"],
        unique=False,
        sqlite_where=sa.text("unapplied > 0"),
        postgresql_where=sa.text("unapplied > 0"),
    )
    op.create_table(
        "promise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("created_at", Timestamp(), nullable=False),
        sa.CheckConstraint("amount > 0", name="promise_amount"),
        sa.CheckConstraint("promised_date >= made_on", name="promise_dates"),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("promise_customer", "promise", ["customer_id", "promised_date"], unique=False)
    op.create_table(
        "allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.CheckConstraint("amount > 0", name="allocation_amount"),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("allocation_date", "allocation", ["date"], unique=False)
    op.create_index("allocation_invoice", "allocation", ["invoice_id"], unique=False)
    op.create_index("allocation_payment", "allocation", ["payment_id"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("huikuan does not downgrade a ledger")
