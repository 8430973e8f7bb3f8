"""core/text.py: one-line and free-text checks, and neutralising spreadsheet formulas."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.core.errors import InvalidValue
from huikuan.core.text import (
    check_line,
    check_text,
    neutralise,
    printable,
    required_line,
    unneutralise,
)


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),  # already quoted by hand: quoted again, so it comes back as it was
        ("-12.50", "-12.50"),  # numbers are not formulas: amounts stay amounts
        ("-5.0%", "-5.0%"),
        ("+8613800000000", "+8613800000000"),
        ("-1,234.50", "-1,234.50"),
        ("上海明达", "上海明达"),
        ("O'Brien", "O'Brien"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe
    assert unneutralise(safe) == cell


@given(st.text())
def test_neutralise_round_trips_any_text(cell: str) -> None:
    assert unneutralise(neutralise(cell)) == cell


def test_a_quote_before_a_harmless_character_is_kept_on_import() -> None:
    assert unneutralise("'abc") == "'abc"
    assert unneutralise("'") == "'"


@pytest.mark.parametrize(
    "bad", ["a\x1b[2Jb", "a\x00b", "a\rb", "a\nb", "a\tb", "a\x85b", "a\u2028b", "a\ud800b"]
)
def test_check_line_refuses_control_characters_and_surrogates(bad: str) -> None:
    with pytest.raises(InvalidValue, match="one line without control characters"):
        check_line(bad)


def test_check_text_allows_line_breaks_only() -> None:
    assert check_text("a\r\nb\nc") == "a\nb\nc"
    for bad in ("a\rb", "a\tb", "a\x1bb", "a\x00b"):
        with pytest.raises(InvalidValue, match="text without control characters"):
            check_text(bad)


def test_required_line() -> None:
    assert required_line(" why ", "--reason") == "why"
    for empty in (None, "", "  "):
        with pytest.raises(InvalidValue, match="--reason: must not be empty"):
            required_line(empty, "--reason")


def test_printable() -> None:
    assert printable("a\x1b[2J\ud800\nb") == "a\\x1b[2J\\ud800\\nb"
