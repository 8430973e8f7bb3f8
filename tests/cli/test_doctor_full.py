"""``doctor --full``: the same checks, SQLite's complete integrity_check instead of quick_check;
the integrity line says which one ran."""

from __future__ import annotations

import json
from typing import Any


def _integrity(stdout: str) -> dict[str, str] | None:
    return next((c for c in json.loads(stdout) if c["check"] == "sqlite integrity"), None)


def test_doctor_full_runs_the_same_checks(cli: Any, small: Any, db_path: Any) -> None:
    quick = json.loads(cli("doctor", "-f", "json").stdout)
    full = json.loads(cli("doctor", "--full", "-f", "json").stdout)
    assert [c["check"] for c in quick] == [c["check"] for c in full]
    assert [c["status"] for c in quick] == [c["status"] for c in full]
    if isinstance(db_path, str):  # PostgreSQL: the server keeps its files, --full changes nothing
        assert quick == full and _integrity(cli("doctor", "-f", "json").stdout) is None
        return
    assert _integrity(json.dumps(quick)) == {
        "check": "sqlite integrity",
        "status": "ok",
        "detail": "ok (quick_check; --full: integrity_check)",
    }
    assert _integrity(json.dumps(full)) == {
        "check": "sqlite integrity",
        "status": "ok",
        "detail": "ok (integrity_check)",
    }


def test_doctor_help_names_both_checks(cli: Any) -> None:
    text = cli("doctor", "--help").stdout
    assert "--full" in text and "quick_check" in text and "integrity_check" in text
    assert "huikuan doctor --full" in text
