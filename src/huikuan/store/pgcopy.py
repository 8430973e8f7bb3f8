"""Checked invoice rows as PostgreSQL ``COPY`` text, made once where the rows are checked.

A big invoice import on PostgreSQL sends each chunk of checked rows as one block of
``COPY … FROM STDIN`` text (tab-separated, ``\\N`` for NULL, backslash escapes). The block is
made by whoever checks the rows — the forked child of :mod:`huikuan.store.pipeline` for a big
CSV file — so the process talking to the server only writes bytes: no per-row Python there,
no ``write_row`` formatting. The lines of the file travel with the block, for the rare chunk
that meets a duplicate number (:func:`numbers` reads the numbers back).
"""

from __future__ import annotations

import array
import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from huikuan.store.bulk import INVOICE_FIELDS

WIDE = (*INVOICE_FIELDS, "open_amount")  # the fields of a block's lines, in order
NARROW = (*INVOICE_FIELDS[:7], "open_amount")  # … of a block without contract … milestone
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNESCAPE = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_ESCAPED = re.compile(r"\\(.)")
_NULL = "\\N"


class CopyChunk(NamedTuple):
    """A chunk of checked invoice rows: the file's line of each and their ``COPY`` text."""

    lines: array.array[int]
    data: bytes
    columns: tuple[str, ...] = NARROW  # the fields of each line


def packed(chunks: Iterable[list[tuple[int, Any]]]) -> Iterator[CopyChunk]:
    """Each chunk of ``(line, row)`` items (:func:`ledger.invoice_row` tuples) as a block."""
    for chunk in chunks:
        lines = array.array("q", [line for line, _ in chunk])
        rows = [row for _, row in chunk]
        plain = _plain(rows)
        if plain is not None:
            yield CopyChunk(lines, plain.encode("utf-8"))
        else:
            yield CopyChunk(lines, "".join([_line(row) for row in rows]).encode("utf-8"), WIDE)


def _plain(rows: list[tuple[Any, ...]]) -> str | None:
    """The :data:`NARROW` block of rows without extra fields, when no value needs an escape
    (a million rows about a second quicker than :func:`_line` for each); else None.

    Whether one does is seen in the block: one tab more than 7 a row, a newline more than
    one, a carriage return, or a backslash besides the ``\\N`` of each NULL."""
    if any(len(row) != 7 for row in rows):
        return None
    text = "".join(
        [f"{n}\t{c}\t{i}\t{d}\t{a}\t{cur}\t{t or _NULL}\t{a}\n" for n, c, i, d, a, cur, t in rows]
    )
    nulls = [row[6] for row in rows].count(None)
    if (
        text.count("\t") != 7 * len(rows)
        or text.count("\n") != len(rows)
        or text.count("\\") != nulls
        or "\r" in text
    ):
        return None
    return text


def _line(row: tuple[Any, ...]) -> str:
    """One row's :data:`WIDE` line (open amount = amount). Dates print as ISO text either
    as ``date`` or as the ISO text the quick path keeps."""
    number, customer, issue, due, amount, currency, terms = row[:7]
    extras = "\t".join([_text(v) for v in (*row[7:11], None, None, None, None)[:4]])
    return (
        f"{number.translate(_ESCAPE)}\t{customer}\t{issue}\t{due}\t{amount}\t"
        f"{currency.translate(_ESCAPE)}\t{_text(terms)}\t{extras}\t{amount}\n"
    )


def _text(value: str | None) -> str:
    return "\\N" if value is None else value.translate(_ESCAPE)


def lines_of(data: bytes) -> list[bytes]:
    """A block's rows, each one ``COPY`` line with its newline."""
    return data.splitlines(keepends=True)


def numbers(rows: list[bytes]) -> list[str]:
    """The invoice number of each ``COPY`` line (its first field, unescaped)."""
    return [
        _ESCAPED.sub(lambda m: _UNESCAPE.get(m[1], m[1]), row.split(b"\t", 1)[0].decode("utf-8"))
        for row in rows
    ]
