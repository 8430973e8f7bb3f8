"""``provision book`` and ``provision --since`` against booked runs or rebuilt figures.

The ledger (default bands and rates, litigation_rate 100%), D = 2026-06-30:

=======  ====  ==========  =======  ====================================  ===========
invoice  cust  issue       amount   on D                                  on 2026-11-22
=======  ====  ==========  =======  ====================================  ===========
Q1       K1    2026-06-01  1000.00  0-1y: 50.00                           0-1y
Q2       K1    2025-09-01  2000.00  1500.00 (500 paid 2026-06-01) 0-1y    1-2y
Q7       K3    2026-01-10  1000.00  0-1y; K3 in litigation since 09-01    0-1y
=======  ====  ==========  =======  ====================================  ===========

K1 on D: (1000 + 1500) × 5% = 125.00; on 2026-11-22: 1000 × 5% + 1500 × 20% = 350.00.
K3 on D by the matrix: 1000 × 5% = 50.00; on 2026-11-22 in litigation: 1000.00.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from ledger_sql import ledger_rows

AS_OF, D = "2026-11-22", "2026-06-30"
LEDGER = """
customer add K1 甲公司 --segment 制造
customer add K2 乙公司 --segment 贸易
customer add K3 丙公司 --segment 制造
invoice add Q1 K1 1000 --issue-date 2026-06-01 --due-date 2026-07-01
invoice add Q2 K1 2000 --issue-date 2025-09-01 --due-date 2025-10-01
invoice add Q7 K3 1000 --issue-date 2026-01-10 --due-date 2026-02-09
payment add K1 500 --date 2026-06-01 --invoice Q2
"""


@pytest.fixture
def book(cli: Any, ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    cfg = tmp_path / "h.toml"
    cfg.write_text('[provision]\nlitigation_rate = "100%"\n', "utf-8")
    monkeypatch.setenv("HUIKUAN_CONFIG", str(cfg))
    for line in LEDGER.strip().splitlines():
        cli(*line.split())
    return cli


def litigation(cli: Any, db: Path, code: str, on: str) -> None:
    """Put ``code`` in litigation, as if on ``on`` (the audit entry is dated then)."""
    cli("customer", "edit", code, "--legal")
    ledger_rows(
        "UPDATE audit SET at = :at WHERE id = (SELECT MAX(id) FROM audit)",
        at=f"{on}T04:00:00+00:00",
    )


def doc(cli: Any, *args: str) -> dict[str, Any]:
    return json.loads(cli("provision", *args, "-f", "json").stdout)


def local_day(at: str) -> str:
    return datetime.fromisoformat(at).astimezone().date().isoformat()


def test_since_rebuilds_the_earlier_figures_with_the_flags_of_then(book: Any, ledger: Path) -> None:
    litigation(book, ledger, "K3", "2026-09-01")
    got = doc(book, "--as-of", AS_OF, "--since", D)
    prev = {r["key"]: (r["provision"], r["previous_provision"], r["change"]) for r in got["rows"]}
    # K3 on D by the matrix (not yet in litigation): 50.00, not 1000.00; K1 125.00 -> 350.00
    assert prev == {"K3": ("1000.00", "50.00", "950.00"), "K1": ("350.00", "125.00", "225.00")}
    assert got["totals"] == [{"currency": "CNY", "open": "3500.00", "provision": "1350.00",
                              "previous_provision": "175.00", "change": "1175.00"}]  # fmt: skip
    assert (got["since"], got["since_source"], got["compared_with"]) == (D, "rebuilt", None)
    assert got["notes"] == [
        "No provision booked on or before 2026-06-30: its figures are rebuilt from the ledger, "
        "with the litigation flags as they stood then (audit log).",
        "Rates: the current [provision] settings (huikuan keeps no history of them).",
        "Flagged differently on 2026-06-30 than today: not in litigation: K3.",
        "CNY: 计提 provide 1,175.00 (was 175.00)",
    ]
    table = book("provision", "--as-of", AS_OF, "--since", D).stdout
    assert table.splitlines()[-4:] == got["notes"]


def test_a_flag_set_on_the_day_counts_and_a_missing_old_value_is_reported(
    book: Any, ledger: Path
) -> None:
    litigation(book, ledger, "K3", D)  # on D itself: in force on D
    got = doc(book, "--as-of", AS_OF, "--since", D)
    assert {r["key"]: r["previous_provision"] for r in got["rows"]}["K3"] == "1000.00"
    ledger_rows(  # a change logged without its old value
        "INSERT INTO audit (at, username, action, entity, key, detail) VALUES"
        " ('2026-10-01T04:00:00+00:00', 'old', 'edit', 'customer', 'K1', '{\"new\": {\"legal\": 1}}')"
    )
    ledger_rows("UPDATE customer SET legal = TRUE WHERE code = 'K1'")
    got = doc(book, "--as-of", AS_OF, "--since", D)
    assert {r["key"]: r["previous_provision"] for r in got["rows"]} == {
        "K1": "125.00",
        "K3": "1000.00",
    }
    assert got["notes"][2:4] == [
        "Flagged differently on 2026-06-30 than today: not in litigation: K1.",
        "The audit log has no earlier value of K1's litigation flag changed on 2026-10-01: "
        "taken as not in litigation before it.",
    ]


def test_book_records_what_provision_shows(book: Any, ledger: Path) -> None:
    shown = doc(book, "--as-of", D)
    result = book("provision", "book", "--as-of", D, "-f", "json")
    booked = json.loads(result.stdout)
    assert (booked["run"], booked["booked_by"]) == (1, "tester")
    assert {k: v for k, v in booked.items() if k not in ("run", "booked_at", "booked_by")} == shown
    assert result.stderr == "Booked the provision as of 2026-06-30 (run 1): CNY 175.00\n"
    audit = ledger_rows(
        "SELECT username, action, entity, key FROM audit WHERE entity = 'provision'"
    )
    at = ledger_rows("SELECT booked_at FROM provision_run")[0][0]
    assert audit == [("tester", "book", "provision", D)] and booked["booked_at"] == at
    table = book("provision", "book", "--as-of", "2026-05-31").stdout  # the table by default
    assert table.splitlines()[0].startswith("Bad-debt provision (坏账准备) as of 2026-05-31")
    assert "3,000.00" in table  # Q2 2000 + Q7 1000 open; Q1 not yet issued


def test_since_compares_with_the_booked_run(book: Any, ledger: Path) -> None:
    book("provision", "book", "--as-of", D)
    litigation(book, ledger, "K3", "2026-09-01")
    # recorded after the booking, dated before D: the booked figures stand
    book("invoice", "add", "LATE", "K1", "400", "--issue-date", "2026-06-15", "--due-date", "2026-07-15")  # fmt: skip
    book("payment", "add", "K1", "1000", "--date", "2026-11-01", "--invoice", "Q1")
    got = doc(book, "--as-of", AS_OF, "--since", D)
    at = got["compared_with"]["booked_at"]
    assert got["since_source"] == "booked"
    assert got["compared_with"] == {"run": 1, "as_of": D, "booked_at": at, "booked_by": "tester"}
    rows = {r["key"]: (r["provision"], r["previous_provision"], r["change"]) for r in got["rows"]}
    # K1 now: LATE 400 × 5% + Q2 1500 × 20% = 320.00; booked 125.00
    assert rows == {"K3": ("1000.00", "50.00", "950.00"), "K1": ("320.00", "125.00", "195.00")}
    assert got["totals"][0]["change"] == "1145.00"  # 1320.00 - 175.00, to the 分
    assert got["notes"] == [
        f"Compared with the provision booked on {local_day(at)} by tester as of 2026-06-30 (run 1).",
        "CNY: 计提 provide 1,145.00 (was 175.00)",
    ]
    later = doc(book, "--as-of", AS_OF, "--since", "2026-07-31")
    assert later["compared_with"]["as_of"] == D
    assert later["notes"][0] == (
        f"No provision booked as of 2026-07-31: compared with the last one before it, "
        f"the provision booked on {local_day(at)} by tester as of 2026-06-30 (run 1)."
    )
    seg = doc(book, "--as-of", AS_OF, "--since", D, "--by", "segment")
    assert [(r["key"], r["previous_provision"], r["change"]) for r in seg["rows"]] == [
        ("制造", "175.00", "1145.00")
    ]


def test_a_settled_customer_shows_the_reversal_of_its_booked_provision(book: Any) -> None:
    book("provision", "book", "--as-of", D)
    book("payment", "add", "K3", "1000", "--date", "2026-10-01")
    got = doc(book, "--as-of", AS_OF, "--since", D)
    k3 = next(r for r in got["rows"] if r["key"] == "K3")
    assert k3 == {"key": "K3", "name": "丙公司", "currency": "CNY", "0-1y": "0.00", "1-2y": "0.00",
                  "2-3y": "0.00", "3y+": "0.00", "open": "0.00", "provision": "0.00",
                  "previous_provision": "50.00", "change": "-50.00", "rate_source": "matrix"}  # fmt: skip


def test_a_date_is_booked_once_unless_replaced_with_a_reason(book: Any, ledger: Path) -> None:
    book("provision", "book", "--as-of", D)
    errors = book.error("provision", "book", "--as-of", D)
    assert len(errors) == 1 and errors[0].startswith(
        "Error: a provision as of 2026-06-30 is already booked (run 1, at "
    )
    assert errors[0].endswith(
        "by tester); give --replace --reason … to book it again (the earlier run is kept)"
    )
    assert book.error("provision", "book", "--as-of", D, "--replace", code=2)
    litigation(book, ledger, "K3", "2026-09-01")
    out = book("provision", "book", "--as-of", D, "--replace", "--reason", "K3 sued", "-f", "json")
    assert json.loads(out.stdout)["run"] == 2
    assert out.stderr == "Booked the provision as of 2026-06-30 (run 2): CNY 1,125.00\n"
    got = doc(book, "--as-of", AS_OF, "--since", D)
    assert got["compared_with"]["run"] == 2 and got["totals"][0]["previous_provision"] == "1125.00"
    runs = ledger_rows("SELECT id, reason, replaces, superseded FROM provision_run ORDER BY id")
    assert runs == [(1, None, None, 1), (2, "K3 sued", 1, 0)]


def test_the_group_keeps_provision_working(book: Any) -> None:
    assert "Commands:" in book("provision", "--help").stdout
    assert "Example: huikuan provision book --as-of" in book("provision", "book", "--help").stdout
    assert doc(book, "--as-of", D)["totals"][0]["provision"] == "175.00"
    assert book.error("provision", "--as-of", D, "book", code=2)
    assert book.error("provision", "book", "--as-of", "2026-13-01")[0].startswith("Error: --as-of")


def test_booking_an_empty_ledger_or_a_future_date(cli: Any, ledger: Path) -> None:
    assert cli("provision", "book", "--as-of", D).stderr == (
        "Booked the provision as of 2026-06-30 (run 1): nothing open\n"
    )
    assert (
        json.loads(cli("provision", "--since", D, "-f", "json").stdout)["since_source"] == "booked"
    )
    future = cli("provision", "book", "--as-of", "2099-12-31")
    assert future.stderr.splitlines() == [
        "Warning: booking as of 2099-12-31, after today: entries made until then are not in it",
        "Booked the provision as of 2099-12-31 (run 2): nothing open",
    ]
