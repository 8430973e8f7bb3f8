"""importer.py / sources.py: formats, encodings, stdin, all-or-nothing, FILE:LINE reports (§5)."""

from __future__ import annotations

import io
import re
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import Book, write_csv, write_json

from huikuan.core.calendar import make_calendar
from huikuan.core.errors import HuikuanError, ImportFailed
from huikuan.store.db import sa_of

CUST_HEADER = ["code", "name", "segment", "region", "salesperson", "terms"]
CUSTOMERS = [
    ["C001", "上海宏达机械有限公司", "制造", "华东", "张伟", "月结30天"],
    ["C002", "北京鑫源科技有限公司", "科技", "华北", "李娜", "NET60"],
    ["C003", "广州恒通贸易有限公司", "贸易", "华南", "王芳", ""],
]
INV_HEADER = ["number", "customer", "issue_date", "amount", "due_date", "terms", "currency"]
MESSAGE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<col>[a-z_()]+): (?P<why>.+)$")


@pytest.fixture
def ledger(book: Book, tmp_path: Path) -> Book:
    """A ledger with the three customers above (C003 has no default terms)."""
    book.import_("customers", write_csv(tmp_path / "customers.csv", CUST_HEADER, CUSTOMERS))
    return book


def _names(book: Book) -> dict[str, str]:
    return dict(book.execute("SELECT code, name FROM customer"))


def _fail(book: Book, kind: str, file: Path | str, **kw: object) -> ImportFailed:
    before = {t: book.count(t) for t in ("customer", "invoice", "payment", "allocation", "audit")}
    with pytest.raises(ImportFailed) as info:
        book.import_(kind, file, **kw)
    after = {t: book.count(t) for t in before}
    assert after == before, "a failed import must write nothing"
    return info.value


# --- encodings and formats -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_customer_csv_encodings_are_detected(
    book: Book, tmp_path: Path, encoding: str, detected: str
) -> None:
    f = write_csv(tmp_path / "c.csv", CUST_HEADER, CUSTOMERS, encoding=encoding)
    if encoding == "utf-8-sig":
        assert f.read_bytes().startswith(b"\xef\xbb\xbf")
    result = book.import_("customers", f)
    assert (result.rows, result.encoding) == (3, detected)
    assert _names(book) == {code: name for code, name, *_ in CUSTOMERS}
    # the BOM is not glued to the first column name
    assert book.execute("SELECT terms FROM customer WHERE code = 'C001'").fetchone() == ("EOM30",)


def test_gb18030_only_characters(book: Book, tmp_path: Path) -> None:
    name = "𠮷野家餐饮有限公司"  # 𠮷 is outside GBK
    with pytest.raises(UnicodeEncodeError):
        name.encode("gbk")
    f = write_csv(tmp_path / "c.csv", ["code", "name"], [["C9", name]], encoding="gb18030")
    assert book.import_("customers", f).encoding == "gb18030"
    assert _names(book) == {"C9": name}


def test_explicit_encoding(book: Book, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "c.csv", CUST_HEADER, CUSTOMERS, encoding="gbk")
    assert book.import_("customers", f, encoding="gbk").rows == 3
    assert _names(book)["C002"] == "北京鑫源科技有限公司"


def test_wrong_or_unknown_encoding(book: Book, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "c.csv", CUST_HEADER, CUSTOMERS, encoding="gbk")
    err = _fail(book, "customers", f, encoding="utf-8")
    assert err.messages[0].startswith(f"{f}: not valid utf-8 text")
    with pytest.raises(HuikuanError, match="unknown encoding"):
        book.import_("customers", f, encoding="klingon-8")
    assert book.count("customer") == 0


