"""Issue 11: ``backup --force`` writes a new owner-only file and never through a symbolic link;
``doctor`` exits 1 on a failed check (a ledger open to others is one), 0 on warnings."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _invoices(cli, db: Path) -> str:
    return cli("--db", str(db), "export", "invoices").stdout


def test_backup_force_over_a_0644_file_leaves_a_0600_copy(cli, small, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("old backup", encoding="utf-8")
    target.chmod(0o644)
    cli("backup", str(target), "--force")
    assert _mode(target) == 0o600
    assert "INV-101" in _invoices(cli, target)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".copy.db")] == []


def test_a_new_backup_is_0600_whatever_the_umask(cli, small, tmp_path):
    old = os.umask(0o022)
    try:
        cli("backup", str(tmp_path / "new.db"))
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.db") == 0o600


def test_backup_force_replaces_a_symlink_not_what_it_points_to(cli, small, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not touch", encoding="utf-8")
    precious.chmod(0o644)
    link = tmp_path / "latest.db"
    link.symlink_to(precious)
    cli("backup", str(link), "--force")
    assert not link.is_symlink() and _mode(link) == 0o600
    assert "INV-101" in _invoices(cli, link)
    assert precious.read_text(encoding="utf-8") == "do not touch"
    assert _mode(precious) == 0o644


def test_backup_refuses_a_dangling_symlink_without_force(cli, small, tmp_path):
    link = tmp_path / "latest.db"
    link.symlink_to(tmp_path / "elsewhere.db")
    [error] = cli.error("backup", str(link))
    assert error == f"Error: {link} exists (pass --force to overwrite)"
    assert link.is_symlink() and not (tmp_path / "elsewhere.db").exists()
    cli("backup", str(link), "--force")
    assert not link.is_symlink() and not (tmp_path / "elsewhere.db").exists()


def test_backup_onto_a_directory_is_an_error(cli, small, tmp_path):
    (tmp_path / "dir").mkdir()
    [error] = cli.error("backup", str(tmp_path / "dir"), "--force")
    assert error == f"Error: {tmp_path / 'dir'} is a directory (give the backup file's name)"


def _permissions(result) -> dict[str, str]:
    [check] = [c for c in json.loads(result.stdout) if c["check"] == "file permissions"]
    return check


@pytest.mark.sqlite_only("file modes of the ledger file and its -wal/-shm")
def test_doctor_exits_1_when_the_ledger_is_readable_by_others(cli, small, db_path):
    db_path.chmod(0o644)
    check = _permissions(cli("doctor", "-f", "json", code=1))
    assert check["status"] == "fail"
    assert check["detail"].startswith(f"644 {db_path}")  # and its -wal/-shm, made alike
    assert f"open to others (fix: chmod 600 {db_path}" in check["detail"]
    db_path.chmod(0o600)
    assert _permissions(cli("doctor", "-f", "json"))["status"] == "ok"


@pytest.mark.sqlite_only("file modes of the ledger file and its -wal/-shm")
def test_doctor_checks_the_wal_and_shm_files_too(cli, small, db_path):
    db_path.chmod(0o644)
    other = sqlite3.connect(db_path)  # another process made -wal/-shm while it was 0644
    try:
        other.execute("SELECT COUNT(*) FROM invoice").fetchone()
        db_path.chmod(0o600)  # only the main file was fixed
        check = _permissions(cli("doctor", "-f", "json", code=1))
    finally:
        other.close()
    shm = f"{db_path}-shm"  # (SQLite may have re-made the -wal file)
    assert check["status"] == "fail"
    assert f"644 {shm}" in check["detail"] and f"chmod 600 {shm}" in check["detail"]
    assert f"{db_path} " not in check["detail"] and f"{db_path}:" not in check["detail"]


def test_doctor_only_warns_on_missing_calendar_data(cli, small, tmp_path):
    config = tmp_path / "huikuan.toml"
    config.write_text('[calendar]\nkind = "CN"\n', encoding="utf-8")
    checks = json.loads(cli("--config", str(config), "doctor", "-f", "json").stdout)
    statuses = {c["check"]: c["status"] for c in checks}
    assert "warn" in {s for k, s in statuses.items() if k.startswith("calendar")}
    assert "fail" not in statuses.values()
