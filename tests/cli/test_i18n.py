"""The user's language (zh|en): tables, titles, notes, messages; JSON/CSV keys stay English."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from huikuan import output
from huikuan.cli import common
from huikuan.i18n import label

AS_OF = "2026-11-22"
# Every command of the small ledger that prints a table (one or more Results).
TABLE_COMMANDS = [
    ["customer", "list"],
    ["customer", "show", "C001", "--as-of", AS_OF],
    ["contact", "list"],
    ["invoice", "list", "--as-of", AS_OF, "--status", "all"],
    ["invoice", "show", "INV-103"],
    ["payment", "list", "--all"],
    ["export", "customers"],
    ["export", "invoices"],
    ["export", "payments"],
    ["aging", "--as-of", AS_OF],
    ["aging", "--as-of", AS_OF, "--detail"],
    ["statement", "C001", "--as-of", AS_OF],
    ["statement", "C001", "--as-of", AS_OF, "--from", "2026-01-01"],
    ["credit", "score", "C001", "--as-of", AS_OF, "--dry-run"],
    ["credit", "show", "C001"],
    ["credit", "list", "--as-of", AS_OF],
    ["credit", "list", "--as-of", AS_OF, "--by", "rating"],
    ["credit", "matrix", "--as-of", AS_OF],
    ["remind", "plan", "--as-of", AS_OF],
    ["remind", "todo", "--as-of", AS_OF],
    ["log", "list"],
    ["promise", "list", "--as-of", AS_OF],
    ["playbook"],
    ["playbook", "will-pay"],
    ["limitation", "--as-of", AS_OF],
    ["interest", "--as-of", AS_OF],
    ["provision", "--as-of", AS_OF, "--since", "2026-01-01"],
    ["cost", "bad-debt", "--as-of", AS_OF, "--margin", "10%"],
    ["cost", "delay", "--margin", "10%", "--rate", "5%"],
    ["cost", "delay", "--margin", "10%", "--margin", "20%", "--rate", "5%", "--table"],
    ["kpi", "--from", "2026-01-01", "--to", AS_OF],
    ["kpi", "--from", "2026-01-01", "--to", AS_OF, "--by", "salesperson", "--period", "month"],
    ["target", "list"],
    ["doctor"],
]


def _columns(result: output.Result) -> set[str]:
    return {c for part in (result, *result.sections) for c in part.columns}


def test_every_table_header_has_a_zh_label(
    cli: Any, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUIKUAN_LANG", "zh")
    seen: set[str] = set()
    render = output.render

    def spy(result: output.Result, fmt: str, out: Any = None, lang: str = "en") -> None:
        seen.update(_columns(result))
        render(result, fmt, out, lang)

    monkeypatch.setattr(common, "render", spy)
    cli("log", "add", "C001", "--channel", "phone", "--date", AS_OF, "--excuse", "will-pay")
    cli("promise", "add", "C001", "--amount", "100", "--date", AS_OF, "--made", "2026-11-01")
    for args in TABLE_COMMANDS:
        r = cli(*args, code=None)
        assert r.exit_code in (0, 3), (args, r.stderr)
    buckets = re.compile(r"\d+(-\d+|\+)|[\d.]+%")  # 1-30, 365+; the cost grid's 10%
    missing = sorted(c for c in seen if label(c, "zh") == c and not buckets.fullmatch(c))
    assert missing == []
    assert len(seen) > 100


@pytest.fixture
def zh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUIKUAN_LANG", "zh")


def test_zh_messages(cli: Any, small: Path, zh: None) -> None:
    assert cli("customer", "add", "C009", "测试").stderr == "已添加客户 C009\n"
    assert cli("invoice", "add", "X-1", "C009", "100", "--due-date", "2026-12-01").stderr == (
        "已添加应收单 X-1，到期日 2026-12-01\n"
    )
    assert cli.error("invoice", "show", "NOPE") == [
        "Error: 未知应收单 'NOPE'（见 `huikuan invoice list`）"
    ]
    assert cli.error("payment", "add", "C001", "1.234") == ["Error: amount: 超过两位小数：'1.234'"]
    assert cli.error("invoice", "add", "X-2", "C001", "1", "--issue-date", "2026-02-30") == [
        "Error: issue_date: 没有这一天：'2026-02-30'"
    ]


def test_zh_warning_keeps_its_english_prefix(
    cli: Any, small: Path, zh: None, tmp_path: Path
) -> None:
    out = tmp_path / "r.txt"
    args = ["letter", "reminder", "C001", "--as-of", AS_OF, "--format", "txt", "-o", str(out)]
    assert cli(*args).stderr == (
        "Warning: huikuan.toml 的 [company] 中缺少 name, bank, account：信头或银行信息为空\n"
        f"函件 HK-2026-000001（reminder，zh）致 C001 -> {out}\n"
    )


def test_import_summary_in_zh(cli: Any, small: Path, zh: None, tmp_path: Path) -> None:
    bad = tmp_path / "c.csv"
    bad.write_text("code,name\nC010,\n", "utf-8")
    result = cli("import", "customers", str(bad), code=1)
    assert result.stderr.splitlines()[-1] == "未导入任何数据：1 行中有 1 个问题。"


def test_english_by_default_and_zh_from_the_locale(
    cli: Any, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("customer", "block", "C001", "--reason", "x").stderr == "Blocked customer C001\n"
    monkeypatch.delenv("HUIKUAN_LANG")
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli("customer", "unblock", "C001").stderr == "已解除冻结客户 C001\n"


def test_ui_language_in_the_config_wins(
    cli: Any, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "huikuan.toml"
    config.write_text('[ui]\nlanguage = "zh"\n', "utf-8")
    monkeypatch.setenv("HUIKUAN_LANG", "en")
    result = cli("--config", str(config), "customer", "add", "C009", "测试")
    assert result.stderr == "已添加客户 C009\n"


def test_a_bad_ui_language_is_an_error_in_english(
    cli: Any, small: Path, tmp_path: Path, zh: None
) -> None:
    config = tmp_path / "huikuan.toml"
    config.write_text('[ui]\nlanguage = "fr"\n', "utf-8")
    assert cli.error("--config", str(config), "aging", "--as-of", AS_OF) == [
        f'Error: {config}: ui.language must be "zh" or "en", not \'fr\''
    ]


def test_json_and_csv_keys_stay_english(cli: Any, small: Path, zh: None) -> None:
    doc = json.loads(cli("aging", "--as-of", AS_OF, "--format", "json").stdout)
    assert doc["buckets"][0] == "current" and set(doc["rows"][0]) >= {"key", "name", "total"}
    csv_head = cli("invoice", "list", "--as-of", AS_OF, "--format", "csv").stdout.splitlines()[0]
    assert csv_head.startswith("number,customer,issue_date")


def test_chinese_contact_roles_and_excuse_names(cli: Any, small: Path) -> None:
    cli("contact", "add", "C001", "李会计", "--role", "财务")
    cli("contact", "add", "C001", "张总", "--role", "决策人")
    cli("contact", "add", "C001", "赵", "--role", "legal-rep")
    rows = json.loads(cli("contact", "list", "--format", "json").stdout)
    assert [r["role"] for r in rows] == ["finance", "decision_maker", "legal_rep"]
    for n, name in enumerate(["已付款", "钱已经付出了", "没钱", "Quality"]):
        cli("log", "add", "C001", "--channel", "phone", "--date", f"2026-11-0{n + 1}",
            "--excuse", name)  # fmt: skip
    rows = json.loads(cli("log", "list", "--format", "json").stdout)
    assert [r["excuse"] for r in rows] == ["paid-already", "paid-already", "no-money", "quality"]
    bad = cli("contact", "add", "C001", "王", "--role", "老板", code=2)  # an invalid choice
    assert (
        "Error: Invalid value for '--role': must be one of decision_maker, finance, purchasing, "
        "legal_rep, other (or 决策人, 财务, 采购, 法人, 其他), not '老板'"
    ) in bad.stderr


def test_playbook_and_limitation_follow_the_ui_language(
    cli: Any, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def first(*args: str) -> Any:
        return json.loads(cli(*args, "--format", "json").stdout)

    assert first("playbook")[0]["says"] == "We already paid"
    lim = ["limitation", "--as-of", AS_OF]
    assert first(*lim)["rows"][0]["action"] == "no action needed yet"
    monkeypatch.setenv("HUIKUAN_LANG", "zh")
    assert first("playbook")[0]["says"] == "钱已经付出了"
    assert first("playbook", "没钱")["code"] == "no-money"
    assert first(*lim)["rows"][0]["action"] == "无需行动"
    assert first(*lim, "--lang", "en")["rows"][0]["action"] == "no action needed yet"


@pytest.mark.parametrize("args", [["playbook"], ["limitation"]])
def test_lang_must_be_zh_or_en(cli: Any, small: Path, args: list[str]) -> None:
    errors = cli.error(*args, "--lang", "fr", code=2)
    assert errors == ["Error: Invalid value for '--lang': must be zh or en, not 'fr'"]


def test_todo_talking_points_in_zh(cli: Any, small: Path, zh: None) -> None:
    cli("contact", "add", "C002", "Ann", "--role", "finance")
    cli("log", "add", "C002", "--channel", "phone", "--date", AS_OF, "--excuse", "paid-already")
    doc = json.loads(cli("remind", "todo", "--as-of", "2026-11-24", "--format", "json").stdout)
    assert doc["tasks"][0]["points"] == (  # C002 writes English, the user reads Chinese
        "2026-11-22 的借口 'paid-already'。感谢对方，请告知付款日期、付款银行、金额和收款账号，"
        "我方立即与财务核对。核实：付款日期、银行、金额、收款账号；银行回单或流水号"
    )


def _aging_table(cli: Any, monkeypatch: pytest.MonkeyPatch, lang: str, width: int) -> str:
    monkeypatch.setenv("HUIKUAN_LANG", lang)
    monkeypatch.setenv("COLUMNS", str(width))
    return str(cli("aging", "--as-of", AS_OF).stdout)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [80, 120])
def test_aging_fits_the_terminal(
    cli: Any, small: Path, monkeypatch: pytest.MonkeyPatch, lang: str, width: int
) -> None:
    from rich.cells import cell_len

    doc = json.loads(cli("aging", "--as-of", AS_OF, "--format", "json").stdout)
    text = _aging_table(cli, monkeypatch, lang, width)
    assert max(cell_len(line.rstrip()) for line in text.splitlines()) <= width
    lines = [line.split() for line in text.splitlines()]
    for row in doc["rows"]:  # each customer on one line, every amount on it whole
        line = next(r for r in lines if r and r[0] == row["key"])
        amounts = {f"{Decimal(row[c]):,.2f}" for c in [*doc["buckets"], "total", "unapplied"]}
        shown = [t for t in line[1:] if any(ch.isdigit() for ch in t)]
        assert f"{Decimal(row['total']):,.2f}" in shown and set(shown) <= amounts, line
    hidden = [line for line in text.splitlines() if "hidden" in line or "已隐藏" in line]
    assert len(hidden) == (1 if width == 80 else 0)


AGING_ZH_80 = """\
账龄分析（截至 2026-11-22，自到期日起算，按客户）
分组 名称           币种    31-60  61-90 91-180 181-365     365+     合计 未核销
────────────────────────────────────────────────────────────────────────────────
C001 上海明达机械 … CNY  1,200.00   0.00   0.00    0.00 1,500.00 7,100.00   0.00
C002 Acme Inc       USD      0.00   0.00 250.00    0.00     0.00 1,250.00   0.00
C004 Delta          CNY      0.00 800.00   0.00    0.00     0.00   800.00   0.00
C005 Epsilon        CNY      0.00   0.00   0.00  800.00     0.00   800.00   0.00
C003 苏州小厂       CNY      0.00   0.00   0.00    0.00     0.00     0.00 100.00