def test_invoices_json_array(ledger: Book, tmp_path: Path) -> None:
    f = write_json(
        tmp_path / "inv.json",
        [
            {"number": "J1", "customer": "C002", "issue_date": "2026-03-02", "amount": 1234.5},
            {
                "number": "J2",
                "customer": "C003",
                "issue_date": "2026-03-02",
                "amount": "1,000.00",
                "due_date": "2026-04-01",
                "currency": "usd",
                "description": "备件",
            },
        ],
    )
    assert ledger.import_("invoices", f).rows == 2
    rows = ledger.execute(
        "SELECT number, amount, currency, due_date, terms, description FROM invoice ORDER BY number"
    ).fetchall()
    assert rows == [
        ("J1", 123450, "CNY", "2026-05-01", "NET60", None),
        ("J2", 100000, "USD", "2026-04-01", None, "备件"),
    ]


def test_invoices_jsonl_and_line_numbers(ledger: Book, tmp_path: Path) -> None:
    good = {"number": "L1", "customer": "C001", "issue_date": "2026-03-02", "amount": "10"}
    f = write_json(tmp_path / "inv.jsonl", [good, {**good, "number": "L2"}], lines=True)
    assert ledger.import_("invoices", f).rows == 2
    # blank lines are skipped, but line numbers are file lines
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"number": "L3", "customer": "C001", "issue_date": "2026-03-02", "amount": "10"}\n'
        "\n"
        '{"number": "L4", "customer": "C001", "issue_date": "2026-03-02", "amount": 1.005}\n'
        "not json\n"
        '["a list"]\n',
        encoding="utf-8",
    )
    err = _fail(ledger, "invoices", bad)
    assert err.messages[0] == f"{bad}:3: amount: more than two decimal places: '1.005'"
    assert err.messages[1].startswith(f"{bad}:4: not valid JSON")
    assert err.messages[2] == f"{bad}:5: expected a JSON object"


def test_json_records_are_numbered_by_position(ledger: Book, tmp_path: Path) -> None:
    good = {"number": "P1", "customer": "C001", "issue_date": "2026-03-02", "amount": "10"}
    f = write_json(
        tmp_path / "inv.json",
        [good, {**good, "number": "P2", "customer": "NOPE"}, {**good, "number": "P3", "x": 1}],
    )
    err = _fail(ledger, "invoices", f)
    assert err.messages == [
        f"{f}:2: customer: unknown customer 'NOPE'",
        f"{f}:3: x: unknown column",
    ]
    only_extra = write_json(tmp_path / "extra.json", [good, {**good, "number": "P3", "x": 1}])
    assert _fail(ledger, "invoices", only_extra).messages == [f"{only_extra}:2: x: unknown column"]
    assert ledger.import_("invoices", only_extra, ignore_extra=True).rows == 2
    assert ledger.open() == {"P1": 1000, "P3": 1000}


def test_json_format_by_option_and_bad_json(ledger: Book, tmp_path: Path) -> None:
    f = tmp_path / "inv.txt"
    write_json(f, [{"number": "O1", "customer": "C001", "issue_date": "2026-01-01", "amount": 5}])
    assert ledger.import_("invoices", f, input_format="json").rows == 1
    broken = tmp_path / "broken.json"
    broken.write_text('[{"number": "O2",\n  "amount": }]', encoding="utf-8")
    err = _fail(ledger, "invoices", broken)
    assert err.messages[0].startswith(f"{broken}:2: not valid JSON")
    obj = tmp_path / "obj.json"
    obj.write_text('{"number": "O3"}', encoding="utf-8")
    assert "expected a JSON array" in _fail(ledger, "invoices", obj).messages[0]
    with pytest.raises(HuikuanError, match="unknown input format"):
        ledger.import_("invoices", f, input_format="ods")


