"""Hostile input (issue 11), part 2: files, text and spreadsheet cells.

Every case ends in one ``Error:`` line (exit 1) or a usage error (exit 2), never a traceback
(the ``cli`` fixture checks that), and the ledger is unchanged.
"""

from __future__ import annotations

import time

import pytest

from huikuan.store import importer

HEADER = "number,customer,issue_date,amount"
ROW = "X1,C001,2026-11-01,100"


def _file(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return str(path)


# --- 4. spreadsheet formula injection --------------------------------------------------------

EVIL = {"name": "=1+2", "segment": "@SUM(A1)", "salesperson": "-2+3", "phone": "+86 138"}


@pytest.fixture
def evil(cli, ledger):
    cli("customer", "add", "C1", EVIL["name"], "--segment", EVIL["segment"],
        "--salesperson", EVIL["salesperson"], "--phone", EVIL["phone"])  # fmt: skip
    cli("customer", "add", "C2", "'=already quoted")
    cli("invoice", "add", "I1", "C1", "100", "--date", "2026-01-01", "--due-date", "2026-02-01",
        "--description", '=HYPERLINK("http://x","y")', "--contract", "-1")  # fmt: skip
    cli("payment", "add", "C2", "50", "--date", "2026-01-01", "--reference", "+R1")
    return ledger


def test_text_cells_are_neutralised_in_csv_exports(cli, evil):
    assert cli("export", "customers").stdout.splitlines()[1:] == [
        "C1,'=1+2,'@SUM(A1),,'-2+3,,'+86 138,zh,,",
        "C2,''=already quoted,,,,,,zh,,",
    ]
    invoice = cli("export", "invoices").stdout.splitlines()[1]
    assert (
        invoice == 'I1,C1,2026-01-01,100.00,2026-02-01,,CNY,-1,,"\'=HYPERLINK(""http://x"",""y"")",'
    )
    assert cli("export", "payments").stdout.splitlines()[1] == "C2,2026-01-01,50.00,,CNY,'+R1,"


def test_reports_in_csv_neutralise_text_but_not_numbers(cli, evil):
    out = cli("statement", "C2", "--as-of", "2026-12-01", "-f", "csv").stdout.splitlines()
    assert out[1] == "2026-01-01,payment,'+R1,,CNY,0.00,50.00,-50.00"  # -50.00 stays a number
    assert "C1,'=1+2,'@SUM(A1),,'-2+3," in cli("customer", "list", "-f", "csv").stdout
    # JSON and tables show the text as it is
    assert '"=1+2"' in cli("customer", "list", "-f", "json").stdout


def test_export_import_round_trips(cli, evil, tmp_path):
    exported = {k: cli("export", k).stdout for k in ("customers", "invoices", "payments")}
    for kind, text in exported.items():
        (tmp_path / f"{kind}.csv").write_text(text, encoding="utf-8")
    other = ["--db", str(tmp_path / "other.db")]
    cli(*other, "init")
    for kind in exported:
        cli(*other, "import", kind, str(tmp_path / f"{kind}.csv"))
    assert {k: cli(*other, "export", k).stdout for k in exported} == exported
    shown = cli(*other, "customer", "show", "C1", "-f", "json").stdout
    assert '"name": "=1+2"' in shown and '"salesperson": "-2+3"' in shown


# --- 5. files and numbers that used to be tracebacks -----------------------------------------


def test_a_csv_field_over_128_kib(cli, small, tmp_path):
    before = cli.snapshot()
    path = _file(tmp_path, "big.csv", f"{HEADER}\nX1,C001,2026-11-01,{'1' * 200_000}\n")
    assert cli.error("import", "invoices", path) == [
        f"Error: {path}:2: cannot read the CSV: a field is longer than 131072 characters"
    ]
    assert cli.snapshot() == before


@pytest.mark.parametrize("second_process", [True, False])
def test_a_50_mb_line(cli, small, tmp_path, monkeypatch, second_process):
    if not second_process:
        monkeypatch.setattr(importer, "PARALLEL_BYTES", 1 << 40)
    before = cli.snapshot()
    path = _file(tmp_path, "line.csv", f'{HEADER}\nX1,C001,2026-11-01,"{"x" * (50 << 20)}"\n')
    [error] = cli.error("import", "invoices", path)
    assert error.endswith(":2: cannot read the CSV: a field is longer than 131072 characters")
    assert cli.snapshot() == before


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_deeply_nested_json(cli, small, tmp_path, name):
    before = cli.snapshot()
    path = _file(tmp_path, name, "[" * 100_000 + "]" * 100_000 + "\n")
    [error] = cli.error("import", "invoices", path)
    assert error == f"Error: {path}:1: not valid JSON: nested too deeply"
    [error] = cli.error("credit", "score", "C001", "--from", path)
    assert error == f"Error: {path}:1: not valid JSON: nested too deeply"
    assert cli.snapshot() == before


@pytest.mark.parametrize(
    "record",
    [
        '{"number": "X\\ud800", "customer": "C001", "issue_date": "2026-11-01", "amount": 1}',
        '{"number": "X1", "customer": "C001", "issue_date": "2026-11-01", "amount": 1, "\\udcff": 1}',
    ],
)
def test_a_lone_surrogate_in_json(cli, small, tmp_path, record):
    before = cli.snapshot()
    for name, text in (("s.json", f"[{record}]"), ("s.jsonl", record + "\n")):
        [error] = cli.error("import", "invoices", _file(tmp_path, name, text))
        assert error.endswith(": not valid Unicode text (a lone surrogate)"), error
    assert cli.snapshot() == before


def test_a_lone_surrogate_on_the_command_line(cli, small):
    """Bytes that are not UTF-8 in argv reach Python as lone surrogates."""
    before = cli.snapshot()
    [error] = cli.error("customer", "add", "C\udcff", "x")
    assert error.startswith("Error: code: must be one line without control characters")
    assert cli.snapshot() == before


@pytest.mark.parametrize(
    "args",
    [
        ["customer", "show", "C\udcff"],
        ["invoice", "list", "--customer", "C\udcff"],
        ["payment", "add", "C\udcff", "100"],
        ["import", "customers", "f\udcff.csv"],
    ],
    ids=" ".join,
)
def test_a_lone_surrogate_in_a_lookup(cli, small, args):
    before = cli.snapshot()
    [error] = cli.error(*args)
    assert "\\udcff" in error, error
    assert cli.snapshot() == before


def test_a_file_name_too_long(cli, small, tmp_path):
    [error] = cli.error("backup", str(tmp_path / ("x" * 5000)))
    assert error.endswith(": File name too long") and len(error) < 200


def test_encoding_utf_16(cli, small, tmp_path):
    before = cli.snapshot()
    text = f"{HEADER}\n{ROW}\n"
    for raw in (text.encode("utf-8"), text.encode("utf-16-le")):
        path = _file(tmp_path, "u.csv", raw)
        assert cli.error("import", "invoices", path, "--encoding", "utf-16") == [
            f"Error: {path}: not valid utf-16 text (UTF-16 stream does not start with BOM); "
            "try --encoding gb18030 or utf-8"
        ]
    assert cli.snapshot() == before
    cli(
        "import",
        "invoices",
        _file(tmp_path, "b.csv", text.encode("utf-16")),
        "--encoding",
        "utf-16",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["aging", "--buckets", "99999999999999999999"], "--buckets: at most 50 bucket limits of at most 36500 days"),
        (["aging", "--buckets", "9" * 5000], "--buckets: buckets must be whole numbers of days"),
        (["aging", "--buckets", ",".join(map(str, range(1, 60)))], "--buckets: at most 50 bucket limits"),
        (["letter", "plan", "C001", "--every", "99999999999"], "--every must be month or a number of days from 1 to 366"),
        (["letter", "plan", "C001", "--every", "²"], "--every must be month or a number of days from 1 to 366"),
        (["cost", "delay", "--margin", "1e400%", "--rate", "5%"], "--margin: 1e400% is out of range for a percentage"),
        (["cost", "delay", "--margin", "10%", "--rate", "1e400%"], "--rate: 1e400% is out of range for a percentage"),
        (["cost", "bad-debt", "--amount", "500", "--margin", "1e-400%"], "--margin: 1e-400% is out of range"),
        (["credit", "score", "C001", "--industry-outlook", "9" * 5000], "industry_outlook: must be a whole number from 1 to 5"),
        (["credit", "score", "C001", "--character", "²"], "character: must be a whole number from 0 to 100"),
    ],
)  # fmt: skip
def test_numbers_out_of_range(cli, small, args, message):
    before = cli.snapshot()
    [error] = cli.error(*args)
    assert error.startswith(f"Error: {message}"), error
    assert len(error) < 300
    assert cli.snapshot() == before


