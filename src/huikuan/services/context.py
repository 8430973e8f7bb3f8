"""The explicit context every service function takes (built by the CLI, or by a test)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huikuan.config import Config
    from huikuan.core.calendar import WorkCalendar
    from huikuan.store.db import Ledger


def utc_now() -> str:
    """The current time for audit and bookkeeping columns (UTC, ISO 8601)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Context:
    """What a use case may touch: the open ledger (its ``transaction()`` is the unit of
    work), the loaded configuration and work calendar, the day, the user, the outbox
    directory, the UI language and a clock (``clock()`` -> UTC ISO time; tests fix it)."""

    ledger: Ledger
    config: Config
    calendar: WorkCalendar
    as_of: date
    user: str
    outbox: Path
    language: str = "en"
    clock: Callable[[], str] = utc_now

    def now(self) -> datetime:
        """The clock's time as a datetime."""
        return datetime.fromisoformat(self.clock())
