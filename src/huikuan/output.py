"""Rendering command results as ``table``, ``json``, ``jsonl`` or ``csv``.

Commands build a :class:`Result`; :func:`render` prints it to stdout. JSON and CSV carry
amounts as plain strings (``"1234.50"``); tables group them (``1,234.50``).
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import IO, Any

from huikuan.core.text import neutralise
from huikuan.i18n import label as i18n_label
from huikuan.i18n import translate

FORMATS = ("table", "json", "jsonl", "csv", "xlsx")
BAR_WIDTH = 30


@dataclass
class Result:
    """A command's result: rows with named columns, plus what the table view adds."""

    columns: list[str]
    rows: Iterable[dict[str, Any]]
    document: dict[str, Any] | None = None  # the JSON form when it is more than a row list
    title: str | None = None
    money: set[str] = field(default_factory=set)  # columns to right-align and group
    totals: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sections: list[Result] = field(default_factory=list)
    bars: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # title -> (label, amount)
    optional: list[str] = field(default_factory=list)  # a narrow table hides these, first first
    shrink: set[str] = field(default_factory=lambda: {"name"})  # shortened with … when narrow


def render(result: Result, fmt: str, out: IO[str] | None = None, lang: str = "en") -> None:
    """Print ``result`` in ``fmt`` to ``out`` (stdout by default).

    ``lang`` is for tables (headers, titles, notes); JSON and CSV keys are always English.
    """
    out = out or sys.stdout
    if fmt == "json":
        _json(result, out)
    elif fmt == "jsonl":
        for row in result.rows:
            out.write(json.dumps(_pick(row, result.columns), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_csv_cell(row.get(c)) for c in result.columns] for row in result.rows)
    else:
        _table(result, out, lang)


