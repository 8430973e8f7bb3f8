"""``huikuan bank …`` end to end on the fixtures (tests/fixtures/make_bank_fixtures.py) and the
``small`` ledger: import, re-import, list, match --dry-run, claim, unclaim, ignore, bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"
CMB = str(FIXTURES / "bank-cmb-2026-11.csv")
CMB_B = str(FIXTURES / "bank-cmb-2026-11-b.csv")
ICBC = str(FIXTURES / "bank-icbc-2026-11.xlsx")
CCB = str(FIXTURES / "bank-ccb-2026-11.xls")


def _import_all(cli: Any) -> None:
    for path in (CMB, CMB_B, ICBC, CCB):
        cli("bank", "import", path)


def test_import_prints_the_contract_json(cli: Any, small: Path) -> None:
    result = cli("bank", "import", CMB, "--format", "json")
    assert json.loads(result.stdout) == {
        "file": CMB,
        "account": "755912345610801",
        "lines": 5,
        "new": 5,
        "duplicates": 0,
        "matched": 2,
        "unmatched": 2,
    }
    assert result.stderr == (
        f"Imported 5 new bank lines from {CMB} (cmb layout, 0 already there): 2 matched, 2 waiting\n"
    )
    again = cli("bank", "import", CMB_B, "--format", "csv")
    assert again.stdout == (
        f"file,account,lines,new,duplicates,matched,unmatched\n{CMB_B},755912345610801,4,1,3,0,1\n"
    )


def test_reimporting_adds_nothing(cli: Any, small: Path) -> None:
    _import_all(cli)
    before = cli.snapshot(), cli("bank", "list", "--format", "csv").stdout
    for path in (CMB, CMB_B, ICBC, CCB):
        got = json.loads(cli("bank", "import", path, "--format", "json").stdout)
        assert (got["new"], got["duplicates"], got["matched"]) == (0, got["lines"], 0)
    assert (cli.snapshot(), cli("bank", "list", "--format", "csv").stdout) == before


LIST_CSV = """\
line,date,amount,currency,direction,counterparty,counterparty_account,memo,serial,status,customer,invoices,reason,score
1,2026-11-05,1200.00,CNY,credit,上海明达机械有限公司,310066001,货款 / INV-102,K0001,matched,C001,INV-102,exact name; invoice in memo,100
2,2026-11-06,800.00,CNY,credit,Delta,622200002,转账,K0002,matched,C004,INV-401,exact name; amount equals an open invoice,95
3,2026-11-07,300.00,CNY,credit,上海明达机械有限责任公司,310066009,货款,K0003,unmatched,C001,,normalised name; allocation rule,59
4,2026-11-08,5000.00,CNY,debit,苏州物业管理有限公司,888800004,房租 / 十一月房租,K0004,ignored,,,debit,
5,2026-11-09,999.00,CNY,credit,无名贸易有限公司,999900005,借款,K0005,unmatched,,,no customer found,0
6,2026-11-10,100.00,CNY,credit,苏州小厂,512300006,货款,K0006,unmatched,C003,,exact name; no open invoice,50
7,2026-11-10,4400.00,CNY,credit,上海 明达机械（有限公司）,62220001,INV-101,T0001,matched,C001,INV-101,normalised name; invoice in memo,85
8,2026-11-11,500.00,CNY,credit,Epsilon,62220002,货款,T0002,unmatched,C005,,exact name; allocation rule,70
9,2026-11-12,1000.00,USD,credit,Acme Inc,US00012345,INV-202,CCB-0001,matched,C002,INV-202,exact name; invoice in memo,100
"""


def test_list_in_every_format(cli: Any, small: Path) -> None:
    _import_all(cli)
    assert cli("bank", "list", "--format", "csv").stdout == LIST_CSV
    rows = json.loads(cli("bank", "list", "--status", "matched", "--format", "json").stdout)
    assert rows[0] == {
        "line": 1,
        "date": "2026-11-05",
        "amount": "1200.00",
        "currency": "CNY",
        "direction": "credit",
        "counterparty": "上海明达机械有限公司",
        "counterparty_account": "310066001",
        "memo": "货款 / INV-102",
        "serial": "K0001",
        "status": "matched",
        "customer": "C001",
        "invoices": ["INV-102"],
        "reason": "exact name; invoice in memo",
        "score": 100,
    }
    assert [r["line"] for r in rows] == [1, 2, 7, 9]
    lines = cli("bank", "list", "--status", "ignored", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x)["line"] for x in lines] == [4]
    table = cli("bank", "list", "--status", "unmatched").stdout
    assert table.splitlines()[1].split() == [
        "line",
        "date",
        "amount",
        "currency",
        "direction",
        "counterparty",
        "counterparty_account",
        "memo",
        "serial",
        "status",
        "customer",
        "invoices",
        "reason",
        "score",
    ]
    assert "  5      2026-11-09   999.00   CNY" in table
    assert cli.error("bank", "list", "--status", "open", code=2)


def test_the_matched_lines_are_payments_allocated_like_payment_add(cli: Any, small: Path) -> None:
    _import_all(cli)
    payments = cli("payment", "list", "--format", "csv").stdout.splitlines()
    assert (
        payments[0]
        == "id,date,customer,kind,amount,currency,invoice,reference,method,unapplied,reversed_on"
    )
    assert payments[-4:] == [
        "6,2026-11-05,C001,payment,1200.00,CNY,INV-102,K0001,bank,0.00,",
        "7,2026-11-06,C004,payment,800.00,CNY,INV-401,K0002,bank,0.00,",
        "8,2026-11-10,C001,payment,4400.00,CNY,INV-101,T0001,bank,0.00,",
        "9,2026-11-12,C002,payment,1000.00,USD,INV-202,CCB-0001,bank,0.00,",
    ]


def test_dry_run_claim_unclaim_ignore(cli: Any, small: Path) -> None:
    _import_all(cli)
    before = cli.snapshot()
    dry = cli("bank", "match", "--dry-run", "--format", "json")
    assert dry.stderr == "0 would match, 4 left waiting (dry run: nothing written)\n"
    doc = json.loads(dry.stdout)
    assert (doc["dry_run"], doc["matched"], doc["unmatched"]) == (True, 0, 4)
    assert [(r["line"], r["customer"], r["score"]) for r in doc["lines"]] == [
        (3, "C001", 59),
        (5, None, 0),
        (6, "C003", 50),
        (8, "C005", 70),
    ]
    assert cli.snapshot() == before
    before_103 = cli("invoice", "show", "INV-103", "--format", "json").stdout
    claim = cli("bank", "claim", "3", "C001", "--invoice", "INV-103", "--format", "csv")
    assert claim.stderr == "Claimed bank line 3 for C001; learnt account 310066009\n"
    assert claim.stdout == "invoice,amount,open_after\nINV-103,300.00,1200.00\n"
    ignored = cli("bank", "ignore", "5", "--reason", "bank loan", "--format", "csv")
    assert ignored.stdout.splitlines()[1].endswith(",K0005,ignored,,,bank loan,")
    assert cli("bank", "list", "--status", "unmatched", "--format", "csv").stdout.count("\n") == 3
    undone = cli("bank", "unclaim", "3", "--format", "jsonl")
    assert undone.stderr == "Unclaimed bank line 3: its payment is reversed\n"
    assert json.loads(undone.stdout)["status"] == "unmatched"
    [bounced] = [
        r for r in cli("payment", "list", "--format", "csv").stdout.splitlines() if "K0003" in r
    ]
    assert bounced.split(",")[-1] != ""  # the claim's payment is reversed (退票), not deleted
    after_103 = json.loads(cli("invoice", "show", "INV-103", "--format", "json").stdout)
    assert after_103["open"] == json.loads(before_103)["open"] == "1500.00"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["--bank", "hsbc"],
            "Error: unknown bank 'hsbc' (known: cmb, icbc, ccb, boc, abc, generic)",
        ),
        (
            ["--bank", "icbc"],
            "Error: {f}: not a icbc statement: no header row with 借方发生额, 贷方发生额, 对方单位名称",
        ),
        (
            ["--map", "payer=付款人"],
            "Error: --map: unknown key(s) payer (known: date, amount, credit, debit, currency, counterparty, counterparty_account, memo, serial)",
        ),
        (["--account", "123"], "Error: {f}: the statement is for account 755912345610801, not 123"),
        (["--currency", "USD"], "Error: {f}: the statement is in CNY, not USD"),
        (["--sheet", "x"], "Error: {f}: --sheet is for .xlsx/.xls workbooks"),
    ],
)
def test_bad_options_say_one_error_and_change_nothing(
    cli: Any, small: Path, args: list[str], error: str
) -> None:
    before = cli.snapshot()
    assert cli.error("bank", "import", CMB, *args) == [error.format(f=CMB)]
    assert cli.snapshot() == before
    assert cli("bank", "list", "--format", "csv").stdout.count("\n") == 1


def test_bad_files(cli: Any, small: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 truncated")
    [error] = cli.error("bank", "import", str(broken))
    assert error.startswith(f"Error: {broken}: not a readable Excel workbook")
    euro = tmp_path / "eur.csv"
    euro.write_text("账号:,1\n币种:,欧元\n日期,收入,支出\n2026-11-01,1.00,\n", "utf-8")
    assert cli.error("bank", "import", str(euro)) == [
        f"Error: {euro}: the statement is in EUR, but the ledger has no EUR invoices (its currency is CNY)"
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,收入,支出\n2026-11-01,1.00,\n2026-11-31,2.00,\n", "utf-8")
    assert cli.error("bank", "import", str(bad), "--account", "A") == [
        f"Error: {bad}:3: date: no such date: '2026-11-31'"
    ]
    assert cli.error("bank", "import", str(tmp_path / "missing.csv"))[0].startswith("Error: ")
    assert cli("bank", "list", "--format", "csv").stdout.count("\n") == 1


def test_claim_errors(cli: Any, small: Path) -> None:
    cli("bank", "import", CMB)
    assert cli.error("bank", "claim", "1", "C001") == [
        "Error: bank line 1 is matched to C001 already (`huikuan bank unclaim 1` first)"
    ]
    assert cli.error("bank", "claim", "4", "C001") == [
        "Error: bank line 4 is a debit (money out): only credit lines are claimed"
    ]
    assert cli.error("bank", "unclaim", "3") == [
        "Error: bank line 3 is unmatched, not matched: nothing to undo"
    ]
    assert cli.error("bank", "ignore", "3", "--reason", " ") == [
        "Error: --reason: must not be empty"
    ]


def test_messages_in_chinese(cli: Any, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUIKUAN_LANG", "zh")
    result = cli("bank", "import", CMB, "--format", "json")
    assert (
        result.stderr
        == f"已从 {CMB} 导入 5 条新流水（cmb 格式，0 条已导入过）：2 条已核销，2 条待认领\n"
    )
    assert cli.error("bank", "claim", "9", "C001") == [
        "Error: 没有流水 9（见 `huikuan bank list`）"
    ]
