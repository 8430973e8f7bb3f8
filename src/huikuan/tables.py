"""Laying a :class:`~huikuan.output.Result` out as a rich table that fits the terminal.

The rule, in order, until the table fits the console width:

1. the natural layout (every column as wide as its widest cell), as before;
2. compact: one space between columns, no outer margin;
3. the ``shrink`` columns (the name) are shortened to :data:`SHRINK_MIN` cells with an
   ellipsis, and long text columns (notes, talking points) wrap in :data:`TEXT_MIN` cells;
4. the ``optional`` columns are hidden, those with nothing in them (blank or zero) first,
   then in the order the result lists them, and a note says which and how to see them all;
5. text columns wrap narrower still: to their longest word, then to :data:`FLOOR` cells.

Amounts never break across lines: money columns are never narrower than their widest cell.
Widths are measured in terminal cells, so Chinese characters count double.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len

from huikuan.i18n import label, translate, value
from huikuan.output import Result, _cell, grouped

SHRINK_MIN = 10
TEXT_MIN = 16
FLOOR = 4
EMPTY = {"", "0.00", "0", "0.0%", "-"}
NAMES_COLUMNS = {"field", "component"}  # their cells are column names, shown as headers are
SHARED = 4096
HIDDEN_NOTE = "{n} column(s) hidden ({names}): use --format csv or widen the terminal to see all"


@dataclass
class Grid:
    """The table's text: headers, body rows and total rows, one string per cell."""

    columns: list[str]
    headers: list[str]
    body: list[list[str]]
    totals: list[list[str]]

    def natural(self, i: int) -> int:
        cells = [self.headers[i], *(r[i] for r in self.body), *(r[i] for r in self.totals)]
        return max(max(cell_len(line) for line in c.split("\n")) for c in cells)

    def word(self, i: int) -> int:
        """The longest word of the column's cells (at least :data:`FLOOR` cells)."""
        words = (w for r in [*self.body, *self.totals] for w in r[i].split())
        return max([FLOOR, *(cell_len(w) for w in words)])

    def empty(self, i: int) -> bool:
        return all(r[i] in EMPTY for r in [*self.body, *self.totals])


def grid_of(result: Result, lang: str) -> Grid:
    """The result's cells (rows first: streamed totals are complete only after them). Equal
    cells of a column share one string (up to :data:`SHARED` distinct ones a column): a long
    report repeats its currencies, dates and actions."""
    shared: list[dict[str, str]] = [{} for _ in result.columns]

    def one(known: dict[str, str], text: str) -> str:
        found = known.get(text)
        if found is None and len(known) < SHARED:
            found = known[text] = text
        return found or text

    def cells(row: dict[str, Any]) -> list[str]:
        texts = (grouped(row.get(c)) if c in result.money else _cell(row.get(c)) for c in cols)
        return [one(known, t) for known, t in zip(shared, texts)]

    cols = result.columns
    body = [cells(row) for row in result.rows]
    if not body:
        body = [[value("(none)", lang), *[""] * (len(cols) - 1)]]
    totals = [[value(c, lang) for c in cells(t)] for t in result.totals]
    for i in [n for n, c in enumerate(cols) if c in NAMES_COLUMNS]:  # record view: names
        for row in body:
            row[i] = label(row[i], lang)
    return Grid(cols, [label(c, lang) for c in cols], body, totals)


@dataclass
class Layout:
    """How a result's table is laid out: its cells, the columns kept, their widths (None:
    the natural layout, every column as wide as its widest cell), and the notes it adds."""

    grid: Grid
    keep: list[int]
    widths: dict[int, int] | None
    natural: list[int]
    notes: list[str]


def fit_table(result: Result, lang: str, width: int) -> tuple[Any, list[str]]:
    """The rich table for ``result`` at ``width`` cells, and the notes its layout adds."""
    lay = layout(result, lang, width)
    return build_table(result, lay, lang), lay.notes


def layout(result: Result, lang: str, width: int) -> Layout:
    """The layout of ``result``'s table at ``width`` cells (the rule in the module doc)."""
    g = grid_of(result, lang)
    natural = [g.natural(i) for i in range(len(g.columns))]
    if sum(natural) + 3 * len(natural) + 1 <= width:
        return Layout(g, list(range(len(g.columns))), None, natural, [])
    keep = list(range(len(g.columns)))
    mins = [_min_width(result, g.columns[i], natural[i]) for i in keep]
    for i in _drop_order(result, g):
        if _need(keep, mins) <= width:
            break
        keep.remove(i)
    _squeeze(result, g, keep, mins, width)
    widths = _spread(keep, mins, natural, width)
    hidden = [g.headers[i] for i in range(len(g.columns)) if i not in keep]
    notes = [HIDDEN_NOTE.format(n=len(hidden), names=", ".join(hidden))] if hidden else []
    return Layout(g, keep, widths, natural, notes)


