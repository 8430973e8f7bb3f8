"""``aging`` (every flag, every format, the exact JSON contract) and ``statement``."""

from __future__ import annotations

import csv
import json

import pytest

AS_OF = "2026-11-22"
DUE = ["current", "1-30", "31-60", "61-90", "91-180", "181-365", "365+"]
ISSUE = ["0-30", "31-60", "61-90", "91-180", "181-365", "365+"]

# The small ledger (see conftest.py) aged on 2026-11-22, by customer, due basis.
EXPECTED_AGING = {
    "as_of": "2026-11-22",
    "basis": "due",
    "by": "customer",
    "buckets": ["current", "1-30", "31-60", "61-90", "91-180", "181-365", "365+"],
    "rows": [
        {
            "key": "C001",
            "name": "上海明达机械有限公司",
            "currency": "CNY",
            "current": "4400.00",
            "1-30": "0.00",
            "31-60": "1200.00",
            "61-90": "0.00",
            "91-180": "0.00",
            "181-365": "0.00",
            "365+": "1500.00",
            "total": "7100.00",
            "unapplied": "0.00",
        },
        {
            "key": "C002",
            "name": "Acme Inc",
            "currency": "USD",
            "current": "0.00",
            "1-30": "1000.00",
            "31-60": "0.00",
            "61-90": "0.00",
            "91-180": "250.00",
            "181-365": "0.00",
            "365+": "0.00",
            "total": "1250.00",
            "unapplied": "0.00",
        },
        {
            "key": "C004",
            "name": "Delta",
            "currency": "CNY",
            "current": "0.00",
            "1-30": "0.00",
            "31-60": "0.00",
            "61-90": "800.00",
            "91-180": "0.00",
            "181-365": "0.00",
            "365+": "0.00",
            "total": "800.00",
            "unapplied": "0.00",
        },
        {
            "key": "C005",
            "name": "Epsilon",
            "currency": "CNY",
            "current": "0.00",
            "1-30": "0.00",
            "31-60": "0.00",
            "61-90": "0.00",
            "91-180": "0.00",
            "181-365": "800.00",
            "365+": "0.00",
            "total": "800.00",
            "unapplied": "0.00",
        },
        {
            "key": "C003",
            "name": "苏州小厂",
            "currency": "CNY",
            "current": "0.00",
            "1-30": "0.00",
            "31-60": "0.00",
            "61-90": "0.00",
            "91-180": "0.00",
            "181-365": "0.00",
            "365+": "0.00",
            "total": "0.00",
            "unapplied": "100.00",
        },
    ],
    "totals": [
        {
            "currency": "CNY",
            "current": "4400.00",
            "1-30": "0.00",
            "31-60": "1200.00",
            "61-90": "800.00",
            "91-180": "0.00",
            "181-365": "800.00",
            "365+": "1500.00",
            "total": "8700.00",
            "unapplied": "100.00",
        },
        {
            "currency": "USD",
            "current": "0.00",
            "1-30": "1000.00",
            "31-60": "0.00",
            "61-90": "0.00",
            "91-180": "250.00",
            "181-365": "0.00",
            "365+": "0.00",
            "total": "1250.00",
            "unapplied": "0.00",
        },
    ],
}

EXPECTED_CSV = """\
key,name,currency,current,1-30,31-60,61-90,91-180,181-365,365+,total,unapplied
C001,上海明达机械有限公司,CNY,4400.00,0.00,1200.00,0.00,0.00,0.00,1500.00,7100.00,0.00
C002,Acme Inc,USD,0.00,1000.00,0.00,0.00,250.00,0.00,0.00,1250.00,0.00
C004,Delta,CNY,0.00,0.00,0.00,800.00,0.00,0.00,0.00,800.00,0.00
C005,Epsilon,CNY,0.00,0.00,0.00,0.00,0.00,800.00,0.00,800.00,0.00
C003,苏州小厂,CNY,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,100.00
"""