合计                CNY  1,200.00 800.00   0.00  800.00 1,500.00 8,700.00 100.00
合计                USD      0.00   0.00 250.00    0.00     0.00 1,250.00   0.00
%                   CNY     13.8%   9.2%   0.0%    9.2%    17.2%   100.0%
%                   USD      0.0%   0.0%  20.0%    0.0%     0.0%   100.0%
已隐藏 2 列（未到期, 1-30）：使用 --format csv 或加宽终端查看全部
"""


def test_aging_in_zh_at_80_columns(cli: Any, small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _aging_table(cli, monkeypatch, "zh", 80)
    head = "\n".join(line.rstrip() for line in text.splitlines()[:14]) + "\n"
    assert head == AGING_ZH_80


CHANGES = [
    ["backup", "{tmp}/copy.db"],
    ["customer", "add", "C009", "测试"],
    ["customer", "edit", "C001", "--region", "华北"],
    ["customer", "block", "C001", "--reason", "测试"],
    ["customer", "unblock", "C001"],
    ["contact", "add", "C001", "李会计", "--role", "财务"],
    ["invoice", "add", "X-1", "C001", "100", "--due-date", "2026-12-01"],
    ["invoice", "dispute", "INV-101", "--reason", "质量"],
    ["invoice", "undispute", "INV-101"],
    ["payment", "add", "C001", "100", "--date", AS_OF],
    ["credit-note", "add", "C001", "10", "--invoice", "INV-101", "--date", AS_OF],
    ["write-off", "add", "INV-102", "--reason", "x", "--date", AS_OF],
    ["promise", "add", "C001", "--amount", "100", "--date", "2026-12-01", "--made", AS_OF],
    ["log", "add", "C001", "--channel", "visit", "--outcome", "disputed", "--date", AS_OF],
    ["log", "add", "C001", "--channel", "phone", "--excuse", "没钱", "--date", AS_OF],
    ["import", "customers", "{tmp}/c.csv"],
    ["credit", "score", "C001", "--as-of", AS_OF],
    ["credit", "apply", "C001"],
    ["target", "set", "王丽", "--amount", "1000", "--period", "2026-11"],
    ["target", "set", "王丽", "--amount", "2000", "--period", "2026-11"],
]


def test_every_confirmation_is_in_zh(cli: Any, small: Path, zh: None, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("code,name\nC020,新客户\n", "utf-8")
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for args in CHANGES:
        stderr = cli(*(a.format(tmp=tmp_path) for a in args)).stderr
        assert stderr and all(cjk.search(line) for line in stderr.splitlines()), (args, stderr)
