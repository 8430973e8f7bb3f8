"""The CSV forms of the payment quick path (row by row from field lists, a chunk at a time
column by column) give exactly what the record form gives, or step aside."""

from __future__ import annotations

import itertools
import random

import pytest

from huikuan.core.quickpay import QuickPayment
from huikuan.core.records import check_payment

from .test_quickpay import CTX, INVOICES, VALUES

NAMED = {n: (r.id, r.customer_id, r.currency) for n, r in INVOICES.items()}
HEADERS = [
    list(VALUES),
    ["amount", "invoice", "date", "customer"],  # no currency, reference or method column
    ["customer", "date", "amount", "reference", "method"],  # no invoice column
]
EXTRA = {"method": ["", "bank", "a\nb", " bank"]}
PLAIN = {  # values the chunk path takes
    "customer": ["C1", "C2", "C3"],
    "date": ["2026-03-01", "2026-03-02"],
    "amount": ["12.50", "0.01", "1234567.89"],
    "currency": [""],
    "invoice": ["", "N1"],
    "reference": ["", "R-1", "汇款"],
    "method": ["", "bank"],
}


def _rows(cols: list[str]) -> list[list[str]]:
    values = [{**VALUES, **EXTRA}[c] for c in cols]
    return [list(combo) for combo in itertools.product(*values)]


@pytest.mark.parametrize("cols", HEADERS)
def test_field_lists_row_by_row_give_the_record_path_s_rows(cols: list[str]) -> None:
    fast, quick = QuickPayment(CTX).for_columns(cols, NAMED), QuickPayment(CTX)
    taken = 0
    for fields in _rows(cols):
        rec = dict(zip(cols, fields))
        row = fast(list(fields))
        assert row == quick(rec), rec
        if row is not None:
            taken += 1
            assert check_payment(rec, CTX)[1] == []
    assert taken > 10


@pytest.mark.parametrize("cols", HEADERS)
def test_a_chunk_at_once_gives_the_same_rows_or_steps_aside(cols: list[str]) -> None:
    whole, quick = QuickPayment(CTX).for_chunks(cols, NAMED), QuickPayment(CTX)
    rows, chunks = _rows(cols), random.Random(7)
    accepted = [f for f in rows if quick(dict(zip(cols, f))) is not None]
    taken = 0
    for n in range(600):
        chunk = chunks.sample(accepted if n % 2 else rows, chunks.randint(1, 4))
        got = whole([list(f) for f in chunk])
        if got is not None:
            taken += 1
            assert got == [quick(dict(zip(cols, f))) for f in chunk], chunk
            assert None not in got
    assert taken > 0


def test_a_chunk_of_plain_rows_is_taken_whole_as_the_record_path_takes_each() -> None:
    cols = list(PLAIN)
    rows = [list(c) for c in itertools.product(*PLAIN.values())]
    rows = [r for r in rows if r[0] != "C2" or r[4]]  # C2 is invoiced in two currencies
    rows = [r for r in rows if not r[4] or r[0] == "C1"]  # N1 is C1's
    got = QuickPayment(CTX).for_chunks(cols, NAMED)(rows)
    quick = QuickPayment(CTX)
    assert got == [quick(dict(zip(cols, r))) for r in rows]
    assert len(got) > 50


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "12"},  # right, but not in the one form the chunk path reads
        {"amount": "0.00"},
        {"currency": "CNY"},
        {"reference": " R"},
        {"reference": "a\u00a0b"},  # not printable
        {"invoice": "N2"},  # another customer's
        {"invoice": "N9"},
        {"invoice": " N1"},
        {"customer": "C9"},
        {"date": "2026-02-30"},
    ],
)
def test_one_row_not_plain_makes_the_chunk_step_aside(change: dict[str, str]) -> None:
    cols = list(PLAIN)
    good = {"customer": "C1", "date": "2026-03-01", "amount": "1.00", "currency": ""}
    good |= {"invoice": "N1", "reference": "R", "method": ""}
    whole = QuickPayment(CTX).for_chunks(cols, NAMED)
    assert whole([list(good.values())] * 3) is not None
    bad = {**good, **change}
    assert whole([list(good.values()), list(bad.values())]) is None