def row(labels, key, name, currency, total, unapplied="0.00", **amounts):
    """An aging row: ``amounts`` by bucket label (``_`` for ``-``, ``p`` for ``+``), rest 0.00."""
    given = {k.lstrip("b").replace("_", "-").replace("p", "+"): v for k, v in amounts.items()}
    assert set(given) <= set(labels), given
    out = {"key": key, "name": name, "currency": currency}
    out |= {lab: given.get(lab, "0.00") for lab in labels}
    return out | {"total": total, "unapplied": unapplied}


def total(labels, currency, amount, unapplied="0.00", **amounts):
    r = row(labels, "", "", currency, amount, unapplied, **amounts)
    del r["key"], r["name"]
    return r


def aging(cli, *args):
    return json.loads(cli("aging", "--as-of", AS_OF, *args, "--format", "json").stdout)


# --- the JSON contract ----------------------------------------------------------------------


def test_aging_json_is_exactly_the_contract(cli, small):
    result = cli("aging", "--as-of", AS_OF, "--format", "json")
    assert json.loads(result.stdout) == EXPECTED_AGING
    assert result.stderr == ""


def test_aging_json_key_order(cli, small):
    doc = aging(cli)
    assert list(doc) == ["as_of", "basis", "by", "buckets", "rows", "totals"]
    assert list(doc["rows"][0]) == ["key", "name", "currency", *DUE, "total", "unapplied"]
    assert list(doc["totals"][0]) == ["currency", *DUE, "total", "unapplied"]


def test_currencies_are_never_added_together(cli, small):
    out = cli("aging", "--as-of", AS_OF).stdout
    for fmt in ("json", "csv", "jsonl"):
        out += cli("aging", "--as-of", AS_OF, "--format", fmt).stdout
    assert "9950" not in out and "9,950" not in out  # 8700 CNY + 1250 USD


def test_aging_csv(cli, small):
    assert cli("aging", "--as-of", AS_OF, "--format", "csv").stdout == EXPECTED_CSV


