"""SQLAlchemy statements run straight on the DB-API cursor, for bulk paths.

The statement is compiled once for the connection's dialect (so the SQL stays SQLAlchemy's,
spelt per engine); parameters pass through the columns' bind processors and results through
their result processors, as SQLAlchemy does, but without a ``Row`` or a parameter dict per
row. Same transaction as the SQLAlchemy connection (same DB-API connection).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

FETCH = 5000  # rows per fetchmany

Processor = Callable[[Any], Any] | None


def rows(db: sa.Connection, stmt: sa.Select[Any] | Any) -> Iterator[tuple[Any, ...]]:
    """The rows of ``stmt`` as plain tuples (columns processed as SQLAlchemy would)."""
    sql, params, procs = prepared(db, stmt)
    for batch in batches_of(db.connection.driver_connection, sql, params, procs):
        yield from batch


def prepared(db: sa.Connection, stmt: Any) -> tuple[str, Any, list[Processor]]:
    """``stmt`` compiled for ``db``'s dialect: its SQL, its parameters in the driver's
    style, and each result column's processor (None: as it is)."""
    compiled = stmt.compile(dialect=db.dialect, compile_kwargs={"render_postcompile": True})
    names = list(compiled.params)
    values = _apply(_binds(db, compiled, names), [compiled.params[n] for n in names])
    procs = [_result(db, c.type) for c in stmt.selected_columns]
    return str(compiled), _style(compiled, names)(tuple(values)), procs


def batches_of(
    driver: Any, sql: str, params: Any, procs: Sequence[Processor]
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a :func:`prepared` statement run on the DB-API connection ``driver``, a
    batch of up to :data:`FETCH` at a time."""
    cursor = driver.cursor()
    try:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH):
            if any(procs):
                batch = [tuple(_apply(procs, r)) for r in batch]
            yield batch
    finally:
        cursor.close()


def compiled(db: sa.Connection, stmt: Any, params: dict[str, Any]) -> tuple[str, Any]:
    """``stmt`` as SQL text for ``db``'s dialect and ``params`` (values of its named bind
    parameters) in the DB-API's style, through the parameters' bind processors: to run on
    any DB-API connection to the same kind of database."""
    done = stmt.compile(dialect=db.dialect, compile_kwargs={"render_postcompile": True})
    names = list(done.params)
    given = [params[n] if n in params else done.params[n] for n in names]
    return str(done), _style(done, names)(tuple(_apply(_binds(db, done, names), given)))


def executemany(
    db: sa.Connection, stmt: Any, keys: Sequence[str], values: Iterable[Sequence[Any]]
) -> None:
    """Run ``stmt`` (an insert or update whose bind parameters are named ``keys``) once per
    row of ``values`` (in the order of ``keys``), in one DB-API ``executemany``."""
    compiled = stmt.compile(dialect=db.dialect, column_keys=list(keys))
    procs, shape = _binds(db, compiled, keys), _style(compiled, keys)
    params = [shape(v) for v in _processed(procs, values)]
    cursor = db.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(str(compiled), params)
    finally:
        cursor.close()


def executemany_prepared(
    db: sa.Connection, stmt: Any, keys: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> None:
    """:func:`executemany` of values already in the driver's form (each through
    :func:`bind_processor` of its column, e.g. a cached one), in the order of ``keys``."""
    compiled = stmt.compile(dialect=db.dialect, column_keys=list(keys))
    shape = _style(compiled, keys)
    params = values if shape(tuple(keys)) == tuple(keys) else [shape(v) for v in values]
    cursor = db.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(str(compiled), params)
    finally:
        cursor.close()


def bind_processor(db: sa.Connection, column: Any) -> Processor:
    """What SQLAlchemy does to a value of ``column`` before the driver sees it (None:
    nothing)."""
    processor: Processor = column.type.dialect_impl(db.dialect).bind_processor(db.dialect)
    return processor


def _result(db: sa.Connection, type_: Any) -> Processor:
    processor: Processor = type_.dialect_impl(db.dialect).result_processor(db.dialect, None)
    return processor


def _binds(db: sa.Connection, compiled: Any, names: Sequence[str]) -> list[Processor]:
    """Each parameter's bind processor (an expanded ``IN`` list's ``x_1_2``: that of ``x_1``)."""
    binds = compiled.binds
    found = (binds[n] if n in binds else binds[n.rsplit("_", 1)[0]] for n in names)
    return [b.type.dialect_impl(db.dialect).bind_processor(db.dialect) for b in found]


def _style(compiled: Any, names: Sequence[str]) -> Callable[[tuple[Any, ...]], Any]:
    """Values in the order of ``names`` -> parameters in the dialect's style (a tuple in
    the statement's order, or a dict)."""
    if compiled.positiontup is None:
        return lambda v: dict(zip(names, v))
    order = [list(names).index(n) for n in compiled.positiontup]
    if order == list(range(len(names))):
        return lambda v: v
    return lambda v: tuple(v[i] for i in order)


def _processed(
    procs: Sequence[Processor], rows: Iterable[Sequence[Any]]
) -> Iterator[tuple[Any, ...]]:
    """Each row as a tuple, its values through their processors (None: as they are)."""
    todo = [(i, p) for i, p in enumerate(procs) if p is not None]
    for row in rows:
        if todo:
            out = list(row)
            for i, p in todo:
                if out[i] is not None:
                    out[i] = p(out[i])
            yield tuple(out)
        else:
            yield tuple(row)


def _apply(procs: Sequence[Processor], values: Sequence[Any]) -> Sequence[Any]:
    """``values`` through their processors (None: as they are)."""
    if not any(procs):
        return values
    return [p(v) if p is not None and v is not None else v for p, v in zip(procs, values)]
