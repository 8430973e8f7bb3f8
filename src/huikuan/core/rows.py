"""Typed read models: rows as ``NamedTuple``s with typed fields, and their text form.

Store queries return rows whose fields carry their real types: money as :data:`Fen` (an
``int`` of 分, as stored), dates as ``date``, flags as ``bool``. What goes out (JSON, CSV,
tables, templates) is :func:`plain`: the same fields as a dict, dates as ISO text and money
as ``"1234.50"``, as the output contract has them. A field is money because its annotation
says :data:`Fen`, so the formatting follows the types rather than lists of column names.
"""

from __future__ import annotations

import functools
import types
import typing
from datetime import date
from typing import Any, NewType, Protocol

from huikuan.core.money import format_fen

Fen = NewType("Fen", int)
"""An amount in 分 (minor units): what a typed row's money fields hold."""


class TypedRow(Protocol):
    """A ``NamedTuple`` read model (what :func:`plain` takes)."""

    def _asdict(self) -> dict[str, Any]: ...


def plain(row: TypedRow) -> dict[str, Any]:
    """``row`` as an output dict: dates (and timestamps) as ISO text, :data:`Fen` fields as
    ``"1234.50"`` (``None`` stays ``None``), everything else as it is."""
    out = row._asdict()
    money = _money_fields(type(row))
    for name, value in out.items():
        if value is None:
            continue
        if name in money:
            out[name] = format_fen(value)
        elif isinstance(value, date):
            out[name] = value.isoformat()
    return out


def plain_all(rows: typing.Iterable[TypedRow]) -> typing.Iterator[dict[str, Any]]:
    """:func:`plain` of each row, as they come (lists and exports can be long)."""
    return map(plain, rows)


@functools.cache
def _money_fields(cls: type) -> frozenset[str]:
    """The fields of ``cls`` annotated :data:`Fen` (or ``Fen | None``): once per class."""
    hints = typing.get_type_hints(cls)
    return frozenset(name for name, hint in hints.items() if _is_fen(hint))


def _is_fen(hint: Any) -> bool:
    if hint is Fen:
        return True
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return Fen in typing.get_args(hint)
    return False
