"""Ledger housekeeping: backup, doctor checks, the demo ledger."""

from __future__ import annotations

import contextlib
import csv
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from huikuan.core.calendar import WorkCalendar
from huikuan.core.errors import HuikuanError
from huikuan.core.records import check_contact, raise_problems
from huikuan.db.models import LEDGER_TABLES, Customer
from huikuan.db.tables import table_of
from huikuan.store import ledger as L
from huikuan.store.db import Connection, Ledger, LedgerConnection, sa_of, sqlite_of
from huikuan.store.importer import ImportOptions, import_file
from huikuan.store.invariants import invariants

DEMO_FILES = ("customers", "invoices", "payments")
CUST = table_of(Customer)


def backup(led: Ledger, dest: Path, force: bool, as_of: date | None = None) -> int:
    """Copy the ledger to an owner-only SQLite file; return bytes. A SQLite ledger is copied
    with SQLite's online backup API, a PostgreSQL one through :func:`huikuan.store.copy.copy_ledger`
    (checked as of ``as_of``, default today), so the backup is a SQLite ledger either way.

    The copy is written to a new 0600 file beside ``dest`` and renamed over it, so an existing
    file (with ``force``) is replaced whole, never written through: a symbolic link at ``dest``
    is replaced by the copy and what it pointed to is left alone.
    """
    if os.path.lexists(dest) and not force:
        raise HuikuanError(f"{dest} exists (pass --force to overwrite)")
    if led.path is not None and dest.resolve() == led.path.resolve():
        raise HuikuanError("the backup file must not be the ledger itself")
    if dest.is_dir() and not dest.is_symlink():
        raise HuikuanError(f"{dest} is a directory (give the backup file's name)")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as exc:
        raise HuikuanError(f"cannot write {dest}: {exc.strerror}") from None
    os.close(fd)  # mkstemp makes it 0600, whatever the umask
    try:
        _copy(led, Path(tmp), as_of)
        os.replace(tmp, dest)
    except OSError as exc:
        raise HuikuanError(f"cannot write {dest}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return dest.stat().st_size


def _copy(led: Ledger, path: Path, as_of: date | None) -> None:
    if not isinstance(led.conn, LedgerConnection):  # PostgreSQL: into a new SQLite ledger
        from huikuan.store.copy import copy_ledger
        from huikuan.store.db import open_ledger

        target = open_ledger(path, led.user)
        try:
            copy_ledger(led, target, as_of or date.today())
        finally:
            target.close()
        return
    from huikuan.db.sqlite import backup_to

    backup_to(led.conn, path)


@dataclass
class Check:
    """One doctor finding: ``status`` is ok, warn or fail (``huikuan doctor`` exits 1 on fail)."""

    check: str
    status: str
    detail: str


VERSION = sa.table("alembic_version", sa.column("version_num", sa.String()))


def _schema_check(conn: Connection) -> Check:
    """The ledger's schema revision against this huikuan's."""
    from huikuan.db.revision import HEAD

    db = sa_of(conn)
    have = None
    if sa.inspect(db).has_table("alembic_version"):
        have = db.execute(sa.select(VERSION.c.version_num)).scalar()
    if have == HEAD:
        return Check("schema", "ok", f"revision {HEAD}")
    return Check("schema", "fail", f"revision {have or 'none'}, expected {HEAD}")


def doctor(led: Ledger, today: date, cal: WorkCalendar, full: bool = False) -> list[Check]:
    """Integrity, migrations, ledger invariants, file permissions and calendar data.

    The file checks (SQLite integrity, foreign keys, permissions) are for a SQLite ledger;
    PostgreSQL enforces foreign keys itself and keeps its own files. ``full``: SQLite's
    ``integrity_check`` (indexes against their tables too) instead of ``quick_check``.
    On SQLite the file checks run on a second connection in a helper thread while the
    invariants run on the ledger's (:mod:`huikuan.store.beside`): two cores, half the wait.
    """
    if led.path is None:  # PostgreSQL
        return [_server_check(led), *_checks(led, today, cal)]
    from huikuan.store.beside import beside

    with beside(led.path, _file_jobs(full), sqlite_of(led.conn)) as files:
        rest = _checks(led, today, cal)
        sound, fks = files.results()
    how = "integrity_check" if full else "quick_check; --full: integrity_check"
    return [
        Check("sqlite integrity", "ok" if sound == "ok" else "fail", f"{sound} ({how})"),
        Check("foreign keys", "fail" if fks else "ok", f"{fks} broken reference(s)"),
        *rest,
    ]


def _checks(led: Ledger, today: date, cal: WorkCalendar) -> list[Check]:
    """The schema, invariants, files and calendar (after the engine's own checks)."""
    out = [_schema_check(led.conn)]
    db = sa_of(led.conn)
    grouped = db.dialect.name == "sqlite"  # (the faster forms for each engine)
    with led.small_cache():  # SQLite sorts the grouped allocations faster in a small cache
        for name, stmt in invariants(grouped).items():
            bad = db.execute(stmt).scalar_one()
            out.append(
                Check(name, "fail" if bad else "ok", f"{bad} row(s) wrong" if bad else "consistent")
            )
    if led.path is not None:
        out.append(_permissions_check(led.path))
    out += [_calendar_check(cal, year) for year in (today.year, today.year + 1)]
    return out


def _file_jobs(full: bool) -> list[Callable[[LedgerConnection], Any]]:
    """SQLite's integrity check (``ok`` or its first complaint), then the broken references."""
    from huikuan.db.sqlite import broken_references, integrity

    def sound(conn: LedgerConnection) -> str:
        return integrity(conn, full)

    def references(conn: LedgerConnection) -> int:
        return broken_references(conn) if full else _dangling(sa_of(conn))

    return [sound, references]


def _dangling(db: sa.Connection) -> int:
    """References to no row, over every foreign key of the ledger's tables: what ``PRAGMA
    foreign_key_check`` counts, as ``key NOT IN (SELECT id FROM parent)``, which SQLite
    answers walking the key's index in order (a tenth of the time of the pragma)."""
    total = 0
    for table in LEDGER_TABLES:
        for fk in table.foreign_keys:
            col, ids = fk.parent, sa.select(fk.column)  # a key, never NULL
            stmt = sa.select(sa.func.count()).where(col.is_not(None), col.not_in(ids))
            total += db.execute(stmt.select_from(table)).scalar_one()
    return total


def _server_check(led: Ledger) -> Check:
    version = sa_of(led.conn).execute(sa.text("SHOW server_version")).scalar()
    return Check(
        "postgresql",
        "ok",
        f"server {version}: foreign keys enforced by the server; file integrity and "
        "permissions are the server's (not checked here)",
    )


def _permissions_check(path: Path) -> Check:
    """Fail when the ledger (or its -wal/-shm files, which hold ledger data too) is open to
    group or others: customer balances are confidential."""
    files = [path, *(p for s in ("-wal", "-shm") if (p := Path(f"{path}{s}")).exists())]
    loose = [(f, stat.S_IMODE(f.stat().st_mode)) for f in files]
    loose = [(f, mode) for f, mode in loose if mode & 0o077]
    if not loose:
        return Check("file permissions", "ok", f"{stat.S_IMODE(path.stat().st_mode):o} {path}")
    detail = "; ".join(f"{mode:o} {f}" for f, mode in loose)
    names = " ".join(str(f) for f, _ in loose)
    return Check("file permissions", "fail", f"{detail}: open to others (fix: chmod 600 {names})")


def _calendar_check(cal: WorkCalendar, year: int) -> Check:
    if cal.kind == "none":
        return Check(f"calendar {year}", "ok", "calendar = none: no working-day adjustment")
    if year in cal.data_years:
        return Check(f"calendar {year}", "ok", "CN holidays and make-up workdays known")
    extra = sum(1 for d in cal.extra_holidays if d.year == year)
    detail = f"no CN data for {year}: weekends only" + (
        f" plus {extra} holiday(s) from config" if extra else ""
    )
    return Check(
        f"calendar {year}", "warn", detail + "; upgrade chinesecalendar or add [calendar] holidays"
    )


def load_demo(led: Ledger, examples: Path, currency: str, cal: WorkCalendar) -> dict[str, int]:
    """Load the demo ledger from ``examples/`` into an empty ledger (all or nothing)."""
    counts = {}
    with led.transaction() as conn:  # the imports below nest in it: a failure writes nothing
        if sa_of(conn).execute(sa.select(sa.exists().select_from(CUST))).scalar():
            raise HuikuanError(
                f"{led.name} already holds data; the demo only loads into an empty ledger"
            )
        for kind in DEMO_FILES:
            opts = ImportOptions(kind, str(examples / f"{kind}.csv"), currency, cal)
            counts[kind] = import_file(led, opts).rows
        counts["contacts"] = _demo_rows(conn, led.user, examples / "contacts.csv", _contact)
        counts["disputes"] = _demo_rows(conn, led.user, examples / "disputes.csv", _dispute)
    return counts


def _demo_rows(conn: Connection, user: str, path: Path, add: object) -> int:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        add(conn, user, row)  # type: ignore[operator]
    return len(rows)


def _contact(conn: Connection, user: str, row: dict[str, str]) -> None:
    rec, problems = check_contact(row)
    raise_problems(problems)
    L.add_contact(conn, user, row["customer"], rec)


def _dispute(conn: Connection, user: str, row: dict[str, str]) -> None:
    L.set_disputed(conn, user, row["number"], True, row["reason"])
