"""Bad input: exit 1 (2 for bad usage), one ``Error:`` line per problem, no traceback, no change.

Also: no ANSI escape codes in tables when colour is off (not a terminal, or ``NO_COLOR``).
"""

from __future__ import annotations

import re

import pytest
import typer.testing

ISSUE = ["--issue-date", "2026-11-01"]
ANSI = re.compile(r"\x1b\[")


@pytest.mark.parametrize(
    ("args", "column", "words"),
    [
        (["INV-9", "C999", "100", *ISSUE], "customer", ["C999"]),
        (["INV-9", "C001", "100", "--issue-date", "2026-02-30"], "issue_date", ["2026-02-30"]),
        (["INV-9", "C001", "100", *ISSUE, "--due-date", "2026-02-30"], "due_date", ["2026-02-30"]),
        (["INV-9", "C001", *ISSUE, "--", "-5"], "amount", ["-5"]),
        (["INV-9", "C001", "0", *ISSUE], "amount", ["zero"]),
        (["INV-9", "C001", "abc", *ISSUE], "amount", ["abc"]),
        (["INV-9", "C001", "1.234", *ISSUE], "amount", ["1.234"]),
        (["INV-9", "C001", "1e3", *ISSUE], "amount", ["1e3"]),
        (["INV-9", "C001", "100", *ISSUE, "--terms", "NET-THIRTY"], "terms", ["NET-THIRTY"]),
        (["INV-9", "C001", "100", *ISSUE, "--currency", "US"], "currency", ["US"]),
        (["INV-9", "C001", "100", *ISSUE, "--currency", "1234"], "currency", ["1234"]),
        (["INV-9", "C001", "100", *ISSUE, "--due-date", "2026-10-31"], "due_date", ["before"]),
        (["INV-9", "C003", "100", *ISSUE], "due_date", ["terms"]),
        (["INV-" + "9" * 70, "C001", "100", *ISSUE], "number", ["64"]),
    ],
)
def test_invoice_add_bad_value(cli, small, args, column, words):
    before = cli.snapshot()
    [error] = cli.error("invoice", "add", *args)
    assert error.startswith(f"Error: {column}: ")
    for word in words:
        assert word in error
    assert cli.snapshot() == before


def test_duplicate_invoice_number(cli, small):
    before = cli.snapshot()
    [error] = cli.error("invoice", "add", "INV-101", "C001", "100", *ISSUE)
    assert "INV-101" in error and "already exists" in error
    assert cli.snapshot() == before


def test_one_error_line_per_problem(cli, small):
    before = cli.snapshot()
    errors = cli.error(
        "invoice",
        "add",
        "INV-9",
        "C999",
        "abc",
        "--issue-date",
        "2026-02-30",
        "--currency",
        "US",
        "--terms",
        "SOMETIME",
    )
    assert [e.split(": ")[1] for e in errors] == [
        "customer",
        "issue_date",
        "amount",
        "currency",
        "terms",
    ]
    assert cli.snapshot() == before


def test_payment_add_reports_every_problem(cli, small):
    before = cli.snapshot()
    errors = cli.error(
        "payment", "add", "C999", "1.234", "--date", "2026-02-30", "--currency", "US"
    )
    assert [e.split(": ")[1] for e in errors] == ["customer", "date", "amount", "currency"]
    assert cli.snapshot() == before


def test_a_negative_amount_without_double_dash_is_bad_usage(cli, small):
    """Click reads ``-5`` as an option: exit 2, and still no change and no traceback."""
    before = cli.snapshot()
    errors = cli.error("invoice", "add", "INV-9", "C001", "-5", *ISSUE, code=2)
    assert "-5" in errors[0]
    assert cli.snapshot() == before


@pytest.mark.parametrize(
    "args",
    [
        ["invoice", "add"],
        ["invoice", "add", "INV-9", "C001"],
        ["invoice", "add", "INV-9", "C001", "100", "extra"],
        ["invoice", "add", "INV-9", "C001", "100", "--no-such-option"],
        ["invoice", "list", "--format", "yaml"],
        ["invoice", "frobnicate"],
        ["frobnicate"],
        ["customer", "add", "C009"],
        ["payment", "add", "C001"],
        ["import", "invoices"],
        ["export", "everything"],
        ["terms", "due", "NET30"],
        ["aging", "--top"],
        ["backup"],
    ],
    ids=" ".join,
)
def test_bad_usage_exits_2(cli, small, args):
    before = cli.snapshot()
    result = cli(*args, code=2)
    assert result.stdout == ""
    assert "Error:" in result.stderr
    assert cli.snapshot() == before


