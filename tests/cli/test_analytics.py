"""``provision`` and ``cost delay|bad-debt``: hand-computed figures, every format, bad input.

The provision ledger, as of 2026-11-22 (default bands: ≤365 days, ≤730, ≤1095, more; age
from the issue date; rates 5%, 20%, 50%, 100%):

=======  ====  ==========  =======  =====================================  ==============
invoice  cust  issue       amount   open on 2026-11-22 / age               band
=======  ====  ==========  =======  =====================================  ==============
Q1       K1    2026-06-01  1000.00  1000.00 / 174 days                     0-1y
Q2       K1    2025-06-01  2000.00  1500.00 (500 paid 2026-07-01) / 539    1-2y
Q5       K1    2025-11-22    10.00  10.00 / 365 (the last day of year 1)   0-1y
Q6       K1    2025-11-21    10.00  10.00 / 366                            1-2y
Q3       K2    2024-01-15   333.33  333.33 / 1042 (2024 has 366 days)      2-3y
Q4       K2    2022-03-01   100.00  100.00 / 1362                          3y+
Q7       K3    2026-01-10  1000.00  1000.00 / 316; K3 is in litigation     0-1y
=======  ====  ==========  =======  =====================================  ==============
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

AS_OF = "2026-11-22"
LEDGER = """
customer add K1 甲公司 --segment 制造
customer add K2 乙公司 --segment 贸易
customer add K3 丙公司 --segment 制造
customer edit K3 --legal
invoice add Q1 K1 1000 --issue-date 2026-06-01 --due-date 2026-07-01
invoice add Q2 K1 2000 --issue-date 2025-06-01 --due-date 2025-07-01
invoice add Q5 K1 10 --issue-date 2025-11-22 --due-date 2025-12-22
invoice add Q6 K1 10 --issue-date 2025-11-21 --due-date 2025-12-21
invoice add Q3 K2 333.33 --issue-date 2024-01-15 --due-date 2024-02-14
invoice add Q4 K2 100 --issue-date 2022-03-01 --due-date 2022-03-31
invoice add Q7 K3 1000 --issue-date 2026-01-10 --due-date 2026-02-09
payment add K1 500 --date 2026-07-01
"""


@pytest.fixture
def book(cli: Any, ledger: Path) -> Any:
    for line in LEDGER.strip().splitlines():
        cli(*line.split())
    return cli


def provision(cli: Any, *args: str) -> dict[str, Any]:
    out = cli("provision", "--as-of", AS_OF, *args, "--format", "json").stdout
    return json.loads(out)


def test_provision_by_the_matrix(book: Any) -> None:
    doc = provision(book)
    assert doc["as_of"] == AS_OF
    assert doc["rows"] == [
        # K1: 0-1y 1000 + 10 = 1010 × 5% = 50.50; 1-2y 1500 + 10 = 1510 × 20% = 302.00
        {"key": "K1", "name": "甲公司", "currency": "CNY", "0-1y": "1010.00", "1-2y": "1510.00",
         "2-3y": "0.00", "3y+": "0.00", "open": "2520.00", "provision": "352.50",
         "rate_source": "matrix"},
        # K2: 333.33 × 50% = 166.665 -> 166.67 (half up); 100 × 100% = 100.00
        {"key": "K2", "name": "乙公司", "currency": "CNY", "0-1y": "0.00", "1-2y": "0.00",
         "2-3y": "333.33", "3y+": "100.00", "open": "433.33", "provision": "266.67",
         "rate_source": "matrix"},
        # K3: in litigation, but no litigation_rate configured: 1000 × 5% = 50.00
        {"key": "K3", "name": "丙公司", "currency": "CNY", "0-1y": "1000.00", "1-2y": "0.00",
         "2-3y": "0.00", "3y+": "0.00", "open": "1000.00", "provision": "50.00",
         "rate_source": "matrix"},
    ]  # fmt: skip
    # 2520 + 433.33 + 1000 = 3953.33; 352.50 + 266.67 + 50.00 = 669.17
    assert doc["totals"] == [{"currency": "CNY", "open": "3953.33", "provision": "669.17"}]


def test_individual_and_litigation_rates_override_the_matrix(book: Any, tmp_path: Path) -> None:
    cfg = tmp_path / "h.toml"
    cfg.write_text(
        '[provision]\nlitigation_rate = "80%"\n[provision.customers]\nK2 = "30%"\n', "utf-8"
    )
    doc = json.loads(book("--config", str(cfg), "provision", "--as-of", AS_OF, "-f", "json").stdout)
    got = {r["key"]: (r["provision"], r["rate_source"]) for r in doc["rows"]}
    # K3: 1000 × 80% = 800.00; K2: (333.33 + 100) × 30% = 129.999 -> 130.00
    assert got == {"K1": ("352.50", "matrix"), "K2": ("130.00", "individual"),
                   "K3": ("800.00", "litigation")}  # fmt: skip
    assert doc["rows"][0]["key"] == "K3"  # largest provision first
    assert doc["totals"][0]["provision"] == "1282.50"  # 352.50 + 130.00 + 800.00


def test_change_since_a_date_is_the_booking(book: Any) -> None:
    doc = provision(book, "--since", "2025-12-31")
    # As of 2025-12-31: Q2 2000 (213 days) + Q5 10 + Q6 10 in 0-1y: 2020 × 5% = 101.00;
    # Q3 (716 days) 1-2y: 333.33 × 20% = 66.666 -> 66.67; Q4 3y+: 100.00; Q1, Q7 not issued.
    prev = {r["key"]: (r["previous_provision"], r["change"]) for r in doc["rows"]}
    assert prev == {
        "K1": ("101.00", "251.50"),  # 352.50 - 101.00
        "K2": ("166.67", "100.00"),  # 266.67 - 166.67
        "K3": ("0.00", "50.00"),
    }
    assert doc["since"] == "2025-12-31"
    assert doc["totals"] == [{"currency": "CNY", "open": "3953.33", "provision": "669.17",
                              "previous_provision": "267.67", "change": "401.50"}]  # fmt: skip
    table = book("provision", "--as-of", AS_OF, "--since", "2025-12-31").stdout
    assert "CNY: 计提 provide 401.50 (was 267.67)" in table


def test_provision_as_of_ignores_later_records(book: Any) -> None:
    before = provision(book)
    book("invoice", "add", "LATER", "K1", "999", "--issue-date", "2026-11-30", "--due-date", "2026-12-30")  # fmt: skip
    book("payment", "add", "K2", "433.33", "--date", "2026-11-25")
    assert provision(book) == before


def test_provision_by_segment_and_formats(book: Any) -> None:
    doc = provision(book, "--by", "segment")
    assert [(r["key"], r["open"], r["provision"]) for r in doc["rows"]] == [
        ("制造", "3520.00", "402.50"),  # K1 + K3: 2520 + 1000; 352.50 + 50.00
        ("贸易", "433.33", "266.67"),
    ]
    csv = book("provision", "--as-of", AS_OF, "--by", "segment", "-f", "csv").stdout
    assert csv.splitlines()[0] == "key,name,currency,0-1y,1-2y,2-3y,3y+,open,provision,rate_source"
    assert csv.splitlines()[1] == "制造,制造,CNY,2010.00,1510.00,0.00,0.00,3520.00,402.50,matrix"
    lines = book("provision", "--as-of", AS_OF, "-f", "jsonl").stdout.splitlines()
    assert [json.loads(x)["key"] for x in lines] == ["K1", "K2", "K3"]
    assert "3,953.33" in book("provision", "--as-of", AS_OF).stdout


def test_provision_bands_in_days_from_the_config(book: Any, tmp_path: Path) -> None:
    cfg = tmp_path / "h.toml"
    cfg.write_text('[provision]\nbands = [180]\nrates = ["1%", "10%"]\nbasis = "due"\n', "utf-8")
    out = book("--config", str(cfg), "provision", "--as-of", AS_OF, "-f", "json").stdout
    k1 = json.loads(out)["rows"][0]
    # due basis: Q1 due 2026-07-01, 144 days late -> 0-180d; Q2, Q5, Q6 over 180 days late
    assert (k1["key"], k1["0-180d"], k1["180d+"]) == ("K1", "1000.00", "1520.00")
    assert k1["provision"] == "162.00"  # 1000 × 1% + 1520 × 10%


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('bands = [730, 365]\n', "increasing"),
        ('rates = ["5%", "20%"]\n', "needs 4 rates"),
        ('rates = ["5%", "20%", "50%", "120%"]\n', "at most 100.00%"),
        ('litigation_rate = "abc"\n', "not a percentage"),
        ('basis = "paid"\n', "basis"),
        ('speed = 1\n', "unknown [provision] setting"),
    ],
)  # fmt: skip
def test_bad_provision_config(book: Any, tmp_path: Path, toml: str, message: str) -> None:
    cfg = tmp_path / "h.toml"
    cfg.write_text("[provision]\n" + toml, "utf-8")
    errors = book.error("--config", str(cfg), "provision")
    assert len(errors) == 1 and message in errors[0]


def test_bad_provision_options(book: Any) -> None:
    assert book.error("provision", "--as-of", "2026-01-01", "--since", "2026-02-01") == [
        "Error: --since 2026-02-01 is after --as-of 2026-01-01"
    ]
    assert (
        "must be one of customer, segment" in book.error("provision", "--by", "region", code=2)[0]
    )


# --- cost ------------------------------------------------------------------------------------


def test_cost_delay(cli: Any) -> None:
    # (10% ÷ 5%) × 12 = 24.0 months; (7% ÷ 4.5%) × 12 = 18.666… -> 18.7
    assert json.loads(cli("cost", "delay", "--margin", "10%", "--rate", "5%", "-f", "json").stdout) == {
        "margin": "10.00", "rate": "5.00", "months": "24.0"}  # fmt: skip
    out = cli("cost", "delay", "--margin", "0.07", "--rate", "4.5%", "-f", "csv").stdout
    assert out == "margin,rate,months\n7.00,4.50,18.7\n"


def test_cost_delay_table(cli: Any) -> None:
    doc = json.loads(
        cli("cost", "delay", "--table", "--margin", "5%,10%", "--rate", "4%", "--rate", "6%", "-f", "json").stdout
    )  # fmt: skip
    assert doc == {"rows": [
        {"margin": "5.00", "rate": "4.00", "months": "15.0"},   # 5/4 × 12
        {"margin": "5.00", "rate": "6.00", "months": "10.0"},   # 5/6 × 12
        {"margin": "10.00", "rate": "4.00", "months": "30.0"},
        {"margin": "10.00", "rate": "6.00", "months": "20.0"},
    ]}  # fmt: skip
    grid = cli("cost", "delay", "--table").stdout  # defaults: 5 margins × 5 rates
    assert "12.00%" in grid and "20.00%" in grid and "80.0" in grid  # 20% at 3%: 80 months
    assert len(json.loads(cli("cost", "delay", "--table", "-f", "json").stdout)["rows"]) == 25


def test_cost_bad_debt(cli: Any) -> None:
    doc = json.loads(
        cli("cost", "bad-debt", "--amount", "500", "--margin", "2%", "-f", "json").stdout
    )
    assert doc == {"amount": "500.00", "margin": "2.00", "extra_sales": "25000.00"}  # 500 ÷ 2%
    # 1,000 ÷ 3% = 33,333.333… -> 33333.33
    out = cli("cost", "bad-debt", "--amount", "1,000", "--margin", "0.03", "-f", "jsonl").stdout
    assert json.loads(out) == {"amount": "1000.00", "margin": "3.00", "extra_sales": "33333.33"}
    rows = json.loads(cli("cost", "bad-debt", "--table", "--amount", "500;1,000", "--margin", "2%,5%", "-f", "json").stdout)["rows"]  # fmt: skip
    assert [r["extra_sales"] for r in rows] == ["25000.00", "10000.00", "50000.00", "20000.00"]


def test_cost_bad_debt_from_the_ledger(book: Any) -> None:
    book("write-off", "add", "Q4", "--date", "2026-11-01", "--reason", "debtor dissolved")
    doc = json.loads(
        book("cost", "bad-debt", "--margin", "10%", "--as-of", AS_OF, "-f", "json").stdout
    )
    # written off: Q4 100.00 -> 1,000.00 of sales at 10%; provision without Q4: 669.17 - 100.00
    assert doc == {"rows": [
        {"source": "written_off", "currency": "CNY", "amount": "100.00", "margin": "10.00", "extra_sales": "1000.00"},
        {"source": "provision", "currency": "CNY", "amount": "569.17", "margin": "10.00", "extra_sales": "5691.70"},
    ]}  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["delay", "--margin", "0", "--rate", "5%"], "margin must be greater than 0.00%"),
        (["delay", "--margin", "-5%", "--rate", "5%"], "margin must be greater than 0.00%"),
        (["delay", "--margin", "10%", "--rate", "0%"], "rate must be greater than 0.00%"),
        (["delay", "--margin", "10", "--rate", "5%"], "did you mean 10%?"),
        (["delay", "--margin", "ten", "--rate", "5%"], "not a percentage"),
        (["delay", "--rate", "5%"], "give --margin"),
        (["delay", "--margin", "5%,6%", "--rate", "5%"], "use --table"),
        (["bad-debt", "--amount", "0", "--margin", "2%"], "--amount: must be greater than zero"),
        (["bad-debt", "--amount", "-3", "--margin", "2%"], "--amount: must not be negative"),
        (["bad-debt", "--amount", "500", "--margin", "0%"], "margin must be greater than 0.00%"),
    ],
)
def test_cost_bad_input(cli: Any, args: list[str], message: str) -> None:
    errors = cli.error("cost", *args)
    assert len(errors) == 1 and message in errors[0], errors
