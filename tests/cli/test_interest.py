"""``huikuan interest`` on the small ledger (tests/cli/conftest.py), as of 2026-11-22."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def test_interest_of_a_customer(cli: Any, small: Path) -> None:
    doc = json.loads(cli("interest", "C001", "--as-of", "2026-11-22", "-f", "json").stdout)
    assert doc == {
        "as_of": "2026-11-22",
        "rows": [
            # due 2025-07-01; 2000 × 30 days (07-02..07-31) × 0.05% = 30.00, then 500 paid on
            # 08-01: 1500 × 479 days (2025-08-01..2026-11-22) × 0.05% = 359.25
            {"customer": "C001", "number": "INV-103", "currency": "CNY", "contract": None,
             "due_date": "2025-07-01", "principal": "2000.00", "open": "1500.00", "days": 509,
             "rate": "0.05%/day", "interest": "389.25", "disputed": False},
            # due 2026-10-01: 1200 × 52 days × 0.05% = 31.20 (INV-101 is not due yet)
            {"customer": "C001", "number": "INV-102", "currency": "CNY", "contract": None,
             "due_date": "2026-10-01", "principal": "1200.00", "open": "1200.00", "days": 52,
             "rate": "0.05%/day", "interest": "31.20", "disputed": False},
        ],
        "totals": [{"currency": "CNY", "open": "2700.00", "interest": "420.45"}],
    }  # fmt: skip


def test_interest_rules_from_the_config_and_every_format(
    cli: Any, small: Path, tmp_path: Path
) -> None:
    cfg = tmp_path / "h.toml"
    cfg.write_text('[interest]\nkind = "annual"\nrate = "3.65%"\n[interest.customers.C005]\ngrace_days = 300\n', "utf-8")  # fmt: skip
    base = ("--config", str(cfg), "interest", "--as-of", "2026-11-22")
    rows = json.loads(cli(*base, "-f", "json").stdout)["rows"]
    # 3.65% a year = 0.01% a day: INV-102 1200 × 52 × 0.01% = 6.24
    assert {r["number"]: r["interest"] for r in rows}["INV-102"] == "6.24"
    assert "INV-501" not in {r["number"] for r in rows}  # C005: 236 days late, 300 days' grace
    assert {r["currency"] for r in rows} == {"CNY", "USD"}
    csv = cli(*base, "-f", "csv").stdout.splitlines()
    assert (
        csv[0]
        == "customer,number,currency,contract,due_date,principal,open,days,rate,interest,disputed"
    )
    assert len(cli(*base, "-f", "jsonl").stdout.splitlines()) == len(rows)
    assert "Late interest as of 2026-11-22" in cli(*base).stdout


def test_interest_errors(cli: Any, small: Path) -> None:
    assert cli.error("interest", "C999") == [
        "Error: unknown customer 'C999' (see `huikuan customer list`)"
    ]
    assert "--as-of" in cli.error("interest", "--as-of", "2026-02-30")[0]
