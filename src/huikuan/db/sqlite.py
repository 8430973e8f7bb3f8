"""What only a SQLite ledger file has: its integrity check, foreign-key check and online backup.

Each takes the ledger's DB-API connection (``sqlite3.Connection``); ``admin`` calls them for a
SQLite ledger, so the housekeeping module itself holds no engine-specific SQL.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def integrity(conn: sqlite3.Connection) -> str:
    """``PRAGMA integrity_check``'s first line: ``ok`` for a sound file."""
    row = conn.execute("PRAGMA integrity_check").fetchone()
    return str(row[0])


def broken_references(conn: sqlite3.Connection) -> int:
    """How many rows point at a row that does not exist (``PRAGMA foreign_key_check``)."""
    return sum(1 for _ in conn.execute("PRAGMA foreign_key_check"))


def backup_to(conn: sqlite3.Connection, path: Path) -> None:
    """Copy the database with SQLite's online backup API into the file ``path``."""
    target = sqlite3.connect(path)
    try:
        conn.backup(target)
    finally:
        target.close()
