"""Hostile input (issue 11), part 1: amounts, dates and choices at every entry point.

Every case ends in one ``Error:`` line (exit 1) or a usage error (exit 2), never a traceback
(the ``cli`` fixture checks that), and the ledger is unchanged.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import typer.main
from ledger_sql import ledger_rows

from huikuan.cli import app

MAX = "999,999,999,999.99"
ABOVE = f"is above the maximum {MAX}"
RANGE = "outside the supported range 1900-01-01 … 2199-12-31"
HUGE = "99999999999999999999"
DIGITS = "9" * 5000  # int() refuses 4,300+ digits: must be refused before it


def _commands() -> list[tuple[str, object]]:
    """``("group command", click command)`` for every command of the app."""

    def walk(cmd: object, path: list[str]) -> list[tuple[str, object]]:
        subs = getattr(cmd, "commands", None)
        if subs is None:
            return [(" ".join(path), cmd)]
        own = [(" ".join(path), cmd)] if path and getattr(cmd, "params", None) else []
        return own + [found for name, sub in subs.items() for found in walk(sub, [*path, name])]

    return walk(typer.main.get_command(app), [])


def _ledger_rows(db: Path, table: str) -> int:
    return int(ledger_rows(f"SELECT COUNT(*) FROM {table}")[0][0])


# --- 1. amounts ------------------------------------------------------------------------------

AMOUNT_OPTIONS = [
    (["payment", "add", "C001", "{}"], "amount"),
    (["invoice", "add", "T01", "C001", "{}", "--issue-date", "2026-11-01"], "amount"),
    (["customer", "add", "C009", "x", "--credit-limit", "{}"], "credit_limit"),
    (["customer", "edit", "C001", "--credit-limit", "{}"], "credit_limit"),
    (["credit-note", "add", "C001", "{}"], "amount"),
    (["write-off", "add", "INV-101", "--reason", "x", "--amount", "{}"], "--amount"),
    (["promise", "add", "C001", "--amount", "{}", "--date", "2026-12-30"], "--amount"),
    (["credit", "check", "C001", "--amount", "{}"], "--amount"),
    (["target", "set", "王丽", "--period", "2026-Q4", "--amount", "{}"], "--amount"),
    (["cost", "bad-debt", "--amount", "{}", "--margin", "5%"], "--amount"),
    (["credit", "score", "C001", "--net-worth", "{}"], "net_worth"),
    (["credit", "score", "C001", "--net-worth", "-{}"], "net_worth"),
    (["credit", "score", "C001", "--annual-revenue", "{}"], "annual_revenue"),
]


@pytest.mark.parametrize(
    "value",
    [HUGE, "92233720368547758.07", "1000000000000", DIGITS],
    ids=["20", "2^63", "10^12", "5000"],
)
@pytest.mark.parametrize(
    ("args", "field"), AMOUNT_OPTIONS, ids=[" ".join(a[:3]) for a, _ in AMOUNT_OPTIONS]
)
def test_amount_options_above_the_maximum(cli, small, args, field, value):
    before = cli.snapshot()
    [error] = cli.error(*(a.replace("{}", value) for a in args))
    assert error.startswith(f"Error: {field}: ") and error.endswith(ABOVE), error
    assert len(error) < 200
    assert cli.snapshot() == before


@pytest.mark.parametrize(
    ("kind", "header", "row", "column"),
    [
        ("invoices", "number,customer,issue_date,amount", "X1,C001,2026-11-01,{}", "amount"),
        ("payments", "customer,date,amount", "C001,2026-11-01,{}", "amount"),
        ("customers", "code,name,credit_limit", "C009,x,{}", "credit_limit"),
    ],
)
@pytest.mark.parametrize(
    "value", [HUGE, "92233720368547758.07", DIGITS], ids=["20", "2^63", "5000"]
)
def test_import_amounts_above_the_maximum(cli, small, tmp_path, kind, header, row, column, value):
    before = cli.snapshot()
    line = row.replace("{}", value)
    csv_file = tmp_path / "a.csv"
    csv_file.write_text(f"{header}\n{line}\n", encoding="utf-8")
    obj = dict(zip(header.split(","), line.split(","), strict=True))
    number = f'"{column}": {value}'  # a JSON number, not a string
    text = json.dumps({k: v for k, v in obj.items() if k != column})[:-1] + f", {number}}}"
    json_file, jsonl_file = tmp_path / "a.json", tmp_path / "a.jsonl"
    json_file.write_text(f"[{text}]", encoding="utf-8")
    jsonl_file.write_text(text + "\n", encoding="utf-8")
    for path in (csv_file, json_file, jsonl_file):
        [error] = cli.error("import", kind, str(path))
        assert error.startswith(f"Error: {path}:") and f": {column}: " in error, error
        assert error.endswith(ABOVE)
    assert cli.snapshot() == before


def test_credit_inputs_from_json_above_the_maximum(cli, small, tmp_path):
    before = cli.snapshot()
    for text in (f'{{"net_worth": {DIGITS}}}', f'{{"net_worth": "{HUGE}"}}'):
        [error] = cli.error("credit", "score", "C001", "--from", "-", input=text)
        assert error.startswith("Error: net_worth: ") and error.endswith(ABOVE)
    assert cli.snapshot() == before


def test_config_amount_above_the_maximum(cli, small, tmp_path):
    cfg = tmp_path / "huikuan.toml"
    cfg.write_text(f'[dunning]\nmin_amount = "{HUGE}"\n', encoding="utf-8")
    [error] = cli.error("--config", str(cfg), "remind", "plan")
    assert "dunning.min_amount" in error and error.endswith(ABOVE)
    cfg.write_text(f"[dunning]\nmin_amount = {DIGITS}\n", encoding="utf-8")
    [error] = cli.error("--config", str(cfg), "remind", "plan")
    assert str(cfg) in error


def test_the_maximum_is_accepted_and_every_report_still_adds_up(cli, small):
    """Amounts at the maximum do not overflow the sums behind the reports."""
    for n in range(3):
        cli("invoice", "add", f"MAX-{n}", "C001", MAX, "--issue-date", "2026-01-05")
        cli("invoice", "add", f"OLD-{n}", "C001", MAX, "--issue-date", "1900-01-01")
    cli("payment", "add", "C001", MAX, "--date", "2199-12-31")
    cli("customer", "edit", "C001", "--credit-limit", MAX)
    for args in (
        ["aging", "--as-of", "2199-12-31"],
        ["kpi", "--from", "1900-01-01", "--to", "2199-12-31"],
        ["provision", "--as-of", "2199-12-31"],
        ["customer", "show", "C001", "--as-of", "2199-12-31"],
        ["credit", "score", "C001", "--as-of", "2199-12-31", "--dry-run"],
        ["credit", "list", "--as-of", "2199-12-31"],
        ["cost", "bad-debt", "--margin", "5%", "--as-of", "2199-12-31"],
        ["interest", "--as-of", "2199-12-31"],
        ["statement", "C001", "--as-of", "2199-12-31"],
    ):
        cli(*args, "--format", "json")


def test_amount_times_days_does_not_overflow_in_kpi(cli, ledger):
    """Two maximal amounts paid 249 years late: Σ amount × days is above 2^63 − 1."""
    cli("customer", "add", "C1", "x")
    for n in (1, 2):
        cli(
            "invoice", "add", f"I{n}", "C1", MAX, "--date", "1900-01-01", "--due-date", "1900-01-02"
        )
        cli("payment", "add", "C1", MAX, "--date", "2149-02-01", "--invoice", f"I{n}")
    doc = json.loads(cli("kpi", "--from", "2149-01-01", "--to", "2149-12-31", "-f", "json").stdout)
    days = (date(2149, 2, 1) - date(1900, 1, 1)).days  # 90977: x 10^14 fen is near 2^63
    assert doc["rows"][0]["avg_days_to_pay"] == f"{days}.0"
    assert doc["rows"][0]["collections"] == "1999999999999.98"


# --- 2. dates --------------------------------------------------------------------------------

DATE_NAMES = {"--as-of", "--date", "--issue-date", "--due-date", "--from", "--to"}
DATE_NAMES |= {"--since", "--made", "--first", "--delivery"}
# command -> the arguments it needs besides the date; True: it writes to the ledger
DATE_OPTIONS: dict[tuple[str, str], tuple[list[str], bool]] = {
    ("aging", "--as-of"): ([], False),
    ("statement", "--as-of"): (["C001"], False),
    ("statement", "--from"): (["C001"], False),
    ("limitation", "--as-of"): ([], False),
    ("provision", "--as-of"): ([], False),
    ("provision", "--since"): (["--as-of", "2199-12-31"], False),
    ("provision book", "--as-of"): ([], True),
    ("kpi", "--from"): (["--to", "2026-12-31"], False),
    ("kpi", "--to"): ([], False),
    ("interest", "--as-of"): ([], False),
    ("letter", "--as-of"): (["demand", "C001"], True),
    ("letter", "--from"): (["statement", "C001"], True),
    ("letter", "--first"): (["plan", "C001"], True),
    ("terms due", "--delivery"): (["COD", "2026-01-01"], False),
    ("customer show", "--as-of"): (["C001"], False),
    ("invoice add", "--issue-date"): (["T01", "C001", "100"], True),
    ("invoice add", "--due-date"): (["T01", "C001", "100"], True),
    ("invoice list", "--as-of"): ([], False),
    ("payment add", "--date"): (["C001", "100"], True),
    ("payment list", "--from"): ([], False),
    ("payment list", "--to"): ([], False),
    ("credit-note add", "--date"): (["C001", "100"], True),
    ("write-off add", "--date"): (["INV-101", "--reason", "x"], True),
    ("credit score", "--as-of"): (["C001"], True),
    ("credit list", "--as-of"): ([], False),
    ("credit check", "--as-of"): (["C001", "--amount", "1"], False),
    ("credit matrix", "--as-of"): ([], False),
    ("remind plan", "--as-of"): ([], False),
    ("remind run", "--as-of"): ([], True),
    ("remind todo", "--as-of"): ([], False),
    ("log add", "--date"): (["C001", "--channel", "phone"], True),
    ("log list", "--from"): ([], False),
    ("log list", "--to"): ([], False),
    ("promise add", "--date"): (["C001", "--amount", "1"], True),
    ("promise add", "--made"): (["C001", "--amount", "1", "--date", "2026-12-30"], True),
    ("promise list", "--as-of"): ([], False),
    ("cost bad-debt", "--as-of"): (["--margin", "5%"], False),
    ("cost bad-debt", "--from"): (["--margin", "5%"], False),
    ("contract event", "--date"): (["HT-1", "签约"], True),
    ("contract show", "--as-of"): (["HT-1"], False),
    ("contract list", "--as-of"): ([], False),
    ("invoice edit", "--due-date"): (["INV-101", "--reason", "x"], True),
    ("invoice void", "--date"): (["INV-101", "--reason", "x"], True),
    ("payment reverse", "--date"): (["1", "--reason", "x"], True),
    ("audit", "--since"): ([], False),
}


def test_every_date_option_is_in_the_sweep():
    found = {
        (name, opt)
        for name, cmd in _commands()
        for param in getattr(cmd, "params", [])
        for opt in param.opts
        if opt in DATE_NAMES and not (name == "credit score" and opt == "--from")  # a file
    }
    found -= {("invoice add", "--date")}  # the alias of --issue-date
    found -= {("db copy", "--to")}  # a ledger, not a date
    assert found == set(DATE_OPTIONS)


def _date_cases() -> list[object]:
    """Both extremes everywhere; the days just outside the range where a command writes."""
    return [
        pytest.param(key, value, id=f"{' '.join(key)} {value}")
        for key, (_, writes) in DATE_OPTIONS.items()
        for value in ("0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31")
        if writes or value in ("0001-01-01", "9999-12-31")
    ]


@pytest.mark.parametrize(("key", "value"), _date_cases())
def test_dates_outside_the_range_in_every_command(cli, small, key, value):
    (command, option), (args, writes) = key, DATE_OPTIONS[key]
    before = cli.snapshot() if writes else None
    [error] = cli.error(*command.split(), *args, option, value)
    field = option
    if command in ("invoice add", "payment add", "credit-note add"):  # named as the columns
        field = option.lstrip("-").replace("-", "_")
    assert error == f"Error: {field}: {value} is {RANGE}"
    if writes:
        assert cli.snapshot() == before
        for table in ("dunning_action", "letter", "credit_assessment", "contact_log", "promise"):
            assert _ledger_rows(small, table) == 0, table


def test_terms_due_date_argument_and_the_range_ends(cli, small):
    assert cli.error("terms", "due", "NET30", "0001-01-01") == [
        f"Error: DATE: 0001-01-01 is {RANGE}"
    ]
    assert cli("terms", "due", "NET30", "1900-01-01").stdout.strip() == "1900-01-31"
    cli("aging", "--as-of", "2199-12-31")
    cli("aging", "--as-of", "1900-01-01")


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_import_dates_outside_the_range(cli, small, tmp_path, value):
    before = cli.snapshot()
    files = {
        "i.csv": f"number,customer,issue_date,amount\nX1,C001,{value},100\n",
        "d.csv": f"number,customer,issue_date,amount,due_date\nX1,C001,2026-01-01,100,{value}\n",
        "i.json": json.dumps(
            [{"number": "X1", "customer": "C001", "issue_date": value, "amount": 1}]
        ),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        [error] = cli.error("import", "invoices", str(tmp_path / name))
        assert error.endswith(f"date: {value} is {RANGE}"), error
    (tmp_path / "p.jsonl").write_text(
        json.dumps({"customer": "C001", "date": value, "amount": "5"}) + "\n", encoding="utf-8"
    )
    [error] = cli.error("import", "payments", str(tmp_path / "p.jsonl"))
    assert error.endswith(f":1: date: {value} is {RANGE}")
    assert cli.snapshot() == before


def test_config_dates_outside_the_range(cli, small, tmp_path):
    cfg = tmp_path / "huikuan.toml"
    for value in ("0001-01-01", '"9999-12-31"'):
        cfg.write_text(f"[calendar]\nholidays = [{value}]\n", encoding="utf-8")
        [error] = cli.error("--config", str(cfg), "aging")
        assert "calendar.holidays" in error and RANGE in error


def test_remind_run_far_ahead_writes_nothing(cli, small):
    """It used to write 150 actions and then overflow."""
    cli.error("remind", "run", "--as-of", "9999-12-31")
    assert _ledger_rows(small, "dunning_action") == 0
    assert _ledger_rows(small, "dunning_message") == 0


def test_kpi_periods_are_capped(cli, small):
    [error] = cli.error("kpi", "--from", "1900-01-01", "--to", "2199-12-31", "--period", "month")
    assert "more than 480 periods" in error
    [error] = cli.error("target", "set", "王丽", "--period", "0000", "--amount", "1")
    assert error == f"Error: --period: period 0000: the year is {RANGE}"


# --- 3. choices: usage errors ----------------------------------------------------------------

CHOICES = [
    (["aging", "--by", "foo"], "--by"),
    (["aging", "--basis", "foo"], "--basis"),
    (["provision", "--by", "region"], "--by"),
    (["kpi", "--by", "region"], "--by"),
    (["kpi", "--period", "week"], "--period"),
    (["credit", "list", "--by", "colour"], "--by"),
    (["invoice", "list", "--status", "late"], "--status"),
    (["promise", "list", "--status", "late"], "--status"),
    (["log", "add", "C001", "--channel", "pigeon"], "--channel"),
    (["log", "add", "C001", "--channel", "phone", "--outcome", "maybe"], "--outcome"),
    (["log", "add", "C001", "--channel", "phone", "--excuse", "dog-ate-it"], "--excuse"),
    (["playbook", "dog-ate-it"], "code"),
    (["contact", "add", "C001", "Bob", "--role", "boss"], "--role"),
    (["customer", "add", "C009", "x", "--language", "fr"], "--language"),
    (["customer", "edit", "C001", "--language", "fr"], "--language"),
    (["letter", "memo", "C001"], "kind"),
    (["letter", "demand", "C001", "--format", "docx"], "--format"),
    (["letter", "demand", "C001", "--lang", "fr"], "--lang"),
    (["letter", "plan", "C001", "--instalments", "0"], "--instalments"),
    (["letter", "plan", "C001", "--instalments", HUGE], "--instalments"),
    (["import", "invoices", "x.csv", "--input-format", "xml"], "--input-format"),
    (["aging", "--format", "yaml"], "--format"),
]


@pytest.mark.parametrize(("args", "option"), CHOICES, ids=[" ".join(a) for a, _ in CHOICES])
def test_an_invalid_choice_is_a_usage_error(cli, small, args, option):
    before = cli.snapshot()
    result = cli(*args, code=2)
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: ")
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert error.startswith(f"Error: Invalid value for '{option}'"), error
    assert cli.snapshot() == before


def test_choices_are_still_forgiving_where_they_were(cli, small):
    cli(
        "log", "add", "C001", "--channel", "Phone", "--outcome", "no_answer", "--date", "2026-11-01"
    )
    cli("contact", "add", "C001", "Bob", "--role", "legal-rep")
    cli("customer", "edit", "C001", "--language", "EN")


# --- 7. lenient input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["invoice", "dispute", "INV-101", "--reason", ""],
        ["invoice", "dispute", "INV-101", "--reason", "   "],
        ["customer", "block", "C001", "--reason", ""],
        ["write-off", "add", "INV-101", "--reason", ""],
        ["credit-note", "add", "C001", "5", "--reason", ""],
    ],
    ids=" ".join,
)
def test_an_empty_reason_is_refused(cli, small, args):
    before = cli.snapshot()
    assert cli.error(*args) == ["Error: --reason: must not be empty"]
    assert cli.snapshot() == before


@pytest.mark.parametrize(
    "args",
    [
        ["invoice", "add", "T01", "C001", "100", "--date", ""],
        ["payment", "add", "C001", "100", "--date", ""],
        ["credit-note", "add", "C001", "100", "--date", ""],
        ["write-off", "add", "INV-101", "--reason", "x", "--date", ""],
        ["log", "add", "C001", "--channel", "phone", "--date", ""],
        ["promise", "add", "C001", "--amount", "1", "--date", ""],
        ["payment", "list", "--from", ""],
        ["log", "list", "--to", ""],
        ["statement", "C001", "--from", ""],
        ["letter", "statement", "C001", "--from", ""],
        ["terms", "due", "COD", "2026-01-01", "--delivery", ""],
        ["aging", "--as-of", ""],
    ],
    ids=" ".join,
)
def test_an_empty_date_is_not_today(cli, small, args):
    before = cli.snapshot()
    [error] = cli.error(*args)
    assert error.endswith(("is empty", "is required")), error
    assert cli.snapshot() == before
