"""The index allocation_invoice widened to (invoice_id, date, amount, payment_id): the reports
that sum an invoice's allocations by date (``interest``, and any per-invoice sum) read the
index alone, without a look-up of each allocation row.

Revision ID: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ["invoice_id", "date", "amount", "payment_id"]


def upgrade() -> None:
    op.drop_index("allocation_invoice", table_name="allocation")
    op.create_index("allocation_invoice", "allocation", COLUMNS)


def downgrade() -> None:
    op.drop_index("allocation_invoice", table_name="allocation")
    op.create_index("allocation_invoice", "allocation", ["invoice_id"])
