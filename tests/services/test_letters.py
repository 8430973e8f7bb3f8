"""``services.letters`` without the CLI: references, drafts, a failed write gives the number
back, nothing overdue means no demand letter."""

from __future__ import annotations

import pytest
from service_helpers import MakeCtx
from store_helpers import Book

from huikuan.core.errors import HuikuanError
from huikuan.letters.letter import Letter
from huikuan.services.letters import LetterRequest, issue_letter, missing_letterhead

DAY = "2026-11-20"


def _owes(book: Book) -> None:
    book.customer("C1", "上海明达机械有限公司", language="en")
    book.invoice("INV-1", "C1", "2026-10-01", "5000", due="2026-11-01")
    book.invoice("INV-2", "C1", "2026-11-10", "800", due="2026-12-10")


def _keep(made: Letter) -> None:
    return None


def test_letters_get_consecutive_references(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book)
    ctx = make_ctx(DAY)
    first = issue_letter(ctx, LetterRequest("demand", "C1"), _keep)
    second = issue_letter(ctx, LetterRequest("statement", "C1", lang="zh"), _keep)
    assert (first.reference, first.kind, first.lang) == ("HK-2026-000001", "demand", "en")
    assert (second.reference, second.kind, second.lang) == ("HK-2026-000002", "statement", "zh")
    assert "INV-1" in first.text and "INV-2" not in first.text  # a demand: overdue only
    assert first.pdf is None


def test_a_draft_uses_no_reference(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book)
    ctx = make_ctx(DAY)
    assert (
        issue_letter(ctx, LetterRequest("reminder", "C1", draft=True), _keep).reference == "DRAFT"
    )
    assert issue_letter(ctx, LetterRequest("reminder", "C1"), _keep).reference == "HK-2026-000001"


def test_a_failed_write_gives_the_reference_back(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book)
    ctx = make_ctx(DAY)
    kept: list[str] = []

    def broken(made: Letter) -> None:
        kept.append(made.reference)
        raise OSError("disk full")

    with pytest.raises(OSError):
        issue_letter(ctx, LetterRequest("demand", "C1"), broken)
    assert issue_letter(ctx, LetterRequest("demand", "C1"), _keep).reference == kept[0]


def test_no_demand_letter_without_anything_overdue(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book)
    with pytest.raises(HuikuanError, match="C1 has nothing overdue as of 2026-10-15"):
        issue_letter(make_ctx("2026-10-15"), LetterRequest("demand", "C1"), _keep)


def test_an_instalment_plan_splits_the_open_amount(book: Book, make_ctx: MakeCtx) -> None:
    _owes(book)
    req = LetterRequest("plan", "C1", options={"instalments": 2, "every": "month"})
    made = issue_letter(make_ctx(DAY), req, _keep)
    assert "2,900.00" in made.text  # 5,800.00 in two instalments


def test_missing_letterhead_names_the_blank_keys() -> None:
    assert missing_letterhead({"name": "X", "bank": " "}) == ["bank", "account"]
