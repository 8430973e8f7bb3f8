"""Issue 11: the forked checker of a big import never outlives the import.

``huikuan import invoices`` runs as a real process with the parallel threshold lowered to 0
(``importer.PARALLEL_BYTES``) and its inserts slowed down, so the child checking the rows runs
ahead and waits on a full pipe, as it does on a big file. Killing the parent must end the child.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import huikuan
from huikuan.store import pipeline

pytestmark = [
    pytest.mark.skipif(
        not pipeline.available() or not Path("/proc/self/stat").exists(),
        reason="needs fork, two cores and /proc",
    ),
    pytest.mark.sqlite_only("the forked checker runs for SQLite ledgers' imports"),
]

RUN_SLOW_IMPORT = """
import sys, time
from pathlib import Path
from huikuan.store import importer, ledger, pipeline
from huikuan.cli import main

importer.PARALLEL_BYTES = 0  # the test hook: check even this small file in a second process
marker = Path(sys.argv[1])

def slow_insert(conn, rows):  # the parent is busy while the child runs ahead
    marker.write_text("inserting")
    time.sleep(120)

ledger.insert_invoice_rows = slow_insert
if sys.argv[3] == "pipe-only":  # without the parent-death signal, EPIPE alone ends the child
    pipeline._die_with_parent = lambda parent: None
sys.argv = ["huikuan", "import", "invoices", sys.argv[2]]
main()
"""


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    """Running (a zombie holds no files and counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait(predicate: object, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(
    ("sig", "how"),
    [(signal.SIGKILL, "all"), (signal.SIGTERM, "all"), (signal.SIGKILL, "pipe-only")],
)
def test_the_checker_exits_when_the_import_is_killed(cli, ledger, tmp_path, sig, how):
    cli("customer", "add", "C1", "甲公司")
    big = tmp_path / "invoices.csv"
    rows = (f"N-{i},C1,2026-01-05,{i + 1},2026-02-05\n" for i in range(40_000))
    big.write_text("number,customer,issue_date,amount,due_date\n" + "".join(rows))
    marker = tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(Path(huikuan.__file__).parents[1])}
    parent = subprocess.Popen(
        [sys.executable, "-c", RUN_SLOW_IMPORT, str(marker), str(big), how],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: list[int] = []
    try:
        assert _wait(marker.exists, 30), "the import never started inserting"
        assert _wait(lambda: children.extend(_children(parent.pid)) or children, 10)
        [child] = children
        time.sleep(0.5)  # the child is now waiting on the full pipe
        assert _alive(child)
        os.kill(parent.pid, sig)
        parent.wait(10)
        assert _wait(lambda: not _alive(child), 5), f"checker {child} outlived the import"
    finally:
        for pid in [*children, parent.pid]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        parent.wait(10)
