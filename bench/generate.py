"""Generate a large synthetic ledger as import CSVs (default: 1M invoices, 750K payments).

Usage: python bench/generate.py [--invoices N] [--payments N] [--customers N] [--out DIR]

Deterministic (fixed seed). Dates run from 2023-01 to 2026-11; about half the invoices give
a terms code (so due dates go through the CN calendar), the rest an explicit due date.
Payments mostly name an invoice, some do not (oldest-first allocation), a few overpay.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

START = date(2023, 1, 2)
END = date(2026, 11, 20)
TERMS = ("NET30", "NET60", "EOM30", "月结60天", "账期45天", "PREPAID")
SEGMENTS = ("制造", "贸易", "零售", "科技", "建筑", "物流")
REGIONS = ("华东", "华南", "华北", "华中", "西南", "海外")
PEOPLE = ("张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊", "赵敏", "Alice", "Bob")


def write_customers(path: Path, n: int, rnd: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "segment", "region", "salesperson", "terms"])
        for i in range(n):
            w.writerow(
                [
                    f"C{i:06d}",
                    f"客户{i:06d}有限公司",
                    rnd.choice(SEGMENTS),
                    rnd.choice(REGIONS),
                    rnd.choice(PEOPLE),
                    rnd.choice(TERMS[:5]),
                ]
            )


def invoice_rows(n: int, customers: int, rnd: random.Random):  # type: ignore[no-untyped-def]
    span = (END - START).days
    for i in range(n):
        issue = START + timedelta(days=span * i // n)
        cust = f"C{rnd.randrange(customers):06d}"
        amount = f"{rnd.randrange(10_000, 5_000_000) / 100:.2f}"
        if i % 2:
            yield [f"B{i:08d}", cust, issue.isoformat(), amount, "", rnd.choice(TERMS)]
        else:
            due = issue + timedelta(days=rnd.choice((0, 30, 45, 60, 90)))
            yield [f"B{i:08d}", cust, issue.isoformat(), amount, due.isoformat(), ""]


def write_invoices(path: Path, n: int, customers: int, rnd: random.Random) -> list[tuple]:
    """Write the invoices; return (number, customer, issue, amount) of a sample to pay."""
    paid: list[tuple] = []
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["number", "customer", "issue_date", "amount", "due_date", "terms"])
        for row in invoice_rows(n, customers, rnd):
            w.writerow(row)
            paid.append((row[0], row[1], row[2], row[3]))
    return paid


def write_payments(path: Path, invoices: list[tuple], n: int, rnd: random.Random) -> None:
    chosen = sorted(rnd.sample(range(len(invoices)), min(n, len(invoices))))
    rows = []
    for k, idx in enumerate(chosen):
        number, cust, issue, amount = invoices[idx]
        day = date.fromisoformat(issue) + timedelta(days=rnd.randrange(0, 120))
        day = min(day, END)
        fen = round(float(amount) * 100)
        kind = k % 10
        if kind < 7:  # pays the named invoice in full
            rows.append([cust, day.isoformat(), amount, number, f"R{k:08d}"])
        elif kind < 9:  # partial, no invoice named: oldest first
            rows.append([cust, day.isoformat(), f"{fen * 6 // 10 / 100:.2f}", "", f"R{k:08d}"])
        else:  # overpays: leaves credit
            rows.append([cust, day.isoformat(), f"{(fen + 50_000) / 100:.2f}", number, f"R{k:08d}"])
    rows.sort(key=lambda r: r[1])
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["customer", "date", "amount", "invoice", "reference"])
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--invoices", type=int, default=1_000_000)
    ap.add_argument("--payments", type=int, default=750_000)
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--out", type=Path, default=Path("bench/data"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(20261122)
    write_customers(args.out / "customers.csv", args.customers, rnd)
    invoices = write_invoices(args.out / "invoices.csv", args.invoices, args.customers, rnd)
    write_payments(args.out / "payments.csv", invoices, args.payments, rnd)
    print(
        f"wrote {args.customers:,} customers, {args.invoices:,} invoices, "
        f"{args.payments:,} payments to {args.out}"
    )


if __name__ == "__main__":
    main()