def test_stdin_via_sys_stdin(ledger: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = "number,customer,issue_date,amount\nS1,C001,2026-01-05,88.80\n".encode("gbk")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    result = ledger.import_("invoices", "-")
    assert (result.file, result.rows) == ("<stdin>", 1)
    assert not sys.stdin.closed  # stdin is not ours to close
    assert ledger.open() == {"S1": 8880}


def test_stdin_gbk_and_json(ledger: Book) -> None:
    data = "code,name\nC010,杭州西湖茶业有限公司\n".encode("gbk")
    result = ledger.import_("customers", "-", stdin=io.BytesIO(data))
    assert (result.file, result.encoding) == ("<stdin>", "gb18030")
    assert _names(ledger)["C010"] == "杭州西湖茶业有限公司"
    js = b'[{"customer": "C010", "date": "2026-01-02", "amount": "5"}]'
    assert ledger.import_("payments", "-", stdin=io.BytesIO(js), input_format="json").rows == 1


def test_stdin_errors_are_labelled(ledger: Book) -> None:
    data = b"number,customer,issue_date,amount\nS1,C001,2026-01-05,-1\n"
    err = _fail(ledger, "invoices", "-", stdin=io.BytesIO(data))
    assert err.messages == ["<stdin>:2: amount: must not be negative: '-1'"]


# --- all-or-nothing and the FILE:LINE reports ------------------------------------------------


BAD_INVOICE_ROWS = [
    (["X", "C001", "2026-02-30", "100", "", "", ""], "issue_date", "no such date: '2026-02-30'"),
    (["X", "C001", "2026-01-01", "100", "2026-02-30", "", ""], "due_date", "no such date"),
    (["X", "C001", "2026-01-01", "-5", "", "", ""], "amount", "must not be negative"),
    (["X", "C001", "2026-01-01", "0", "", "", ""], "amount", "must be greater than zero"),
    (["X", "C001", "2026-01-01", "0.00", "", "", ""], "amount", "must be greater than zero"),
    (["X", "C001", "2026-01-01", "abc", "", "", ""], "amount", "not a number: 'abc'"),
    (["X", "C001", "2026-01-01", "1.234", "", "", ""], "amount", "more than two decimal places"),
    (["X", "C001", "2026-01-01", "NaN", "", "", ""], "amount", "not a number"),
    (["X", "C001", "2026-01-01", "", "", "", ""], "amount", "is required"),
    (["X", "C999", "2026-01-01", "100", "", "", ""], "customer", "unknown customer 'C999'"),
    (["X", "", "2026-01-01", "100", "", "", ""], "customer", "is required"),
    (["", "C001", "2026-01-01", "100", "", "", ""], "number", "is required"),
    (
        ["X", "C001", "2026-01-10", "100", "2026-01-09", "", ""],
        "due_date",
        "2026-01-09 is before the issue date 2026-01-10",
    ),
    (["X", "C001", "2026-01-10", "100", "", "NET3X", ""], "terms", "unknown terms code 'NET3X'"),
    (["X", "C001", "2026-01-10", "100", "", "", "RMBY"], "currency", "must be 3 letters"),
    (["X", "C001", "2026-01-10", "100", "", "", "¥"], "currency", "must be 3 letters"),
    (["X", "C003", "2026-01-10", "100", "", "", ""], "due_date", "no due_date or terms"),
    (["X", "C001", "22/11/2026", "100", "", "", ""], "issue_date", "not a date"),
]


@pytest.mark.parametrize(("row", "col", "why"), BAD_INVOICE_ROWS)
def test_one_bad_row_writes_nothing(
    ledger: Book, tmp_path: Path, row: list[str], col: str, why: str
) -> None:
    good = ["G1", "C001", "2026-01-01", "100", "", "", ""]
    good2 = ["G2", "C002", "2026-01-01", "100", "", "", ""]
    f = write_csv(tmp_path / "inv.csv", INV_HEADER, [good, row, good2])
    err = _fail(ledger, "invoices", f)
    assert len(err.messages) == 1, err.messages
    m = MESSAGE.match(err.messages[0])
    assert m is not None, err.messages[0]
    assert (m["file"], m["line"], m["col"]) == (str(f), "3", col)
    assert why in m["why"]
    assert err.summary and err.summary.startswith("nothing imported")


def test_every_bad_row_is_reported(ledger: Book, tmp_path: Path) -> None:
    rows = [["G1", "C001", "2026-01-01", "100", "", "", ""]]
    rows += [row for row, _, _ in BAD_INVOICE_ROWS[:6]]
    rows += [["X2", "C001", "2026-02-30", "-1", "", "", "RMBY"]]  # three problems, one row
    f = write_csv(tmp_path / "inv.csv", INV_HEADER, rows)
    err = _fail(ledger, "invoices", f)
    lines = [int(MESSAGE.match(m)["line"]) for m in err.messages]  # type: ignore[index]
    assert lines == [3, 4, 5, 6, 7, 8, 9, 9, 9]
    assert err.summary == "nothing imported: 9 problem(s) in 7 row(s)"


def test_dates_in_other_forms_are_accepted(ledger: Book, tmp_path: Path) -> None:
    rows = [
        ["D1", "C002", "2026/11/22", "100", "", "", ""],
        ["D2", "C002", "2026年11月22日", "100", "2026年12月1日", "", ""],
        ["D3", "C002", "2026/1/5", "100", "", "", ""],
    ]
    f = write_csv(tmp_path / "inv.csv", INV_HEADER, rows, encoding="gbk")
    assert ledger.import_("invoices", f).rows == 3
    rows_ = ledger.execute("SELECT number, issue_date, due_date FROM invoice ORDER BY number")
    assert rows_.fetchall() == [
        ("D1", "2026-11-22", "2027-01-21"),
        ("D2", "2026-11-22", "2026-12-01"),
        ("D3", "2026-01-05", "2026-03-06"),
    ]


def test_duplicate_number_within_the_file(ledger: Book, tmp_path: Path) -> None:
    rows = [
        ["A1", "C001", "2026-01-01", "100", "", "", ""],
        ["A2", "C001", "2026-01-01", "100", "", "", ""],
        ["A1", "C002", "2026-01-02", "5", "", "", ""],
    ]
    f = write_csv(tmp_path / "inv.csv", INV_HEADER, rows)
    err = _fail(ledger, "invoices", f)
    assert err.messages == [f"{f}:4: number: duplicate 'A1' (earlier in this file)"]


def test_duplicate_number_already_in_the_ledger(ledger: Book, tmp_path: Path) -> None:
    first = write_csv(
        tmp_path / "a.csv", INV_HEADER, [["A1", "C001", "2026-01-01", "100", "", "", ""]]
    )
    ledger.import_("invoices", first)
    rows = [
        ["B1", "C001", "2026-01-01", "100", "", "", ""],
        ["A1", "C002", "2026-01-02", "5", "", "", ""],
    ]
    f = write_csv(tmp_path / "b.csv", INV_HEADER, rows)
    err = _fail(ledger, "invoices", f)
    assert err.messages == [f"{f}:3: number: duplicate 'A1' (already in the ledger)"]
    assert ledger.open() == {"A1": 10000}


def test_duplicate_customer_code(ledger: Book, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "c.csv", ["code", "name"], [["C100", "新"], ["C001", "重复"]])
    err = _fail(ledger, "customers", f)
    assert err.messages == [f"{f}:3: code: duplicate 'C001' (already in the ledger)"]


def test_missing_required_column(ledger: Book, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "inv.csv", ["number", "customer", "amount"], [["A", "C001", "1"]])
    err = _fail(ledger, "invoices", f)
    assert err.messages == [f"{f}:1: issue_date: missing required column"]
    f = write_csv(tmp_path / "pay.csv", ["customer", "amount"], [["C001", "1"]])
    assert _fail(ledger, "payments", f).messages == [f"{f}:1: date: missing required column"]


def test_unknown_column_and_ignore_extra(ledger: Book, tmp_path: Path) -> None:
    header = ["Number", " customer ", "issue_date", "amount", "部门"]  # names are trimmed/lowered
    f = write_csv(tmp_path / "inv.csv", header, [["A", "C001", "2026-01-01", "1", "x"]])
    err = _fail(ledger, "invoices", f)
    assert len(err.messages) == 1
    assert err.messages[0].startswith(f"{f}:1: 部门: unknown column")
    assert ledger.import_("invoices", f, ignore_extra=True).rows == 1
    assert ledger.open() == {"A": 100}


def test_duplicate_column(ledger: Book, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "inv.csv",
        ["number", "customer", "issue_date", "amount", "amount"],
        [["A", "C001", "2026-01-01", "1", "2"]],
    )
    assert _fail(ledger, "invoices", f).messages == [
        f"{f}:1: amount: column appears more than once"
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty file"),
        ("blank.csv", b"\n\n", "empty file"),
        ("bom.csv", b"\xef\xbb\xbf", "empty file"),
        ("header.csv", b"number,customer,issue_date,amount\r\n", "no rows to import"),
        ("empty.json", b"[]", "empty file"),
        ("empty.jsonl", b"\n", "no rows to import"),
    ],
)
def test_empty_files(ledger: Book, tmp_path: Path, name: str, content: bytes, message: str) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    err = _fail(ledger, "invoices", f)
    assert err.messages[0].startswith(str(f))
    assert message in err.messages[0]


