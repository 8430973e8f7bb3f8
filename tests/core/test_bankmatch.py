"""The pure matching rules of bank lines (core/bankmatch.py)."""

from __future__ import annotations

import pytest

from huikuan.core.bankmatch import (
    LineFacts,
    Matcher,
    OpenInvoice,
    allocate_one,
    find_customer,
    make_directory,
    memo_tokens,
    normalise_name,
    pick_invoices,
    verdict,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("上海明达机械有限公司", "上海明达机械有限责任公司"),
        ("上海明达机械有限公司", "上海明达机械股份有限公司"),
        ("上海明达（集团）有限公司", "上海明达(集团)有限公司"),
        ("上海 明达 机械有限公司", "上海明达机械有限公司"),
        ("ＡＣＭＥ　Ｉｎｃ．", "acme inc"),
        ("Acme Co., Ltd.", "ACME CO LTD"),
    ],
)
def test_names_that_normalise_alike(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


def test_different_names_stay_different() -> None:
    assert normalise_name("上海明达机械有限公司") != normalise_name("上海明远机械有限公司")


def test_memo_tokens_are_the_words_with_digits_half_width() -> None:
    assert memo_tokens("货款 INV-2026-101，ＩＮＶ－102; 合同HT-9.") == [
        "INV-2026-101",
        "INV-102",
        "HT-9",
    ]
    assert memo_tokens("货款") == []
    assert memo_tokens(None) == []


CUSTOMERS = [(1, "上海明达机械有限公司"), (2, "Delta"), (3, "Twin"), (4, "Twin")]


def test_customer_by_exact_name_alias_account_normalised_name_in_that_order() -> None:
    d = make_directory(
        CUSTOMERS, [("name", normalise_name("明达"), 2), ("account", "A1", 1)], [("A2", 2)]
    )
    assert find_customer(d, "上海明达机械有限公司", None) == (1, "exact name")
    assert find_customer(d, "明达", "A2") == (2, "alias")
    assert find_customer(d, "Nobody", "A1") == (1, "account")
    assert find_customer(d, "Nobody", "A2") == (2, "account")
    assert find_customer(d, "上海明达机械有限责任公司", None) == (1, "normalised name")
    assert find_customer(d, "Nobody", None) is None


def test_a_name_shared_by_two_customers_matches_neither() -> None:
    d = make_directory(CUSTOMERS, [])
    assert find_customer(d, "Twin", None) is None


def test_a_learnt_account_alias_beats_an_account_seen_on_another_customer() -> None:
    d = make_directory(CUSTOMERS, [("account", "A1", 2)], [("A1", 1)])
    assert find_customer(d, None, "A1") == (2, "account")


OPEN = [
    OpenInvoice(11, "INV-1", "CNY", 1000, "HT-1"),
    OpenInvoice(12, "INV-2", "CNY", 500, None),
    OpenInvoice(13, "INV-3", "CNY", 500, "HT-1"),
]


def test_invoices_by_number_then_contract_then_amount_then_balance_then_rule() -> None:
    assert pick_invoices(700, ["inv-2"], OPEN).named == (12,)
    assert pick_invoices(700, ["inv-2"], OPEN).reason == "invoice in memo"
    assert pick_invoices(700, ["HT-1"], OPEN).named == (11, 13)
    assert pick_invoices(1000, [], OPEN).reason == "amount equals an open invoice"
    assert pick_invoices(1000, [], OPEN).named == (11,)
    assert pick_invoices(500, [], OPEN).reason == "allocation rule"  # two invoices of 500
    assert pick_invoices(2000, [], OPEN).reason == "amount equals the open balance"
    assert pick_invoices(1234, [], OPEN).reason == "allocation rule"
    assert pick_invoices(1234, [], []).reason == "no open invoice"


def test_scores_multiply() -> None:
    v = verdict((1, "normalised name"), pick_invoices(1000, [], OPEN))
    assert (v.customer, v.named, v.reason, v.score) == (
        1,
        (11,),
        "normalised name; amount equals an open invoice",
        85 * 95 // 100,
    )


def test_allocation_names_first_then_oldest_and_keeps_the_rest() -> None:
    left: dict[int, int] = {}
    assert allocate_one(1800, [13], OPEN, left) == ([(13, 500), (11, 1000), (12, 300)], 0)
    assert left == {11: 0, 12: 200, 13: 0}
    assert allocate_one(500, [], OPEN, left) == ([(12, 200)], 300)


def _line(
    amount: int, name: str | None, memo: str | None = None, serial: str | None = None
) -> LineFacts:
    return LineFacts(amount, "CNY", name, None, memo, serial)


def test_the_matcher_shares_open_amounts_between_lines() -> None:
    m = Matcher(make_directory(CUSTOMERS, []), queues={(1, "CNY"): OPEN})
    first, parts, rest = m.decide(_line(1000, "上海明达机械有限公司"))
    assert (first.reason, parts, rest) == (
        "exact name; amount equals an open invoice",
        [(11, 1000)],
        0,
    )
    again, parts, _ = m.decide(_line(1000, "上海明达机械有限公司"))  # INV-1 is paid now
    assert (again.reason, again.score, parts) == (
        "exact name; amount equals the open balance",
        90,
        [(12, 500), (13, 500)],
    )


def test_below_the_threshold_nothing_is_allocated() -> None:
    m = Matcher(make_directory(CUSTOMERS, []), queues={(1, "CNY"): OPEN}, threshold=80)
    found, parts, rest = m.decide(_line(1, "上海明达机械有限公司"))
    assert (found.customer, found.score, parts, rest) == (1, 70, [], 1)
    assert m.left == {11: 1000, 12: 500, 13: 500}  # unchanged


def test_the_memo_names_the_customer_when_the_payer_is_unknown() -> None:
    m = Matcher(make_directory(CUSTOMERS, []), owners={"INV-2": 1}, queues={(1, "CNY"): OPEN})
    found, parts, _ = m.decide(_line(500, "某某代付公司", "代付 INV-2"))
    assert (found.customer, found.reason, found.score, parts) == (
        1,
        "invoice in memo; invoice in memo",
        80,
        [(12, 500)],
    )


def test_invoices_of_two_customers_in_the_memo_name_nobody() -> None:
    m = Matcher(make_directory(CUSTOMERS, []), owners={"INV-2": 1, "X-9": 2})
    assert m.decide(_line(500, None, "INV-2 X-9"))[0].customer is None


def test_a_reference_already_paid_is_not_paid_again() -> None:
    m = Matcher(make_directory(CUSTOMERS, []), queues={(1, "CNY"): OPEN}, references={(1, "S1")})
    found, parts, _ = m.decide(_line(1000, "上海明达机械有限公司", serial="S1"))
    assert (found.reason, parts) == ("a payment with this reference exists", [])
