"""core/terms.py against DESIGN §4: codes, aliases, due dates and the working-day roll."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.core.calendar import make_calendar
from huikuan.core.errors import InvalidValue
from huikuan.core.terms import Terms, due_date, parse_terms, raw_due_date

CN = make_calendar("CN")
NONE = make_calendar("none")
BEYOND = max(d.year for d in chinese_calendar.holidays) + 1


def due(code: str, issue: date, cal=CN, delivery: date | None = None) -> date:
    return due_date(parse_terms(code), issue, cal, delivery)


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "terms"),
    [
        ("NET30", Terms("NET", 30)),
        ("net30", Terms("NET", 30)),
        ("Net30", Terms("NET", 30)),
        ("nEt45", Terms("NET", 45)),
        ("NET 60", Terms("NET", 60)),
        (" NET0 ", Terms("NET", 0)),
        ("账期30天", Terms("NET", 30)),
        ("账期 90 天", Terms("NET", 90)),
        ("EOM30", Terms("EOM", 30)),
        ("eom30", Terms("EOM", 30)),
        ("Eom0", Terms("EOM", 0)),
        ("月结30天", Terms("EOM", 30)),
        ("月结60天", Terms("EOM", 60)),
        ("PREPAID", Terms("PREPAID")),
        ("prepaid", Terms("PREPAID")),
        ("Prepaid", Terms("PREPAID")),
        ("款到发货", Terms("PREPAID")),
        ("COD", Terms("COD")),
        ("cod", Terms("COD")),
        ("货到付款", Terms("COD")),
    ],
)
def test_parse(code: str, terms: Terms) -> None:
    assert parse_terms(code) == terms


@pytest.mark.parametrize(
    ("code", "canonical"),
    [
        ("net30", "NET30"),
        ("账期45天", "NET45"),
        ("月结60天", "EOM60"),
        ("eom 15", "EOM15"),
        ("款到发货", "PREPAID"),
        ("货到付款", "COD"),
        ("cod", "COD"),
    ],
)
def test_canonical_code(code: str, canonical: str) -> None:
    assert parse_terms(code).code == canonical
    assert parse_terms(canonical) == parse_terms(code)


@pytest.mark.parametrize(
    "code",
    [
        "NET",
        "NETX",
        "NET-30",
        "NET30 days",
        "NET30天",
        "NET12345",
        "EOM",
        "EOM-5",
        "EOM+5",
        "30天",
        "30",
        "账期天",
        "账期X天",
        "月结天",
        "月结30",
        "PREPAY",
        "C.O.D.",
        "NET30/EOM",
        "",
        "   ",
    ],
)
def test_unknown_codes_are_rejected(code: str) -> None:
    with pytest.raises(InvalidValue, match="unknown terms code"):
        parse_terms(code)


def test_rejection_lists_the_known_codes() -> None:
    with pytest.raises(InvalidValue) as info:
        parse_terms("NETX")
    assert "NET<n>" in str(info.value) and "月结<n>天" in str(info.value)


# --- due dates -------------------------------------------------------------------------------


def test_design_example_net30_rolls_over_national_day() -> None:
    assert raw_due_date(parse_terms("NET30"), date(2026, 9, 1)) == date(2026, 10, 1)
    assert due("NET30", date(2026, 9, 1)) == date(2026, 10, 8)


@pytest.mark.parametrize("code", ["NET30", "net30", "账期30天", "NET 30"])
def test_net30_aliases_agree(code: str) -> None:
    assert due(code, date(2026, 9, 1)) == date(2026, 10, 8)


@pytest.mark.parametrize(
    ("code", "issue", "expected"),
    [
        ("NET30", date(2026, 11, 2), date(2026, 12, 2)),  # Wednesday: no roll
        ("NET0", date(2026, 11, 20), date(2026, 11, 20)),
        ("NET1", date(2026, 11, 20), date(2026, 11, 23)),  # Saturday -> Monday
        ("NET60", date(2026, 8, 2), date(2026, 10, 8)),  # 10-01 -> 10-08
        ("NET7", date(2026, 10, 3), date(2026, 10, 10)),  # 10-10 is a 调休 Saturday
    ],
)
def test_net(code: str, issue: date, expected: date) -> None:
    assert due(code, issue) == expected


@pytest.mark.parametrize("code", ["EOM30", "eom30", "月结30天"])
def test_eom30_from_mid_january(code: str) -> None:
    # 01-31 + 30 days = 03-02, a Monday
    assert raw_due_date(parse_terms(code), date(2026, 1, 15)) == date(2026, 3, 2)
    assert due(code, date(2026, 1, 15)) == date(2026, 3, 2)


@pytest.mark.parametrize("issue", [date(2026, 1, 1), date(2026, 1, 15), date(2026, 1, 31)])
def test_eom_counts_from_month_end_whatever_the_issue_day(issue: date) -> None:
    assert raw_due_date(parse_terms("EOM30"), issue) == date(2026, 3, 2)


def test_eom_rolls_to_next_working_day() -> None:
    # 2026-08-31 + 31 = 2026-10-01 (国庆) -> 10-08
    assert raw_due_date(parse_terms("EOM31"), date(2026, 8, 5)) == date(2026, 10, 1)
    assert due("EOM31", date(2026, 8, 5)) == date(2026, 10, 8)


@pytest.mark.parametrize(
    ("code", "issue", "raw", "rolled"),
    [
        ("EOM0", date(2024, 2, 10), date(2024, 2, 29), date(2024, 2, 29)),  # leap year, Thursday
        ("EOM0", date(2025, 2, 10), date(2025, 2, 28), date(2025, 2, 28)),  # Friday
        ("EOM1", date(2024, 2, 1), date(2024, 3, 1), date(2024, 3, 1)),
        ("EOM1", date(2025, 2, 1), date(2025, 3, 1), date(2025, 3, 3)),  # Saturday -> Monday
        ("月结30天", date(2024, 2, 29), date(2024, 3, 30), date(2024, 4, 1)),  # Saturday
        ("月结30天", date(2025, 2, 28), date(2025, 3, 30), date(2025, 3, 31)),  # Sunday
    ],
)
def test_eom_from_february(code: str, issue: date, raw: date, rolled: date) -> None:
    assert raw_due_date(parse_terms(code), issue) == raw
    assert due(code, issue) == rolled


@pytest.mark.parametrize("code", ["PREPAID", "款到发货", "COD", "货到付款"])
def test_prepaid_and_cod_are_the_issue_date(code: str) -> None:
    assert due(code, date(2026, 11, 20)) == date(2026, 11, 20)  # Friday


@pytest.mark.parametrize("code", ["PREPAID", "款到发货", "COD", "货到付款"])
def test_prepaid_and_cod_roll_too(code: str) -> None:
    assert due(code, date(2026, 11, 21)) == date(2026, 11, 23)  # Saturday -> Monday
    assert due(code, date(2026, 10, 1)) == date(2026, 10, 8)  # 国庆


def test_cod_counts_from_delivery_when_given() -> None:
    assert due("COD", date(2026, 11, 2), delivery=date(2026, 11, 4)) == date(2026, 11, 4)
    assert due("货到付款", date(2026, 9, 20), delivery=date(2026, 10, 2)) == date(2026, 10, 8)


def test_prepaid_ignores_delivery() -> None:
    assert due("PREPAID", date(2026, 11, 2), delivery=date(2026, 11, 4)) == date(2026, 11, 2)


@pytest.mark.parametrize(
    ("code", "issue", "expected"),
    [
        ("NET30", date(2026, 9, 1), date(2026, 10, 1)),
        ("PREPAID", date(2026, 11, 21), date(2026, 11, 21)),
        ("COD", date(2026, 11, 22), date(2026, 11, 22)),
        ("EOM1", date(2025, 2, 1), date(2025, 3, 1)),
    ],
)
def test_calendar_none_keeps_holiday_and_weekend_dates(
    code: str, issue: date, expected: date
) -> None:
    assert due(code, issue, NONE) == expected


def test_due_next_january_beyond_the_data_falls_back_to_weekends() -> None:
    cal = make_calendar("CN")
    jan1 = date(BEYOND, 1, 1)
    saturday = next(
        jan1 + timedelta(days=i) for i in range(7) if (jan1 + timedelta(i)).weekday() == 5
    )
    issue = saturday - timedelta(days=30)
    assert issue.year == BEYOND - 1
    assert due("NET30", issue, cal) == saturday + timedelta(days=2)
    assert BEYOND in cal.missing_years


def test_config_holiday_moves_a_due_date() -> None:
    cal = make_calendar("CN", holidays=[date(2026, 12, 2)])
    assert due("NET30", date(2026, 11, 2), cal) == date(2026, 12, 3)


# --- properties ------------------------------------------------------------------------------

ISSUE = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30))
DAYS = st.integers(min_value=0, max_value=180)


@given(ISSUE, DAYS)
def test_net_due_date_is_the_first_working_day_on_or_after_issue_plus_n(
    issue: date, n: int
) -> None:
    raw = issue + timedelta(days=n)
    got = due(f"NET{n}", issue)
    assert got == due(f"账期{n}天", issue) == due(f"net{n}", issue)
    assert chinese_calendar.is_workday(got)
    assert raw <= got < raw + timedelta(days=15)
    assert all(
        not chinese_calendar.is_workday(raw + timedelta(days=i)) for i in range((got - raw).days)
    )
    assert due(f"NET{n}", issue, NONE) == raw


@given(ISSUE, DAYS)
def test_eom_due_date_counts_from_the_last_day_of_the_month(issue: date, n: int) -> None:
    raw = raw_due_date(parse_terms(f"EOM{n}"), issue)
    month_end = raw - timedelta(days=n)
    assert (month_end.year, month_end.month) == (issue.year, issue.month)
    assert (month_end + timedelta(days=1)).day == 1
    assert due(f"月结{n}天", issue) == due(f"EOM{n}", issue) >= raw
    assert due(f"EOM{n}", issue, NONE) == raw
