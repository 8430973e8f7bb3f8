"""``huikuan letter``: golden files for every kind × language, the command's behaviour.

Golden files live in tests/cli/golden/<lang>_<kind>.txt and .html, rendered from the small
ledger (tests/cli/conftest.py) as of 2026-11-22 for C001 with the company below.
To regenerate after a deliberate template change: HUIKUAN_UPDATE_GOLDEN=1 pytest tests/cli/test_letter.py
(then read the diff before committing it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from ledger_sql import ledger_rows

GOLDEN = Path(__file__).parent / "golden"
AS_OF = "2026-11-22"
COMPANY = """[company]
name = "杭州回款科技有限公司"
address = "杭州市西湖区文三路 1 号"
phone = "0571-8888-0000"
bank = "中国工商银行杭州文三路支行"
account = "1202 0212 0900 0123 456"
contact = "财务部 周会计 0571-8888-0001"
seal = "杭州回款科技有限公司（财务专用章）"
[interest]
in_letters = true
"""
OPTIONS = {
    "statement": ["--from", "2026-01-01"],
    "plan": ["--instalments", "3", "--first", "2026-12-15"],
}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "huikuan.toml"
    path.write_text(COMPANY, "utf-8")
    return path


def _render(cli: Any, config: Path, kind: str, lang: str, fmt: str) -> str:
    args = ["--config", str(config), "letter", kind, "C001", "--as-of", AS_OF, "--lang", lang]
    return str(cli(*args, *OPTIONS.get(kind, []), "--format", fmt).stdout)


@pytest.mark.parametrize("fmt", ["txt", "html"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["reminder", "demand", "final", "statement", "plan"])
def test_golden(cli: Any, small: Path, config: Path, kind: str, lang: str, fmt: str) -> None:
    got = _render(cli, config, kind, lang, fmt)
    golden = GOLDEN / f"{lang}_{kind}.{fmt}"
    if os.environ.get("HUIKUAN_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, "utf-8")
    assert got == golden.read_text("utf-8")


def test_demand_letter_facts(cli: Any, small: Path, config: Path) -> None:
    text = _render(cli, config, "demand", "zh", "txt")
    # C001 overdue: INV-103 1500.00 (509 days), INV-102 1200.00 (52 days); INV-101 not due yet
    assert "INV-103" in text and "INV-102" in text and "INV-101" not in text
    assert "合计未付：CNY 2,700.00（大写：贰仟柒佰元整）" in text
    # interest (0.05%/day): 389.25 + 31.20 = 420.45; due 2,700.00 + 420.45 = 3,120.45
    assert (
        "违约金（计至2026年11月22日）：CNY 420.45；应付合计 CNY 3,120.45（大写：叁仟壹佰贰拾元肆角伍分）"
        in text
    )
    assert "2026年12月1日前" in text  # 7 working days after 2026-11-22 (a Sunday)
    assert "编号：HK-2026-000001" in text and "中国工商银行杭州文三路支行" in text


def test_references_are_unique_and_stored(
    cli: Any, small: Path, config: Path, db_path: Path
) -> None:
    first = cli(
        "--config", str(config), "letter", "reminder", "C001", "--as-of", AS_OF, "-f", "txt"
    )
    second = cli(
        "--config", str(config), "letter", "statement", "C002", "--as-of", AS_OF, "-f", "txt"
    )
    assert "Letter HK-2026-000001 (reminder, zh) for C001" in first.stderr
    assert "Letter HK-2026-000002 (statement, en) for C002" in second.stderr  # C002 writes en
    draft = cli("--config", str(config), "letter", "demand", "C001", "--draft", "-f", "txt")
    assert "编号：DRAFT" in draft.stdout
    rows = ledger_rows("SELECT reference, kind, lang, as_of, totals FROM letter ORDER BY id")
    assert rows == [
        ("HK-2026-000001", "reminder", "zh", AS_OF, json.dumps({"CNY": "7100.00"})),
        ("HK-2026-000002", "statement", "en", AS_OF, json.dumps({"USD": "1250.00"})),
    ]


def test_output_file_and_escaping(cli: Any, small: Path, config: Path, tmp_path: Path) -> None:
    cli("customer", "edit", "C003", "--name", "<script>alert(1)</script> & Co")
    cli(
        "invoice",
        "add",
        "X-1",
        "C003",
        "500",
        "--issue-date",
        "2026-09-01",
        "--due-date",
        "2026-10-01",
    )
    out = tmp_path / "l.html"
    cli("--config", str(config), "letter", "demand", "C003", "--as-of", AS_OF, "-o", str(out))
    html = out.read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html and "<script>" not in html
    text = cli(
        "--config", str(config), "letter", "demand", "C003", "--as-of", AS_OF, "-f", "txt"
    ).stdout
    assert "<script>alert(1)</script> & Co" in text


def test_a_user_template_overrides_by_path(cli: Any, small: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine" / "zh"
    mine.mkdir(parents=True)
    (mine / "reminder.txt.j2").write_text("您好 {{ customer.name }}，合计 {{ totals[0].open|money }}\n", "utf-8")  # fmt: skip
    cfg = tmp_path / "h.toml"
    cfg.write_text('[letters]\ntemplates = "mine"\nreference_prefix = "MD"\n', "utf-8")
    out = cli("--config", str(cfg), "letter", "reminder", "C001", "--as-of", AS_OF, "-f", "txt")
    assert out.stdout == "您好 上海明达机械有限公司，合计 7,100.00\n"
    assert "MD-2026-000001" in out.stderr
    html = cli("--config", str(cfg), "letter", "reminder", "C001", "--as-of", AS_OF).stdout
    assert html.startswith("<!DOCTYPE html>")  # not overridden: the built-in one


def test_the_sandbox_refuses_a_hostile_user_template(cli: Any, small: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine" / "zh"
    mine.mkdir(parents=True)
    (mine / "demand.txt.j2").write_text("{{ ''.__class__.__mro__ }}", "utf-8")
    cfg = tmp_path / "h.toml"
    cfg.write_text('[letters]\ntemplates = "mine"\n', "utf-8")
    errors = cli.error(
        "--config", str(cfg), "letter", "demand", "C001", "--as-of", AS_OF, "-f", "txt"
    )
    assert len(errors) == 1 and "refused by the sandbox" in errors[0]
    assert ledger_rows("SELECT COUNT(*) FROM letter") == [(0,)]  # nothing was numbered


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["letter", "demand", "C999"], "unknown customer 'C999'"),
        (["letter", "demand", "C003", "--as-of", AS_OF], "C003 has nothing overdue as of 2026-11-22"),
        (["letter", "plan", "C001", "--every", "fortnight"], "--every must be month or a number of days"),
        (["letter", "demand", "C001", "-o", "/nonexistent/dir/x.html"], "cannot write /nonexistent/dir/x.html"),
    ],
)  # fmt: skip
def test_bad_input(cli: Any, small: Path, db_path: Path, args: list[str], message: str) -> None:
    errors = cli.error(*args)
    assert len(errors) == 1 and message in errors[0], errors
    assert ledger_rows("SELECT COUNT(*) FROM letter") == [(0,)]  # no reference number used up


def test_plan_splits_to_the_fen(cli: Any, small: Path, config: Path) -> None:
    args = ["--config", str(config), "letter", "plan", "C004", "--as-of", AS_OF, "-f", "txt"]
    text = cli(*args, "--lang", "zh", "--instalments", "3", "--first", "2026-01-31").stdout
    # C004 owes 800.00 (INV-401 900.00 less a 100.00 credit note): 266.66 + 266.66 + 266.68,
    # monthly from 31 January: month ends are kept
    assert "第1期  2026年1月31日前  CNY 266.66" in text
    assert "第2期  2026年2月28日前  CNY 266.66" in text
    assert "第3期  2026年3月31日前  CNY 266.68" in text
    every = cli(*args, "--instalments", "2", "--every", "14", "--first", "2026-12-01").stdout
    assert "2026年12月15日前  CNY 400.00" in every
