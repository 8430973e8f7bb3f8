"""Reading one sheet of an Excel workbook (.xlsx/.xlsm/.xls) as rows of cells.

python-calamine (Rust's calamine) reads both the XML formats and the old binary ``.xls`` in
one library, quickly and without loading styles. Cells come back as Python values: ``str``,
``int``/``float`` (Excel keeps numbers as binary floats), ``bool``, ``date``/``datetime``/
``time``/``timedelta`` for date-formatted cells, or ``None`` for an empty cell (an empty
string is reported as ``None`` too). Trailing empty rows and columns are dropped; what the
cells mean is for the caller (imports, bank layouts).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from huikuan.core.errors import HuikuanError

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
SUFFIXES = (".xlsx", ".xlsm", ".xls")


class WorkbookError(HuikuanError):
    """The file is not a readable workbook, or has no such sheet."""


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name and its rows (1-based row ``n`` is ``rows[n - 1]``)."""

    name: str
    rows: list[list[Cell]]


def is_workbook(name: str) -> bool:
    """Whether a file name says Excel workbook."""
    return name.lower().endswith(SUFFIXES)


def read_sheet(data: bytes, label: str, sheet: str | None = None) -> Sheet:
    """The named sheet (else the first) of the workbook in ``data``; ``label`` names the file."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise WorkbookError(f"{label}: not a readable Excel workbook ({exc})") from None
    names = list(book.sheet_names)
    if sheet is not None and sheet not in names:
        raise WorkbookError(f"{label}: no sheet named {sheet!r} (sheets: {', '.join(names)})")
    if not names:
        raise WorkbookError(f"{label}: the workbook has no sheets")
    name = sheet if sheet is not None else names[0]
    try:
        raw = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (CalamineError, ValueError) as exc:
        raise WorkbookError(f"{label}:{name}: cannot be read ({exc})") from None
    return Sheet(name, _trimmed(raw))


def _trimmed(raw: Sequence[Sequence[Cell]]) -> list[list[Cell]]:
    """Rows with empty strings as None, trailing empty cells and rows dropped."""
    rows = [[None if c == "" else c for c in row] for row in raw]
    while rows and all(c is None for c in rows[-1]):
        rows.pop()
    width = max((_width(r) for r in rows), default=0)
    return [r[:width] + [None] * (width - len(r[:width])) for r in rows]


def _width(row: list[Cell]) -> int:
    """The position after the last non-empty cell of ``row``."""
    for i in range(len(row) - 1, -1, -1):
        if row[i] is not None:
            return i + 1
    return 0


def cells_as_text(rows: list[list[Cell]]) -> Iterator[list[str]]:
    """Rows with every cell as text (for messages and header detection)."""
    for row in rows:
        yield ["" if c is None else str(c).strip() for c in row]