def _pick(row: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    return {c: row.get(c) for c in columns}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv_cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is neutralised."""
    return neutralise(value) if isinstance(value, str) else _cell(value)


def _json(result: Result, out: IO[str]) -> None:
    if result.document is not None:
        _json_document(result.document, out)
        return
    out.write("[")  # stream: exports can be large
    for n, row in enumerate(result.rows):
        out.write(
            ("," if n else "") + "\n  " + json.dumps(_pick(row, result.columns), ensure_ascii=False)
        )
    out.write("\n]\n")


def _json_document(doc: dict[str, Any], out: IO[str]) -> None:
    """Indented at the top level, one compact line per list item: readable and fast."""
    out.write("{")
    for n, (key, value) in enumerate(doc.items()):
        out.write(("," if n else "") + f"\n  {json.dumps(key, ensure_ascii=False)}: ")
        if isinstance(value, Iterator):  # streamed rows: written as they come
            _json_items(value, out)
        elif isinstance(value, list) and value:
            items = (json.dumps(v, ensure_ascii=False, separators=(", ", ": ")) for v in value)
            out.write("[\n    " + ",\n    ".join(items) + "\n  ]")
        else:
            out.write(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))
    out.write("\n}\n")


def _json_items(items: Iterator[Any], out: IO[str]) -> None:
    """A list from an iterator, in the same layout as a list value (``[]`` when empty);
    written a batch of items at a time."""
    encode = _item_encoder()
    out.write("[")
    first = True
    while batch := _batch(items, encode):
        out.write(("\n    " if first else ",\n    ") + ",\n    ".join(batch))
        first = False
    out.write("]" if first else "\n  ]")


WRITE_BATCH = 2000  # streamed list items encoded and written together
WRITE_BYTES = 1 << 20  # … or fewer, when their text is this long (a JsonText of many rows)


def _batch(items: Iterator[Any], encode: Callable[[Any], str]) -> list[str]:
    """The next items' texts: :data:`WRITE_BATCH` of them, or :data:`WRITE_BYTES` of text."""
    texts: list[str] = []
    size = 0
    for item in items:
        texts.append(text := encode(item))
        size += len(text)
        if len(texts) == WRITE_BATCH or size >= WRITE_BYTES:
            break
    return texts


class JsonText(str):
    """A streamed list item already encoded, in the layout :func:`json_text` gives: written
    as it is (a report of hundreds of thousands of rows spells its rows directly). It may
    hold several items joined by the list's separator (``",\n    "``): the same text."""

    __slots__ = ()


def json_text(value: Any) -> str:
    """``value`` as a streamed item's JSON text (what a :class:`JsonText` must equal)."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _item_encoder() -> Callable[[Any], str]:
    """``json.dumps(v, ensure_ascii=False, separators=(", ", ": "))``, the same text, with
    the encoder made once instead of once per item (the C encoder when there is one)."""
    enc = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
    try:  # the arguments JSONEncoder.iterencode passes it (no circular check: rows are trees)
        make = c_make_encoder(
            None, enc.default, encode_basestring, None, ": ", ", ", False, False, True
        )
    except TypeError:  # pragma: no cover - no C encoder, or another signature
        return enc.encode

    def encode(value: Any) -> str:
        if isinstance(value, str):  # as JSONEncoder.encode: a bare string is not a container
            return value if isinstance(value, JsonText) else enc.encode(value)
        return "".join(make(value, 0))

    return encode


def grouped(text: Any) -> str:
    """``"1234.50"`` -> ``"1,234.50"``; other values unchanged."""
    if not isinstance(text, str) or not text:
        return _cell(text)
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    if not digits.isdigit():
        return text
    return f"{sign}{int(digits):,}" + (f".{frac}" if frac else "")


def _console(out: IO[str]) -> Any:
    from rich.console import Console

    tty = out.isatty()
    width = None if tty or os.environ.get("COLUMNS") else 200
    plain = not tty or "NO_COLOR" in os.environ
    return Console(
        file=out,
        width=width,
        no_color=plain,
        color_system=None if plain else "auto",  # no_color alone still writes bold/italic codes
        highlight=False,
        soft_wrap=False,
    )


def _table(result: Result, out: IO[str], lang: str) -> None:
    from huikuan.tables import build_table, layout

    console = _console(out)
    for n, part in enumerate([result, *result.sections]):
        if n:
            console.print()
        lay = layout(part, lang, console.width)
        if len(lay.grid.body) <= TABLE_SLICE:
            console.print(build_table(part, lay, lang))
        else:
            _sliced_table(console, part, lay, lang)
        for note in lay.notes:
            console.print(translate(note, lang), markup=False)
        for title, bars in part.bars.items():
            console.print(_bar_chart(translate(title, lang), bars, lang))
        for note in part.notes:
            console.print(translate(note, lang), markup=False)


TABLE_SLICE = 1000  # body rows of a long table laid out by rich at a time


def _sliced_table(console: Any, result: Result, lay: Any, lang: str) -> None:
    """A long table as successive tables of :data:`TABLE_SLICE` rows with the whole table's
    widths, their inner edge lines left out: the same text as one table, in the memory and
    time of one slice (rich lays a table out whole; at 300K rows that took gigabytes)."""
    from huikuan.tables import build_table, plain_lines

    edge = lay.widths is None  # the natural layout has a (blank) top and bottom edge line
    rows = len(lay.grid.body)
    for start in range(0, rows, TABLE_SLICE):
        first, last = start == 0, start + TABLE_SLICE >= rows
        part = slice(start, start + TABLE_SLICE)
        plain = console.no_color and not (first or last)
        lines = plain_lines(result, lay, part) if plain else None
        if lines is None:
            with console.capture() as captured:
                console.print(build_table(result, lay, lang, part, True))
            lines = captured.get().split("\n")[:-1]
            lines = lines[(0 if first or not edge else 1) : (None if last or not edge else -1)]
        console.file.write("".join(line + "\n" for line in lines))


def _bar_chart(title: str, bars: list[tuple[str, str]], lang: str) -> Any:
    from rich.table import Table
    from rich.text import Text

    values = [abs(Decimal(v)) for _, v in bars]
    top, total = max(values, default=Decimal(0)) or Decimal(1), sum(values) or Decimal(1)
    chart = Table.grid(padding=(0, 1))
    chart.title, chart.title_justify = title, "left"
    for (label, value), v in zip(bars, values):
        bar = "█" * round(BAR_WIDTH * v / top)
        chart.add_row(
            i18n_label(label, lang),
            Text(bar, style="cyan"),
            f"{100 * v / total:5.1f}%",
            grouped(value),
        )
    return chart
