"""Service tests: a real ledger (the store helpers' :class:`Book`) and a context with a fixed
day and clock, without the CLI."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "store" / "helpers"))
sys.path.insert(0, str(Path(__file__).parent / "helpers"))

from service_helpers import CLOCK, COMPANY, MakeCtx
from store_helpers import Book

from huikuan.config import Config
from huikuan.core.dunning_config import make_dunning
from huikuan.services.context import Context


@pytest.fixture
def book(db_path: Path) -> Iterator[Book]:
    b = Book(db_path)
    yield b
    b.close()


@pytest.fixture
def make_ctx(book: Book, tmp_path: Path) -> MakeCtx:
    """``make_ctx(day, **config)``: a context over ``book`` as of ``day`` at :data:`CLOCK`;
    ``config`` overrides the Config (default: no holiday calendar, a letterhead, "jump")."""

    def make(day: str, dunning: dict[str, object] | None = None, **config: object) -> Context:
        settings: dict[str, object] = {"calendar": "none", "company": dict(COMPANY)}
        settings |= config
        cfg = Config(**settings, dunning=make_dunning(dunning or {"escalation": "jump"}))  # type: ignore[arg-type]
        return Context(
            ledger=book.led, config=cfg, calendar=cfg.make_calendar(),
            as_of=date.fromisoformat(day), user="tester", outbox=tmp_path / "outbox",
            clock=lambda: CLOCK,
        )  # fmt: skip

    return make
