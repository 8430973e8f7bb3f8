"""Text checks shared by records, options and mail headers (tiny: imported by the config).

- :func:`check_line`: one line of text (names, codes, numbers, references, reasons): no
  control characters (ESC, NUL, CR/LF, tab, …) and no lone surrogates (not valid Unicode).
- :func:`check_text`: free text (notes, descriptions): line breaks allowed, other control
  characters not.
- :func:`neutralise` / :func:`unneutralise`: spreadsheet formula injection (OWASP) — a text
  cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` in CSV/xlsx
  output, and imports take that ``'`` off again, so export → import round-trips.
"""

from __future__ import annotations

import re

from huikuan.core.errors import InvalidValue

# line breaks (also U+2028/9), tabs, escapes and other C0/C1 control characters
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
NOT_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NOT_TEXT = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")  # \n is fine
# a formula trigger, after any quotes a neutralised cell already carries
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?")  # "-12.50", "-5.0%": numbers, not formulas


def shorten(text: str, limit: int = 40) -> str:
    """``text`` for an error message: a long value is cut, with its length."""
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}…({len(text)} characters)"


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates written as escapes (for messages)."""
    return NOT_LINE.sub(lambda m: ascii(m.group())[1:-1], text)


def _shown(value: str) -> str:
    return shorten(repr(value), 60)


def check_line(value: str) -> str:
    """``value`` if it is one line of valid text, else :class:`InvalidValue`."""
    if NOT_LINE.search(value):
        raise InvalidValue(f"must be one line without control characters: {_shown(value)}")
    return value


def check_text(value: str) -> str:
    """``value`` as text with line breaks (CRLF made LF) but no other control characters."""
    text = value.replace("\r\n", "\n")
    if _NOT_TEXT.search(text):
        raise InvalidValue(f"must be text without control characters: {_shown(value)}")
    return text


def required_line(value: str | None, what: str) -> str:
    """A required one-line option such as ``--reason``: not blank, no control characters."""
    if value is None or not value.strip():
        raise InvalidValue(f"{what}: must not be empty")
    try:
        return check_line(value.strip())
    except InvalidValue as exc:
        raise InvalidValue(f"{what}: {exc}") from None


def optional_line(value: str | None, what: str) -> str | None:
    """An optional one-line option: None stays None, else as :func:`required_line`."""
    return None if value is None else required_line(value, what)


def optional_text(value: str | None, what: str) -> str | None:
    """An optional free-text option (``--note``): line breaks allowed."""
    if value is None:
        return None
    try:
        return check_text(value)
    except InvalidValue as exc:
        raise InvalidValue(f"{what}: {exc}") from None


def neutralise(cell: str) -> str:
    """A text cell safe to open in a spreadsheet: formula triggers get a leading ``'``."""
    if _FORMULA.match(cell) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """What :func:`neutralise` made of a cell, back as it was (an import reads exports)."""
    if cell.startswith("'") and _FORMULA.match(cell, 1):
        return cell[1:]
    return cell