def test_missing_file(ledger: Book, tmp_path: Path) -> None:
    err = _fail(ledger, "invoices", tmp_path / "nope.csv")
    assert "cannot open" in err.messages[0]


def test_row_with_wrong_number_of_fields(ledger: Book, tmp_path: Path) -> None:
    f = tmp_path / "inv.csv"
    f.write_text(
        "number,customer,issue_date,amount\nA,C001,2026-01-01,1\nB,C001,2026-01-01\n\nC,C001,2026-01-01,1\n",
        encoding="utf-8",
    )
    err = _fail(ledger, "invoices", f)
    assert err.messages == [f"{f}:3: row has 3 fields but the header has 4"]


def test_line_numbers_count_multiline_fields(ledger: Book, tmp_path: Path) -> None:
    f = tmp_path / "inv.csv"
    f.write_text(
        "number,customer,issue_date,amount,description\n"
        'A,C001,2026-01-01,1,"two\nlines"\n'
        "B,C001,2026-01-01,x,\n",
        encoding="utf-8",
    )
    assert _fail(ledger, "invoices", f).messages == [f"{f}:4: amount: not a number: 'x'"]


def test_messy_and_clean_rows_store_the_same(ledger: Book, tmp_path: Path) -> None:
    clean = write_csv(
        tmp_path / "clean.csv",
        [*INV_HEADER, "salesperson"],
        [["M1", "C001", "2026-01-15", "1234.50", "", "NET45", "USD", "张伟"]],
    )
    messy = write_csv(
        tmp_path / "messy.csv",
        [*INV_HEADER, "salesperson"],
        [[" M2 ", " C001", "2026/1/15", "¥1,234.50", " ", "net45", "usd", " 张伟 "]],
    )
    ledger.import_("invoices", clean)
    ledger.import_("invoices", messy)
    rows = ledger.execute(
        "SELECT number, customer_id, issue_date, due_date, amount, currency, terms, salesperson,"
        " open_amount FROM invoice ORDER BY number"
    ).fetchall()
    assert rows[0][1:] == rows[1][1:]
    assert rows[0] == ("M1", 1, "2026-01-15", "2026-03-01", 123450, "USD", "NET45", "张伟", 123450)
    assert rows[1][0] == "M2"


