"""Process-wide switches a use case may flip for its own duration, and put back."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a whole-ledger command or a big import runs: its
    hundreds of thousands of small objects hold no cycles (reference counting frees them),
    but collecting again and again while they pile up took a fifth to a third of the time
    (`remind plan`, a payments import, a bank statement at full size). Back on afterwards,
    as it was (the test runner runs many commands in one process)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
