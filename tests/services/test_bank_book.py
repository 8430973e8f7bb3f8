"""Matching over the open invoices read on demand (``core.bankbook``, ``store.bank_book``)
decides exactly as matching over every open invoice in memory (``bankmatch.Matcher``, the
path ``bank import`` took before), on a generated ledger with the tricky cases."""

from __future__ import annotations

import csv
import dataclasses
import io
import random
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from store_helpers import Book

from huikuan.core.bankmatch import LineFacts, Matcher, make_directory, memo_tokens
from huikuan.db.models import Invoice, Payment
from huikuan.services import bank
from huikuan.services import bank_import as B
from huikuan.services import bank_matching as M
from huikuan.services.bank import ImportRequest
from huikuan.store import bank as S
from huikuan.store import bank_book
from huikuan.store.db import sa_of

NAMES = {
    "C1": "上海甲机械有限公司",
    "C2": "苏州乙贸易有限公司",
    "C3": "杭州丙科技有限公司",
    "C4": "南京丁实业有限公司",
    "C5": "Delta Trading Co",
    "C6": "Echo Ltd",
}
INVOICES = [  # number, customer, issue, amount, due
    ("INV-A1", "C1", "2026-01-05", "1000", "2026-02-05"),
    ("inv-a1", "C1", "2026-01-01", "250", "2026-02-05"),  # the same number in another case
    ("INV-A2", "C1", "2026-02-01", "400", "2026-03-01"),
    ("LONGNUMBER-9", "C1", "2026-03-01", "300", "2026-04-01"),
    ("INV-B1", "C2", "2026-01-10", "500", "2026-02-10"),  # two invoices of the same amount
    ("INV-B2", "C2", "2026-01-20", "500", "2026-02-20"),
    ("INV-B3", "C2", "2026-02-01", "300", "2026-03-01"),
    ("INV-C1", "C3", "2026-01-01", "700", "2026-02-01"),  # paid: C3's balance is zero
    ("INV-D1", "C4", "2026-01-01", "1000", "2026-02-01"),
    ("INV-D2", "C4", "2026-02-01", "400", "2026-03-01"),
    ("INV-D3", "C4", "2026-03-01", "600", "2026-04-01"),
    ("INV-E1", "C5", "2026-01-01", "800", "2026-02-01"),
    ("INV-E2", "C5", "2026-01-15", "800", "2026-02-15"),
    ("INV-F1", "C6", "2026-01-01", "100", "2026-02-01"),
    ("INV-F2", "C6", "2026-01-15", "200", "2026-02-15"),
]


@pytest.fixture
def tricky(book: Book) -> Book:
    for code, name in NAMES.items():
        book.customer(code, name)
    for number, cust, issue, amount, due in INVOICES:
        book.invoice(number, cust, issue, amount, due=due)
    book.payment("C3", "2026-02-01", "700", reference="S-PAID")
    with book.led.transaction() as conn:
        sa_of(conn).execute(
            sa.update(Invoice)
            .where(Invoice.number.in_(["INV-D2", "INV-D3"]))  # type: ignore[attr-defined]
            .values(contract="HT-77")
        )
    return book


def line(amount: int, name: str | None, memo: str | None, serial: str | None) -> LineFacts:
    return LineFacts(amount, "CNY", name, None, memo, serial)


FIXED = [
    line(25000, NAMES["C1"], "货款 INV-A1", "S1"),  # both INV-A1 and inv-a1, oldest first
    line(40000, NAMES["C1"].replace("有限公司", "有限责任公司"), "Inv-a2", "S2"),
    line(30000, NAMES["C1"], "longnumber-9 付款", "S3"),  # a long token in another case
    line(50000, NAMES["C2"], None, "S4"),  # two invoices of 500: no single one
    line(30000, "苏州乙贸易有限责任公司", None, "S5"),  # one of 300
    line(70000, NAMES["C3"], None, "S6"),  # zero balance
    line(70000, NAMES["C3"], "INV-C1", "S-PAID"),  # the reference is paid already
    line(40000, NAMES["C4"], None, "S7"),  # the one of 400
    line(100000, NAMES["C4"], None, "S8"),  # now the only one of 1000
    line(60000, "南京丁实业有限责任公司", None, "S9"),  # the open balance left (600)
    line(60000, NAMES["C4"], "ht-77 尾款", "S10"),  # a contract, paid already: the rule
    line(80000, None, "INV-E2", "S11"),  # nobody by name: the memo's invoice's owner
    line(90000, NAMES["C5"], "INV-E1", "S12"),  # more than the invoice: the rest by the rule
    line(10000, NAMES["C5"], "INV-E1", "S12"),  # the same serial again
    line(5000, "某某公司", "INV-X9", None),  # nobody
    line(10000, "Echo Ltd", "INV-F1", "S13"),  # every line of C6 names INV-F1 ...
    line(5000, "Echo Ltd", "inv-f1", "S14"),  # ... paid now: C6's balance (200) decides
]