def test_a_config_that_cannot_be_read(cli, small, tmp_path):
    cfg = tmp_path / "huikuan.toml"
    for text in (f"[aging]\nbuckets = [{'9' * 5000}]\n", "x = " + "[" * 5000 + "]" * 5000 + "\n"):
        cfg.write_text(text, encoding="utf-8")
        [error] = cli.error("--config", str(cfg), "aging")
        assert error.startswith(f"Error: cannot read config {cfg}: ")


# --- 6. control characters in stored text ----------------------------------------------------

CONTROL = {"ESC": "\x1b[2J", "NUL": "\x00", "CR": "\r", "LF": "\n", "TAB": "\t"}
LINE = "must be one line without control characters"
TEXT = "must be text without control characters"
# args with {} where the text goes; the field the error names; free text (line breaks allowed)
FIELDS = [
    (["customer", "add", "C{}9", "x"], "code", False),
    (["customer", "add", "C009", "x{}z"], "name", False),
    (["customer", "add", "C009", "x", "--segment", "s{}z"], "segment", False),
    (["customer", "add", "C009", "x", "--email", "a{}@b.cn"], "email", False),
    (["customer", "edit", "C001", "--salesperson", "s{}z"], "salesperson", False),
    (["contact", "add", "C001", "Bob{}z"], "name", False),
    (["contact", "add", "C001", "Bob", "--title", "t{}z"], "title", False),
    (["contact", "add", "C001", "Bob", "--note", "n{}z"], "note", True),
    (["invoice", "add", "T{}1", "C001", "100"], "number", False),
    (["invoice", "add", "T01", "C001", "100", "--contract", "K{}z"], "contract", False),
    (["invoice", "add", "T01", "C001", "100", "--salesperson", "s{}z"], "salesperson", False),
    (["invoice", "add", "T01", "C001", "100", "--milestone", "m{}z"], "milestone", False),
    (["invoice", "add", "T01", "C001", "100", "--description", "d{}z"], "description", True),
    (["payment", "add", "C001", "100", "--reference", "R{}z"], "reference", False),
    (["payment", "add", "C001", "100", "--method", "m{}z"], "method", False),
    (["credit-note", "add", "C001", "10", "--number", "N{}z"], "reference", False),
    (["credit-note", "add", "C001", "10", "--reason", "r{}z"], "--reason", False),
    (["invoice", "dispute", "INV-101", "--reason", "r{}z"], "--reason", False),
    (["customer", "block", "C001", "--reason", "r{}z"], "--reason", False),
    (["write-off", "add", "INV-101", "--reason", "r{}z"], "--reason", False),
    (["log", "add", "C001", "--channel", "phone", "--evidence", "e{}z"], "--evidence", False),
    (["log", "add", "C001", "--channel", "phone", "--note", "n{}z"], "--note", True),
    (["promise", "add", "C001", "--amount", "1", "--date", "2026-12-30", "--note", "n{}z"], "--note", True),
]  # fmt: skip


