"""An index on payment(customer_id, reference): the duplicate-reference check of imports and
``payment add`` becomes one index probe instead of a scan of the customer's payments.

Revision ID: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("payment_reference", "payment", ["customer_id", "reference"])


def downgrade() -> None:
    op.drop_index("payment_reference", table_name="payment")