def generated(seed: int, count: int) -> list[LineFacts]:
    """Lines naming customers in several ways, memos naming invoices in any case."""
    rnd = random.Random(seed)
    out = []
    for k in range(count):
        number, cust, _, amount, _ = rnd.choice(INVOICES)
        name = rnd.choice(
            [NAMES[cust], NAMES[cust].replace("有限公司", "有限责任公司"), None, "无名公司"]
        )
        memo = rnd.choice([None, number, number.lower(), number.swapcase(), "ht-77", "2026年"])
        fen = int(amount) * 100
        cents = rnd.choice([fen, fen, fen // 2, fen * 2, 30000, 50000, 80000])
        out.append(line(cents, name, memo, rnd.choice([f"G{k}", None, "S-PAID"])))
    return out


Decided = tuple[list[tuple[Any, ...]], dict[int, int]]


def known_references(conn: Any, serials: list[str]) -> set[tuple[int, str]]:
    """The former look-up: ``(customer id, reference)`` of the payments (not reversed) whose
    reference is among ``serials``, whoever the customer."""
    stmt = sa.select(Payment.customer_id, Payment.reference).where(
        Payment.kind == "payment",
        Payment.reference.in_(sorted(set(serials)) or [""]),
        Payment.reversed_on.is_(None),
    )
    return {(c, r) for c, r in sa_of(conn).execute(stmt) if r is not None}


def reference(conn: Any, threshold: int, lines: list[LineFacts]) -> Decided:
    """The decisions of the former path (every open invoice of the customers in memory) and
    the open amounts they leave."""
    tokens = {t for f in lines for t in memo_tokens(f.memo)}
    directory = make_directory(S.customers(conn), S.aliases(conn), S.seen_accounts(conn))
    m = Matcher(directory, S.invoice_owners(conn, tokens), threshold=threshold)
    m.references = known_references(conn, [f.serial for f in lines if f.serial])
    m.wanted = {t.casefold() for t in tokens}
    customers = {c[0] for f in lines if (c := m.customer_of(f)) is not None}
    m.use(S.open_invoices(conn, customers, S.contracts_named(conn, tokens)))
    numbers = {i.id: i.number for q in m.queues.values() for i in q}
    out = []
    for f in lines:
        v, parts, rest = m.decide(f)
        rest = rest if v.customer is not None else 0  # the service's NOBODY
        named = [numbers[i] for i, _ in parts] if parts else [numbers[i] for i in v.named]
        out.append((v.customer, named, v.reason, v.score, parts, rest))
    return out, {i: m.left[i] for d in out for i, _ in d[4]}


def decided(conn: Any, threshold: int, lines: list[LineFacts]) -> Decided:
    got, opens = M.decide(conn, threshold, lines)
    return [(d.customer, d.named, d.reason, d.score, d.parts, d.rest) for d in got], opens


@pytest.mark.parametrize("threshold", [80, 60, 0])
def test_the_fixed_lines_decide_as_before(tricky: Book, threshold: int) -> None:
    with tricky.led.transaction() as conn:
        want = reference(conn, threshold, FIXED)
        assert decided(conn, threshold, FIXED) == want
    reasons = {w[2] for w in want[0]}
    assert {"exact name; invoice in memo", "exact name; no open invoice"} <= reasons
    assert "a payment with this reference exists" in reasons


def test_what_the_fixed_lines_decide(tricky: Book) -> None:
    """Pinned, so that both paths cannot be wrong alike: each line's invoices, reason,
    score and unapplied rest (a later line of a customer sees what the earlier ones left)."""
    with tricky.led.transaction() as conn:
        got, opens = decided(conn, 80, FIXED)
    assert [(*g[1:4], g[5]) for g in got] == [
        (["inv-a1"], "exact name; invoice in memo", 100, 0),  # the older of the two, any case
        (["INV-A2"], "normalised name; invoice in memo", 85, 0),
        (["LONGNUMBER-9"], "exact name; invoice in memo", 100, 0),
        ([], "exact name; allocation rule", 70, 50000),
        (["INV-B3"], "normalised name; amount equals an open invoice", 80, 0),
        ([], "exact name; no open invoice", 50, 70000),
        ([], "a payment with this reference exists", 0, 70000),
        (["INV-D2"], "exact name; amount equals an open invoice", 95, 0),
        (["INV-D1"], "exact name; amount equals an open invoice", 95, 0),  # INV-D2 is paid
        (["INV-D3"], "normalised name; amount equals an open invoice", 80, 0),
        ([], "exact name; no open invoice", 50, 60000),  # its contract's invoices are paid
        (["INV-E2"], "invoice in memo; invoice in memo", 80, 0),
        (["INV-E1"], "exact name; invoice in memo", 100, 10000),  # INV-E2 is paid: unapplied
        ([], "a payment with this reference exists", 0, 10000),
        ([], "no customer found", 0, 0),
        (["INV-F1"], "exact name; invoice in memo", 100, 0),
        ([], "exact name; allocation rule", 70, 5000),
    ]
    assert set(opens.values()) == {0}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("threshold", [80, 0])
def test_generated_lines_decide_as_before(
    tricky: Book, seed: int, threshold: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A low letter limit: both ways of reading memo numbers are taken."""
    monkeypatch.setattr(bank_book, "MAX_LETTERS", 2 + seed % 2)
    lines = [*FIXED, *generated(seed, 120)]
    with tricky.led.transaction() as conn:
        assert decided(conn, threshold, lines) == reference(conn, threshold, lines)


def test_spellings_of_a_token() -> None:
    assert bank_book.spellings("a-1") == ["a-1", "A-1"]
    assert sorted(bank_book.spellings("ab") or []) == ["AB", "Ab", "aB", "ab"]
    assert bank_book.spellings("2026") == ["2026"]
    assert bank_book.spellings("abcdefg1") is None


def _statement(path: Path, lines: list[LineFacts]) -> str:
    """A 招商银行-style statement of credit ``lines`` (memo in 摘要), all on one day."""
    header = ["交易日", "交易时间", "借方金额", "贷方金额", "余额", "摘要", "流水号", "用途"]
    rows = [_cells(f) for f in lines]
    text = io.StringIO()
    head = [["招商银行交易明细"], ["账号:", "755912345610801"], ["币种:", "人民币"], []]
    csv.writer(text, lineterminator="\r\n").writerows([*head, [*header, "收/付方名称"], *rows])
    path.write_bytes(text.getvalue().encode("gb18030"))
    return str(path)


def _cells(f: LineFacts) -> list[str]:
    day, credit = ["20261105", "10:00:00"], f"{f.amount // 100}.{f.amount % 100:02d}"
    return [*day, "", credit, "", f.memo or "", f.serial or "", "", f.counterparty or ""]


def test_an_import_written_in_small_chunks_decides_as_before(
    tricky: Book, make_ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines are decided while the earlier chunks are written (what is read afterwards
    already holds their allocations): the same decisions as reading everything first."""
    lines = [
        dataclasses.replace(f, serial=f.serial if n == 6 else f"T{n}")  # 6: S-PAID
        for n, f in enumerate([*FIXED, *generated(4, 60)])
    ]
    with tricky.led.transaction() as conn:
        want, _ = reference(conn, 80, lines)
    monkeypatch.setattr(B, "CHUNK", 4)
    got = bank.import_statement(
        make_ctx("2026-11-22"), ImportRequest(_statement(tmp_path / "s.csv", lines))
    )
    assert got.row()["new"] == len(lines)
    views = list(bank.list_lines(make_ctx("2026-11-22")))
    assert [(v.invoices, v.reason, v.score) for v in views] == [
        (w[1], w[2], w[3] if w[0] is not None else 0) for w in want
    ]