# --- due dates and the calendar --------------------------------------------------------------


def test_due_dates_from_terms_roll_to_working_days(ledger: Book, tmp_path: Path) -> None:
    ledger.calendar = make_calendar("CN")
    rows = [
        ["T1", "C002", "2026-09-01", "1", "", "NET30", ""],  # 2026-10-01 holiday -> 10-08
        ["T2", "C002", "2026-09-01", "1", "2026-10-01", "", ""],  # given: kept as given
        ["T3", "C001", "2026-08-10", "1", "", "", ""],  # customer's 月结30天: 09-30 (Wed)
        ["T4", "C002", "2026-09-04", "1", "", "账期1天", ""],  # Sat 09-05 -> Mon 09-07
    ]
    f = write_csv(tmp_path / "inv.csv", INV_HEADER, rows)
    ledger.import_("invoices", f)
    assert [ledger.due(n) for n in ("T1", "T2", "T3", "T4")] == [
        "2026-10-08",
        "2026-10-01",
        "2026-09-30",
        "2026-09-07",
    ]


def test_invoices_due_in_a_year_without_calendar_data_still_import(
    ledger: Book, tmp_path: Path
) -> None:
    cal = make_calendar("CN")
    ledger.calendar = cal
    last = cal.data_years.stop - 1
    rows = [
        # NET30 from Dec 20 of the last known year is due next January
        ["Y1", "C002", f"{last}-12-20", "1", "", "NET30", ""],
        ["Y2", "C002", f"{last + 1}-03-02", "1", "", "", ""],  # issued in the unknown year
        ["Y3", "C002", f"{last + 1}-01-01", "1", f"{last + 1}-02-01", "", ""],
    ]
    f = write_csv(tmp_path / "inv.csv", INV_HEADER, rows)
    assert ledger.import_("invoices", f).rows == 3
    assert ledger.due("Y3") == f"{last + 1}-02-01"
    y1 = date.fromisoformat(ledger.due("Y1"))
    assert y1.year == last + 1 and y1.weekday() < 5  # weekends-only fallback
    assert last + 1 in cal.missing_years  # so the CLI can say so on stderr


