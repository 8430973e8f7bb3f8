"""Several ``huikuan`` processes on one ledger at once, on either engine (the test's ledger:
a SQLite file, or a PostgreSQL database on the PostgreSQL pass).

Three ``remind run`` processes act once; two ``payment add`` processes are both allocated;
``aging`` during a big import sees the ledger before or after it, never half of it, and is
never refused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ledger_sql import ledger_rows

AS_OF = "2026-11-22"


def _spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``huikuan ARGS`` as a process of its own, on the test's ledger (``HUIKUAN_DB``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "huikuan", *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_three_remind_runs_at_once_act_once(cli: Any, tmp_path: Path, company: Path) -> None:
    cli("init", "--demo")
    plan = json.loads(cli("remind", "plan", "--as-of", AS_OF, "-f", "json").stdout)
    box = tmp_path / "outbox"
    procs = [
        _spawn("remind", "run", "--as-of", AS_OF, "-f", "json", env={"HUIKUAN_OUTBOX": str(box)})
        for _ in "abc"
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outs]
    rows = ledger_rows("SELECT customer_id, level_name, channel, invoices FROM dunning_message")
    assert len(rows) == len(plan["actions"]) > 0
    assert max(Counter(rows).values()) == 1  # each customer, level and channel once
    acted = sum(len(json.loads(out)["actions"]) for out, _ in outs)
    assert acted == len(plan["actions"])  # each action reported by the one run that took it
    sent = ledger_rows("SELECT reference FROM dunning_message WHERE status = 'sent'")
    files = Counter(p.stem for p in box.iterdir())  # a letter: .html and .pdf; an email: .eml
    assert len(sent) > 0 and sorted(files) == sorted(ref for (ref,) in sent)
    assert all(n == (2 if (box / f"{stem}.pdf").exists() else 1) for stem, n in files.items())
    attempts = ledger_rows("SELECT MAX(attempts) FROM dunning_message WHERE status = 'sent'")
    assert attempts == [(1,)]


def test_two_payments_at_once_are_both_allocated(cli: Any) -> None:
    cli("init", "--demo")
    before = ledger_rows("SELECT COUNT(*) FROM payment")[0][0]
    procs = [
        _spawn("payment", "add", "C003", amount, "--date", "2026-11-20", "--reference", ref)
        for amount, ref in (("1000", "PAR-1"), ("2500", "PAR-2"))
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    assert ledger_rows("SELECT COUNT(*) FROM payment")[0][0] == before + 2
    checks = json.loads(cli("doctor", "--format", "json").stdout)
    assert {c["status"] for c in checks if not c["check"].startswith("calendar")} == {"ok"}
    applied = ledger_rows(
        "SELECT p.reference, p.amount - p.unapplied, COALESCE(SUM(a.amount), 0) FROM payment p"
        " LEFT JOIN allocation a ON a.payment_id = p.id WHERE p.reference LIKE 'PAR-%'"
        " GROUP BY p.id, p.reference, p.amount, p.unapplied ORDER BY p.reference"
    )
    assert [ref for ref, _, _ in applied] == ["PAR-1", "PAR-2"]
    assert all(used == alloc for _, used, alloc in applied)
    assert sum(used for _, used, _ in applied) > 0  # C003 owes: the money went to invoices


def _total(cli: Any) -> str:
    """The aging report's CNY total (all open invoices)."""
    doc = json.loads(cli("aging", "--as-of", AS_OF, "--format", "json").stdout)
    return next((t["total"] for t in doc["totals"] if t["currency"] == "CNY"), "0.00")


def test_aging_during_a_big_import_sees_before_or_after(cli: Any, tmp_path: Path) -> None:
    cli("init")
    cli("customer", "add", "C1", "甲公司")
    cli(
        "invoice",
        "add",
        "OLD-1",
        "C1",
        "100",
        "--issue-date",
        "2026-10-01",
        "--due-date",
        "2026-11-01",
    )
    before = _total(cli)
    rows = (f"N-{i},C1,2026-10-05,1,2026-11-05\n" for i in range(20_000))
    big = tmp_path / "invoices.csv"
    big.write_text("number,customer,issue_date,amount,due_date\n" + "".join(rows), "utf-8")
    proc = _spawn("import", "invoices", str(big))
    seen, during = set(), 0
    while proc.poll() is None:
        seen.add(_total(cli))  # never refused, never waiting for the import's lock
        during += 1
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    after = _total(cli)
    assert (before, after) == ("100.00", "20100.00")
    assert during > 0 and seen <= {before, after}, seen