def _control_cases() -> list[object]:
    """Every field × control character, but LF in free text (it may span lines: tested below)."""
    return [
        pytest.param(args, field, free, char, id=f"{' '.join(args[:2])} {field} {char}")
        for args, field, free in FIELDS
        for char in CONTROL
        if not (free and char == "LF")
    ]


@pytest.mark.parametrize(("args", "field", "free", "char"), _control_cases())
def test_control_characters_in_stored_text(cli, small, args, field, free, char):
    before = cli.snapshot()
    [error] = cli.error(*(a.replace("{}", CONTROL[char]) for a in args))
    reason = TEXT if free else LINE
    if field == "code" and char in ("CR", "LF", "TAB"):  # white space: its own rule
        reason = "must be 1-64 characters without spaces or commas"
    assert error.startswith(f"Error: {field}: {reason}: "), error
    assert "\x1b" not in error and "\x00" not in error and "\r" not in error
    assert cli.snapshot() == before


def test_free_text_may_span_lines(cli, small):
    cli("contact", "add", "C001", "Bob", "--note", "line 1\r\nline 2")
    assert '"note": "line 1\\nline 2"' in cli("contact", "list", "C001", "-f", "json").stdout


def test_a_user_name_with_control_characters_is_a_usage_error(cli, small):
    before = cli.snapshot()
    result = cli("--user", "me\x1b[2J", "invoice", "dispute", "INV-101", "--reason", "x", code=2)
    assert "Invalid value for '--user'" in result.stderr
    assert cli.snapshot() == before


