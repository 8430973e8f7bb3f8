"""``import customers|invoices|payments FILE`` and ``export customers|invoices|payments``."""

from __future__ import annotations

import csv
import json
import re

import pytest

CUSTOMERS_HEADER = "code,name,segment,region,salesperson,email,phone,language,credit_limit,terms"
INVOICES_HEADER = (
    "number,customer,issue_date,amount,due_date,terms,currency,contract,salesperson,"
    "description,milestone"
)
PAYMENTS_HEADER = "customer,date,amount,invoice,currency,reference,method"

CUSTOMERS_CSV = (
    "code,name,terms,salesperson\n"
    "C001,上海明达机械有限公司,月结30天,王丽\n"
    "C002,Acme Inc,NET30,Bob\n"
)
INVOICES_CSV = (
    "number,customer,issue_date,amount,due_date,currency\n"
    'INV-1,C001,2026-09-01,"1,200.00",2026-10-01,\n'
    "INV-2,C001,2026/10/01,4400,,\n"
    "INV-3,C002,2026-06-01,300,2026-07-01,USD\n"
)
PAYMENTS_CSV = (
    "customer,date,amount,invoice,reference\n"
    "C001,2026-11-20,1500,,B-1\n"
    "C002,2026-08-01,50,INV-3,B-2\n"
)
LINE = re.compile(r"^Error: (\S+):(\d+): (\w+): .+$")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run in the test's directory, so FILE in messages is just the name given."""
    monkeypatch.chdir(tmp_path)


def _import(cli, tmp_path, kind, text, name=None, encoding="utf-8", *extra):
    path = tmp_path / (name or f"{kind}.csv")
    path.write_bytes(text.encode(encoding))
    return cli("import", kind, path.name, *extra)


def _load(cli, tmp_path):
    _import(cli, tmp_path, "customers", CUSTOMERS_CSV)
    _import(cli, tmp_path, "invoices", INVOICES_CSV)
    _import(cli, tmp_path, "payments", PAYMENTS_CSV)


def _bad_import(cli, tmp_path, kind, text, name=None, code=1):
    """Import a bad file: nothing may change; returns the Error: lines."""
    before = cli.snapshot()
    path = tmp_path / (name or f"bad-{kind}.csv")
    path.write_text(text, encoding="utf-8")
    errors = cli.error("import", kind, path.name, code=code)
    assert cli.snapshot() == before
    return errors


# --- imports that work ----------------------------------------------------------------------


def test_import_all_three_kinds(cli, ledger, tmp_path):
    result = _import(cli, tmp_path, "customers", CUSTOMERS_CSV)
    assert result.stdout == ""
    assert "Imported 2 customers" in result.stderr
    assert "Imported 3 invoices" in _import(cli, tmp_path, "invoices", INVOICES_CSV).stderr
    assert "Imported 2 payments" in _import(cli, tmp_path, "payments", PAYMENTS_CSV).stderr
    assert cli("export", "customers").stdout == (
        f"{CUSTOMERS_HEADER}\n"
        "C001,上海明达机械有限公司,,,王丽,,,zh,,EOM30\n"
        "C002,Acme Inc,,,Bob,,,zh,,NET30\n"
    )
    assert cli("export", "invoices").stdout == (
        f"{INVOICES_HEADER}\n"
        "INV-1,C001,2026-09-01,1200.00,2026-10-01,,CNY,,,,\n"
        "INV-2,C001,2026-10-01,4400.00,2026-11-30,EOM30,CNY,,,,\n"  # EOM30: 10-31 + 30 days
        "INV-3,C002,2026-06-01,300.00,2026-07-01,,USD,,,,\n"
    )
    assert cli("export", "payments").stdout == (
        f"{PAYMENTS_HEADER}\n"
        "C001,2026-11-20,1500.00,,CNY,B-1,\n"
        "C002,2026-08-01,50.00,INV-3,USD,B-2,\n"
    )
    opened = {
        r["number"]: r["open"]
        for r in csv.DictReader(
            cli(
                "invoice", "list", "--status", "all", "--as-of", "2026-11-22", "-f", "csv"
            ).stdout.splitlines()
        )
    }
    assert opened == {"INV-1": "0.00", "INV-2": "4100.00", "INV-3": "250.00"}


def test_import_from_stdin(cli, ledger):
    result = cli("import", "customers", "-", input=CUSTOMERS_CSV)
    assert "Imported 2 customers" in result.stderr
    assert "<stdin>" in result.stderr
    jsonl = "\n".join(
        json.dumps(
            {"number": f"S-{n}", "customer": "C002", "issue_date": "2026-11-02", "amount": "10"}
        )
        for n in range(3)
    )
    result = cli("import", "invoices", "-", "--input-format", "jsonl", input=jsonl + "\n")
    assert "Imported 3 invoices" in result.stderr
    payments = "customer,date,amount\nC002,2026-11-03,25\n"
    assert "Imported 1 payments" in cli("import", "payments", "-", input=payments).stderr
    out = cli("invoice", "list", "--status", "all", "--customer", "C002", "-f", "csv").stdout
    assert [(r["number"], r["open"]) for r in csv.DictReader(out.splitlines())] == [
        ("S-0", "0.00"),
        ("S-1", "0.00"),
        ("S-2", "5.00"),
    ]


