"""``remind``, ``log``, ``promise``, ``playbook`` and ``limitation`` on a real ledger file.

As of 2026-12-20: C001 (王丽) owes INV-1 due 2026-11-16 (34 days: escalate) and INV-2 due
2026-12-18 (2 days: overdue); C002 (李娜) owes INV-3 due 2026-12-10 (10 days: overdue);
C003 owes INV-4, disputed.

These tests run with ``[dunning] escalation = "jump"`` (straight to the level now due) and
``run_on_holidays = true`` (2026-12-20 is a Sunday), from the ``outbox`` fixture's config;
the defaults (step by step, no runs on non-working days) are tested in test_remind_plan.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from huikuan.cli import app

AS_OF = "2026-12-20"
SETUP = [
    ["init"],
    [
        "customer",
        "add",
        "C001",
        "上海明达机械有限公司",
        "--salesperson",
        "王丽",
        "--email",
        "ap@md.example.cn",
    ],
    [
        "customer",
        "add",
        "C002",
        "Acme Inc",
        "--salesperson",
        "李娜",
        "--language",
        "en",
        "--email",
        "ap@acme.example",
    ],
    ["customer", "add", "C003", "苏州小厂", "--salesperson", "王丽"],
    ["contact", "add", "C001", "张三", "--role", "decision_maker", "--phone", "13800000001"],
    ["contact", "add", "C001", "陈会计", "--role", "finance", "--email", "chen@md.example.cn"],
    [
        "invoice",
        "add",
        "INV-1",
        "C001",
        "5000",
        "--issue-date",
        "2026-10-16",
        "--due-date",
        "2026-11-16",
    ],
    [
        "invoice",
        "add",
        "INV-2",
        "C001",
        "1200",
        "--issue-date",
        "2026-11-18",
        "--due-date",
        "2026-12-18",
    ],
    [
        "invoice",
        "add",
        "INV-3",
        "C002",
        "800",
        "--issue-date",
        "2026-11-10",
        "--due-date",
        "2026-12-10",
    ],
    [
        "invoice",
        "add",
        "INV-4",
        "C003",
        "300",
        "--issue-date",
        "2026-10-01",
        "--due-date",
        "2026-10-31",
    ],
    ["invoice", "dispute", "INV-4", "--reason", "quality"],
]


def run(*args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(app, list(args), input=input)
    assert "Traceback" not in result.output
    return result


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, (args, result.stderr)
    return result


def jdoc(*args: str) -> object:
    return json.loads(ok(*args, "--format", "json").stdout)


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    box = tmp_path / "outbox"
    monkeypatch.setenv("HUIKUAN_OUTBOX", str(box))
    config = tmp_path / "huikuan.toml"  # letters are not sent with a blank letterhead
    config.write_text(
        '[company]\nname = "回款科技"\nbank = "工商银行"\naccount = "1202"\n'
        '[dunning]\nescalation = "jump"\nrun_on_holidays = true\n',
        "utf-8",
    )
    monkeypatch.setenv("HUIKUAN_CONFIG", str(config))
    for args in SETUP:
        ok(*args)
    return box


def actions(doc: object) -> list[tuple[str, str, str, str]]:
    return [
        (a["customer"], " ".join(a["invoices"]), a["level"], a["channel"]) for a in doc["actions"]
    ]  # type: ignore[index]


EXPECTED = [
    ("C001", "INV-1 INV-2", "escalate", "escalate"),
    ("C002", "INV-3", "overdue", "call"),
    ("C002", "INV-3", "overdue", "email"),
]


def test_plan_writes_nothing_and_run_records_once(outbox: Path, ledger_rows: Any) -> None:
    plan = jdoc("remind", "plan", "--as-of", AS_OF)
    assert actions(plan) == EXPECTED
    assert [a["status"] for a in plan["actions"]] == ["task", "task", "planned"]  # type: ignore[index]
    assert not outbox.exists()
    first = jdoc("remind", "run", "--as-of", AS_OF)
    assert actions(first) == EXPECTED
    assert [a["status"] for a in first["actions"]] == ["task", "task", "sent"]  # type: ignore[index]
    assert first["summary"]["channel"] == {"call": 1, "email": 1, "escalate": 1}  # type: ignore[index]
    again = jdoc("remind", "run", "--as-of", AS_OF)
    assert again["actions"] == []  # type: ignore[index]
    assert len(list(outbox.iterdir())) == 1
    text = next(outbox.iterdir()).read_text(encoding="utf-8")
    assert "INV-3" in text and "800.00" in text
    levels = ledger_rows(
        "SELECT i.number, a.level_name, a.status FROM dunning_action a"
        " JOIN invoice i ON i.id = a.invoice_id ORDER BY i.number, a.level"
    )
    assert levels == [
        ("INV-1", "friendly", "skipped"),
        ("INV-1", "overdue", "skipped"),
        ("INV-1", "demand", "skipped"),
        ("INV-1", "escalate", "done"),
        ("INV-2", "friendly", "skipped"),
        ("INV-2", "overdue", "done"),
        ("INV-3", "friendly", "skipped"),
        ("INV-3", "overdue", "done"),
    ]


def test_minimum_interval_then_next_level(outbox: Path) -> None:
    ok("remind", "run", "--as-of", AS_OF)
    # five days later INV-3 reaches "demand" (+15), but C002 heard from us 5 days ago
    assert jdoc("remind", "run", "--as-of", "2026-12-25")["actions"] == []  # type: ignore[index]
    later = jdoc("remind", "run", "--as-of", "2026-12-27")
    assert ("C002", "INV-3", "demand", "letter") in actions(later)


def test_three_processes_at_once_record_each_action_exactly_once(
    outbox: Path, db_path: Path, ledger_rows: Any
) -> None:
    """Three ``remind run`` processes at once (on either engine): each action once."""
    env = {**os.environ, "HUIKUAN_DB": str(db_path), "HUIKUAN_OUTBOX": str(outbox)}
    cmd = [sys.executable, "-m", "huikuan", "remind", "run", "--as-of", AS_OF, "--format", "json"]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outs]
    done = sorted(a for out, _ in outs for a in actions(json.loads(out)))
    assert done == sorted(EXPECTED)
    assert ledger_rows("SELECT COUNT(*) FROM dunning_message") == [(3,)]
    assert ledger_rows("SELECT COUNT(*) FROM dunning_message WHERE status = 'sent'") == [(1,)]
    assert len(list(outbox.iterdir())) == 1


def test_failed_delivery_is_retried_next_run_not_duplicated(
    outbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("HUIKUAN_OUTBOX", str(blocker / "outbox"))
    failed = run("remind", "run", "--as-of", AS_OF, "--format", "json")
    assert failed.exit_code == 1
    assert "could not be delivered" in failed.stderr
    assert [a["status"] for a in json.loads(failed.stdout)["actions"]] == ["task", "task", "failed"]
    monkeypatch.setenv("HUIKUAN_OUTBOX", str(outbox))
    retry = jdoc("remind", "run", "--as-of", AS_OF)
    assert retry["actions"] == [  # type: ignore[index]
        {
            "customer": "C002",
            "invoices": ["INV-3"],
            "level": "overdue",
            "channel": "email",
            "status": "sent",
        }
    ]
    assert jdoc("remind", "run", "--as-of", AS_OF)["actions"] == []  # type: ignore[index]
    assert len(list(outbox.iterdir())) == 1


def test_todo_lists_tasks_with_contacts_finance_first(outbox: Path) -> None:
    ok("remind", "run", "--as-of", AS_OF)
    doc = jdoc("remind", "todo", "--as-of", AS_OF, "--user", "王丽")
    tasks = doc["tasks"]  # type: ignore[index]
    assert [(t["kind"], t["customer"]) for t in tasks] == [("escalate", "C001")]
    assert [c["role"] for c in tasks[0]["contacts"]] == ["finance", "decision_maker"]
    assert "INV-1" in tasks[0]["points"]
    everyone = jdoc("remind", "todo", "--as-of", AS_OF)["tasks"]  # type: ignore[index]
    assert sorted((t["kind"], t["customer"]) for t in everyone) == [
        ("call", "C002"),
        ("escalate", "C001"),
    ]
    # logging the call closes it
    ok("log", "add", "C002", "--channel", "phone", "--date", AS_OF, "--outcome", "reached")
    left = jdoc("remind", "todo", "--as-of", AS_OF)["tasks"]  # type: ignore[index]
    assert [t["customer"] for t in left] == ["C001"]


def test_excuse_schedules_follow_up(outbox: Path) -> None:
    ok(
        "log",
        "add",
        "C002",
        "--channel",
        "phone",
        "--date",
        "2026-12-20",
        "--excuse",
        "paid-already",
    )
    rows = jdoc("log", "list", "C002")
    assert rows[0]["follow_up"] == "2026-12-22"  # type: ignore[index]
    assert jdoc("remind", "todo", "--as-of", "2026-12-21")["tasks"] == []  # type: ignore[index]
    tasks = jdoc("remind", "todo", "--as-of", "2026-12-22")["tasks"]  # type: ignore[index]
    assert (
        tasks[0]["kind"] == "follow-up" and "remittance date" in tasks[0]["points"]
    )  # en customer


def test_promise_kept_broken_and_pause(outbox: Path) -> None:
    ok("promise", "add", "C002", "--amount", "800", "--date", "2026-12-24", "--made", "2026-12-19")
    ok(
        "promise",
        "add",
        "C001",
        "--amount",
        "5000",
        "--date",
        "2026-12-22",
        "--made",
        "2026-12-19",
        "--invoice",
        "INV-1",
    )
    plan = jdoc("remind", "plan", "--as-of", AS_OF)
    assert actions(plan) == [
        ("C001", "INV-2", "overdue", "call"),
        ("C001", "INV-2", "overdue", "email"),
    ]
    ok("payment", "add", "C002", "800", "--date", "2026-12-23")
    rows = jdoc("promise", "list", "--as-of", "2026-12-30")
    assert [(p["customer"], p["status"], p["paid"]) for p in rows] == [  # type: ignore[union-attr]
        ("C001", "broken", "0.00"),
        ("C002", "kept", "800.00"),
    ]
    assert jdoc("promise", "list", "--as-of", "2026-12-21", "--status", "open") != []
    tasks = jdoc("remind", "todo", "--as-of", "2026-12-23")["tasks"]  # type: ignore[index]
    assert [t["kind"] for t in tasks] == ["broken-promise"]
    # broken promises count against Character
    score = jdoc("credit", "score", "C001", "--as-of", "2026-12-30", "--dry-run")
    assert any("broken promise" in r for r in score["reasons"])  # type: ignore[index]


def test_limitation_rows_and_restarts(outbox: Path) -> None:
    ok("payment", "add", "C001", "1000", "--date", "2026-12-01", "--invoice", "INV-1")
    ok(
        "log",
        "add",
        "C002",
        "--channel",
        "letter",
        "--date",
        "2026-12-15",
        "--acknowledged",
        "--note",
        "signed 对账函",
    )
    doc = jdoc("limitation", "--as-of", AS_OF)
    rows = {r["invoice"]: r for r in doc["rows"]}  # type: ignore[index]
    assert set(rows["INV-1"]) >= {
        "invoice",
        "customer",
        "due_date",
        "open",
        "expires",
        "restarted_by",
    }
    assert rows["INV-1"]["restarted_by"] == {
        "kind": "payment",
        "date": "2026-12-01",
        "detail": "payment 1000.00",
    }
    assert rows["INV-1"]["expires"] == "2029-12-03"  # 2029-12-01 is a Saturday
    assert rows["INV-1"]["open"] == "4000.00"
    assert rows["INV-3"]["restarted_by"]["kind"] == "acknowledged"
    assert rows["INV-2"]["restarted_by"] is None and rows["INV-2"]["expires"] == "2029-12-18"
    assert jdoc("limitation", "--as-of", AS_OF, "--within", "30")["rows"] == []  # type: ignore[index]
    # three years on, INV-2 is close to expiry: remind run raises a legal task once
    near = jdoc("remind", "run", "--as-of", "2029-11-01")
    assert ("C001", "INV-2", "limitation-60", "legal") in actions(near)


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
def test_every_format(outbox: Path, fmt: str) -> None:
    ok("log", "add", "C001", "--channel", "visit", "--date", AS_OF)
    for args in (
        ["remind", "plan", "--as-of", AS_OF],
        ["remind", "todo", "--as-of", AS_OF],
        ["log", "list"],
        ["promise", "list"],
        ["playbook"],
        ["playbook", "will-pay", "--lang", "en"],
        ["limitation", "--as-of", AS_OF],
    ):
        out = ok(*args, "--format", fmt).stdout
        if fmt == "json":
            json.loads(out)
        elif fmt == "jsonl":
            [json.loads(line) for line in out.splitlines()]
        elif fmt == "csv":
            assert "," in out.splitlines()[0]


def test_playbook_has_ten_excuses_in_both_languages(outbox: Path) -> None:
    zh, en = jdoc("playbook", "--lang", "zh"), jdoc("playbook", "--lang", "en")
    codes = [e["code"] for e in zh]  # type: ignore[union-attr]
    assert codes == [
        "paid-already", "finance-processing", "customer-not-paid", "restructuring",
        "force-majeure", "manager-agreed", "quality", "no-receipt", "no-money", "will-pay",
    ]  # fmt: skip
    assert en[0]["says"] == "We already paid" and zh[0]["says"] == "钱已经付出了"  # type: ignore[index]
    assert jdoc("playbook", "paid-already")["follow_up_days"] == 2  # type: ignore[index]


@pytest.mark.parametrize(
    "args",
    [
        ["log", "add", "NOPE", "--channel", "phone"],
        ["log", "add", "C001", "--channel", "phone", "--date", "2026-02-30"],
        ["log", "add", "C001", "--channel", "phone", "--invoice", "INV-3"],
        ["promise", "add", "C001", "--amount", "abc", "--date", "2026-12-30"],
        ["promise", "add", "C001", "--amount", "0", "--date", "2026-12-30"],
        [
            "promise",
            "add",
            "C001",
            "--amount",
            "10",
            "--date",
            "2026-12-01",
            "--made",
            "2026-12-05",
        ],
        ["promise", "add", "C001", "--amount", "10", "--date", "2026-12-30", "--invoice", "NOPE"],
        ["remind", "run", "--as-of", "yesterday"],
    ],
)
def test_bad_input_exit_1_nothing_written(outbox: Path, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ")
    assert jdoc("log", "list") == []
    assert jdoc("promise", "list") == []


def test_customer_policy_override(outbox: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "huikuan.toml"
    cfg.write_text(
        '[[dunning.policies.gentle.levels]]\nname = "nudge"\noffset = 20\nchannels = ["sms"]\n',
        encoding="utf-8",
    )
    assert (
        run("--config", str(cfg), "customer", "edit", "C002", "--dunning-policy", "nope").exit_code
        == 1
    )
    ok("--config", str(cfg), "customer", "edit", "C002", "--dunning-policy", "gentle")
    plan = json.loads(
        ok("--config", str(cfg), "remind", "plan", "--as-of", "2026-12-30", "-f", "json").stdout
    )
    assert ("C002", "INV-3", "nudge", "sms") in actions(plan)
