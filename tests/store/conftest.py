"""Store tests: put ``helpers/`` on sys.path and provide a fresh ledger per test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "helpers"))

from store_helpers import Book


@pytest.fixture
def book(db_path: Path) -> Iterator[Book]:
    """A fresh ledger at the test's HUIKUAN_DB path (calendar ``none``, currency CNY)."""
    b = Book(db_path)
    yield b
    b.close()
