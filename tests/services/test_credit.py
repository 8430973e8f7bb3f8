"""``services.credit`` without the CLI: score, assessments, apply, list, by rating, check, matrix.

As of 2026-11-22: GOOD (limit 10,000.00) owes INV-G1 3,000.00 due 2026-12-10 (not yet due) and
paid INV-G0 on time; BAD (limit 100,000.00) owes INV-B1 5,000.00 due 2026-07-25 (120 days
overdue, past the 60-day credit hold); NEW has no invoices and no limit.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from service_helpers import CLOCK, MakeCtx
from store_helpers import Book

from huikuan.core.errors import HuikuanError, InvalidValue, NotFound
from huikuan.services import credit

DAY = "2026-11-22"
STRONG = {"current_ratio": "2.5", "debt_ratio": "0.3", "industry_outlook": "5"}


def _ledger(book: Book) -> None:
    book.customer("GOOD", "好客户有限公司", credit_limit="10000")
    book.customer("BAD", "Slow Payer Ltd", credit_limit="100000")
    book.customer("NEW", "新客户")
    book.invoice("INV-G0", "GOOD", "2026-05-01", "2000", due="2026-05-31")
    book.payment("GOOD", "2026-05-30", "2000", invoice="INV-G0")
    book.invoice("INV-G1", "GOOD", "2026-11-10", "3000", due="2026-12-10")
    book.invoice("INV-B1", "BAD", "2026-06-25", "5000", due="2026-07-25")


def test_score_stores_the_assessment_and_a_dry_run_does_not(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    dry = credit.score(ctx, "GOOD", STRONG, store=False)
    assert dry.id is None and credit.assessments(ctx, "GOOD") == []
    scored = credit.score(ctx, "GOOD", STRONG)
    assert scored.assessment == dry.assessment  # the same figures, now stored
    [stored] = credit.assessments(ctx, "GOOD")
    assert stored.id == scored.id and stored.date == date(2026, 11, 22)
    assert (stored.rating, stored.total) == (scored.assessment.rating, scored.assessment.total)
    assert stored.recommended_limit == scored.recommended_limit
    assert isinstance(stored.recommended_limit, Decimal)
    assert stored.recommended_limit * 100 == scored.assessment.recommended_limit
    assert (stored.assessor, stored.applied_at) == ("tester", None)
    assert stored.inputs == {"current_ratio": "2.5", "debt_ratio": "0.3", "industry_outlook": 5}


def test_score_checks_every_input_and_the_customer(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    with pytest.raises(InvalidValue) as bad:
        credit.score(ctx, "GOOD", {"debt_ratio": "lots", "colour": "red"})
    assert len(bad.value.messages) == 2
    with pytest.raises(NotFound):
        credit.score(ctx, "NOBODY", STRONG)
    assert credit.assessments(ctx, "GOOD") == []


def test_apply_adopts_the_latest_assessment_as_the_limit(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    with pytest.raises(NotFound):
        credit.apply(ctx, "NEW")
    scored = credit.score(ctx, "NEW", STRONG)
    applied = credit.apply(ctx, "NEW")
    assert applied.id == scored.id and applied.applied_at == CLOCK
    line = next(li for li in credit.credit_lines(ctx) if li.code == "NEW")
    assert line.credit_limit == scored.recommended_limit
    assert line.terms == scored.assessment.recommended_terms


def test_credit_lines_give_limit_exposure_and_what_is_left(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    lines = {li.code: li for li in credit.credit_lines(make_ctx(DAY))}
    assert list(lines) == ["BAD", "GOOD", "NEW"]
    good = lines["GOOD"]
    assert (good.credit_limit, good.exposure, good.available) == (
        Decimal("10000.00"), Decimal("3000.00"), Decimal("7000.00"),
    )  # fmt: skip
    assert (lines["NEW"].credit_limit, lines["NEW"].available) == (None, None)
    assert lines["NEW"].exposure == Decimal("0.00")
    assert good.rating is None and good.last_assessed is None


def test_stale_leaves_out_customers_assessed_recently(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    credit.score(make_ctx("2026-11-01"), "GOOD", STRONG)
    ctx = make_ctx(DAY)
    assert [li.code for li in credit.credit_lines(ctx, stale=30)] == ["BAD", "NEW"]
    assert [li.code for li in credit.credit_lines(ctx, stale=21)] == ["BAD", "GOOD", "NEW"]
    [good] = [li for li in credit.credit_lines(ctx) if li.code == "GOOD"]
    assert good.last_assessed == date(2026, 11, 1)


def test_by_rating_sums_per_rating_and_currency_unrated_last(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    rating = credit.score(ctx, "GOOD", STRONG).assessment.rating
    groups = credit.by_rating(credit.credit_lines(ctx))
    assert [(g.rating, g.customers) for g in groups] == [(rating, 1), ("unrated", 2)]
    unrated = groups[1]
    assert (unrated.credit_limit, unrated.exposure, unrated.available) == (
        Decimal("100000.00"), Decimal("5000.00"), Decimal("95000.00"),
    )  # fmt: skip


def test_check_says_yes_within_the_limit_and_no_with_the_reasons(
    book: Book, make_ctx: MakeCtx
) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    ok = credit.check(ctx, "GOOD", Decimal("7000"))
    assert ok.allowed and ok.amount == Decimal("7000.00") and ok.available == Decimal("7000.00")
    assert ok.reasons == ["within the limit: 0.00 CNY left after this sale"]
    over = credit.check(ctx, "GOOD", Decimal("7000.01"))
    assert not over.allowed and "exceeds the limit" in over.reasons[0]
    held = credit.check(ctx, "BAD", Decimal("1"))
    assert not held.allowed and "INV-B1 is 120 days overdue" in held.reasons[0]
    assert (held.limit, held.exposure, held.as_of) == (
        Decimal("100000.00"), Decimal("5000.00"), date(2026, 11, 22),
    )  # fmt: skip
    nolimit = credit.check(ctx, "NEW", Decimal("1"))
    assert not nolimit.allowed and nolimit.limit is None
    with pytest.raises(InvalidValue):
        credit.check(ctx, "GOOD", Decimal("1.001"))


def test_matrix_puts_open_amounts_by_rating_and_days_overdue(book: Book, make_ctx: MakeCtx) -> None:
    _ledger(book)
    ctx = make_ctx(DAY)
    rating = credit.score(ctx, "BAD", {"debt_ratio": "0.9"}).assessment.rating
    found = credit.matrix(ctx)
    assert found.as_of == date(2026, 11, 22) and found.buckets[0] == "current"
    cells = {(r.rating, label): v for r in found.rows for label, v in zip(found.buckets, r.amounts) if v}  # fmt: skip
    assert cells == {(rating, "91-180"): Decimal("5000.00"), ("unrated", "current"): Decimal("3000.00")}  # fmt: skip
    assert [r.total for r in found.rows] == [Decimal("5000.00"), Decimal("3000.00")]


def test_inputs_from_json_names_the_source_of_a_problem() -> None:
    assert credit.inputs_from_json('{"quick_ratio": 0.9}', "in.json") == {
        "quick_ratio": Decimal("0.9")
    }
    with pytest.raises(HuikuanError, match=r"^in\.json:2: not valid JSON"):
        credit.inputs_from_json('{\n  "quick_ratio": }', "in.json")
    with pytest.raises(HuikuanError, match="expected a JSON object of inputs"):
        credit.inputs_from_json("[1, 2]", "-")


@pytest.mark.parametrize("module", ["huikuan.services.credit", "huikuan.services.collect"])
def test_importing_the_service_leaves_the_database_layer_unloaded(module: str) -> None:
    """``credit check`` starts quickly: the CLI imports these services before it needs SQL."""
    code = f"import sys, {module}; print(sorted({{'sqlalchemy', 'sqlmodel'}} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
