"""The service context of one command, built from the global options (``state()``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from huikuan.cli.common import APP_NAME, ledger, now, state

if TYPE_CHECKING:
    from huikuan.services.context import Context


def outbox_dir() -> Path:
    """``HUIKUAN_OUTBOX``, else ``[delivery] outbox``, else ``<app dir>/outbox``."""
    env = os.environ.get("HUIKUAN_OUTBOX")
    if env:
        return Path(env).expanduser()
    return state().config.outbox or Path(typer.get_app_dir(APP_NAME)) / "outbox"


@contextmanager
def service_context(as_of: date, *, create: bool = False) -> Iterator[Context]:
    """Load the configuration, open the ledger (``create``: make it if missing) and hand the
    services their context."""
    from huikuan.services.context import Context

    st = state()
    config, calendar = st.config, st.calendar
    with ledger(create=create) as led:
        yield Context(
            ledger=led, config=config, calendar=calendar, as_of=as_of, user=led.user,
            outbox=outbox_dir(), language=st.language, clock=now,
        )  # fmt: skip