def _min_width(result: Result, column: str, natural: int) -> int:
    if column in result.money:
        return natural
    if column in result.shrink:
        return min(natural, SHRINK_MIN)
    return min(natural, TEXT_MIN)


def _squeeze(result: Result, g: Grid, keep: list[int], mins: list[int], width: int) -> None:
    """Still too wide: narrow the widest text columns a cell at a time, first down to their
    longest word (dates and codes stay whole; a long header may wrap), then to
    :data:`FLOOR` cells. Money columns keep their width."""
    text = [i for i in keep if g.columns[i] not in result.money]
    for floor in ({i: min(mins[i], g.word(i)) for i in text}, {i: FLOOR for i in text}):
        while _need(keep, mins) > width:
            wide = [i for i in text if mins[i] > floor[i]]
            if not wide:
                break
            mins[max(wide, key=lambda i: mins[i])] -= 1  # the widest gives first


def _need(keep: list[int], mins: list[int]) -> int:
    return sum(mins[i] for i in keep) + len(keep) - 1


def _drop_order(result: Result, g: Grid) -> list[int]:
    optional = [g.columns.index(c) for c in result.optional if c in g.columns]
    return [i for i in optional if g.empty(i)] + [i for i in optional if not g.empty(i)]


def _spread(keep: list[int], mins: list[int], natural: list[int], width: int) -> dict[int, int]:
    """Widths: the minimum each, then what is left to the narrowed columns, smallest first."""
    widths = {i: mins[i] for i in keep}
    spare = width - _need(keep, mins)
    short = sorted((i for i in keep if natural[i] > mins[i]), key=lambda i: natural[i])
    for n, i in enumerate(short):
        extra = min(natural[i] - mins[i], max(spare, 0) // (len(short) - n))
        widths[i] += extra
        spare -= extra
    return widths


def build_table(
    result: Result, lay: Layout, lang: str, rows: slice | None = None, fixed: bool = False
) -> Any:
    """The rich table of ``lay``; with ``rows``, only those body rows, the title and header
    only when they start at the first row, the totals only when they reach the last.
    ``fixed`` gives the natural layout its widths explicitly, so that the tables of
    successive slices line up as one."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    g, keep, compact = lay.grid, lay.keep, lay.widths is not None
    part = slice(None) if rows is None else rows
    first, last = part.start in (None, 0), part.stop is None or part.stop >= len(g.body)
    table = Table(
        title=(result.title and translate(result.title, lang)) if first else None,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        show_edge=not compact,
        show_header=first,
        padding=(0, 0) if compact else (0, 1),
    )
    widths = lay.widths or (dict(enumerate(lay.natural)) if fixed else {})
    for i in keep:
        _add_column(table, result, g.columns[i], g.headers[i], widths.get(i), compact)
    for row in g.body[part]:
        table.add_row(*(Text(row[i]) for i in keep))
    if g.totals and last:
        table.add_section()
    for row in g.totals if last else []:
        table.add_row(*(Text(row[i]) for i in keep), style="bold")
    return table


def plain_lines(result: Result, lay: Layout, rows: slice) -> list[str] | None:
    """Body rows ``rows`` as rich prints them without colour, written directly (rich takes
    ~0.4 ms a row); None when a cell is not plain printable text or would not fit its width
    in a fitted layout (rich wraps or shortens it)."""
    g, keep, fitted = lay.grid, lay.keep, lay.widths
    right = [g.columns[i] in result.money for i in keep]
    widths = [fitted[i] if fitted else lay.natural[i] for i in keep]
    start, gap, end = ("", " ", "") if fitted else ("  ", "   ", "  ")
    lines = []
    for row in g.body[rows]:
        cells = [row[i] for i in keep]
        if not all(c.isprintable() for c in cells):
            return None
        padded = [_pad(c, w, r) for c, w, r in zip(cells, widths, right)]
        texts = [p for p in padded if p is not None]
        if len(texts) < len(padded):
            return None
        lines.append(start + gap.join(texts) + end)
    return lines


def _pad(cell: str, width: int, right: bool) -> str | None:
    """``cell`` padded to ``width`` cells (None when it is wider)."""
    room = width - cell_len(cell)
    if room < 0:
        return None
    return " " * room + cell if right else cell + " " * room


def _add_column(
    table: Any, result: Result, column: str, header: str, width: int | None, compact: bool
) -> None:
    money, shrink = column in result.money, column in result.shrink
    table.add_column(
        header,
        justify="right" if money else "left",
        no_wrap=money or (shrink and compact),
        overflow="ellipsis" if shrink and compact else "fold",
        width=width,
        min_width=width,
    )
