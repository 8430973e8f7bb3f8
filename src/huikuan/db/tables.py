"""The ledger's tables as SQLAlchemy Core ``Table`` objects, for statements.

Statements use these (``invoice.c.due_date``) rather than the models' class attributes, whose
static types are Python values, not SQL expressions.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlmodel import SQLModel

from huikuan.db import models as m


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table of a model."""
    return cast(sa.Table, sa.inspect(model).local_table)


allocation = table_of(m.Allocation)
audit = table_of(m.Audit)
contact = table_of(m.Contact)
contact_log = table_of(m.ContactLog)
credit_assessment = table_of(m.CreditAssessment)
customer = table_of(m.Customer)
dunning_action = table_of(m.DunningAction)
dunning_message = table_of(m.DunningMessage)
invoice = table_of(m.Invoice)
letter = table_of(m.Letter)
payment = table_of(m.Payment)
promise = table_of(m.Promise)
provision_line = table_of(m.ProvisionLine)
provision_run = table_of(m.ProvisionRun)
target = table_of(m.Target)
