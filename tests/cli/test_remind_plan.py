"""Dunning planning end to end: step-by-step escalation (the default) on the demo ledger and on
a long-overdue invoice, no runs on non-working days, ``remind plan`` showing exactly what
``remind run`` records (limitation tasks included), every invoice recorded at a level listed
by the round's letters, and ``remind todo`` counting only what a person logged by the day.
"""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path
from typing import Any

import pytest
from ledger_sql import ledger_rows

Action = tuple[str, str, str, str]


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    box = tmp_path / "outbox"
    monkeypatch.setenv("HUIKUAN_OUTBOX", str(box))
    company = tmp_path / "company.toml"  # letters are not sent with a blank letterhead
    company.write_text(COMPANY, "utf-8")
    monkeypatch.setenv("HUIKUAN_CONFIG", str(company))
    return box


COMPANY = '[company]\nname = "杭州回款科技有限公司"\nbank = "工商银行杭州分行"\naccount = "1202 0000 1111"\n'


def _config(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "huikuan.toml"
    path.write_text(COMPANY + text, "utf-8")
    return ["--config", str(path)]


def _doc(cli: Any, *args: str) -> Any:
    return json.loads(cli(*args, "--format", "json").stdout)


def _actions(doc: Any) -> list[Action]:
    return [(a["customer"], " ".join(a["invoices"]), a["level"], a["channel"]) for a in doc["actions"]]  # fmt: skip


def _recorded(db: Path, day: str) -> list[Action]:
    """The messages and tasks a run recorded on ``day``, in the order it recorded them."""
    rows = ledger_rows(
        "SELECT c.code, m.invoices, m.level_name, m.channel FROM dunning_message m"
        " JOIN customer c ON c.id = m.customer_id WHERE m.run_date = :day ORDER BY m.id",
        day=day,
    )
    return [(code, " ".join(json.loads(inv)), level, ch) for code, inv, level, ch in rows]


def _levels(db: Path) -> list[tuple[str, str, str, str]]:
    return ledger_rows(  # type: ignore[return-value]
        "SELECT i.number, a.level_name, a.status, a.run_date FROM dunning_action a"
        " JOIN invoice i ON i.id = a.invoice_id ORDER BY i.number, a.level"
    )


# --- item 1: step by step -------------------------------------------------------------------

OLD = [
    "init",
    "customer add K1 上海明达机械有限公司 --email ap@md.example.cn",
    "invoice add I1 K1 5000 --issue-date 2026-07-01 --due-date 2026-08-03",
]


def test_a_long_overdue_invoice_climbs_one_level_per_interval(
    cli: Any, outbox: Path, db_path: Path
) -> None:
    for line in OLD:
        cli(*line.split())
    runs = {
        day: _actions(_doc(cli, "remind", "run", "--as-of", day))
        for day in ("2026-11-12", "2026-11-18", "2026-11-19", "2026-11-26", "2026-12-03", "2026-12-10")
    }  # fmt: skip
    assert runs == {
        "2026-11-12": [("K1", "I1", "overdue", "call"), ("K1", "I1", "overdue", "email")],  # 101 days
        "2026-11-18": [],  # 6 days later: within the 7-day interval
        "2026-11-19": [("K1", "I1", "demand", "letter"), ("K1", "I1", "demand", "email")],
        "2026-11-26": [("K1", "I1", "escalate", "escalate")],
        "2026-12-03": [("K1", "I1", "visit", "visit")],
        "2026-12-10": [("K1", "I1", "final", "letter"), ("K1", "I1", "final", "legal")],
    }  # fmt: skip
    assert _levels(db_path) == [
        ("I1", "friendly", "skipped", "2026-11-12"),
        ("I1", "overdue", "done", "2026-11-12"),
        ("I1", "demand", "done", "2026-11-19"),
        ("I1", "escalate", "done", "2026-11-26"),
        ("I1", "visit", "done", "2026-12-03"),
        ("I1", "final", "done", "2026-12-10"),
    ]


def test_jump_keeps_the_catch_up(cli: Any, outbox: Path, db_path: Path, tmp_path: Path) -> None:
    for line in OLD:
        cli(*line.split())
    cfg = _config(tmp_path, '[dunning.policies.standard]\nescalation = "jump"\n')
    first = _doc(cli, *cfg, "remind", "run", "--as-of", "2026-11-12")
    assert _actions(first) == [("K1", "I1", "final", "letter"), ("K1", "I1", "final", "legal")]
    assert [(lv, st) for _, lv, st, _ in _levels(db_path)] == [
        *((name, "skipped") for name in ("friendly", "overdue", "demand", "escalate", "visit")),
        ("final", "done"),
    ]


def test_demo_first_run_never_sends_a_final_demand(
    cli: Any, outbox: Path, db_path: Path, tmp_path: Path
) -> None:
    cli("init", "--demo")
    jump = _config(tmp_path, '[dunning]\nescalation = "jump"\n')
    before = _doc(cli, *jump, "remind", "plan", "--as-of", "2026-11-30")
    assert len({a["customer"] for a in before["actions"] if a["level"] == "final"}) == 7
    first = _doc(cli, "remind", "run", "--as-of", "2026-11-30")
    assert first["summary"]["level"] == {"overdue": 18}  # 9 customers: a call and an email
    week = _doc(cli, "remind", "run", "--as-of", "2026-12-07")
    assert set(week["summary"]["level"]) == {"demand"}  # one step up, a week later
    done = ledger_rows(
        "SELECT level_name, COUNT(*) FROM dunning_action WHERE status = 'done'"
        " GROUP BY level_name ORDER BY level_name"
    )
    assert [name for name, _ in done] == ["demand", "overdue"]


# --- item 2: non-working days -----------------------------------------------------------------

HOLIDAY = [
    "init",
    "customer add K1 明达 --email ap@md.example.cn",
    "invoice add I1 K1 800 --issue-date 2026-08-01 --due-date 2026-09-01",
]


def test_no_run_on_a_holiday_the_next_working_day_catches_up(
    cli: Any, outbox: Path, db_path: Path, tmp_path: Path
) -> None:
    for line in HOLIDAY:
        cli(*line.split())
    note = "Note: 2026-10-03 is not a working day (calendar CN): no dunning today"
    for command in ("plan", "run"):
        result = cli("remind", command, "--as-of", "2026-10-03", "--format", "json")
        assert json.loads(result.stdout) == {
            "as_of": "2026-10-03",
            "actions": [],
            "summary": {"level": {}, "channel": {}, "status": {}},
        }
        assert result.stderr.startswith(note)
    table = cli("remind", "plan", "--as-of", "2026-10-03").stdout
    assert "2026-10-03 is not a working day: nothing runs." in table
    assert _recorded(db_path, "2026-10-03") == [] and not outbox.exists()
    expected = [("K1", "I1", "overdue", "call"), ("K1", "I1", "overdue", "email")]
    on = _config(tmp_path, "[dunning]\nrun_on_holidays = true\n")
    assert _actions(_doc(cli, *on, "remind", "plan", "--as-of", "2026-10-03")) == expected
    assert _actions(_doc(cli, "remind", "run", "--as-of", "2026-10-08")) == expected


# --- item 3: the plan is the run, limitation tasks included --------------------------------

LIMITATION = [
    "init",
    "customer add K1 明达 --email ap@md.example.cn",
    "customer add K2 老客户 --email old@example.cn",
    "invoice add I1 K1 800 --issue-date 2026-09-01 --due-date 2026-10-12",
    "invoice add OLD-1 K2 300 --issue-date 2023-11-18 --due-date 2023-12-18",
]  # OLD-1's limitation period ends on 2026-12-18 (a Friday)


def _plan_then_run(cli: Any, db: Path, day: str, *cfg: str) -> list[Action]:
    plan = _actions(_doc(cli, *cfg, "remind", "plan", "--as-of", day))
    run = _actions(_doc(cli, *cfg, "remind", "run", "--as-of", day))
    assert plan == run == _recorded(db, day)
    return plan


def test_plan_shows_what_run_records_limitation_tasks_included(
    cli: Any, outbox: Path, db_path: Path
) -> None:
    for line in LIMITATION:
        cli(*line.split())
    july = _plan_then_run(cli, db_path, "2026-07-01")  # 170 days left
    assert ("K2", "OLD-1", "limitation-180", "legal") in july
    november = _plan_then_run(cli, db_path, "2026-11-02")  # 46 days left: the 60-day task only
    assert [a for a in november if a[2].startswith("limitation")] == [
        ("K2", "OLD-1", "limitation-60", "legal")
    ]
    assert _plan_then_run(cli, db_path, "2026-11-03") == []


def test_within_60_days_at_first_sight_only_the_urgent_task(
    cli: Any, outbox: Path, db_path: Path
) -> None:
    for line in LIMITATION:
        cli(*line.split())
    day = _plan_then_run(cli, db_path, "2026-11-02")
    assert [a for a in day if a[2].startswith("limitation")] == [
        ("K2", "OLD-1", "limitation-60", "legal")
    ]


def test_plan_equals_run_on_the_demo_ledger(cli: Any, outbox: Path, db_path: Path) -> None:
    cli("init", "--demo")
    assert len(_plan_then_run(cli, db_path, "2026-11-30")) == 18
    assert _plan_then_run(cli, db_path, "2026-12-07") != []


# --- item 4: an invoice recorded at a level is one the letters list ---------------------------


def _letter_text(box: Path, reference: str) -> str:
    html = box / f"{reference}.html"
    if html.exists():
        return html.read_text("utf-8")
    msg = email.message_from_bytes((box / f"{reference}.eml").read_bytes(), policy=email.policy.default)  # fmt: skip
    return "".join(str(p.get_content()) for p in msg.walk() if p.get_content_type() == "text/plain")


@pytest.mark.parametrize("escalation", ["step", "jump"])
def test_every_invoice_recorded_is_in_the_letters_of_its_round(
    cli: Any, outbox: Path, db_path: Path, tmp_path: Path, escalation: str
) -> None:
    cli("init", "--demo")
    cfg = _config(tmp_path, f'[dunning]\nescalation = "{escalation}"\n')
    for day in ("2026-11-30", "2026-12-07", "2026-12-14"):
        cli(*cfg, "remind", "run", "--as-of", day)
    done = ledger_rows(
        "SELECT i.customer_id, a.run_date, i.number FROM dunning_action a"
        " JOIN invoice i ON i.id = a.invoice_id WHERE a.status = 'done' AND a.level < 1000"
    )
    letters = ledger_rows(
        "SELECT customer_id, run_date, invoices, reference FROM dunning_message"
        " WHERE reference IS NOT NULL"
    )
    assert done and letters
    by_round: dict[tuple[int, str], set[str]] = {}
    for cid, day, number in done:
        by_round.setdefault((cid, day), set()).add(number)
    for cid, day, invoices, reference in letters:
        recorded = by_round[(cid, day)]
        assert set(json.loads(invoices)) == recorded
        text = _letter_text(outbox, reference)
        assert [n for n in sorted(recorded) if n not in text] == [], (reference, day)


# --- item 5: todo counts what a person logged, by the day -------------------------------------

TODO = [
    "init",
    "customer add K1 明达 --email ap@md.example.cn --salesperson 王丽",
    "contact add K1 陈会计 --role finance --email chen@md.example.cn",
    "invoice add I1 K1 1000 --issue-date 2026-10-01 --due-date 2026-11-02",
    "promise add K1 --amount 1000 --date 2026-11-25 --made 2026-11-20 --invoice I1",
]


def _kinds(cli: Any, day: str) -> list[str]:
    return sorted(t["kind"] for t in _doc(cli, "remind", "todo", "--as-of", day)["tasks"])


def test_todo_broken_promise_stays_until_a_person_logs_a_contact(cli: Any, outbox: Path) -> None:
    for line in TODO:
        cli(*line.split())
    run = _doc(cli, "remind", "run", "--as-of", "2026-12-01")  # delivers an email: logged
    assert ("K1", "I1", "overdue", "email") in _actions(run)
    assert [e["channel"] for e in _doc(cli, "log", "list", "K1")] == ["email"]
    assert _kinds(cli, "2026-12-01") == ["broken-promise", "call"]
    cli("log", "add", "K1", "--channel", "phone", "--date", "2026-12-03", "--invoice", "I1",
        "--outcome", "reached", "--excuse", "paid-already")  # fmt: skip
    assert _kinds(cli, "2026-12-02") == ["broken-promise", "call"]  # not logged yet on 12-02
    assert _kinds(cli, "2026-12-03") == []
    assert _kinds(cli, "2026-12-05") == ["follow-up"]  # 2 days after "we already paid"
    cli("remind", "run", "--as-of", "2026-12-08")  # the demand letter is delivered and logged
    assert "follow-up" in _kinds(cli, "2026-12-08")  # a letter sent by a run is no follow-up
    cli("log", "add", "K1", "--channel", "phone", "--date", "2026-12-09")
    assert "follow-up" in _kinds(cli, "2026-12-08")
    assert "follow-up" not in _kinds(cli, "2026-12-09")