# --- payments --------------------------------------------------------------------------------


PAY_HEADER = ["customer", "date", "amount", "invoice", "currency", "reference", "method"]


def test_payment_import_problems(ledger: Book, tmp_path: Path) -> None:
    ledger.import_(
        "invoices",
        write_csv(
            tmp_path / "inv.csv",
            INV_HEADER,
            [
                ["I1", "C001", "2026-01-01", "100", "", "", ""],
                ["I2", "C002", "2026-01-01", "100", "", "", "USD"],
            ],
        ),
    )
    rows = [
        ["C001", "2026-02-01", "10", "I1", "", "R1", "bank"],  # fine
        ["C001", "2026-02-01", "10", "NOPE", "", "", ""],
        ["C001", "2026-02-01", "10", "I2", "", "", ""],
        ["C002", "2026-02-01", "10", "I2", "CNY", "", ""],
        ["C001", "2026-02-30", "10", "", "", "", ""],
        ["C001", "2026-02-01", "10", "", "", "R1", ""],  # same bank serial, same customer
    ]
    f = write_csv(tmp_path / "pay.csv", PAY_HEADER, rows)
    err = _fail(ledger, "payments", f)
    assert err.messages == [
        f"{f}:3: invoice: unknown invoice 'NOPE'",
        f"{f}:4: invoice: invoice I2 belongs to another customer",
        f"{f}:5: currency: CNY differs from invoice I2's USD",
        f"{f}:6: date: no such date: '2026-02-30'",
        f"{f}:7: reference: a payment with reference 'R1' is already recorded for this customer",
    ]
    assert ledger.open() == {"I1": 10000, "I2": 10000}


def test_successful_import_is_audited(ledger: Book, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "inv.csv", INV_HEADER, [["I1", "C001", "2026-01-01", "100", "", "", ""]]
    )
    ledger.import_("invoices", f)
    row = ledger.execute(
        "SELECT username, action, entity, key, detail FROM audit WHERE entity = 'invoices'"
    ).fetchone()
    assert row[:4] == ("tester", "import", "invoices", str(f))
    assert '"rows": 1' in row[4]


