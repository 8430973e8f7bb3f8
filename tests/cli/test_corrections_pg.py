"""Corrections on a PostgreSQL ledger give the same answers as on a SQLite file: void,
reverse, edit, contact remove, the audit log, reports as of before and after, doctor.

Runs when ``HUIKUAN_TEST_DATABASE_URL`` names a server (see ``helpers/pg_helpers.py``); the
SQLite run of the same script is the reference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pg_helpers
import pytest
from pg_helpers import needs_server

pg_url = pg_helpers.pg_url

SCRIPT = [
    ["init"],
    ["customer", "add", "C001", "明达", "--terms", "NET30"],
    ["contact", "add", "C001", "李会计", "--role", "finance"],
    ["invoice", "add", "A", "C001", "1000", "--issue-date", "2026-01-01", "--due-date", "2026-01-31"],
    ["invoice", "add", "B", "C001", "500", "--issue-date", "2026-01-10", "--due-date", "2026-02-10"],
    ["invoice", "add", "X", "C001", "300", "--issue-date", "2026-01-12", "--due-date", "2026-02-12"],
    ["payment", "add", "C001", "1200", "--date", "2026-02-05", "--reference", "S1"],
    ["payment", "add", "C001", "400", "--date", "2026-02-20", "--reference", "S2"],
    ["payment", "reverse", "S1", "--reason", "退票", "--date", "2026-03-01"],
    ["invoice", "void", "X", "--reason", "dup", "--reverse-allocations", "--date", "2026-03-02"],
    ["invoice", "edit", "B", "--salesperson", "王丽", "--reason", "owner"],
    ["contact", "remove", "C001", "李会计", "--reason", "left"],
]  # fmt: skip
REPORTS = [
    ["aging", "--as-of", "2026-02-28", "--detail", "-f", "json"],
    ["aging", "--as-of", "2026-03-01", "-f", "json"],
    ["aging", "--as-of", "2026-03-02", "-f", "json"],
    ["statement", "C001", "--as-of", "2026-03-31", "-f", "json"],
    ["interest", "--as-of", "2026-03-31", "-f", "json"],
    ["kpi", "--from", "2026-01-01", "--to", "2026-03-31", "--period", "month", "-f", "json"],
    ["payment", "list", "--all", "-f", "json"],
    ["contact", "list", "-f", "json"],
]


def _run(cli: Any, db: str) -> list[str]:
    for args in SCRIPT:
        cli("--db", db, *args)
    out = [cli("--db", db, *args).stdout for args in REPORTS]
    audit = json.loads(cli("--db", db, "audit", "-f", "json").stdout)
    out.append(json.dumps([(a["action"], a["entity"], a["key"], a["detail"]) for a in audit]))
    cli("--db", db, "doctor")
    return out


def test_the_script_on_sqlite_reads_as_expected(cli: Any, tmp_path: Path) -> None:
    out = _run(cli, str(tmp_path / "c.db"))
    rows = json.loads(out[1])["rows"]
    assert (rows[0]["total"], rows[0]["unapplied"]) == ("1400.00", "0.00")  # S1 bounced
    assert json.loads(out[2])["rows"][0]["total"] == "1100.00"  # X voided, its 100 to A
    assert [(r["number"], r["open"]) for r in json.loads(out[0])] == [("X", "200.00")]


@needs_server
def test_postgres_gives_the_same_answers(cli: Any, tmp_path: Path, pg_url: str) -> None:
    assert _run(cli, pg_url) == _run(cli, str(tmp_path / "c.db"))


@pytest.fixture(autouse=True)
def _no_default_db(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUIKUAN_DB", raising=False)


def _copied(cli: Any, source: str, target: str) -> None:
    """``db copy`` of the corrected ledger: the same reports on both sides."""
    cli("--db", source, "db", "copy", "--to", target)
    for args in REPORTS:
        assert cli("--db", target, *args).stdout == cli("--db", source, *args).stdout, args


def test_db_copy_keeps_the_corrections(cli: Any, tmp_path: Path) -> None:
    source = str(tmp_path / "c.db")
    _run(cli, source)
    _copied(cli, source, str(tmp_path / "copy.db"))


@needs_server
def test_db_copy_to_postgres_keeps_the_corrections(cli: Any, tmp_path: Path, pg_url: str) -> None:
    source = str(tmp_path / "c.db")
    _run(cli, source)
    _copied(cli, source, pg_url)
