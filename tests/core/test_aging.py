"""core/aging.py against DESIGN §5 (aging): bucket labels, boundaries, limits, summaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.core.aging import DEFAULT_LIMITS, AgingRow, Buckets, parse_limits, summarize
from huikuan.core.errors import HuikuanError, InvalidValue

DEFAULT_LABELS = ["current", "1-30", "31-60", "61-90", "91-180", "181-365", "365+"]

# --- labels ----------------------------------------------------------------------------------


def test_default_labels() -> None:
    assert DEFAULT_LIMITS == (30, 60, 90, 180, 365)
    assert Buckets().labels == DEFAULT_LABELS
    assert Buckets(parse_limits("30,60,90,180,365")).labels == DEFAULT_LABELS


def test_custom_limits() -> None:
    assert Buckets(parse_limits("30,60,90")).labels == ["current", "1-30", "31-60", "61-90", "90+"]


def test_single_limit() -> None:
    assert Buckets((45,)).labels == ["current", "1-45", "45+"]
    assert Buckets((45,), basis="issue").labels == ["0-45", "45+"]


def test_issue_basis_has_no_current_bucket() -> None:
    labels = Buckets(basis="issue").labels
    assert labels == ["0-30", "31-60", "61-90", "91-180", "181-365", "365+"]
    assert "current" not in labels
    assert Buckets((30, 60, 90), basis="issue").labels == ["0-30", "31-60", "61-90", "90+"]


@pytest.mark.parametrize("limits", [(30, 60, 90), DEFAULT_LIMITS, (7,), (1, 2, 3)])
def test_one_label_per_bucket(limits: tuple[int, ...]) -> None:
    assert len(Buckets(limits).labels) == len(limits) + 2
    assert len(Buckets(limits, basis="issue").labels) == len(limits) + 1


# --- boundaries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (-400, "current"),
        (-1, "current"),
        (0, "current"),  # due today: not yet overdue
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "181-365"),
        (365, "181-365"),
        (366, "365+"),
        (10_000, "365+"),
    ],
)
def test_due_basis_boundaries(days: int, label: str) -> None:
    b = Buckets()
    assert b.labels[b.index(days)] == label


@pytest.mark.parametrize(
    ("days", "label"),
    [(0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (90, "61-90"), (91, "90+")],
)
def test_custom_boundaries(days: int, label: str) -> None:
    b = Buckets((30, 60, 90))
    assert b.labels[b.index(days)] == label


@pytest.mark.parametrize(
    ("days", "label"),
    [(0, "0-30"), (30, "0-30"), (31, "31-60"), (365, "181-365"), (366, "365+")],
)
def test_issue_basis_boundaries(days: int, label: str) -> None:
    b = Buckets(basis="issue")
    assert b.labels[b.index(days)] == label


LIMITS = st.lists(
    st.integers(min_value=1, max_value=1000), min_size=1, max_size=6, unique=True
).map(lambda xs: tuple(sorted(xs)))


@given(LIMITS, st.sampled_from(["due", "issue"]), st.integers(min_value=-50, max_value=1500))
def test_index_matches_the_label_range(limits: tuple[int, ...], basis: str, days: int) -> None:
    b = Buckets(limits, basis)
    label = b.labels[b.index(days)]
    if label == "current":
        assert days <= 0
    elif label.endswith("+"):
        assert days > int(label[:-1])
    else:
        low, high = (int(x) for x in label.split("-"))
        assert low <= days <= high or (basis == "issue" and days < 0 and low == 0)


@given(
    LIMITS,
    st.sampled_from(["due", "issue"]),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=-60, max_value=1500),
)
def test_cutoffs_agree_with_index(
    limits: tuple[int, ...], basis: str, as_of: date, days: int
) -> None:
    """The date-range form used in SQL puts a row in the same bucket as ``index``."""
    b = Buckets(limits, basis)
    ref = as_of - timedelta(days=days)
    cutoffs = b.cutoffs(as_of)
    assert len(cutoffs) == len(b.labels) - 1
    by_date = next((i for i, c in enumerate(cutoffs) if ref >= c), len(cutoffs))
    if basis == "issue" and days < 0:
        return  # issued after as_of: never asked
    assert by_date == b.index(days)


# --- bad limits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["30,20", "30,30", "0,30", "0", "-1", "-30,30", "a,b", "30,sixty", "30.5", "1e2", "", " , "],
)
def test_bad_limits_text(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_limits(text)


@pytest.mark.parametrize("limits", [(), (30, 20), (30, 30), (0, 30), (-5,), (60, 90, 80)])
def test_bad_limits(limits: tuple[int, ...]) -> None:
    with pytest.raises(HuikuanError):
        Buckets(limits)


@pytest.mark.parametrize("basis", ["Due", "payment", ""])
def test_bad_basis(basis: str) -> None:
    with pytest.raises(InvalidValue, match="basis"):
        Buckets(basis=basis)


@pytest.mark.parametrize(
    ("text", "limits"), [("30,60,90", (30, 60, 90)), (" 15 , 45 ", (15, 45)), ("7", (7,))]
)
def test_parse_limits(text: str, limits: tuple[int, ...]) -> None:
    assert parse_limits(text) == limits


# --- summarize -------------------------------------------------------------------------------


def test_summarize_groups_sorts_and_totals_per_currency() -> None:
    cells = [
        ("C002", "乙", "CNY", 0, 100),
        ("C001", "甲", "CNY", 1, 500),
        ("C001", "甲", "CNY", 1, 200),
        ("C001", "甲", "CNY", 3, 300),
        ("C001", "甲", "USD", 2, 50),
        ("C003", "丙", "CNY", 6, 100),
    ]
    credits = [("C002", "乙", "CNY", 40), ("C004", "丁", "CNY", 70)]
    rows, totals = summarize(cells, credits, 7)
    assert [(r.key, r.currency) for r in rows] == [
        ("C001", "CNY"),
        ("C002", "CNY"),  # ties on total: by key
        ("C003", "CNY"),
        ("C001", "USD"),
        ("C004", "CNY"),  # only unapplied credit: total 0
    ]
    assert rows[0].amounts == [0, 700, 0, 300, 0, 0, 0] and rows[0].total == 1000
    assert rows[0].name == "甲"
    assert rows[1].unapplied == 40 and rows[1].total == 100
    assert rows[4].amounts == [0] * 7 and rows[4].unapplied == 70
    assert [t.currency for t in totals] == ["CNY", "USD"]  # currencies never added together
    cny, usd = totals
    assert cny.amounts == [100, 700, 0, 300, 0, 0, 100] and cny.total == 1200
    assert cny.unapplied == 110
    assert usd.amounts == [0, 0, 50, 0, 0, 0, 0] and usd.unapplied == 0


def test_summarize_empty() -> None:
    assert summarize([], [], 7) == ([], [])


def test_row_total_is_not_netted_with_unapplied() -> None:
    assert AgingRow("C1", "x", "CNY", [100, 200], unapplied=50).total == 300
