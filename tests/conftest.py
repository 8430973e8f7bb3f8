"""Every test gets its own ledger path, config and app dir (nothing touches the real home)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HUIKUAN_DB at a temp file and the app dir at a temp dir; unset colour/user vars."""
    monkeypatch.setenv("HUIKUAN_DB", str(tmp_path / "ledger.db"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HUIKUAN_USER", "tester")
    monkeypatch.delenv("HUIKUAN_CONFIG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("HUIKUAN_LANG", "en")  # tests that want zh set it
    return tmp_path


@pytest.fixture
def db_path(isolated: Path) -> Path:
    """The test's ledger file."""
    return isolated / "ledger.db"
