"""``services.contracts`` without the CLI: adding, events, the views, all-or-nothing."""

from __future__ import annotations

from datetime import date

import pytest
from service_helpers import MakeCtx
from store_helpers import Book

from huikuan.core.contracts import parse_schedule
from huikuan.core.errors import Conflict, NotFound
from huikuan.services.contract_views import list_contracts, show_contract
from huikuan.services.contracts import NewContract, add_contract, record_event

PLAN = parse_schedule("30% 签约+7; 60% 验收+30; 10% 质保期满+30")


def _add(book: Book, make_ctx: MakeCtx, number: str = "HT-1") -> None:
    add_contract(make_ctx("2026-09-01"), NewContract(number, "C1", "1000", PLAN, warranty_months=6))


def test_add_and_events(book: Book, make_ctx: MakeCtx) -> None:
    book.customer("C1", "明达")
    _add(book, make_ctx)
    made = record_event(make_ctx("2026-09-24"), "HT-1", "sign", date(2026, 9, 24)).invoices
    assert [(m.number, m.amount, m.due_date) for m in made] == [
        ("HT-1-1", 30000, date(2026, 10, 1))
    ]
    record_event(make_ctx("2026-11-02"), "HT-1", "accept", date(2026, 11, 2))
    book.payment("C1", "2026-11-20", "500")
    view = show_contract(make_ctx("2026-11-20"), "HT-1")
    assert [m.status for m in view.milestones] == ["paid", "invoiced", "to_come"]
    assert (view.total("paid"), view.total("invoiced"), view.total("to_come")) == (
        50000,
        90000,
        10000,
    )
    assert view.milestones[2].expected == date(2027, 6, 1)  # accepted 11-02 + 6 months + 30 days
    assert view.retention == 10000
    assert [v.number for v in list_contracts(make_ctx("2026-11-20"), "C1")] == ["HT-1"]
    assert list_contracts(make_ctx("2026-11-20"), "C9") == []


def test_errors(book: Book, make_ctx: MakeCtx) -> None:
    book.customer("C1", "明达")
    _add(book, make_ctx)
    with pytest.raises(Conflict, match="already exists"):
        _add(book, make_ctx)
    with pytest.raises(NotFound, match="unknown contract 'HT-2'"):
        record_event(make_ctx("2026-09-24"), "HT-2", "sign", date(2026, 9, 24))
    with pytest.raises(NotFound, match="unknown customer"):
        add_contract(make_ctx("2026-09-01"), NewContract("HT-3", "C9", "1", PLAN))
    assert [v.number for v in list_contracts(make_ctx("2026-09-01"))] == ["HT-1"]
