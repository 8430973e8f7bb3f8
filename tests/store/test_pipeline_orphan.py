"""pipeline._die_with_parent: the checker asks Linux for SIGKILL on the parent's death, and
exits at once when the parent is already gone (the race before the request took effect)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

import pytest

from huikuan.store import pipeline

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux prctl")
PR_GET_PDEATHSIG = 2


def _in_child(parent: int) -> int:
    """Fork; the child runs ``_die_with_parent(parent)`` and exits with its death signal."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            pipeline._die_with_parent(parent)
            value = ctypes.c_int()
            ctypes.CDLL(None).prctl(PR_GET_PDEATHSIG, ctypes.byref(value))
            os._exit(value.value)
        finally:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_the_child_gets_sigkill_when_the_parent_dies() -> None:
    assert _in_child(os.getpid()) == signal.SIGKILL


def test_the_child_exits_when_its_parent_is_already_gone() -> None:
    assert _in_child(os.getpid() + 1_000_000) == 0