@pytest.mark.parametrize(
    ("row", "col", "why"),
    [
        (["C9", "", "", ""], "name", "is required"),
        (["C 9", "名", "", ""], "code", "without spaces"),
        (["C9", "名", "not-an-email", ""], "email", "not an email address"),
        (["C9", "名", "", "fr"], "language", "must be zh or en"),
    ],
)
def test_bad_customer_rows(
    ledger: Book, tmp_path: Path, row: list[str], col: str, why: str
) -> None:
    f = write_csv(tmp_path / "c.csv", ["code", "name", "email", "language"], [row])
    err = _fail(ledger, "customers", f)
    assert len(err.messages) == 1
    m = MESSAGE.match(err.messages[0])
    assert m is not None and (m["line"], m["col"]) == ("2", col)
    assert why in m["why"]


def test_bulk_invoice_import(ledger: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files of several MB take the bulk path (indexes rebuilt afterwards): same rules.
    (On PostgreSQL the same file through its own importer: the same rows and errors.)"""
    from huikuan.store import ledger as L

    dropped: list[int] = []
    real_drop = L.drop_indexes

    def drop(conn: object, *tables: str) -> list[tuple[str, str]]:
        out = real_drop(conn, *tables)  # type: ignore[arg-type]
        dropped.append(len(out))
        return out

    monkeypatch.setattr(L, "drop_indexes", drop)

    def indexes() -> list[str]:
        return sorted(i["name"] for i in sa.inspect(sa_of(ledger.conn)).get_indexes("invoice"))

    before = indexes()
    n = 140_000
    lines = ["number,customer,issue_date,amount,due_date,description"]
    lines += [
        f"B{i:07d},C00{i % 2 + 1},2026-01-{i % 28 + 1:02d},{i % 5000 + 1}.50,2026-03-01,bulk import padding text"
        for i in range(n)
    ]
    big = tmp_path / "big.csv"
    big.write_text("\n".join([*lines, "B0000007,C001,2026-01-01,1,,"]) + "\n", encoding="utf-8")
    assert big.stat().st_size > 8 << 20
    err = _fail(ledger, "invoices", big)
    assert err.messages == [f"{big}:{n + 2}: number: duplicate 'B0000007' (earlier in this file)"]
    assert indexes() == before
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert ledger.import_("invoices", big).rows == n
    assert indexes() == before
    if ledger.led.dialect == "sqlite":  # both imports took the bulk path
        assert len(dropped) == 2 and dropped[0] > 0
    else:  # PostgreSQL's importer keeps the indexes
        assert dropped == []
    total = sum(i % 5000 + 1 for i in range(n)) * 100 + 50 * n
    assert ledger.execute("SELECT SUM(open_amount) FROM invoice").fetchone() == (total,)


def test_utf8_detection_when_the_sniffed_head_ends_inside_a_character(
    book: Book, tmp_path: Path
) -> None:
    head = 1 << 20  # what sources.py sniffs

    def content(pad: str) -> bytes:
        rows = [
            f"C{i:05d}{pad if i == 0 else ''},上海宏达机械有限公司第{i}分公司"
            for i in range(25_000)
        ]
        return ("code,name\n" + "\n".join(rows) + "\n").encode("utf-8")

    for pad in ("", "x", "xx"):
        data = content(pad)
        if (data[head] & 0xC0) == 0x80:  # byte at the cut is a continuation byte
            break
    assert len(data) > head and (data[head] & 0xC0) == 0x80
    f = tmp_path / "c.csv"
    f.write_bytes(data)
    result = book.import_("customers", f)
    assert (result.rows, result.encoding) == (25_000, "utf-8")
    assert _names(book)["C24999"] == "上海宏达机械有限公司第24999分公司"
