"""``contract add|event|show|list``: milestone contracts end to end (the seed's example)."""

from __future__ import annotations

import json

SCHEDULE = "30% 签约+7; 60% 验收+30; 10% 质保期满+30"
SHOW_CSV = """seq,share,event,days,amount,invoice,due_date,paid,open,status
1,30,sign,7,30000.01,HT-1-1,2026-10-08,30000.00,0.01,due
2,60,accept,30,60000.03,HT-1-2,2026-12-02,0.00,60000.03,invoiced
3,10,warranty_end,30,10000.01,,2027-12-02,0.00,0.00,to_come
"""


def _contract(cli):
    cli("init")
    cli("customer", "add", "C001", "上海明达机械有限公司")
    add = cli("contract", "add", "HT-1", "C001", "100,000.05", "--schedule", SCHEDULE,
              "--warranty-months", "12", "--description", "数控机床 2 台")  # fmt: skip
    assert add.stderr == "Added contract HT-1 with 3 milestones\n"
    return add


def test_events_invoice_their_milestones(cli, db_path):
    _contract(cli)
    sign = cli("contract", "event", "HT-1", "签约", "--date", "2026-09-24")
    assert sign.stderr == (
        "Recorded 签约 of contract HT-1 on 2026-09-24\n"
        "Invoiced HT-1-1 (预付款) 30000.01, due 2026-10-08\n"  # 09-24 + 7 = 10-01, 国庆 -> 10-08
    )
    cli("payment", "add", "C001", "30000", "--date", "2026-10-10")
    accept = cli("contract", "event", "HT-1", "accept", "--date", "2026-11-02")
    assert accept.stderr.splitlines()[-1] == "Invoiced HT-1-2 (验收款) 60000.03, due 2026-12-02"
    show = cli("contract", "show", "HT-1", "--as-of", "2026-11-30", "-f", "csv")
    assert show.stdout == SHOW_CSV
    inv = json.loads(cli("invoice", "show", "HT-1-2", "-f", "json").stdout)
    assert (inv["contract"], inv["milestone"], inv["description"]) == (
        "HT-1",
        "验收款",
        "数控机床 2 台",
    )


def test_show_json_totals_and_retention(cli, db_path):
    _contract(cli)
    cli("contract", "event", "HT-1", "签约", "--date", "2026-09-24")
    cli("contract", "event", "HT-1", "验收", "--date", "2026-11-02")
    doc = json.loads(cli("contract", "show", "HT-1", "--as-of", "2026-12-20", "-f", "json").stdout)
    assert {k: doc[k] for k in ("amount", "invoiced", "paid", "due", "to_come", "retention")} == {
        "amount": "100000.05", "invoiced": "90000.04", "paid": "0.00", "due": "90000.04",
        "to_come": "10000.01", "retention": "10000.01",
    }  # fmt: skip
    assert doc["events"] == {"accept": "2026-11-02", "sign": "2026-09-24"}
    last = doc["milestones"][-1]
    assert (last["status"], last["expected"], last["due_date"]) == ("to_come", True, "2027-12-02")
    listed = cli("contract", "list", "--as-of", "2026-12-20", "-f", "csv").stdout
    assert listed.splitlines() == [
        "number,customer,name,currency,amount,invoiced,paid,due,to_come,retention",
        "HT-1,C001,上海明达机械有限公司,CNY,100000.05,90000.04,0.00,90000.04,10000.01,10000.01",
    ]


def test_the_retention_is_invoiced_on_warranty_end_and_paid(cli, db_path):
    _contract(cli)
    for event, day in (("签约", "2026-09-24"), ("验收", "2026-11-02"), ("质保期满", "2027-11-02")):
        cli("contract", "event", "HT-1", event, "--date", day)
    cli("payment", "add", "C001", "100000.05", "--date", "2027-12-01")
    doc = json.loads(cli("contract", "show", "HT-1", "--as-of", "2027-12-31", "-f", "json").stdout)
    assert [m["status"] for m in doc["milestones"]] == ["paid", "paid", "paid"]
    assert (doc["retention"], doc["paid"], doc["to_come"]) == ("0.00", "100000.05", "0.00")
    # as of before the warranty ended, the retention was still to come
    before = json.loads(
        cli("contract", "show", "HT-1", "--as-of", "2027-06-30", "-f", "json").stdout
    )
    assert (before["retention"], before["milestones"][2]["status"]) == ("10000.01", "to_come")


def test_fixed_date_milestones_are_invoiced_at_once(cli, db_path):
    cli("init")
    cli("customer", "add", "C002", "Acme")
    add = cli("contract", "add", "HT-2", "C002", "1000", "--currency", "USD",
              "--schedule", "50% 2026-11-02+10; 50% 2026-12-01+10")  # fmt: skip
    assert add.stderr.splitlines()[1:] == [
        "Invoiced HT-2-1 (分期款) 500.00, due 2026-11-12",
        "Invoiced HT-2-2 (分期款) 500.00, due 2026-12-11",
    ]
    rows = cli("invoice", "list", "--status", "all", "--as-of", "2026-12-31", "-f", "csv").stdout
    assert "HT-2-2,C002,2026-12-01,2026-12-11,500.00,500.00,USD,20,false" in rows