def test_aging_jsonl_is_one_row_per_line(cli, small):
    lines = cli("aging", "--as-of", AS_OF, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == EXPECTED_AGING["rows"]


def test_aging_table(cli, small):
    out = cli("aging", "--as-of", AS_OF).stdout
    assert "Aging as of 2026-11-22 (due basis, by customer)" in out
    for header in ("key", "name", "currency", *DUE, "total", "unapplied"):
        assert header in out
    assert "上海明达机械有限公司" in out
    assert "7,100.00" in out and "8,700.00" in out and "1,250.00" in out
    assert "Total" in out
    assert "CNY by bucket" in out and "USD by bucket" in out
    assert out.index("C001") < out.index("C002") < out.index("C004") < out.index("C005")
    assert out.index("C005") < out.index("C003")


def test_aging_of_an_empty_ledger(cli, ledger):
    doc = json.loads(cli("aging", "--as-of", AS_OF, "--format", "json").stdout)
    assert doc == {
        "as_of": AS_OF,
        "basis": "due",
        "by": "customer",
        "buckets": DUE,
        "rows": [],
        "totals": [],
    }
    assert (
        cli("aging", "--as-of", AS_OF, "--format", "csv").stdout
        == EXPECTED_CSV.splitlines()[0] + "\n"
    )
    assert cli("aging", "--as-of", AS_OF, "--format", "jsonl").stdout == ""
    assert "(none)" in cli("aging", "--as-of", AS_OF).stdout


# --- --by -----------------------------------------------------------------------------------

GROUPS = {
    "salesperson": ("王丽", "李娜", "Bob"),
    "segment": ("制造", "科技", "贸易"),
    "region": ("华东", "华南", "海外"),
}


@pytest.mark.parametrize("by", GROUPS)
def test_aging_by_group(cli, small, by):
    first, second, usd = GROUPS[by]
    assert aging(cli, "--by", by) == {
        "as_of": AS_OF,
        "basis": "due",
        "by": by,
        "buckets": DUE,
        "rows": [
            row(
                DUE,
                first,
                first,
                "CNY",
                "7100.00",
                "100.00",
                current="4400.00",
                b31_60="1200.00",
                b365p="1500.00",
            ),
            row(DUE, second, second, "CNY", "1600.00", b61_90="800.00", b181_365="800.00"),
            row(DUE, usd, usd, "USD", "1250.00", b1_30="1000.00", b91_180="250.00"),
        ],
        "totals": EXPECTED_AGING["totals"],
    }


def test_aging_by_customer_is_the_default(cli, small):
    assert aging(cli, "--by", "customer") == EXPECTED_AGING


def test_aging_by_salesperson_csv_and_jsonl(cli, small):
    out = cli("aging", "--as-of", AS_OF, "--by", "salesperson", "--format", "csv").stdout
    assert out.splitlines()[0] == EXPECTED_CSV.splitlines()[0]
    assert [r["key"] for r in csv.DictReader(out.splitlines())] == ["王丽", "李娜", "Bob"]
    lines = cli(
        "aging", "--as-of", AS_OF, "--by", "region", "--format", "jsonl"
    ).stdout.splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["华东", "华南", "海外"]
    assert "by salesperson" in cli("aging", "--as-of", AS_OF, "--by", "salesperson").stdout


# --- --basis, --buckets ---------------------------------------------------------------------


def test_aging_issue_basis(cli, small):
    assert aging(cli, "--basis", "issue") == {
        "as_of": AS_OF,
        "basis": "issue",
        "by": "customer",
        "buckets": ISSUE,
        "rows": [
            row(
                ISSUE,
                "C001",
                "上海明达机械有限公司",
                "CNY",
                "7100.00",
                b31_60="4400.00",
                b61_90="1200.00",
                b365p="1500.00",
            ),
            row(ISSUE, "C002", "Acme Inc", "USD", "1250.00", b0_30="1000.00", b91_180="250.00"),
            row(ISSUE, "C004", "Delta", "CNY", "800.00", b91_180="800.00"),
            row(ISSUE, "C005", "Epsilon", "CNY", "800.00", b181_365="800.00"),
            row(ISSUE, "C003", "苏州小厂", "CNY", "0.00", "100.00"),
        ],
        "totals": [
            total(
                ISSUE,
                "CNY",
                "8700.00",
                "100.00",
                b31_60="4400.00",
                b61_90="1200.00",
                b91_180="800.00",
                b181_365="800.00",
                b365p="1500.00",
            ),
            total(ISSUE, "USD", "1250.00", b0_30="1000.00", b91_180="250.00"),
        ],
    }


def test_aging_custom_buckets(cli, small):
    labels = ["current", "1-30", "31-90", "90+"]
    assert aging(cli, "--buckets", "30,90") == {
        "as_of": AS_OF,
        "basis": "due",
        "by": "customer",
        "buckets": labels,
        "rows": [
            row(
                labels,
                "C001",
                "上海明达机械有限公司",
                "CNY",
                "7100.00",
                current="4400.00",
                b31_90="1200.00",
                b90p="1500.00",
            ),
            row(labels, "C002", "Acme Inc", "USD", "1250.00", b1_30="1000.00", b90p="250.00"),
            row(labels, "C004", "Delta", "CNY", "800.00", b31_90="800.00"),
            row(labels, "C005", "Epsilon", "CNY", "800.00", b90p="800.00"),
            row(labels, "C003", "苏州小厂", "CNY", "0.00", "100.00"),
        ],
        "totals": [
            total(
                labels,
                "CNY",
                "8700.00",
                "100.00",
                current="4400.00",
                b31_90="2000.00",
                b90p="2300.00",
            ),
            total(labels, "USD", "1250.00", b1_30="1000.00", b90p="250.00"),
        ],
    }
    out = cli("aging", "--as-of", AS_OF, "--buckets", "30,90", "--format", "csv").stdout
    assert out.splitlines()[0] == "key,name,currency,current,1-30,31-90,90+,total,unapplied"


@pytest.mark.parametrize(
    ("args", "labels"),
    [
        (["--buckets", "45"], ["current", "1-45", "45+"]),
        (["--buckets", "7,14,28"], ["current", "1-7", "8-14", "15-28", "28+"]),
        (["--buckets", "30,60", "--basis", "issue"], ["0-30", "31-60", "60+"]),
        (["--basis", "issue"], ISSUE),
        (["--basis", "due"], DUE),
    ],
)
def test_aging_bucket_labels(cli, small, args, labels):
    doc = aging(cli, *args)
    assert doc["buckets"] == labels
    for r in doc["rows"] + doc["totals"]:
        assert sum(float(r[lab]) for lab in labels) == float(r["total"])


# --- --detail, --overdue-only, --top, --as-of -----------------------------------------------

DETAIL = [
    ("INV-103", "C001", "2025-06-01", "2025-07-01", 509, "1500.00", "365+", "CNY"),
    ("INV-501", "C005", "2026-03-01", "2026-03-31", 236, "800.00", "181-365", "CNY"),
    ("INV-201", "C002", "2026-06-01", "2026-07-01", 144, "250.00", "91-180", "USD"),
    ("INV-401", "C004", "2026-08-01", "2026-08-31", 83, "800.00", "61-90", "CNY"),
    ("INV-102", "C001", "2026-09-01", "2026-10-01", 52, "1200.00", "31-60", "CNY"),
    ("INV-202", "C002", "2026-11-01", "2026-11-21", 1, "1000.00", "1-30", "USD"),
    ("INV-101", "C001", "2026-10-01", "2026-12-01", 0, "4400.00", "current", "CNY"),
]
DETAIL_COLUMNS = [
    "number",
    "customer",
    "issue_date",
    "due_date",
    "days_overdue",
    "open",
    "bucket",
    "currency",
]


def detail(rows):
    return [dict(zip(DETAIL_COLUMNS, r)) for r in rows]


def test_aging_detail(cli, small):
    assert aging(cli, "--detail") == detail(DETAIL)
    lines = cli("aging", "--as-of", AS_OF, "--detail", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == detail(DETAIL)
    out = cli("aging", "--as-of", AS_OF, "--detail", "--format", "csv").stdout
    assert out.splitlines()[0] == ",".join(DETAIL_COLUMNS)
    assert out.splitlines()[1] == "INV-103,C001,2025-06-01,2025-07-01,509,1500.00,365+,CNY"
    table = cli("aging", "--as-of", AS_OF, "--detail").stdout
    assert "INV-103" in table and "4,400.00" in table


def test_aging_detail_flags(cli, small):
    assert aging(cli, "--detail", "--top", "3") == detail(DETAIL[:3])
    assert aging(cli, "--detail", "--overdue-only") == detail(DETAIL[:-1])
    assert [r["bucket"] for r in aging(cli, "--detail", "--basis", "issue")] == [
        "365+",
        "181-365",
        "91-180",
        "91-180",
        "61-90",
        "0-30",
        "31-60",
    ]
    assert [r["bucket"] for r in aging(cli, "--detail", "--buckets", "90")] == [
        "90+",
        "90+",
        "90+",
        "1-90",
        "1-90",
        "1-90",
        "current",
    ]


def test_aging_overdue_only(cli, small):
    doc = aging(cli, "--overdue-only")
    assert doc["rows"] == [
        row(
            DUE, "C001", "上海明达机械有限公司", "CNY", "2700.00", b31_60="1200.00", b365p="1500.00"
        ),
        row(DUE, "C002", "Acme Inc", "USD", "1250.00", b1_30="1000.00", b91_180="250.00"),
        row(DUE, "C004", "Delta", "CNY", "800.00", b61_90="800.00"),
        row(DUE, "C005", "Epsilon", "CNY", "800.00", b181_365="800.00"),
    ]
    assert [{k: v for k, v in t.items() if k != "unapplied"} for t in doc["totals"]] == [
        {k: v for k, v in t.items() if k != "unapplied"}
        for t in (
            total(
                DUE,
                "CNY",
                "4300.00",
                b31_60="1200.00",
                b61_90="800.00",
                b181_365="800.00",
                b365p="1500.00",
            ),
            total(DUE, "USD", "1250.00", b1_30="1000.00", b91_180="250.00"),
        )
    ]
    # C003's 100.00 unapplied credit left with its row (it has nothing overdue)
    assert [t["unapplied"] for t in doc["totals"]] == ["0.00", "0.00"]


def test_aging_overdue_only_by_salesperson(cli, small):
    doc = aging(cli, "--overdue-only", "--by", "salesperson")
    assert [(r["key"], r["current"], r["total"]) for r in doc["rows"]] == [
        ("王丽", "0.00", "2700.00"),
        ("李娜", "0.00", "1600.00"),
        ("Bob", "0.00", "1250.00"),
    ]


def test_aging_top(cli, small):
    doc = aging(cli, "--top", "2")
    assert doc["rows"] == EXPECTED_AGING["rows"][:2]
    assert doc["totals"] == EXPECTED_AGING["totals"]  # totals still cover all
    lines = cli("aging", "--as-of", AS_OF, "--top", "1", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == EXPECTED_AGING["rows"][:1]
    assert cli("aging", "--as-of", AS_OF, "--top", "3", "-f", "csv").stdout == "".join(
        line + "\n" for line in EXPECTED_CSV.splitlines()[:4]
    )
    assert "top 2 of 5" in cli("aging", "--as-of", AS_OF, "--top", "2").stdout
    assert aging(cli, "--top", "99") == EXPECTED_AGING


def test_aging_as_of_a_past_date(cli, small):
    doc = json.loads(cli("aging", "--as-of", "2026-10-31", "--format", "json").stdout)
    assert doc["as_of"] == "2026-10-31"
    assert doc["rows"] == [
        row(
            DUE,
            "C001",
            "上海明达机械有限公司",
            "CNY",
            "7100.00",
            current="4400.00",
            b1_30="1200.00",
            b365p="1500.00",
        ),
        # INV-502 was written off on 11-01: still open on 10-31
        row(DUE, "C005", "Epsilon", "CNY", "1400.00", b91_180="600.00", b181_365="800.00"),
        row(DUE, "C004", "Delta", "CNY", "800.00", b61_90="800.00"),
        # INV-202 was issued on 11-01
        row(DUE, "C002", "Acme Inc", "USD", "250.00", b91_180="250.00"),
        row(DUE, "C003", "苏州小厂", "CNY", "0.00", "100.00"),
    ]


def test_aging_before_a_payment(cli, small):
    doc = json.loads(cli("aging", "--as-of", "2025-07-15", "--format", "json").stdout)
    assert doc["rows"] == [
        row(DUE, "C001", "上海明达机械有限公司", "CNY", "2000.00", b1_30="2000.00")
    ]
    assert [t["currency"] for t in doc["totals"]] == ["CNY"]


def test_aging_as_of_defaults_to_today(cli, small):
    from datetime import date

    doc = json.loads(cli("aging", "--format", "json").stdout)
    assert doc["as_of"] == date.today().isoformat()


def test_aging_sees_new_payments(cli, small):
    cli("payment", "add", "C004", "800", "--date", "2026-11-20")
    doc = aging(cli)
    assert [r["key"] for r in doc["rows"]] == ["C001", "C002", "C005", "C003"]  # C004 paid up
    assert doc["totals"][0]["61-90"] == "0.00"
    assert doc["totals"][0]["total"] == "7900.00"


# --- statement ------------------------------------------------------------------------------


def test_statement_json(cli, small):
    out = cli("statement", "C001", "--as-of", AS_OF, "--format", "json").stdout
    assert json.loads(out) == {
        "customer": "C001",
        "name": "上海明达机械有限公司",
        "as_of": AS_OF,
        "from": None,
        "lines": [
            {
                "date": "2025-06-01",
                "type": "invoice",
                "reference": "INV-103",
                "due_date": "2025-07-01",
                "currency": "CNY",
                "debit": "2000.00",
                "credit": "0.00",
                "balance": "2000.00",
            },
            {
                "date": "2025-08-01",
                "type": "payment",
                "reference": "B2025080100001",
                "due_date": None,
                "currency": "CNY",
                "debit": "0.00",
                "credit": "500.00",
                "balance": "1500.00",
            },
            {
                "date": "2026-09-01",
                "type": "invoice",
                "reference": "INV-102",
                "due_date": "2026-10-01",
                "currency": "CNY",
                "debit": "1200.00",
                "credit": "0.00",
                "balance": "2700.00",
            },
            {
                "date": "2026-10-01",
                "type": "invoice",
                "reference": "INV-101",
                "due_date": "2026-12-01",
                "currency": "CNY",
                "debit": "4400.00",
                "credit": "0.00",
                "balance": "7100.00",
            },
        ],
        "balances": [
            {
                "currency": "CNY",
                "opening": "0.00",
                "invoiced": "7600.00",
                "paid": "500.00",
                "credited": "0.00",
                "written_off": "0.00",
                "balance": "7100.00",
            }
        ],
    }


def test_statement_from_date_csv(cli, small):
    out = cli(
        "statement", "C001", "--as-of", AS_OF, "--from", "2026-01-01", "--format", "csv"
    ).stdout
    assert out == (
        "date,type,reference,due_date,currency,debit,credit,balance\n"
        "2026-01-01,opening,,,CNY,0.00,0.00,1500.00\n"
        "2026-09-01,invoice,INV-102,2026-10-01,CNY,1200.00,0.00,2700.00\n"
        "2026-10-01,invoice,INV-101,2026-12-01,CNY,4400.00,0.00,7100.00\n"
    )


def test_statement_credit_notes_write_offs_and_as_of(cli, small):
    lines = cli("statement", "C004", "--as-of", AS_OF, "--format", "jsonl").stdout.splitlines()
    assert [(d["type"], d["reference"], d["balance"]) for d in map(json.loads, lines)] == [
        ("invoice", "INV-401", "900.00"),
        ("credit_note", "CN-1", "800.00"),
    ]
    out = cli("statement", "C005", "--as-of", AS_OF, "--format", "csv").stdout
    assert out.splitlines()[-1] == "2026-11-01,write_off,INV-502,,CNY,0.00,600.00,800.00"
    before = cli("statement", "C005", "--as-of", "2026-10-31", "--format", "csv").stdout
    assert "write_off" not in before
    assert before.splitlines()[-1].endswith(",1400.00")


def test_statement_table(cli, small):
    out = cli("statement", "C002", "--as-of", AS_OF).stdout
    assert "对账单" in out and "C002" in out and "Acme Inc" in out
    assert "Balance" in out and "1,250.00" in out and "USD" in out


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["aging", "--by", "country"], 2, ["--by", "country"]),
        (["aging", "--basis", "paid"], 2, ["paid"]),
        (["aging", "--buckets", "60,30"], 1, ["increasing"]),
        (["aging", "--buckets", ""], 1, ["increasing"]),
        (["aging", "--buckets", "a,b"], 1, ["a,b"]),
        (["aging", "--buckets", "0,30"], 1, ["positive"]),
        (["aging", "--as-of", "2026-02-30"], 1, ["--as-of", "2026-02-30"]),
        (["aging", "--top", "0"], 2, ["--top"]),
        (["aging", "--top", "many"], 2, ["--top"]),
        (["aging", "--format", "xml"], 2, ["--format"]),
        (["aging", "--colour"], 2, ["--colour"]),
        (["statement", "C999"], 1, ["C999"]),
        (["statement", "C001", "--from", "yesterday"], 1, ["--from"]),
        (["statement"], 2, ["customer"]),
    ],
)
def test_report_errors(cli, small, args, code, words):
    before = cli.snapshot()
    errors = cli.error(*args, code=code)
    assert len(errors) == 1
    for word in words:
        assert word.lower() in errors[0].lower()
    assert cli.snapshot() == before