def test_import_json_file(cli, ledger, tmp_path):
    path = tmp_path / "customers.json"
    path.write_text(
        json.dumps(
            [{"code": "C001", "name": "甲"}, {"code": "C002", "name": "乙", "terms": "NET60"}]
        ),
        encoding="utf-8",
    )
    cli("import", "customers", str(path))
    assert cli("export", "customers").stdout == (
        f"{CUSTOMERS_HEADER}\nC001,甲,,,,,,zh,,\nC002,乙,,,,,,zh,,NET60\n"
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_import_excel_encodings(cli, ledger, tmp_path, encoding):
    result = _import(cli, tmp_path, "customers", CUSTOMERS_CSV, encoding=encoding)
    assert "Imported 2 customers" in result.stderr
    names = [r["name"] for r in csv.DictReader(cli("export", "customers").stdout.splitlines())]
    assert names == ["上海明达机械有限公司", "Acme Inc"]


def test_import_gbk_from_stdin(cli, ledger):
    cli("import", "customers", "-", input=CUSTOMERS_CSV.encode("gbk"))
    assert "上海明达机械有限公司" in cli("export", "customers").stdout


def test_import_with_encoding_option(cli, ledger, tmp_path):
    _import(cli, tmp_path, "customers", CUSTOMERS_CSV, "c.csv", "gb18030", "--encoding", "gb18030")
    assert "上海明达机械有限公司" in cli("export", "customers").stdout


def test_import_columns_in_any_order_and_case(cli, ledger, tmp_path):
    _import(cli, tmp_path, "customers", "Name,CODE\n甲,C001\n")
    assert "C001,甲," in cli("export", "customers").stdout


def test_ignore_extra_columns(cli, ledger, tmp_path):
    result = _import(
        cli,
        tmp_path,
        "customers",
        "code,name,colour\nC001,甲,red\n",
        None,
        "utf-8",
        "--ignore-extra",
    )
    assert "Imported 1 customers" in result.stderr


# --- exports --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["customers", "invoices", "payments"])
def test_export_formats_agree(cli, small, kind):
    as_csv = list(csv.DictReader(cli("export", kind).stdout.splitlines()))
    assert cli("export", kind, "--format", "csv").stdout == cli("export", kind).stdout
    as_json = json.loads(cli("export", kind, "--format", "json").stdout)
    lines = cli("export", kind, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == as_json
    assert len(as_json) == len(as_csv) > 0
    for row_csv, row_json in zip(as_csv, as_json, strict=True):
        assert {k: v or None for k, v in row_csv.items()} == row_json
    table = cli("export", kind, "--format", "table").stdout
    assert next(iter(as_json[0])) in table


def test_export_payments_is_cash_only(cli, small):
    assert cli("export", "payments").stdout == (
        f"{PAYMENTS_HEADER}\n"
        "C001,2025-08-01,500.00,INV-103,CNY,B2025080100001,bank\n"
        "C002,2026-08-01,50.00,INV-201,USD,W-77,\n"
        "C003,2026-09-15,100.00,,CNY,,\n"
    )


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_export_then_import_round_trip(cli, small, tmp_path, fmt):
    files = {}
    for kind in ("customers", "invoices", "payments"):
        files[kind] = tmp_path / f"{kind}.{fmt}"
        files[kind].write_text(cli("export", kind, "--format", fmt).stdout, encoding="utf-8")
    other = tmp_path / "other.db"
    cli("--db", str(other), "init")
    for kind in ("customers", "invoices", "payments"):
        cli("--db", str(other), "import", kind, str(files[kind]))
    for kind in ("customers", "invoices", "payments"):
        assert cli("--db", str(other), "export", kind).stdout == cli("export", kind).stdout


# --- imports that fail: nothing written, every problem as FILE:LINE: column: reason ---------


def test_missing_required_column(cli, small, tmp_path):
    [error] = _bad_import(
        cli, tmp_path, "invoices", "number,customer,amount\nX-1,C001,100\n", "inv.csv"
    )
    assert error.startswith("Error: inv.csv:1: issue_date: ")
    assert LINE.match(error)


def test_unknown_column(cli, small, tmp_path):
    [error] = _bad_import(
        cli,
        tmp_path,
        "invoices",
        "number,customer,issue_date,amount,colour\nX-1,C001,2026-11-01,100,red\n",
        "inv.csv",
    )
    assert error.startswith("Error: inv.csv:1: colour: unknown column")
    assert "--ignore-extra" in error


def test_empty_file(cli, small, tmp_path):
    [error] = _bad_import(cli, tmp_path, "invoices", "", "empty.csv")
    assert "empty.csv" in error and "empty" in error


def test_header_only(cli, small, tmp_path):
    [error] = _bad_import(cli, tmp_path, "customers", "code,name\n", "h.csv")
    assert "h.csv" in error


def test_missing_file(cli, small, tmp_path):
    before = cli.snapshot()
    [error] = cli.error("import", "invoices", str(tmp_path / "nope.csv"))
    assert "nope.csv" in error
    assert cli.snapshot() == before


def test_every_bad_row_is_reported_and_nothing_is_written(cli, small, tmp_path):
    text = (
        "number,customer,issue_date,amount,due_date,terms,currency\n"
        "X-1,C999,2026-11-01,100,,,\n"  # 2 unknown customer
        "X-2,C001,2026-02-30,100,,,\n"  # 3 bad date
        "X-3,C001,2026-11-01,-5,,,\n"  # 4 negative
        "X-4,C001,2026-11-01,0,,,\n"  # 5 zero
        "X-5,C001,2026-11-01,abc,,,\n"  # 6 not a number
        "X-6,C001,2026-11-01,1.234,,,\n"  # 7 three decimals
        "X-7,C001,2026-11-01,100,,SOMETIME,\n"  # 8 unknown terms
        "X-8,C001,2026-11-01,100,,,US\n"  # 9 bad currency
        "X-9,C001,2026-11-01,100,2026-10-01,,\n"  # 10 due before issue
        "X-10,C001,2026-11-01,100,,,\n"  # 11 fine
        "INV-101,C001,2026-11-01,100,,,\n"  # 12 already in the ledger
    )
    errors = _bad_import(cli, tmp_path, "invoices", text, "inv.csv")
    found = [LINE.match(e) for e in errors]
    assert all(found), errors
    assert [(m[1], int(m[2]), m[3]) for m in found if m] == [
        ("inv.csv", 2, "customer"),
        ("inv.csv", 3, "issue_date"),
        ("inv.csv", 4, "amount"),
        ("inv.csv", 5, "amount"),
        ("inv.csv", 6, "amount"),
        ("inv.csv", 7, "amount"),
        ("inv.csv", 8, "terms"),
        ("inv.csv", 9, "currency"),
        ("inv.csv", 10, "due_date"),
        ("inv.csv", 12, "number"),
    ]
    assert "already" in errors[-1]


def test_duplicate_number_within_the_file(cli, small, tmp_path):
    text = "number,customer,issue_date,amount\nX-1,C001,2026-11-01,100\nX-1,C001,2026-11-02,200\n"
    [error] = _bad_import(cli, tmp_path, "invoices", text, "inv.csv")
    assert error.startswith("Error: inv.csv:3: number: ")


def test_duplicate_customer_code(cli, small, tmp_path):
    [error] = _bad_import(cli, tmp_path, "customers", "code,name\nC001,again\n", "c.csv")
    assert error.startswith("Error: c.csv:2: code: ")


def test_bad_customer_rows(cli, small, tmp_path):
    text = "code,name,email,language,credit_limit\nC010,,x@y.cn,zh,\nC011,乙,mail,fr,-1\n"
    errors = _bad_import(cli, tmp_path, "customers", text, "c.csv")
    assert [e.split(": ")[1] for e in errors] == ["c.csv:2", "c.csv:3", "c.csv:3", "c.csv:3"]
    assert [e.split(": ")[2] for e in errors] == ["name", "email", "language", "credit_limit"]


def test_bad_payment_rows(cli, small, tmp_path):
    text = (
        "customer,date,amount,invoice,currency,reference\n"
        "C001,2026-11-01,100,,,B2025080100001\n"  # 2 bank reference already recorded
        "C002,2026-11-01,100,INV-101,,\n"  # 3 someone else's invoice
        "C001,2026-13-01,100,,,\n"  # 4 bad date
        "C001,2026-11-01,1.234,,,\n"  # 5 amount
        "C999,2026-11-01,1,,,\n"  # 6 unknown customer
    )
    errors = _bad_import(cli, tmp_path, "payments", text, "p.csv")
    got = sorted((int(e.split(":")[2]), e.split(": ")[2]) for e in errors)
    assert got == [(2, "reference"), (3, "invoice"), (4, "date"), (5, "amount"), (6, "customer")]


def test_bad_json(cli, small, tmp_path):
    errors = _bad_import(cli, tmp_path, "customers", '{"code": "C009"', "c.json")
    assert errors[0].startswith("Error: c.json:")


def test_bad_jsonl_from_stdin(cli, small):
    before = cli.snapshot()
    errors = cli.error(
        "import",
        "customers",
        "-",
        "--input-format",
        "jsonl",
        input='{"code": "C009", "name": "x"}\nnot json\n',
    )
    assert [e.split(":")[1:3] for e in errors] == [[" <stdin>", "2"]]
    assert cli.snapshot() == before


def test_bad_input_format_and_encoding(cli, small, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("code,name\nC009,x\n", encoding="utf-8")
    before = cli.snapshot()
    [error] = cli.error("import", "customers", str(path), "--input-format", "xml", code=2)
    assert "xml" in error
    [error] = cli.error("import", "customers", str(path), "--encoding", "klingon")
    assert "klingon" in error
    assert cli.snapshot() == before


def test_import_needs_a_file_argument(cli, small):
    cli.error("import", "customers", code=2)
