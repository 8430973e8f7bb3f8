"""Every test gets its own ledger, config and app dir (nothing touches the real home).

The ledger is a SQLite file in the test's temp dir, or, when ``HUIKUAN_TEST_DATABASE_URL``
names a PostgreSQL server (``.ci/run``'s second pass), a fresh database of its own on that
server (dropped afterwards). Either way ``HUIKUAN_DB`` points at it; ``db_path`` is that
value (a :class:`~pathlib.Path`, or the ``postgresql://`` URL as a string). To look into the
ledger on both engines use ``helpers/ledger_sql.py`` (``ledger_rows``, also a fixture;
``ledger_db`` in place of ``sqlite3.connect``; ``ledger_exists``), never the file itself.

Markers: ``sqlite_only(reason)`` for tests that are about SQLite itself (files, modes, WAL),
skipped on the PostgreSQL pass; ``postgres_only(reason)``, skipped on the SQLite pass.
Tests under ``tests/core`` (pure code, no ledger) get no database.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent / "helpers"))

from ledger_sql import ledger_rows
from pg_server import PG_SERVER, PgServer

PURE = Path(__file__).parent / "core"  # no ledger needed: no database made for these

# A test using one of these fixtures gets a clone of that template database on PostgreSQL
# (the fixtures themselves then find the ledger ready: ``init`` and ``open_ledger`` are quick).
TEMPLATES = {"small": "small_template", "ledger": "empty_template", "book": "empty_template"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): about SQLite itself; skipped on the PostgreSQL pass"
    )
    config.addinivalue_line(
        "markers", "postgres_only(reason): about PostgreSQL only; skipped on the SQLite pass"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip ``sqlite_only`` tests on the PostgreSQL pass and ``postgres_only`` ones on SQLite."""
    other = "sqlite_only" if PG_SERVER else "postgres_only"
    mark = item.get_closest_marker(other)
    if mark is not None:
        why = mark.args[0] if mark.args else mark.kwargs.get("reason", "")
        engine = "SQLite" if PG_SERVER else "PostgreSQL"
        pytest.skip(f"{engine} only: {why}" if why else f"{engine} only")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | None]:
    """The test server (``HUIKUAN_TEST_DATABASE_URL``), or None for the SQLite pass."""
    if not PG_SERVER:
        yield None
        return
    server = PgServer(PG_SERVER)
    yield server
    server.close()


@pytest.fixture(autouse=True)
def isolated(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    pg_server: PgServer | None,
) -> Iterator[Path]:
    """Point HUIKUAN_DB at this test's ledger and the app dir at a temp dir; unset colour/user
    vars. On PostgreSQL the ledger is a new database (dropped afterwards), cloned from a
    template when the test uses one of :data:`TEMPLATES`' fixtures."""
    monkeypatch.setenv("HUIKUAN_DB", str(tmp_path / "ledger.db"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HUIKUAN_USER", "tester")
    monkeypatch.delenv("HUIKUAN_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("HUIKUAN_LANG", "en")  # tests that want zh set it
    if pg_server is None or request.node.path.is_relative_to(PURE):
        yield tmp_path
        return
    name = pg_server.clone(_template(request))
    monkeypatch.setenv("HUIKUAN_DB", pg_server.url(name))
    try:
        yield tmp_path
    finally:
        pg_server.drop_later(name)


def _template(request: pytest.FixtureRequest) -> str | None:
    """The template database the test's database is cloned from: the ``small`` ledger's, an
    initialised empty ledger's (``ledger``, ``book``), or none (an empty database)."""
    for fixture, template in TEMPLATES.items():
        if fixture in request.fixturenames:
            try:
                return str(request.getfixturevalue(template))
            except pytest.FixtureLookupError:  # another fixture of that name (tests/store)
                continue
    return None


@pytest.fixture(scope="session")
def empty_template(pg_server: PgServer | None) -> str | None:
    """On PostgreSQL: a template database holding an initialised, empty ledger (its name)."""
    if pg_server is None:
        return None
    from huikuan.store.db import open_ledger

    name = pg_server.create()
    open_ledger(pg_server.url(name), "tester", create=True).close()
    return name


@pytest.fixture
def db_path(isolated: Path) -> Path:
    """The test's ledger: the file's path, or on PostgreSQL its URL (a ``str``)."""
    value = os.environ["HUIKUAN_DB"]
    return value if "://" in value else Path(value)  # type: ignore[return-value]


@pytest.fixture(name="ledger_rows")
def ledger_rows_fixture(isolated: Path) -> Callable[..., list[tuple[Any, ...]]]:
    """``ledger_rows(sql, **params)``: see :func:`ledger_sql.ledger_rows`."""
    return ledger_rows
