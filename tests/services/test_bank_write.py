"""How ``bank import`` writes its lines: tuples in the table's order, stored keys looked up
set-wise (services/bank_import.py, store/bank.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from store_helpers import Book

from huikuan.db.models import Payment
from huikuan.db.models_bank import BankLine
from huikuan.services import bank, bank_matching
from huikuan.services.bank import ImportRequest
from huikuan.store import bank as S

FIXTURES = Path(__file__).parents[1] / "fixtures"
CMB = str(FIXTURES / "bank-cmb-2026-11.csv")
CMB_B = str(FIXTURES / "bank-cmb-2026-11-b.csv")


def test_line_tuples_follow_the_table() -> None:
    columns = [c.name for c in BankLine.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]
    assert list(S.LINE_COLUMNS) == columns
    assert S.LINE_COLUMNS[-len(bank_matching.OUTCOME) :] == bank_matching.OUTCOME
    payment = [c.name for c in Payment.__table__.columns]  # type: ignore[attr-defined]
    assert list(S.PAYMENT_COLUMNS) == payment[1 : len(S.PAYMENT_COLUMNS) + 1]
    decision = bank_matching.Decision(7, "C007", ["A", "B"], "exact name", 100, [], 0, True)
    assert decision.fields(3) == dict(zip(bank_matching.OUTCOME, decision.outcome(3)))
    assert decision.outcome(None)[:4] == ("unmatched", 7, None, "A B")


def test_stored_keys_per_account(book: Book, make_ctx: Any) -> None:
    book.customer("C001", "上海明达机械有限公司")
    assert S.existing_keys(book.conn, "755912345610801", ["serial:K0001"]) == set()
    bank.import_statement(make_ctx("2026-11-22"), ImportRequest(CMB))
    keys = ["serial:K0001", "serial:K0002", "serial:NOPE", "serial:K0001"]
    assert S.existing_keys(book.conn, "755912345610801", keys) == {"serial:K0001", "serial:K0002"}
    assert S.existing_keys(book.conn, "another", keys) == set()
    assert S.existing_keys(book.conn, "755912345610801", []) == set()
    again = bank.import_statement(make_ctx("2026-11-22"), ImportRequest(CMB_B))
    assert again.duplicates == 3