@pytest.mark.parametrize(
    "args",
    [
        ["terms", "due", "FOO", "2026-01-01"],
        ["terms", "due", "NET30", "2026-02-30"],
        ["terms", "due", "COD", "2026-01-01", "--delivery", "soon"],
    ],
)
def test_terms_due_errors(cli, args):
    assert len(cli.error(*args)) == 1


def test_import_errors_leave_the_ledger_alone(cli, small, tmp_path, monkeypatch):
    """The import error cases of the brief, side by side."""
    monkeypatch.chdir(tmp_path)
    cases = {
        "missing.csv": ("number,customer,amount\nX,C001,100\n", ["missing.csv:1: issue_date: "]),
        "extra.csv": (
            "number,customer,issue_date,amount,colour\nX,C001,2026-11-01,100,red\n",
            ["extra.csv:1: colour: "],
        ),
        "empty.csv": ("", ["empty.csv"]),
        "rows.csv": (
            "number,customer,issue_date,amount\n"
            "X1,C999,2026-11-01,100\n"
            "X2,C001,2026-02-30,100\n"
            "X3,C001,2026-11-01,-5\n"
            "X4,C001,2026-11-01,0\n"
            "X5,C001,2026-11-01,abc\n"
            "X6,C001,2026-11-01,1.234\n"
            "INV-101,C001,2026-11-01,100\n",
            [
                "rows.csv:2: customer: ",
                "rows.csv:3: issue_date: ",
                "rows.csv:4: amount: ",
                "rows.csv:5: amount: ",
                "rows.csv:6: amount: ",
                "rows.csv:7: amount: ",
                "rows.csv:8: number: ",
            ],
        ),
    }
    before = cli.snapshot()
    for name, (text, starts) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        errors = cli.error("import", "invoices", name)
        assert len(errors) == len(starts), errors
        for error, start in zip(errors, starts, strict=True):
            assert error.startswith("Error: " + start), (error, start)
    assert cli.snapshot() == before


def test_unknown_aging_by(cli, small):
    [error] = cli.error("aging", "--by", "colour", code=2)
    assert "customer, salesperson, segment, region" in error


@pytest.mark.sqlite_only("a ledger file holding something else")
def test_a_file_that_is_not_a_ledger(cli, db_path):
    db_path.write_bytes(b"this is not sqlite" * 100)
    [error] = cli.error("aging")
    assert str(db_path) in error
    [error] = cli.error("init")
    assert db_path.read_bytes() == b"this is not sqlite" * 100


def test_a_bad_config_file(cli, small, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[ledger\ncurrency = ", encoding="utf-8")
    [error] = cli.error("--config", str(bad), "aging")
    assert "bad.toml" in error


# --- colour ---------------------------------------------------------------------------------

TABLE_COMMANDS = [
    ["aging", "--as-of", "2026-11-22"],
    ["aging", "--as-of", "2026-11-22", "--detail"],
    ["customer", "list"],
    ["customer", "show", "C001"],
    ["invoice", "list"],
    ["invoice", "show", "INV-103"],
    ["payment", "list", "--all"],
    ["statement", "C001"],
    ["doctor"],
    ["export", "invoices", "--format", "table"],
]


@pytest.fixture
def terminal(monkeypatch):
    """Make the runner's stdout claim to be a colour terminal."""
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "200")
    for var in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLORTERM"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize("args", TABLE_COMMANDS, ids=" ".join)
def test_no_colour_with_no_color_set(cli, small, args):
    out = cli(*args, "--format", "table").stdout if "--format" not in args else cli(*args).stdout
    assert out.strip()
    assert not ANSI.search(out)


def test_no_colour_when_piped_even_without_no_color(cli, small, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    for var in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(var, raising=False)
    for args in TABLE_COMMANDS:
        out = cli(*args).stdout
        assert not ANSI.search(out), args


@pytest.mark.parametrize("args", TABLE_COMMANDS, ids=" ".join)
def test_no_escape_codes_on_a_terminal_with_no_color(cli, small, terminal, args):
    out = cli(*args).stdout
    assert out.strip()
    assert not ANSI.search(out), repr(out[:300])


def test_colour_on_a_terminal_without_no_color(cli, small, terminal, monkeypatch):
    """The other side of the tests above: they can fail."""
    monkeypatch.delenv("NO_COLOR")
    out = cli("aging", "--as-of", "2026-11-22").stdout
    assert ANSI.search(out)


def test_machine_formats_never_have_escape_codes(cli, small, terminal, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    for fmt in ("json", "jsonl", "csv"):
        assert not ANSI.search(cli("aging", "--as-of", "2026-11-22", "--format", fmt).stdout)


def test_errors_have_no_escape_codes(cli, small, terminal, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    result = cli("aging", "--by", "colour", code=2)
    assert not ANSI.search(result.stderr)
