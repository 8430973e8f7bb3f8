"""``kpi --format json`` spells its rows directly (``kpi_json``): the same text as the general
encoder gives for the row's dict, split by period or not, with figures, blanks and targets."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from huikuan.cli.kpi import _kpi_row, kpi_json
from huikuan.core.money import format_fen
from huikuan.output import JsonText, json_text
from huikuan.services.kpi import KpiText

FIGURES = st.integers(-(10**14), 10**14).map(format_fen)
MAYBE = st.none() | FIGURES
LINES = st.builds(
    KpiText,
    st.none() | st.text(), st.text(), st.text(), FIGURES, FIGURES, FIGURES, FIGURES,
    MAYBE, MAYBE, MAYBE, MAYBE, MAYBE, MAYBE, st.none() | st.booleans(),
)  # fmt: skip


@given(st.lists(LINES, max_size=6))
def test_the_spelt_rows_are_the_encoded_rows(lines: list[KpiText]) -> None:
    spell = kpi_json()  # one per report: repeated labels and keys are spelt once
    for line in lines + lines:
        text = spell(line)
        assert isinstance(text, JsonText)
        assert text == json_text(_kpi_row(line))
        assert json.loads(text) == _kpi_row(line)


def test_hostile_keys_are_escaped() -> None:
    odd = 'a"b\\c\nd\u2028e\x00 上海'
    line = KpiText(odd, odd, odd, "1.00", "-0.05", "0.00", "2.00", None, "-0.0", "1.5",
                   None, "3.0", "5.00", False)  # fmt: skip
    assert kpi_json()(line) == json_text(_kpi_row(line))


def test_the_report_as_json_matches_its_rows(cli, small) -> None:
    """The whole document, split by month by customer: each row as the general encoder
    spells the row's dict."""
    out = cli("kpi", "--from", "2026-01-01", "--to", "2026-11-22", "--by", "customer",
              "--period", "month", "-f", "json").stdout  # fmt: skip
    rows = json.loads(out)["rows"]
    assert len(rows) > 20 and {r["key"] for r in rows} >= {"C001", "C002"}
    body = ",\n    ".join(json_text(r) for r in rows)
    head = '{\n  "from": "2026-01-01",\n  "to": "2026-11-22",\n  "rows": [\n    '
    assert out == head + body + "\n  ]\n}\n"
