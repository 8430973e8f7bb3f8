"""What the two engines spell differently, in one place: SQL constructs compiled per dialect.

Queries use these as ordinary SQLAlchemy expressions; the dialect chooses the SQL:

- :class:`days_between` — whole days from one date to another (SQLite ``julianday``
  arithmetic; PostgreSQL ``date - date``);
- :class:`greatest` / :class:`least` — of two values (SQLite's scalar ``MAX(a, b)`` /
  ``MIN(a, b)``; PostgreSQL ``GREATEST``/``LEAST``);
- :class:`unindexed` — a column SQLite must not pick an index for (``+col``; PostgreSQL as is);
- :func:`partial_index` — an index of the rows matching a condition, spelt per engine.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class days_between(FunctionElement[int]):
    """``later - earlier`` in whole days (dates)."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


class greatest(FunctionElement[Any]):
    """The larger of two values."""

    inherit_cache = True
    name = "greatest"


class least(FunctionElement[Any]):
    """The smaller of two values."""

    inherit_cache = True
    name = "least"


def _args(element: FunctionElement[Any], compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(c, **kw) for c in element.clauses]


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    earlier, later = _args(element, compiler, **kw)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    earlier, later = _args(element, compiler, **kw)
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


# The larger/smaller of two values, spelt per engine (SQLite's scalar MAX/MIN take two args).
_SPELLINGS = {
    (greatest, "sqlite"): "MAX",
    (least, "sqlite"): "MIN",
    (greatest, "postgresql"): "GREATEST",
    (least, "postgresql"): "LEAST",
}


def _spelt(name: str) -> Any:
    def compile_call(element: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
        return f"{name}({', '.join(_args(element, compiler, **kw))})"

    return compile_call


for (_construct, _dialect), _name in _SPELLINGS.items():
    compiles(_construct, _dialect)(_spelt(_name))


def as_date(value: Any) -> ColumnElement[Any]:
    """A Python date as a typed bind parameter (so both engines compare dates, not text)."""
    return sa.literal(value, sa.Date())


class unindexed(FunctionElement[Any]):
    """The column's value, hidden from SQLite's index choice (``+col``): where a partial
    index serves the query better than an index on this column. PostgreSQL: the column."""

    inherit_cache = True
    name = "unindexed"


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return f"+{_args(element, compiler, **kw)[0]}"


@compiles(unindexed, "postgresql")
def _unindexed_pg(element: unindexed, compiler: Any, **kw: Any) -> str:
    return _args(element, compiler, **kw)[0]


def partial_index(
    name: str, *columns: str, where: str, pg_where: str | None = None, unique: bool = False
) -> sa.Index:
    """An index of the rows matching ``where`` (PostgreSQL: ``pg_where``, default the same).

    PostgreSQL's condition waits in ``info`` until a PostgreSQL ``CREATE INDEX`` is compiled:
    a ``postgresql_where`` argument would import the PostgreSQL dialect on every start-up."""
    info = {"postgresql_where": pg_where or where}
    return sa.Index(name, *columns, unique=unique, sqlite_where=sa.text(where), info=info)


@compiles(CreateIndex, "postgresql")
def _create_index_pg(create: CreateIndex, compiler: Any, **kw: Any) -> str:
    index = create.element
    where = index.info.get("postgresql_where")
    if where is not None:
        index.dialect_options["postgresql"]["where"] = sa.text(where)
    return str(compiler.visit_create_index(create, **kw))


# --- JSON text built in SQL (SQLite only: a fast path beside the engine-neutral one) --------

JSON_TEXT_DIALECTS = frozenset({"sqlite"})  # where :class:`json_quote` and :class:`sprintf` exist


class json_quote(FunctionElement[str]):
    """A text value as a JSON string, spelt as ``json.dumps(v, ensure_ascii=False)`` spells it
    (SQLite's ``json_quote``: the same escapes, non-ASCII kept)."""

    type = sa.String()
    inherit_cache = True
    name = "json_quote"


class sprintf(FunctionElement[str]):
    """``printf``-style formatting of its arguments (SQLite's ``printf``: ``%s``, ``%d``,
    ``%02d``)."""

    type = sa.String()
    inherit_cache = True
    name = "sprintf"


@compiles(json_quote, "sqlite")
def _json_quote_sqlite(element: json_quote, compiler: Any, **kw: Any) -> str:
    return f"json_quote({_args(element, compiler, **kw)[0]})"


@compiles(sprintf, "sqlite")
def _sprintf_sqlite(element: sprintf, compiler: Any, **kw: Any) -> str:
    return f"printf({', '.join(_args(element, compiler, **kw))})"