def test_schedule_file_json_and_toml(cli, db_path, tmp_path):
    cli("init")
    cli("customer", "add", "C001", "明达")
    js = tmp_path / "s.json"
    js.write_text('{"milestones": [{"share": 40, "event": "发货", "days": 5}, '
                  '{"share": "60%", "event": "验收"}]}', "utf-8")  # fmt: skip
    cli("contract", "add", "HT-3", "C001", "500", "--schedule-file", str(js))
    toml = tmp_path / "s.toml"
    toml.write_text('[[milestone]]\nshare = 100\nevent = "deliver"\ndays = 15\n', "utf-8")
    cli("contract", "add", "HT-4", "C001", "500", "--schedule-file", str(toml))
    doc = json.loads(cli("contract", "show", "HT-3", "-f", "json").stdout)
    assert [(m["share"], m["event"], m["days"]) for m in doc["milestones"]] == [
        ("40", "ship", 5), ("60", "accept", 0),
    ]  # fmt: skip


def test_errors_change_nothing(cli, db_path, tmp_path):
    _contract(cli)
    cli("contract", "event", "HT-1", "签约", "--date", "2026-09-24")
    before = cli.snapshot()
    assert cli.error("contract", "add", "HT-1", "C001", "1", "--schedule", "100% 签约") == [
        "Error: contract HT-1 already exists"
    ]
    assert cli.error("contract", "add", "HT-9", "C404", "1", "--schedule", "100% 签约") == [
        "Error: unknown customer 'C404' (see `huikuan customer list`)"
    ]
    assert cli.error("contract", "add", "HT-9", "C001", "1", "--schedule", "50% 签约") == [
        "Error: the schedule's shares add up to 50%, not 100%"
    ]
    assert cli.error("contract", "add", "HT-9", "C001", "1") == [
        "Error: give the schedule with --schedule or --schedule-file (one of them)"
    ]
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", "utf-8")
    assert cli.error("contract", "add", "HT-9", "C001", "1", "--schedule-file", str(bad))[
        0
    ].startswith(f"Error: {bad}: not a valid schedule file")
    assert cli.error("contract", "event", "HT-1", "签约", "--date", "2026-09-25") == [
        "Error: contract HT-1: 签约 was already recorded on 2026-09-24"
    ]
    assert cli.error("contract", "event", "HT-0", "签约") == [
        "Error: unknown contract 'HT-0' (see `huikuan contract list`)"
    ]
    assert cli.error("contract", "event", "HT-1", "开票", code=2)[0].startswith(
        "Error: Invalid value for 'EVENT': unknown contract event '开票'"
    )
    assert cli.snapshot() == before


def test_an_invoice_number_taken_rolls_the_event_back(cli, db_path):
    _contract(cli)
    cli(
        "invoice",
        "add",
        "HT-1-1",
        "C001",
        "5",
        "--issue-date",
        "2026-09-01",
        "--due-date",
        "2026-09-30",
    )
    assert cli.error("contract", "event", "HT-1", "签约", "--date", "2026-09-24") == [
        "Error: contract HT-1: invoice HT-1-1 already exists"
    ]
    doc = json.loads(cli("contract", "show", "HT-1", "-f", "json").stdout)
    assert doc["events"] == {}  # the event was not recorded either


def test_an_event_without_milestones_says_so(cli, db_path):
    _contract(cli)
    result = cli("contract", "event", "HT-1", "发货", "--date", "2026-10-15")
    assert result.stderr.splitlines()[-1] == "No milestone falls due on this event"


def test_limitation_of_a_contract_runs_from_its_last_instalment(cli, db_path):
    _contract(cli)
    cli("contract", "event", "HT-1", "签约", "--date", "2023-01-03")
    cli("contract", "event", "HT-1", "验收", "--date", "2023-10-09")
    rows = json.loads(cli("limitation", "--as-of", "2026-11-30", "-f", "json").stdout)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    starts = {r["invoice"] if "invoice" in r else r["number"]: r for r in rows}
    first, second = starts["HT-1-1"], starts["HT-1-2"]
    assert first["expires"] == second["expires"]  # both from the accept instalment's due date


def test_zh_table(cli, db_path, monkeypatch):
    _contract(cli)
    monkeypatch.setenv("HUIKUAN_LANG", "zh")
    out = cli("contract", "show", "HT-1", "--as-of", "2026-11-30").stdout
    assert out.splitlines()[0].strip() == "合同 HT-1：C001 上海明达机械有限公司，CNY 100,000.05"
    assert "质保金未收：10000.01" in out
    assert "待开票 100000.05" in out
