"""``--format xlsx -o FILE``: every listing and report as a real workbook, read back here."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shlex
import zipfile
from pathlib import Path
from typing import Any

import pytest
import typer.main
from python_calamine import CalamineWorkbook

from huikuan.cli import app

AS_OF = "2026-11-22"
REPORTS = [
    f"aging --as-of {AS_OF}",
    f"aging --as-of {AS_OF} --detail",
    f"aging --as-of {AS_OF} --by salesperson --basis issue",
    "statement C001",
    "playbook",
    f"limitation --as-of {AS_OF}",
    "kpi",
    f"interest --as-of {AS_OF}",
    "customer list",
    "customer show C001",
    "contact list C001",
    "invoice list",
    "invoice show INV-101",
    "payment list --all",
    "export customers",
    "export invoices",
    "export payments",
    "credit list",
    "credit matrix",
    f"remind plan --as-of {AS_OF}",
    f"remind todo --as-of {AS_OF}",
    "log list C001",
    "promise list C001",
    "cost delay --margin 10% --rate 5%",
    f"cost bad-debt --as-of {AS_OF}",
    "target list",
    f"provision --as-of {AS_OF}",
]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _sheets(data: bytes | str) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(Path(data).read_bytes() if isinstance(data, str) else data)
    )
    return {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names}


def _xml(path: str, member: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(member).decode()


@pytest.mark.parametrize("line", REPORTS)
def test_every_report_writes_a_workbook(cli: Any, small: Path, line: str) -> None:
    args = shlex.split(line)
    csv_header = cli(*args, "--format", "csv").stdout.splitlines()[0]
    r = cli(*args, "--format", "xlsx", "-o", "out.xlsx")
    assert r.stdout == "" and r.stderr.endswith("Wrote out.xlsx\n")
    first = next(iter(_sheets("out.xlsx").values()))
    assert ",".join(first[0]) == csv_header


def test_every_command_with_format_takes_output() -> None:
    def walk(cmd: Any, path: str) -> list[tuple[str, set[str]]]:
        if hasattr(cmd, "commands"):
            return [x for n, c in cmd.commands.items() for x in walk(c, f"{path} {n}")]
        return [(path, {o for p in cmd.params for o in getattr(p, "opts", [])})]

    found = walk(typer.main.get_command(app), "huikuan")
    formatted = [(p, o) for p, o in found if "--format" in o]
    assert len(formatted) > 25
    assert [p for p, o in formatted if not {"-o", "--output"} <= o] == []


def test_export_workbook_types_formats_and_round_trip(cli: Any, small: Path) -> None:
    cli("export", "invoices", "--format", "xlsx", "-o", "inv.xlsx")
    rows = _sheets("inv.xlsx")["Sheet1"]
    assert rows[0][:5] == ["number", "customer", "issue_date", "amount", "due_date"]
    row = next(r for r in rows if r[0] == "INV-101")
    assert row[1:5] == ["C001", dt.date(2026, 10, 1), 4400.0, dt.date(2026, 12, 1)]
    styles = _xml("inv.xlsx", "xl/styles.xml")
    assert 'formatCode="#,##0.00"' in styles and 'formatCode="yyyy-mm-dd"' in styles
    sheet = _xml("inv.xlsx", "xl/worksheets/sheet1.xml")
    assert 'ySplit="1"' in sheet and 'state="frozen"' in sheet
    # the workbook imports again into an empty ledger, unchanged
    before = cli("export", "invoices").stdout
    customers = cli("export", "customers").stdout
    Path("c.csv").write_text(customers, encoding="utf-8")
    cli("--db", "other.db", "init")
    cli("--db", "other.db", "import", "customers", "c.csv")
    cli("--db", "other.db", "import", "invoices", "inv.xlsx")
    assert cli("--db", "other.db", "export", "invoices").stdout == before


def test_aging_workbook_has_a_totals_row_per_currency(cli: Any, small: Path) -> None:
    cli("aging", "--as-of", AS_OF, "--format", "xlsx", "-o", "aging.xlsx")
    ((name, rows),) = _sheets("aging.xlsx").items()
    assert name == "Aging as of 2026-11-22"
    doc = json.loads(cli("aging", "--as-of", AS_OF, "--format", "json").stdout)
    totals = [r for r in rows if r[0] == "Total"]
    assert [(t[2], t[-2]) for t in totals] == [
        (t["currency"], float(t["total"])) for t in doc["totals"]
    ]
    body = rows[1 : 1 + len(doc["rows"])]
    assert [(r[0], r[2], r[-2]) for r in body] == [
        (d["key"], d["currency"], float(d["total"])) for d in doc["rows"]
    ]
    assert all(isinstance(v, float) for r in body for v in r[3:])


def test_column_widths_count_chinese_double(cli: Any, small: Path) -> None:
    cli("customer", "list", "--format", "xlsx", "-o", "c.xlsx")
    sheet = _xml("c.xlsx", "xl/worksheets/sheet1.xml")
    widths = {
        col: float(w)
        for lo, hi, w in re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', sheet)
        for col in range(int(lo) - 1, int(hi))
    }
    header = next(iter(_sheets("c.xlsx").values()))[0]
    assert widths[header.index("name")] >= 2 * len("上海明达机械有限公司")
    assert widths[header.index("code")] < 10


def test_xlsx_to_a_pipe_and_the_terminal_rule(
    cli: Any, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = cli("export", "customers", "--format", "xlsx")  # stdout is not a terminal here
    assert r.stdout_bytes.startswith(b"PK") and _sheets(r.stdout_bytes)["Sheet1"][0][0] == "code"
    assert cli("export", "customers", "--format", "xlsx", "-o", "-").stdout_bytes.startswith(b"PK")
    import huikuan.cli.common as common

    monkeypatch.setattr(common, "_stdout_is_terminal", lambda: True)
    r = cli("export", "customers", "--format", "xlsx", code=2)
    assert r.stdout == ""
    assert "--format xlsx writes a workbook: give -o FILE" in r.stderr


def test_output_file_for_text_formats(cli: Any, small: Path) -> None:
    r = cli("export", "payments", "-o", "p.csv")
    assert r.stdout == ""
    assert Path("p.csv").read_text(encoding="utf-8") == cli("export", "payments").stdout


def test_unwritable_output_is_one_error(cli: Any, small: Path) -> None:
    errors = cli.error("aging", "--format", "xlsx", "-o", "no/such/dir/a.xlsx")
    assert errors == [
        "Error: no/such/dir/a.xlsx: cannot write the workbook ([Errno 2] No such file or "
        "directory: 'no/such/dir/a.xlsx')"
    ]
