"""``limitation --format json`` spells its rows directly (``limitation_json``): the same text
as the general encoder gives for the row dict, for any strings, amounts and restarts."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from huikuan.cli.limitation import _limitation_row, limitation_json
from huikuan.core.limitation import RESTART_KINDS, Restart
from huikuan.output import JsonText, _item_encoder, json_text
from huikuan.services.collect import LimitationLine

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
AMOUNTS = st.integers(min_value=-(10**12), max_value=10**12).map(lambda f: Decimal(f).scaleb(-2))
RESTARTS = st.none() | st.builds(Restart, st.sampled_from(RESTART_KINDS), DAYS, st.text())
LINES = st.builds(
    LimitationLine,
    st.text(), st.text(), st.text(), DAYS, AMOUNTS, st.text(), DAYS,
    st.integers(min_value=-(10**5), max_value=10**5), RESTARTS, st.text(),
)  # fmt: skip


@given(st.lists(LINES, max_size=5))
def test_the_spelt_rows_are_the_encoded_rows(lines: list[LimitationLine]) -> None:
    spell = limitation_json()  # one per report: repeated values are spelt once
    for line in lines + lines:
        text = spell(line)
        assert isinstance(text, JsonText)
        assert text == json_text(_limitation_row(line))
        assert json.loads(text) == _limitation_row(line)


def test_hostile_text_is_escaped() -> None:
    odd = 'a"b\\c\nd\u2028e\x00f 上海'
    by = Restart("payment", date(2025, 3, 1), odd)
    line = LimitationLine(
        odd, odd, odd, date(2024, 1, 2), Decimal("-0.05"), odd, date(2027, 1, 4), -3, by, odd
    )
    spell = limitation_json()
    assert spell(line) == json_text(_limitation_row(line))
    assert spell(line._replace(invoice="x")) == json_text(
        _limitation_row(line._replace(invoice="x"))
    )


def test_a_json_text_item_is_written_as_it_is() -> None:
    encode = _item_encoder()
    assert encode(JsonText('{"a": 1}')) == '{"a": 1}'
    assert encode('{"a": 1}') == '"{\\"a\\": 1}"'  # a plain string is still a JSON string


def test_the_report_as_json_matches_its_rows(cli, small) -> None:
    """The whole document: each row as the general encoder spells the row's dict."""
    cli("payment", "add", "C001", "100.00", "--date", "2026-03-02")
    out = cli("limitation", "--as-of", "2026-06-30", "-f", "json").stdout
    rows = json.loads(out)["rows"]
    assert rows and any(r["restarted_by"] for r in rows)
    body = ",\n    ".join(json_text(r) for r in rows)
    assert out == '{\n  "as_of": "2026-06-30",\n  "rows": [\n    ' + body + "\n  ]\n}\n"
