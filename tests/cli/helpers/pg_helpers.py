"""A PostgreSQL database per test: ``pg_url`` (a fixture) and ``needs_server``.

Tests that need a server run when ``HUIKUAN_TEST_DATABASE_URL`` names one (a database the
test user may connect to and create databases from); each makes and drops its own database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

SERVER = os.environ.get("HUIKUAN_TEST_DATABASE_URL")
needs_server = pytest.mark.skipif(not SERVER, reason="HUIKUAN_TEST_DATABASE_URL not set")


def _admin_url() -> sa.URL:
    url = sa.make_url(SERVER or "").set(drivername="postgresql+psycopg")
    return url


@pytest.fixture
def pg_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new, empty database on the test server (dropped afterwards): its URL, no password."""
    admin = _admin_url()
    if admin.password:
        monkeypatch.setenv("PGPASSWORD", str(admin.password))
    name = f"huikuan_t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name, password=None, drivername="postgresql")
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()
