"""``huikuan interest --format json``, whose rows SQLite spells itself where it can, gives the
rows and totals of the general path (``--format jsonl`` rows, the table's totals), on the
small ledger (tests/cli/conftest.py), with every kind of rule."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

CONFIGS = {
    "default": "",
    "grace, cap, own rules": '[interest]\ngrace_days = 3\ncap = "1%"\n'
    '[interest.customers.C001]\nrate = "0.1%"\ngrace_days = 3\n'
    '[interest.contracts."HT-1"]\nrate = "0.02%"\ngrace_days = 3\n',
    "annual (the general path)": '[interest]\nkind = "annual"\nrate = "6%"\n',
}


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("paid", [False, True])
@pytest.mark.parametrize("who", [None, "C001"])
def test_json_rows_and_totals_are_the_general_paths(
    cli: Any, small: Path, tmp_path: Path, name: str, paid: bool, who: str | None
) -> None:
    cfg = tmp_path / "h.toml"
    cfg.write_text(CONFIGS[name], "utf-8")
    args = ["--config", str(cfg), "interest", "--as-of", "2026-11-22"]
    args += [who] if who else []
    args += ["--include-paid"] if paid else []
    doc = json.loads(cli(*args, "-f", "json").stdout)
    rows = [json.loads(line) for line in cli(*args, "-f", "jsonl").stdout.splitlines()]
    assert doc["rows"] == rows and rows
    sums: dict[str, list[Decimal]] = {}
    for r in rows:
        total = sums.setdefault(r["currency"], [Decimal(0), Decimal(0)])
        total[0] += Decimal(r["open"])
        total[1] += Decimal(r["interest"])
    assert doc["totals"] == [
        {"currency": c, "open": str(o), "interest": str(i)} for c, (o, i) in sorted(sums.items())
    ]
