"""Money, dates, the working-day calendar, payment terms, aging buckets and allocation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.core.aging import Buckets, parse_limits
from huikuan.core.allocation import allocate
from huikuan.core.calendar import make_calendar
from huikuan.core.dates import parse_date
from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.core.money import (
    MAX_FEN,
    format_fen,
    format_grouped,
    from_decimal,
    parse_currency,
    parse_fen,
    to_decimal,
)
from huikuan.core.quick import QuickInvoice
from huikuan.core.records import Context, CustomerRef, check_invoice
from huikuan.core.terms import due_date, parse_terms

CN, NONE = make_calendar("CN"), make_calendar("none")

# --- money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234.5", 123450),
        ("1,234.50", 123450),
        ("¥1,234.50", 123450),
        ("1234.50元", 123450),
        ("0.01", 1),
        ("12", 1200),
        (" 7.1 ", 710),
    ],
)
def test_parse_fen(text: str, fen: int) -> None:
    assert parse_fen(text) == fen


@pytest.mark.parametrize(
    "text", ["", "abc", "-5", "0", "0.00", "1.234", "NaN", "inf", "1e5", "1..2"]
)
def test_parse_fen_rejects(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_fen(text)


def test_zero_allowed_where_meaningful() -> None:
    assert parse_fen("0", allow_zero=True) == 0


def test_format() -> None:
    assert format_fen(123450) == "1234.50"
    assert format_fen(5) == "0.05"
    assert format_fen(-123450) == "-1234.50"
    assert format_grouped(123456789) == "1,234,567.89"


@given(st.integers(min_value=1, max_value=MAX_FEN))
def test_money_round_trip(fen: int) -> None:
    assert parse_fen(format_fen(fen)) == fen
    assert parse_fen(format_grouped(fen)) == fen
    assert from_decimal(to_decimal(fen)) == fen


def test_from_decimal_refuses_fractions_of_a_fen() -> None:
    with pytest.raises(HuikuanError):
        from_decimal(Decimal("1.005"))


@pytest.mark.parametrize(("text", "code"), [("cny", "CNY"), (" usd ", "USD")])
def test_currency(text: str, code: str) -> None:
    assert parse_currency(text) == code


@pytest.mark.parametrize("text", ["US", "USD1", "人民币", ""])
def test_bad_currency(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_currency(text)


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["2026-11-22", "2026/11/22", "2026年11月22日", "2026/11/22 ", "2026年11月22日"]
)
def test_date_forms(text: str) -> None:
    assert parse_date(text) == date(2026, 11, 22)


def test_short_slash_form_and_leap_day() -> None:
    assert parse_date("2026/1/5") == date(2026, 1, 5)
    assert parse_date("2024-02-29") == date(2024, 2, 29)


@pytest.mark.parametrize(
    "text", ["2026-02-30", "2025-02-29", "2026-13-01", "tomorrow", "", "22/11/2026"]
)
def test_bad_dates(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_date(text)


# --- calendar ----------------------------------------------------------------------------


def test_cn_holidays_and_make_up_days() -> None:
    assert not CN.is_workday(date(2026, 10, 1))  # 国庆
    assert CN.is_workday(date(2026, 10, 8))
    import chinese_calendar

    makeup = next(
        d
        for d in chinese_calendar.get_workdays(date(2026, 1, 1), date(2026, 12, 31))
        if d.weekday() >= 5
    )
    assert CN.is_workday(makeup)  # a 调休 Saturday or Sunday is a working day


def test_calendar_none_never_moves_dates() -> None:
    assert NONE.roll_forward(date(2026, 10, 1)) == date(2026, 10, 1)


def test_year_beyond_the_data_falls_back_to_weekends_and_is_reported() -> None:
    cal = make_calendar("CN")
    year = cal.data_years.stop  # first year chinesecalendar does not know
    saturday = next(date(year, 1, d) for d in range(1, 8) if date(year, 1, d).weekday() == 5)
    assert cal.roll_forward(saturday).weekday() == 0
    assert year in cal.missing_years


def test_config_holidays_and_workdays() -> None:
    year = CN.data_years.stop
    cal = make_calendar("CN", holidays=[date(year, 1, 4)], workdays=[date(year, 1, 3)])
    days = [date(year, 1, d) for d in (3, 4)]
    assert [cal.is_workday(d) for d in days] == [True, False]


# --- terms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "issue", "due"),
    [
        ("NET30", date(2026, 9, 1), date(2026, 10, 8)),  # 10-01 国庆 -> 10-08 (DESIGN §4)
        ("账期30天", date(2026, 9, 1), date(2026, 10, 8)),
        ("net30", date(2026, 11, 2), date(2026, 12, 2)),
        ("EOM30", date(2026, 1, 15), date(2026, 3, 2)),  # 01-31 + 30 = 03-02 (Mon)
        ("月结30天", date(2026, 1, 15), date(2026, 3, 2)),
        ("EOM0", date(2024, 2, 10), date(2024, 2, 29)),  # leap year month end (Thursday)
        ("EOM0", date(2025, 2, 10), date(2025, 2, 28)),
        ("PREPAID", date(2026, 11, 21), date(2026, 11, 23)),  # Saturday -> Monday
        ("款到发货", date(2026, 11, 20), date(2026, 11, 20)),
        ("COD", date(2026, 11, 20), date(2026, 11, 20)),
        ("货到付款", date(2026, 11, 20), date(2026, 11, 20)),
    ],
)
def test_due_dates(code: str, issue: date, due: date) -> None:
    assert due_date(parse_terms(code), issue, CN) == due


def test_cod_counts_from_delivery() -> None:
    assert due_date(parse_terms("COD"), date(2026, 11, 2), CN, date(2026, 11, 4)) == date(
        2026, 11, 4
    )


def test_calendar_none_keeps_weekend_due_date() -> None:
    assert due_date(parse_terms("PREPAID"), date(2026, 11, 21), NONE) == date(2026, 11, 21)


@pytest.mark.parametrize("code", ["NET", "NETX", "EOM-5", "30天", "", "NET30 days"])
def test_unknown_terms(code: str) -> None:
    with pytest.raises(InvalidValue):
        parse_terms(code)


# --- aging buckets -------------------------------------------------------------------------


def test_default_labels() -> None:
    assert Buckets().labels == ["current", "1-30", "31-60", "61-90", "91-180", "181-365", "365+"]


def test_custom_and_issue_basis_labels() -> None:
    assert Buckets((30, 60, 90)).labels == ["current", "1-30", "31-60", "61-90", "90+"]
    assert Buckets((30, 60), basis="issue").labels == ["0-30", "31-60", "60+"]


@pytest.mark.parametrize(("days", "label"), [(-5, "current"), (0, "current"), (1, "1-30"), (30, "1-30"),
                                             (31, "31-60"), (365, "181-365"), (366, "365+")])  # fmt: skip
def test_bucket_boundaries(days: int, label: str) -> None:
    b = Buckets()
    assert b.labels[b.index(days)] == label


@pytest.mark.parametrize("text", ["30,20", "0,30", "-1", "a,b", "30,30"])
def test_bad_bucket_limits(text: str) -> None:
    with pytest.raises(HuikuanError):
        Buckets(parse_limits(text))


# --- allocation ----------------------------------------------------------------------------


def test_named_invoice_first_then_oldest() -> None:
    parts, left = allocate(1000, [(1, 300), (2, 500), (3, 900)], named=(3, 900))
    assert parts == [(3, 900), (1, 100)] and left == 0


def test_named_invoice_already_paid_goes_oldest_first() -> None:
    parts, left = allocate(200, [(1, 300)], named=(9, 0))
    assert parts == [(1, 200)] and left == 0


def test_remainder_stays_unapplied() -> None:
    assert allocate(1000, [(1, 300), (2, 500)]) == ([(1, 300), (2, 500)], 200)
    assert allocate(500, [(1, 500)]) == ([(1, 500)], 0)


@given(
    st.integers(min_value=1, max_value=10**9),
    st.lists(st.integers(min_value=1, max_value=10**7), max_size=8),
)
def test_allocation_invariants(amount: int, opens: list[int]) -> None:
    invoices = list(enumerate(opens, 1))
    parts, left = allocate(amount, invoices)
    assert sum(a for _, a in parts) + left == amount
    assert all(0 < a <= dict(invoices)[i] for i, a in parts)
    assert left == 0 or sum(a for _, a in parts) == sum(opens)


# --- the import quick path agrees with the full check ----------------------------------------


@given(
    st.sampled_from(["2026-01-31", "2026/2/28", "2026年3月1日", "2024-02-29", "2026-02-30", "x"]),
    st.sampled_from(["100", "1,000.5", "0.01", "12.345", "-3", "0", "¥8"]),
    st.sampled_from(["", "NET30", "月结60天", "COD", "NET", "eom30"]),
    st.sampled_from(["", "2026-12-31", "2025-01-01"]),
    st.sampled_from(["", "USD", "usd", "US"]),
    st.sampled_from(["C1", "C2", " C1", "NOPE"]),
)
def test_quick_path_matches_full_check(
    issue: str, amount: str, terms: str, due: str, cur: str, cust: str
) -> None:
    refs = {"C1": CustomerRef(1, "C1", "NET30"), "C2": CustomerRef(2, "C2", None)}
    ctx = Context("CNY", CN, refs.get)
    row = {"number": "INV-1", "customer": cust, "issue_date": issue, "amount": amount,
           "terms": terms, "due_date": due, "currency": cur}  # fmt: skip
    quick = QuickInvoice(ctx)(row)
    rec, problems = check_invoice(row, ctx)
    if quick is not None:
        assert problems == []
        from huikuan.store.ledger import invoice_row

        assert quick == invoice_row(rec)


def test_quick_path_takes_clean_rows() -> None:
    ctx = Context("CNY", CN, {"C1": CustomerRef(1, "C1", "NET30")}.get)
    row = {"number": "INV-1", "customer": "C1", "issue_date": "2026-09-01", "amount": "1,000.5"}
    assert QuickInvoice(ctx)(row) is None  # grouped amount: left to the full check
    row["amount"] = "1000.5"
    assert QuickInvoice(ctx)(row) == (
        "INV-1",
        1,
        "2026-09-01",
        "2026-10-08",
        100050,
        "CNY",
        "NET30",
    )
    row["contract"] = "HT-1"
    assert QuickInvoice(ctx)(row) == (
        *("INV-1", 1, "2026-09-01", "2026-10-08", 100050, "CNY", "NET30"),
        *("HT-1", None, None, None),
    )


@pytest.mark.parametrize(
    ("text", "fen"),
    [("26546.88", 2654688), ("12", 1200), ("1.5", 150), ("0.07", 7), ("1.234", 0), ("-5", 0),
     ("1,000.00", 0), ("٣", 0), ("1.", 0), (".5", 0), ("", 0), ("12345678901234", 0)],
)  # fmt: skip
def test_quick_amount(text: str, fen: int) -> None:
    from huikuan.core.quick import _amount

    assert _amount(text) == fen


@given(
    st.permutations(
        ["number", "customer", "issue_date", "amount", "due_date", "terms", "contract"]
    ),
    st.integers(min_value=4, max_value=7),
    st.sampled_from(["2026-01-31", "2026/2/28", "2026-02-30", ""]),
    st.sampled_from(["100", "1,000.5", "0.01", "12.345", "0", ""]),
    st.sampled_from(["", "NET30", "月结60天", "NET"]),
    st.sampled_from(["", "2026-12-31", "2025-01-01"]),
    st.sampled_from(["", "HT-1", "  "]),
    st.sampled_from(["C1", "C2", " C1", "NOPE", ""]),
)
def test_quick_path_on_field_lists_matches_dicts(
    order: list[str], width: int, issue: str, amount: str, terms: str, due: str, contract: str,
    cust: str,
) -> None:  # fmt: skip
    """CSV rows arrive as lists in the header's order; some headers lack optional columns."""
    refs = {"C1": CustomerRef(1, "C1", "NET30"), "C2": CustomerRef(2, "C2", None)}
    quick = QuickInvoice(Context("CNY", CN, refs.get))
    values = {"number": "INV-1", "customer": cust, "issue_date": issue, "amount": amount,
              "due_date": due, "terms": terms, "contract": contract}  # fmt: skip
    required = ["number", "customer", "issue_date", "amount"]
    cols = required + [c for c in order if c not in required][: width - 4]
    fields = [values[c] for c in cols]
    assert quick.for_columns(cols)(fields) == quick({c: values[c] for c in cols})
