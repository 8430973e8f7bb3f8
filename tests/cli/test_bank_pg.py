"""The bank commands on PostgreSQL give what they give on SQLite (runs when
``HUIKUAN_TEST_DATABASE_URL`` names a server): the same scenario on both, outputs compared."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pg_helpers
from pg_helpers import needs_server

pg_url = pg_helpers.pg_url
FIXTURES = Path(__file__).parents[1] / "fixtures"
SETUP = """
init
customer add C001 上海明达机械有限公司
customer add C002 "Acme Inc"
customer add C003 苏州小厂
customer add C004 Delta
customer add C005 Epsilon
invoice add INV-101 C001 4,400 --issue-date 2026-10-01 --due-date 2026-12-01
invoice add INV-102 C001 1200 --issue-date 2026-09-01 --due-date 2026-10-01
invoice add INV-103 C001 1500 --issue-date 2025-06-01 --due-date 2025-07-01
invoice add INV-202 C002 1000 --currency USD --issue-date 2026-11-01 --due-date 2026-11-21
invoice add INV-401 C004 800 --issue-date 2026-08-01 --due-date 2026-08-31
invoice add INV-501 C005 800 --issue-date 2026-03-01 --due-date 2026-03-31
"""
STEPS = [
    ["bank", "import", str(FIXTURES / "bank-cmb-2026-11.csv"), "-f", "json"],
    ["bank", "import", str(FIXTURES / "bank-cmb-2026-11-b.csv"), "-f", "json"],
    ["bank", "import", str(FIXTURES / "bank-icbc-2026-11.xlsx"), "-f", "json"],
    ["bank", "import", str(FIXTURES / "bank-ccb-2026-11.xls"), "-f", "json"],
    ["bank", "import", str(FIXTURES / "bank-cmb-2026-11.csv"), "-f", "json"],
    ["bank", "match", "--dry-run", "-f", "json"],
    ["bank", "claim", "3", "C001", "--invoice", "INV-103", "-f", "csv"],
    ["bank", "claim", "8", "C005", "-f", "csv"],
    ["bank", "unclaim", "3", "-f", "csv"],
    ["bank", "ignore", "5", "--reason", "loan", "-f", "csv"],
    ["bank", "match", "-f", "csv"],
    ["bank", "list", "-f", "csv"],
    ["payment", "list", "-f", "csv"],
    ["invoice", "list", "--status", "all", "--as-of", "2026-11-22", "-f", "csv"],
]


def _scenario(cli: Any, db: str) -> list[str]:
    for line in SETUP.strip().splitlines():
        cli("--db", db, *shlex.split(line))
    out = [cli("--db", db, *step).stdout for step in STEPS]
    out.append(
        "\n".join(
            cli.error(
                "--db",
                db,
                "bank",
                "import",
                str(FIXTURES / "bank-cmb-2026-11.csv"),
                "--bank",
                "icbc",
            )
        )
    )
    out.append(cli("--db", db, "bank", "list", "-f", "csv").stdout)
    return out


@needs_server
def test_the_bank_scenario_is_the_same_on_postgresql(cli: Any, tmp_path: Path, pg_url: str) -> None:
    on_sqlite = _scenario(cli, str(tmp_path / "ledger.db"))
    on_postgres = _scenario(cli, pg_url)
    for step, (a, b) in enumerate(zip(on_sqlite, on_postgres)):
        assert b == a, f"step {step}"
    assert '"new": 5' in on_postgres[0] and "K0003" in on_postgres[-1]


def test_the_scenario_runs_on_sqlite(cli: Any, tmp_path: Path) -> None:
    out = _scenario(cli, str(tmp_path / "ledger.db"))
    assert out[4].count('"new": 0') == 1  # the first statement again: nothing new
    assert out[-1] == out[11]  # the refused import changed nothing
    assert (
        out[-2]
        == f"Error: {FIXTURES / 'bank-cmb-2026-11.csv'}: not a icbc statement: no header row with 借方发生额, 贷方发生额, 对方单位名称"
    )
