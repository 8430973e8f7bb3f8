"""Bank statement use cases without the CLI: import, match, claim, unclaim, ignore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from store_helpers import Book

from huikuan.core.errors import Conflict, HuikuanError, ImportFailed
from huikuan.db.models import Allocation, Audit, Invoice, Payment
from huikuan.db.models_bank import BankAlias, BankImport, BankLine
from huikuan.services import bank
from huikuan.services.bank import ImportRequest
from huikuan.store.db import sa_of

FIXTURES = Path(__file__).parents[1] / "fixtures"
CMB = str(FIXTURES / "bank-cmb-2026-11.csv")
CMB_B = str(FIXTURES / "bank-cmb-2026-11-b.csv")


@pytest.fixture
def ledger(book: Book) -> Book:
    book.customer("C001", "上海明达机械有限公司")
    book.customer("C003", "苏州小厂")
    book.customer("C004", "Delta")
    book.invoice("INV-101", "C001", "2026-10-01", "4400", due="2026-12-01")
    book.invoice("INV-102", "C001", "2026-09-01", "1200", due="2026-10-01")
    book.invoice("INV-401", "C004", "2026-08-01", "800", due="2026-08-31")
    return book


def _rows(book: Book, table: Any) -> list[tuple[Any, ...]]:
    db = sa_of(book.conn)
    return [tuple(r) for r in db.execute(sa.select(table.__table__).order_by(table.id))]


def _open(book: Book) -> dict[str, int]:
    db = sa_of(book.conn)
    return dict(db.execute(sa.select(Invoice.number, Invoice.open_amount)).all())  # type: ignore[arg-type]


def test_import_stores_lines_and_pays_what_matches(ledger: Book, make_ctx: Any) -> None:
    got = bank.import_statement(make_ctx("2026-11-22"), ImportRequest(CMB))
    assert got.row() == {
        "file": CMB,
        "account": "755912345610801",
        "lines": 5,
        "new": 5,
        "duplicates": 0,
        "matched": 2,
        "unmatched": 2,
    }
    payments = [(p.customer_id, p.amount, p.reference, p.unapplied) for p in _payments(ledger)]
    assert payments == [(1, 120000, "K0001", 0), (3, 80000, "K0002", 0)]
    assert _open(ledger) == {"INV-101": 440000, "INV-102": 0, "INV-401": 0}
    views = {v.line: v for v in bank.list_lines(make_ctx("2026-11-22"))}
    assert (views[1].status, views[1].customer, views[1].invoices, views[1].score) == (
        "matched",
        "C001",
        ["INV-102"],
        100,
    )
    assert (views[3].status, views[3].customer, views[3].reason) == (
        "unmatched",
        "C001",
        "normalised name; allocation rule",
    )
    assert (views[4].direction, views[4].status, views[4].reason) == ("debit", "ignored", "debit")
    actions = [(a.action, a.entity, a.key) for a in _audits(ledger)]
    assert actions == [
        ("match", "bank_line", "1"),
        ("match", "bank_line", "2"),
        ("import", "bank_import", "1"),
    ]


def _payments(book: Book) -> list[Any]:
    db = sa_of(book.conn)
    return list(
        db.execute(
            sa.select(
                Payment.customer_id,
                Payment.amount,
                Payment.reference,  # type: ignore[call-overload]
                Payment.unapplied,
                Payment.id,
            ).order_by(Payment.id)
        )
    )


def _audits(book: Book) -> list[Any]:
    db = sa_of(book.conn)
    return list(
        db.execute(
            sa.select(Audit.action, Audit.entity, Audit.key)  # type: ignore[call-overload]
            .where(Audit.entity.in_(["bank_line", "bank_import"]))
            .order_by(Audit.id)
        )
    )  # type: ignore[attr-defined]


def test_an_overlapping_statement_adds_only_its_new_line(ledger: Book, make_ctx: Any) -> None:
    bank.import_statement(make_ctx("2026-11-22"), ImportRequest(CMB))
    before = _rows(ledger, Payment), _rows(ledger, Allocation)
    got = bank.import_statement(make_ctx("2026-11-22"), ImportRequest(CMB_B))
    assert (got.lines, got.new, got.duplicates, got.matched, got.unmatched) == (4, 1, 3, 0, 1)
    assert (_rows(ledger, Payment), _rows(ledger, Allocation)) == before
    assert len(_rows(ledger, BankLine)) == 6
    again = bank.import_statement(make_ctx("2026-11-22"), ImportRequest(CMB_B))
    assert (again.new, again.duplicates) == (0, 4)


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "statement.csv"
    path.write_text(text, "utf-8")
    return str(path)


def _nothing_stored(book: Book) -> None:
    assert (
        _rows(book, BankLine) == [] and _rows(book, BankImport) == [] and _rows(book, Payment) == []
    )


def test_one_bad_line_and_nothing_is_stored(ledger: Book, make_ctx: Any, tmp_path: Path) -> None:
    path = _write(
        tmp_path, "日期,收入,支出,对方户名\n2026-11-01,800.00,,Delta\n2026-11-02,abc,,Delta\n"
    )
    with pytest.raises(ImportFailed, match=":3: credit: not a number"):
        bank.import_statement(make_ctx("2026-11-22"), ImportRequest(path, account="A"))
    _nothing_stored(ledger)


@pytest.mark.parametrize(
    ("text", "req", "message"),
    [
        (
            "币种:,欧元\n日期,收入,支出\n2026-11-01,1.00,\n",
            {"account": "A"},
            "the statement is in EUR, but the ledger has no EUR invoices (its currency is CNY)",
        ),
        (
            "日期,收入,支出\n2026-11-01,1.00,\n",
            {"account": "A", "currency": "USD"},
            "the statement is in USD, but the ledger has no USD invoices",
        ),
        (
            "日期,收入,支出\n2026-11-01,1.00,\n",
            {},
            "the statement does not say its account: give --account",
        ),
        (
            "账号:,111\n日期,收入,支出\n2026-11-01,1.00,\n",
            {"account": "222"},
            "the statement is for account 111, not 222",
        ),
        (
            "币种:,人民币\n日期,收入,支出\n2026-11-01,1.00,\n",
            {"account": "A", "currency": "USD"},
            "the statement is in CNY, not USD",
        ),
    ],
)
def test_statements_refused_whole(
    ledger: Book, make_ctx: Any, tmp_path: Path, text: str, req: dict[str, str], message: str
) -> None:
    with pytest.raises(HuikuanError, match=message.replace("(", r"\(").replace(")", r"\)")):
        bank.import_statement(make_ctx("2026-11-22"), ImportRequest(_write(tmp_path, text), **req))
    _nothing_stored(ledger)


def test_the_threshold_comes_from_the_config(ledger: Book, make_ctx: Any) -> None:
    got = bank.import_statement(make_ctx("2026-11-22", auto_match_score=101), ImportRequest(CMB))
    assert (got.matched, got.unmatched) == (0, 4)
    assert _rows(ledger, Payment) == []


def test_match_pays_a_waiting_line_once_its_invoice_exists(
    ledger: Book, make_ctx: Any, tmp_path: Path
) -> None:
    path = _write(
        tmp_path, "日期,收入,支出,对方户名,摘要,流水号\n2026-11-20,300.00,,苏州小厂,INV-301,S1\n"
    )
    bank.import_statement(make_ctx("2026-11-22"), ImportRequest(path, account="A"))
    dry = bank.match(make_ctx("2026-11-22"), dry_run=True)
    assert [(v.status, v.reason) for v in dry.lines] == [
        ("unmatched", "exact name; no open invoice")
    ]
    ledger.invoice("INV-301", "C003", "2026-11-01", "300", due="2026-11-30")
    dry = bank.match(make_ctx("2026-11-22"), dry_run=True)
    assert [(v.status, v.invoices, v.score) for v in dry.lines] == [("matched", ["INV-301"], 100)]
    assert _rows(ledger, Payment) == []  # a dry run writes nothing
    done = bank.match(make_ctx("2026-11-22"))
    assert (done.matched, done.unmatched, done.lines[0].status) == (1, 0, "matched")
    assert _open(ledger)["INV-301"] == 0
    assert bank.match(make_ctx("2026-11-22")).lines == []


def test_claim_pays_the_named_invoices_first_and_learns_the_payer(
    ledger: Book, make_ctx: Any, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "日期,收入,支出,对方户名,对方账号,流水号\n"
        "2026-11-20,5000.00,,明达代付,6222,S1\n2026-11-21,10.00,,明达代付,,S2\n",
    )
    bank.import_statement(make_ctx("2026-11-22"), ImportRequest(path, account="A"))
    got = bank.claim(make_ctx("2026-11-22"), 1, "C001", ["INV-101"])
    assert got.applied == [
        {"invoice": "INV-101", "amount": "4400.00", "open_after": "0.00"},
        {"invoice": "INV-102", "amount": "600.00", "open_after": "600.00"},
    ]
    assert (got.line.status, got.line.reason, got.line.invoices) == (
        "matched",
        "claimed",
        ["INV-101", "INV-102"],
    )
    assert got.learnt == ["name 明达代付", "account 6222"]
    assert [(a.kind, a.value, a.customer_id) for a in _aliases(ledger)] == [
        ("name", "明达代付", 1),
        ("account", "6222", 1),
    ]
    again = bank.match(make_ctx("2026-11-22"), dry_run=True).lines[0]  # line 2: same payer
    assert (again.customer, again.reason) == ("C001", "alias; allocation rule")


def _aliases(book: Book) -> list[Any]:
    db = sa_of(book.conn)
    return list(
        db.execute(
            sa.select(BankAlias.kind, BankAlias.value, BankAlias.customer_id).order_by(BankAlias.id)
        )
    )  # type: ignore[call-overload]


def test_claims_that_are_refused(ledger: Book, make_ctx: Any) -> None:
    bank.import_statement(make_ctx("2026-11-22"), ImportRequest(CMB))
    ctx = make_ctx("2026-11-22")
    before = _rows(ledger, Payment), _rows(ledger, BankLine)
    for line, code, invoices, message in [
        (1, "C001", [], "bank line 1 is matched to C001 already"),
        (4, "C001", [], "is a debit"),
        (3, "C004", ["INV-101"], "invoice INV-101 is not this customer's"),
        (3, "C999", [], "unknown customer 'C999'"),
        (3, "C001", ["NOPE"], "unknown invoice 'NOPE'"),
        (99, "C001", [], "no bank line 99"),
    ]:
        with pytest.raises(HuikuanError, match=message):
            bank.claim(ctx, line, code, invoices)
    assert (_rows(ledger, Payment), _rows(ledger, BankLine)) == before


def test_a_claim_refuses_a_reference_the_customer_has_paid_already(
    ledger: Book, make_ctx: Any
) -> None:
    ledger.payment("C001", "2026-11-07", "300", reference="K0003")
    bank.import_statement(make_ctx("2026-11-22"), ImportRequest(CMB))
    with pytest.raises(Conflict, match="C001 already has a payment with reference K0003"):
        bank.claim(make_ctx("2026-11-22"), 3, "C001", [])


def test_unclaim_reverses_the_payment_and_forgets_the_alias(
    ledger: Book, make_ctx: Any, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "日期,收入,支出,对方户名,对方账号,流水号\n2026-11-20,1000.00,,德尔塔代付,6222,S1\n",
    )
    bank.import_statement(make_ctx("2026-11-22"), ImportRequest(path, account="A"))
    claimed = bank.claim(make_ctx("2026-11-22"), 1, "C004", [])
    assert claimed.applied[-1] == {
        "invoice": "(unapplied credit)",
        "amount": "200.00",
        "open_after": None,
    }
    ledger.payment("C004", "2026-11-21", "50")  # nothing open: stays as credit
    assert _open(ledger)["INV-401"] == 0
    view = bank.unclaim(make_ctx("2026-11-22"), 1)
    assert (view.status, view.customer, view.reason, view.score) == (
        "unmatched",
        None,
        "unclaimed",
        None,
    )
    reversed_on = (
        sa_of(ledger.conn)
        .execute(sa.select(Payment.reversed_on).where(Payment.reference == "S1"))
        .scalar_one()
    )  # type: ignore[arg-type]
    assert str(reversed_on) == "2026-11-22"  # the bank payment is reversed (退票) as of the day
    assert (
        _open(ledger)["INV-401"] == 75000
    )  # the other payment's credit applied to the freed invoice
    assert _aliases(ledger) == []
    assert [a.action for a in _audits(ledger)][-2:] == ["claim", "unclaim"]
    with pytest.raises(Conflict, match="is unmatched, not matched"):
        bank.unclaim(make_ctx("2026-11-22"), 1)


def test_ignore_takes_a_line_out_of_the_queue(ledger: Book, make_ctx: Any) -> None:
    bank.import_statement(make_ctx("2026-11-22"), ImportRequest(CMB))
    view = bank.ignore(make_ctx("2026-11-22"), 5, "a loan")
    assert (view.status, view.reason) == ("ignored", "a loan")
    assert [v.line for v in bank.list_lines(make_ctx("2026-11-22"), "unmatched")] == [3]
    assert [v.line for v in bank.match(make_ctx("2026-11-22"), dry_run=True).lines] == [3]
    with pytest.raises(Conflict, match="bank line 1 is matched"):
        bank.ignore(make_ctx("2026-11-22"), 1, "x")
    claimed = bank.claim(
        make_ctx("2026-11-22"), 5, "C003", []
    )  # an ignored line can still be claimed
    assert claimed.line.status == "matched"


def test_chunks_find_duplicates_and_share_open_amounts(
    ledger: Book, make_ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huikuan.services import bank_import

    monkeypatch.setattr(bank_import, "CHUNK", 2)
    path = _write(
        tmp_path,
        "日期,收入,支出,对方户名,摘要,流水号\n"
        "2026-11-01,700.00,,上海明达机械有限公司,INV-102,S1\n"
        "2026-11-02,1.00,,x,,S2\n2026-11-03,2.00,,y,,S3\n"
        "2026-11-04,500.00,,上海明达机械有限公司,INV-102,S4\n"
        "2026-11-05,700.00,,上海明达机械有限公司,INV-102,S1\n",
    )
    got = bank.import_statement(make_ctx("2026-11-22"), ImportRequest(path, account="A"))
    assert (got.lines, got.new, got.duplicates, got.matched, got.unmatched) == (5, 4, 1, 2, 2)
    assert _open(ledger)["INV-102"] == 0  # 700 then 500 of its 1200, across two chunks
    # the second S1 (dated 11-05, so in the third chunk) is the first one again: a duplicate
    assert [(p[1], p[2]) for p in _payments(ledger)] == [(70000, "S1"), (50000, "S4")]
