"""Time `huikuan bank import` (with its matching) of a 100K-line statement against the bench
ledger, and a plain `executemany` of the same lines, in one run.

Usage:
    python bench/generate.py                       # bench/data: 20K customers, 1M invoices
    python bench/bank.py [--data bench/data] [--lines 100000] [--work DIR]

The ledger gets the customers and invoices of ``--data`` (all open). The statement is a
招商银行-style GBK CSV written from those invoices: 60% exact payer name with the invoice
number in the memo, 15% the name written 有限责任公司 paying one invoice's exact amount, 10%
a partial payment without memo, 5% unknown payers, 10% debits. Baseline: a process that reads
the same CSV with ``csv.reader`` and inserts its lines with one ``executemany`` into a table
unique on (account, serial). Both run as their own processes (start-up and peak RSS counted
alike). Target: ratio <= 5, peak RSS <= 200 MB.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import HUIKUAN


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Run ``cmd``; return (wall seconds, peak RSS in MB, CPU seconds): on a shared machine
    the CPU time says more than the wall time."""
    import subprocess
    import time

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        sys.exit(
            f"{' '.join(cmd)} failed:\n{proc.stderr.read().decode()[-2000:] if proc.stderr else ''}"
        )
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


ACCOUNT = "755912345610801"
HEADER = [
    "交易日",
    "交易时间",
    "借方金额",
    "贷方金额",
    "余额",
    "摘要",
    "流水号",
    "用途",
    "收/付方名称",
    "收/付方帐号",
]
PLAIN = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("CREATE TABLE line (account TEXT, date TEXT, amount INTEGER, direction TEXT,"
             " counterparty TEXT, counterparty_account TEXT, memo TEXT, serial TEXT,"
             " UNIQUE (account, serial))")
def fen(text):
    return int(text.replace(",", "").replace(".", "")) if text else 0
with open(sys.argv[2], newline="", encoding="gb18030") as fh:
    rows = csv.reader(fh)
    for row in rows:
        if row and row[0] == "交易日":
            break
    with conn:
        conn.executemany("INSERT INTO line VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (("A", r[0], fen(r[3]) or fen(r[2]), "credit" if r[3] else "debit", r[8], r[9],
              r[5] + " " + r[7], r[6]) for r in rows))
"""


def statement_rows(invoices: Path, lines: int, names: dict[str, str]) -> list[list[str]]:
    """The statement's lines, from every n-th invoice (see the module's docstring)."""
    with invoices.open(newline="", encoding="utf-8") as fh:
        total = sum(1 for _ in fh) - 1
    step = max(1, total // lines)
    out: list[list[str]] = []
    with invoices.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for n, (number, cust, issue, amount, *_) in enumerate(reader):
            if n % step or len(out) >= lines:
                continue
            out.append(_line(len(out), number, names[cust], issue, amount))
    return out


def _line(k: int, number: str, name: str, issue: str, amount: str) -> list[str]:
    day = min(date.fromisoformat(issue) + timedelta(days=30), date(2026, 11, 20))
    kind, memo, purpose, credit, debit = k % 20, "货款", "", amount, ""
    if kind < 12:
        purpose = number
    elif kind < 15:
        name = name.replace("有限公司", "有限责任公司")
    elif kind < 17:
        credit = f"{int(amount.replace('.', '')) * 6 // 10 / 100:.2f}"
    elif kind < 18:
        name = f"代付{k:06d}贸易有限公司"
    else:
        name, memo, credit, debit = f"供应商{k % 500:03d}有限公司", "付款", "", amount
    return [
        day.strftime("%Y%m%d"),
        "10:00:00",
        debit,
        credit,
        "",
        memo,
        f"S{k:09d}",
        purpose,
        name,
        f"62{k % 40000:08d}",
    ]


def write_statement(path: Path, rows: list[list[str]]) -> None:
    text = io.StringIO()
    w = csv.writer(text, lineterminator="\r\n")
    w.writerows([["招商银行交易明细"], ["账号:", ACCOUNT], ["币种:", "人民币"], [], HEADER, *rows])
    path.write_bytes(text.getvalue().encode("gb18030"))


def customer_names(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        return {row[0]: row[1] for row in reader}


def main() -> None:
    ap = argparse.ArgumentParser(description="bank import + matching against plain executemany")
    ap.add_argument("--data", type=Path, default=Path("bench/data"))
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--work", type=Path, default=None, help="scratch dir [a temp dir, removed]")
    ap.add_argument(
        "--ledger",
        type=Path,
        default=None,
        help="copy this ledger (made from --data) instead of importing",
    )
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="huikuan-bank-"))
    work.mkdir(parents=True, exist_ok=True)
    db, plain, stmt = work / "ledger.db", work / "plain.db", work / "statement.csv"
    for p in (db, plain):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{p}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "HUIKUAN_DB": str(db), "HUIKUAN_USER": "bench"}
    env.pop("HUIKUAN_CONFIG", None)
    if args.ledger is not None:
        shutil.copy(args.ledger, db)
        print(f"ledger: a copy of {args.ledger}")
    else:
        run([*HUIKUAN, "init"], env)
        run([*HUIKUAN, "import", "customers", str(args.data / "customers.csv")], env)
        t = run([*HUIKUAN, "import", "invoices", str(args.data / "invoices.csv")], env)
        print(f"ledger: customers and invoices of {args.data} imported ({t[0]:.1f} s)")
    rows = statement_rows(
        args.data / "invoices.csv", args.lines, customer_names(args.data / "customers.csv")
    )
    write_statement(stmt, rows)
    base = run([sys.executable, "-c", PLAIN, str(plain), str(stmt)])
    ours = run([*HUIKUAN, "bank", "import", str(stmt)], env)
    print(
        f"cpu      huikuan {ours[2]:8.3f} s | baseline {base[2]:8.3f} s | ratio {ours[2] / base[2]:5.2f}"
    )
    print(
        f"bank     huikuan {ours[0]:8.3f} s {ours[1]:6.0f} MB | baseline {base[0]:8.3f} s "
        f"{base[1]:6.0f} MB | ratio {ours[0] / base[0]:5.2f}  (target <= 5, <= 200 MB)  "
        f"{len(rows)} lines"
    )
    summary = run([*HUIKUAN, "bank", "import", str(stmt)], env)
    print(
        f"re-import of the same statement (all duplicates): {summary[0]:.3f} s {summary[1]:.0f} MB"
    )
    if args.work is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
