"""Import of an .xlsx against the CSV import of the same invoices (target: ≤ 3×).

    python bench/excel.py                 # 100,000 invoices, 2,000 customers
    python bench/excel.py --invoices 20000 --work /tmp/xl

Writes the same rows twice, as CSV (csv module) and as .xlsx (XlsxWriter: dates as date
cells, amounts as numbers, Chinese headers, a title row above them), then times
``huikuan import invoices FILE`` on each, every run in its own process and into its own fresh
ledger that already holds the customers. Prints wall time, peak RSS and the ratio.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["单据编号", "客户编码", "单据日期", "到期日", "价税合计", "币别", "摘要"]


def rows(n: int, customers: int) -> list[list[object]]:
    rnd = random.Random(13)
    start = dt.date(2024, 1, 1)
    out: list[list[object]] = []
    for i in range(n):
        issue = start + dt.timedelta(days=rnd.randrange(900))
        due = issue + dt.timedelta(days=rnd.choice((30, 60, 90)))
        fen = rnd.randrange(100, 50_000_000)
        out.append([f"X{i:08d}", f"C{rnd.randrange(customers):05d}", issue, due, fen / 100, "人民币", "货款"])  # fmt: skip
    return out


def write_csv(path: Path, data: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for r in data:
            w.writerow([r[0], r[1], r[2].isoformat(), r[3].isoformat(), f"{r[4]:.2f}", r[5], r[6]])  # type: ignore[attr-defined]


def write_xlsx(path: Path, data: list[list[object]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("应收明细")
    day, money = book.add_format({"num_format": "yyyy-mm-dd"}), book.add_format({"num_format": "#,##0.00"})  # fmt: skip
    ws.write(0, 0, "应收账款明细表")
    ws.write_row(2, 0, HEADER)
    for i, r in enumerate(data, 3):
        ws.write_string(i, 0, r[0])  # type: ignore[arg-type]
        ws.write_string(i, 1, r[1])  # type: ignore[arg-type]
        ws.write_datetime(i, 2, r[2], day)
        ws.write_datetime(i, 3, r[3], day)
        ws.write_number(i, 4, r[4], money)  # type: ignore[arg-type]
        ws.write_string(i, 5, r[5])  # type: ignore[arg-type]
        ws.write_string(i, 6, r[6])  # type: ignore[arg-type]
    book.close()


def huikuan(db: Path, *args: str) -> tuple[float, float, float]:
    """Run ``huikuan --db DB ARGS`` as its own process: (seconds, peak RSS in MB, CPU
    seconds; the CPU time is the steadier figure on a busy machine)."""
    env = {**os.environ, "HUIKUAN_USER": "bench", "NO_COLOR": "1"}
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "huikuan", "--db", str(db), *args], env=env)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - t0
    if status:
        raise SystemExit(f"huikuan {' '.join(args)} failed ({status})")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def ledger(work: Path, name: str, customers: Path) -> Path:
    db = work / f"{name}.db"
    db.unlink(missing_ok=True)
    huikuan(db, "init")
    huikuan(db, "import", "customers", str(customers))
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--invoices", type=int, default=100_000)
    ap.add_argument("--customers", type=int, default=2_000)
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="huikuan-excel-"))
    work.mkdir(parents=True, exist_ok=True)
    customers = work / "customers.csv"
    customers.write_text(
        "code,name,terms\n" + "".join(f"C{i:05d},客户{i},NET30\n" for i in range(args.customers)),
        encoding="utf-8",
    )
    data = rows(args.invoices, args.customers)
    write_csv(work / "invoices.csv", data)
    write_xlsx(work / "invoices.xlsx", data)
    print(f"{args.invoices:,} invoices in {work}")
    results = {}
    for fmt in ("csv", "xlsx"):
        db = ledger(work, fmt, customers)
        results[fmt] = huikuan(db, "import", "invoices", str(work / f"invoices.{fmt}"))
        size = (work / f"invoices.{fmt}").stat().st_size / 1e6
        wall, peak, cpu = results[fmt]
        print(f"import invoices .{fmt:4} {size:6.1f} MB  {wall:6.2f} s  {cpu:6.2f} s CPU  {peak:4.0f} MB peak")  # fmt: skip
    ratio = results["xlsx"][0] / results["csv"][0]
    cpu_ratio = results["xlsx"][2] / results["csv"][2]
    print(f"xlsx / csv = {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (target <= 3x)")


if __name__ == "__main__":
    main()
