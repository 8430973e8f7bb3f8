"""``huikuan credit …`` against a real ledger built with huikuan's own commands.

As of 2026-11-22:

- GOOD (limit 10,000.00, NET30): INV-G1 1,000.00 due 2026-03-31 paid 2026-03-20 and INV-G2
  2,000.00 due 2026-06-30 paid 2026-06-30 (both on time); INV-G3 3,000.00 due 2026-12-10 open.
- BAD (limit 100,000.00): INV-B1 5,000.00 due 2026-07-25, unpaid: 120 days overdue.
- NEW: no invoices, no limit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from huikuan.cli import app

AS_OF = "2026-11-22"
SETUP = [
    ["init"],
    ["customer", "add", "GOOD", "好客户有限公司", "--terms", "NET30", "--credit-limit", "10000"],
    ["customer", "add", "BAD", "Slow Payer Ltd", "--credit-limit", "100000"],
    ["customer", "add", "NEW", "新客户"],
    [
        "invoice",
        "add",
        "INV-G1",
        "GOOD",
        "1000",
        "--issue-date",
        "2026-03-01",
        "--due-date",
        "2026-03-31",
    ],
    [
        "invoice",
        "add",
        "INV-G2",
        "GOOD",
        "2000",
        "--issue-date",
        "2026-06-01",
        "--due-date",
        "2026-06-30",
    ],
    [
        "invoice",
        "add",
        "INV-G3",
        "GOOD",
        "3000",
        "--issue-date",
        "2026-11-10",
        "--due-date",
        "2026-12-10",
    ],
    [
        "invoice",
        "add",
        "INV-B1",
        "BAD",
        "5000",
        "--issue-date",
        "2026-06-25",
        "--due-date",
        "2026-07-25",
    ],
    ["payment", "add", "GOOD", "1000", "--date", "2026-03-20", "--invoice", "INV-G1"],
    ["payment", "add", "GOOD", "2000", "--date", "2026-06-30", "--invoice", "INV-G2"],
]
INPUTS = ["--current-ratio", "1.5", "--debt-ratio", "0.5", "--industry-outlook", "3"]


def run(*args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(app, list(args), input=input)
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result


@pytest.fixture
def ledger() -> None:
    for args in SETUP:
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)


def score(code: str, *extra: str) -> dict[str, object]:
    result = run("credit", "score", code, "--as-of", AS_OF, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def assessments(code: str) -> list[object]:
    result = run("credit", "show", code, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["history"]  # type: ignore[no-any-return]


def test_on_time_payer_scores_higher_character_than_120_days_overdue(ledger: None) -> None:
    good, bad = score("GOOD", *INPUTS), score("BAD", *INPUTS)
    assert good["scores"]["character"] == 100  # type: ignore[index]
    # BAD: 0% on time; 120 days late on average -> 13.33; worst 120 days -> 20:
    # 0.4*0 + 0.3*13.33 + 0.3*20 = 10
    assert bad["scores"]["character"] == 10  # type: ignore[index]
    assert good["scores"]["capacity"] == bad["scores"]["capacity"] == 70  # type: ignore[index]
    assert any("120 days overdue" in r for r in bad["reasons"])  # type: ignore[attr-defined]


def test_score_json_contract(ledger: None) -> None:
    doc = score("NEW", "--character", "80", "--expected-monthly-sales", "30000")
    assert set(doc) >= {
        "customer", "date", "scores", "weights", "total", "rating",
        "recommended_limit", "recommended_terms", "reasons", "missing",
    }  # fmt: skip
    assert doc["customer"] == "NEW" and doc["date"] == AS_OF
    assert set(doc["scores"]) == {"character", "capacity", "capital", "collateral", "conditions"}  # type: ignore[arg-type]
    assert doc["scores"]["character"] == 80  # type: ignore[index]
    assert isinstance(doc["recommended_limit"], str)
    assert "current_ratio" in doc["missing"]  # type: ignore[operator]
    # 0.35*80 + 0.2*40 + 0.2*40 + 0.1*0 + 0.15*50 = 51.5 -> 52: B; NET15 x 0.6
    assert (doc["total"], doc["rating"], doc["recommended_terms"]) == (52, "B", "NET15")
    assert doc["recommended_limit"] == "9000.00"  # 30,000 x 0.5 month x 60%


def test_score_from_json_file_and_stdin(ledger: None, tmp_path: Path) -> None:
    path = tmp_path / "inputs.json"
    path.write_text('{"quick_ratio": 0.9, "industry_outlook": 4}', encoding="utf-8")
    from_file = score("GOOD", "--from", str(path))
    from_stdin = json.loads(
        run("credit", "score", "GOOD", "--as-of", AS_OF, "--from", "-", "-f", "json",
            input=path.read_text()).stdout
    )  # fmt: skip
    assert from_file["scores"] == from_stdin["scores"]
    assert len(assessments("GOOD")) == 2  # history kept, never overwritten


def test_dry_run_stores_nothing(ledger: None) -> None:
    score("GOOD", "--dry-run")
    assert assessments("GOOD") == []


@pytest.mark.parametrize(
    "args",
    [
        ["credit", "score", "NOPE"],
        ["credit", "score", "GOOD", "--current-ratio", "-1"],
        ["credit", "score", "GOOD", "--debt-ratio", "much"],
        ["credit", "score", "GOOD", "--industry-outlook", "6"],
        ["credit", "check", "GOOD", "--amount", "abc"],
        ["credit", "check", "GOOD", "--amount", "-5"],
        ["credit", "check", "NOPE", "--amount", "5"],
        ["credit", "apply", "GOOD"],
    ],
)
def test_bad_input_exit_1_clear_error_nothing_stored(ledger: None, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert assessments("GOOD") == []


def test_bad_json_input_file(ledger: None, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"quick_ratio": -0.5, "colour": "red"}', encoding="utf-8")
    result = run("credit", "score", "GOOD", "--from", str(path))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2
    assert assessments("GOOD") == []


def test_weights_not_summing_to_one_in_config(ledger: None, tmp_path: Path) -> None:
    cfg = tmp_path / "huikuan.toml"
    cfg.write_text("[credit.weights]\ncharacter = 0.9\n", encoding="utf-8")
    result = run("--config", str(cfg), "credit", "score", "GOOD")
    assert result.exit_code == 1
    assert "must sum to 1" in result.stderr
    assert assessments("GOOD") == []


def check(code: str, amount: str) -> tuple[int, dict[str, object]]:
    result = run("credit", "check", code, "--amount", amount, "--as-of", AS_OF, "-f", "json")
    return result.exit_code, json.loads(result.stdout)


def test_check_allowed_exit_0_exact_json(ledger: None) -> None:
    code, doc = check("GOOD", "5,000")
    assert code == 0
    assert doc == {
        "customer": "GOOD",
        "allowed": True,
        "limit": "10000.00",
        "exposure": "3000.00",
        "available": "7000.00",
        "reasons": ["within the limit: 2,000.00 CNY left after this sale"],
        "amount": "5000.00",
        "currency": "CNY",
        "as_of": AS_OF,
    }


def test_check_over_limit_exit_3(ledger: None) -> None:
    code, doc = check("GOOD", "7000.01")
    assert code == 3
    assert doc["allowed"] is False
    assert doc["reasons"] == [
        "exposure 3,000.00 + 7,000.01 = 10,000.01 CNY exceeds the limit 10,000.00"
    ]


def test_check_overdue_hold_exit_3(ledger: None) -> None:
    code, doc = check("BAD", "1")
    assert code == 3
    assert doc["reasons"] == ["invoice INV-B1 is 120 days overdue (credit hold after 60 days)"]
    # as of a date when it was only 60 days overdue, there is no hold yet
    result = run("credit", "check", "BAD", "--amount", "1", "--as-of", "2026-09-23")
    assert result.exit_code == 0


def test_check_blocked_exit_3(ledger: None) -> None:
    assert run("customer", "block", "GOOD", "--reason", "bounced cheque").exit_code == 0
    code, doc = check("GOOD", "1")
    assert code == 3
    assert doc["reasons"] == ["customer GOOD is blocked: bounced cheque"]


def test_check_without_limit_says_no(ledger: None) -> None:
    code, doc = check("NEW", "1")
    assert code == 3 and doc["limit"] is None
    assert "no credit limit" in doc["reasons"][0]  # type: ignore[index]


def test_check_as_a_shell_gate_prints_reasons_in_table(ledger: None) -> None:
    result = run("credit", "check", "BAD", "--amount", "1", "--as-of", AS_OF)
    assert result.exit_code == 3
    assert "NO: hold this credit sale" in result.stdout


def test_apply_adopts_limit_and_terms_and_is_audited(ledger: None, ledger_rows: Any) -> None:
    doc = score("NEW", "--character", "80", "--expected-monthly-sales", "30000")
    result = run("credit", "apply", "NEW")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(run("customer", "show", "NEW", "-f", "json").stdout)
    assert shown["credit_limit"] == doc["recommended_limit"] == "9000.00"
    assert shown["terms"] == "NET15"
    rows = ledger_rows("SELECT action FROM audit WHERE entity = 'credit' ORDER BY id")
    actions = [r[0] for r in rows]
    assert actions == ["assess", "apply"]


def test_list_stale_and_by_rating(ledger: None) -> None:
    score("GOOD", *INPUTS)
    rows = json.loads(run("credit", "list", "--as-of", AS_OF, "-f", "json").stdout)
    good = next(r for r in rows if r["code"] == "GOOD")
    assert (good["exposure"], good["available"], good["last_assessed"]) == (
        "3000.00",
        "7000.00",
        AS_OF,
    )
    stale = json.loads(
        run("credit", "list", "--stale", "30", "--as-of", AS_OF, "-f", "json").stdout
    )
    assert [r["code"] for r in stale] == ["BAD", "NEW"]  # GOOD was assessed today
    later = json.loads(
        run("credit", "list", "--stale", "30", "--as-of", "2027-01-31", "-f", "json").stdout
    )
    assert [r["code"] for r in later] == ["BAD", "GOOD", "NEW"]
    groups = json.loads(
        run("credit", "list", "--by", "rating", "--as-of", AS_OF, "-f", "json").stdout
    )
    # GOOD: 0.35*100 + 0.2*70 + 0.2*70 + 0.1*0 + 0.15*50 = 70.5 -> 71: A
    assert [(g["rating"], g["customers"]) for g in groups] == [("A", 1), ("unrated", 2)]


def test_risk_matrix(ledger: None) -> None:
    score("BAD", *INPUTS)
    doc = json.loads(run("credit", "matrix", "--as-of", AS_OF, "-f", "json").stdout)
    by = {r["rating"]: r for r in doc["rows"]}
    assert by["C"]["91-180"] == "5000.00" and by["C"]["total"] == "5000.00"
    assert by["unrated"]["current"] == "3000.00"