@pytest.mark.parametrize(
    ("kind", "text", "column"),
    [
        ("invoices", f"{HEADER},description\nX\x1b1,C001,2026-11-01,100,\n", "number"),
        ("invoices", f"{HEADER},contract\nX1,C001,2026-11-01,100,K\x1b[2J\n", "contract"),
        ("invoices", f'{HEADER},description\nX1,C001,2026-11-01,100,"a\x00b"\n', "description"),
        ("payments", "customer,date,amount,reference\nC001,2026-11-01,5,R\tx\n", "reference"),
        ("customers", "code,name\nC009,x\x1by\n", "name"),
        ("customers", "code,name\nC\x009,x\n", "code"),
    ],
)
def test_control_characters_in_imports(cli, small, tmp_path, kind, text, column):
    before = cli.snapshot()
    [error] = cli.error("import", kind, _file(tmp_path, "c.csv", text))
    assert f":2: {column}: " in error and "control characters" in error, error
    assert cli.snapshot() == before


def test_control_characters_in_a_json_key(cli, small, tmp_path):
    path = _file(tmp_path, "k.jsonl", '{"code": "C009", "name": "x", "a\\u001b[2J": "1"}\n')
    [error] = cli.error("import", "customers", path)
    assert error == f"Error: {path}:1: a\\x1b[2J: a column name must be one line of text"


# --- 7. lenient input ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["amount", "Amount", " AMOUNT "])
def test_duplicate_keys_in_a_json_object(cli, small, tmp_path, key):
    before = cli.snapshot()
    record = f'{{"number": "X1", "customer": "C001", "issue_date": "2026-11-01", "amount": 1, "{key}": 2}}'
    for name, text in (("d.json", f"[{record}]"), ("d.jsonl", record + "\n")):
        path = _file(tmp_path, name, text)
        assert cli.error("import", "invoices", path) == [
            f"Error: {path}:1: {key}: the key appears more than once in the object"
        ]
    [error] = cli.error(
        "credit", "score", "C001", "--from", "-", input='{"net_worth": 1, "net_worth": 2}'
    )
    assert error == "Error: -: net_worth: the key appears more than once in the object"
    assert cli.snapshot() == before


def test_a_100k_column_header_is_refused_quickly(cli, small, tmp_path):
    before = cli.snapshot()
    path = _file(tmp_path, "wide.csv", ",".join(f"c{i}" for i in range(100_000)) + "\n")
    start = time.perf_counter()
    assert cli.error("import", "invoices", path, "--ignore-extra") == [
        f"Error: {path}:1: the header has 100000 columns (at most 1000)"
    ]
    assert time.perf_counter() - start < 5
    assert cli.snapshot() == before


def test_a_wide_header_within_the_cap_is_checked_in_linear_time(cli, small, tmp_path):
    extra = [f"x{i}" for i in range(996)]
    path = _file(
        tmp_path,
        "w.csv",
        ",".join([HEADER, *extra]) + "\n" + ",".join([ROW, *["" for _ in extra]]) + "\n",
    )
    cli("import", "invoices", path, "--ignore-extra")
    dupes = _file(tmp_path, "d.csv", f"{HEADER},number,amount\n{ROW},X,1\n")
    assert [e.split(": ")[2] for e in cli.error("import", "invoices", dupes)] == [
        "amount",
        "number",
    ]
