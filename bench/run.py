"""Time huikuan against plain sqlite3 baselines on a generated ledger, in one run.

Usage:
    python bench/generate.py                 # 1M invoices, 750K payments, 20K customers
    python bench/run.py [--data bench/data] [--work DIR] [--repeat 3] [--pg URL]

Prints each measurement as seconds and peak RSS, and the ratio huikuan / baseline:
- import:  `huikuan import invoices FILE` vs a plain `executemany` of the same CSV rows;
- aging:   `huikuan aging --format json` (end-to-end) vs a plain-SQL aging query that sums
           the allocations per invoice at query time (on the same ledger file);
- --help:  `huikuan --help` vs `python -c "import typer"`;
- reports: `remind plan`, `limitation`, `interest`, `provision`, `kpi` (twice), `credit list`,
           `doctor`, each as a multiple of the aging's time, with peak RSS against 200 MB;
- with --pg URL (an empty PostgreSQL database): the ledger copied into it (`huikuan db copy`),
  then aging against the same naive aging SQL run on PostgreSQL, and the reports again.
Every side runs as its own process so start-up and peak memory are counted alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HUIKUAN = [sys.executable, "-m", "huikuan"]

PLAIN_IMPORT = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("CREATE TABLE inv (number TEXT UNIQUE, customer TEXT, issue_date TEXT,"
             " amount INTEGER, due_date TEXT, terms TEXT)")
with open(sys.argv[2], newline="", encoding="utf-8") as fh:
    rows = csv.reader(fh)
    next(rows)
    with conn:
        conn.executemany("INSERT INTO inv VALUES (?, ?, ?, ?, ?, ?)",
                         ((n, c, i, int(a.replace(".", "")), d, t) for n, c, i, a, d, t in rows))
"""

PLAIN_AGING = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
sql = '''
SELECT c.code, c.name, i.currency,
  CASE WHEN i.due_date >= :d THEN 'current'
       WHEN i.due_date >= date(:d, '-30 day') THEN '1-30'
       WHEN i.due_date >= date(:d, '-60 day') THEN '31-60'
       WHEN i.due_date >= date(:d, '-90 day') THEN '61-90'
       WHEN i.due_date >= date(:d, '-180 day') THEN '91-180'
       WHEN i.due_date >= date(:d, '-365 day') THEN '181-365' ELSE '365+' END AS bucket,
  SUM(i.amount - COALESCE(p.paid, 0))
FROM invoice i
JOIN customer c ON c.id = i.customer_id
LEFT JOIN (SELECT invoice_id, SUM(amount) AS paid FROM allocation
           WHERE date <= :d GROUP BY invoice_id) p ON p.invoice_id = i.id
WHERE i.issue_date <= :d AND i.amount - COALESCE(p.paid, 0) > 0
GROUP BY c.code, c.name, i.currency, bucket
'''
rows = conn.execute(sql, {"d": sys.argv[2]}).fetchall()
json.dump([list(r) for r in rows], sys.stdout)
"""

PLAIN_AGING_PG = """
import datetime, json, sys
import psycopg
conn = psycopg.connect(sys.argv[1])
sql = '''
SELECT c.code, c.name, i.currency,
  CASE WHEN i.due_date >= %(d)s THEN 'current'
       WHEN i.due_date >= %(d)s - 30 THEN '1-30'
       WHEN i.due_date >= %(d)s - 60 THEN '31-60'
       WHEN i.due_date >= %(d)s - 90 THEN '61-90'
       WHEN i.due_date >= %(d)s - 180 THEN '91-180'
       WHEN i.due_date >= %(d)s - 365 THEN '181-365' ELSE '365+' END AS bucket,
  SUM(i.amount - COALESCE(p.paid, 0))
FROM invoice i
JOIN customer c ON c.id = i.customer_id
LEFT JOIN (SELECT invoice_id, SUM(amount) AS paid FROM allocation
           WHERE date <= %(d)s GROUP BY invoice_id) p ON p.invoice_id = i.id
WHERE i.issue_date <= %(d)s AND i.amount - COALESCE(p.paid, 0) > 0
GROUP BY c.code, c.name, i.currency, bucket
'''
rows = conn.execute(sql, {"d": datetime.date.fromisoformat(sys.argv[2])}).fetchall()
json.dump([[str(v) for v in r] for r in rows], sys.stdout)
"""
RSS_LIMIT_MB = 200


def run(
    cmd: list[str], env: dict[str, str] | None = None, check: bool = True
) -> tuple[float, float]:
    """Run ``cmd``; return (wall seconds, peak RSS in MB). Fails loudly on a non-zero exit
    (unless ``check`` is false). Its stderr goes to a file, so it can never fill a pipe."""
    with tempfile.TemporaryFile() as errfile:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errfile, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        errfile.seek(0)
        err = errfile.read().decode(errors="replace")
    if proc.returncode and check:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def best(cmd: list[str], env: dict[str, str] | None, repeat: int) -> tuple[float, float]:
    runs = [run(cmd, env) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def line(name: str, ours: tuple[float, float], base: tuple[float, float], target: str) -> None:
    print(
        f"{name:<8} huikuan {ours[0]:8.3f} s {ours[1]:6.0f} MB {_rss(ours[1])}| baseline "
        f"{base[0]:8.3f} s {base[1]:6.0f} MB | ratio {ours[0] / base[0]:5.2f}  (target {target})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description="huikuan benchmarks against plain sqlite3")
    ap.add_argument("--data", type=Path, default=Path("bench/data"))
    ap.add_argument("--work", type=Path, default=None, help="scratch dir [a temp dir]")
    ap.add_argument("--as-of", default="2026-11-22")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the quick measurements")
    ap.add_argument(
        "--only",
        default="import,aging,reports,help",
        help="comma-separated: import, aging, reports, help",
    )
    ap.add_argument(
        "--pg",
        metavar="URL",
        default=None,
        help="an empty PostgreSQL database: copy the ledger into it, measure aging and reports",
    )
    args = ap.parse_args()
    only = set(args.only.split(","))
    work = args.work or Path(tempfile.mkdtemp(prefix="huikuan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db, plain = work / "ledger.db", work / "plain.db"
    for p in (db, plain):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{p}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "HUIKUAN_DB": str(db), "HUIKUAN_USER": "bench"}
    env.pop("HUIKUAN_CONFIG", None)
    inv = str(args.data / "invoices.csv")
    print(f"data {args.data}  work {work}")
    run([*HUIKUAN, "init"], env)
    t = run([*HUIKUAN, "import", "customers", str(args.data / "customers.csv")], env)
    print(f"customers import {t[0]:.2f} s")
    ours = run([*HUIKUAN, "import", "invoices", inv], env)
    base = run([sys.executable, "-c", PLAIN_IMPORT, str(plain), inv])
    line("import", ours, base, "<= 2.5")
    if only & {"aging", "reports"}:
        t = run([*HUIKUAN, "import", "payments", str(args.data / "payments.csv")], env)
        print(f"payments import {t[0]:.2f} s {t[1]:.0f} MB (allocation included)")
    aging_s = aging(env, db, args) if "aging" in only else None
    if "reports" in only:
        reports(env, args.as_of, aging_s)
    if args.pg and only & {"aging", "reports"}:
        postgres(env, args)
    if "help" in only:
        startup(env, args.repeat)
    if args.work is None:
        shutil.rmtree(work)


REPORTS = {  # name: (command, date option, target as a multiple of aging's time)
    "remind plan": (["remind", "plan", "--as-of", "2026-11-20"], None, 2.0),  # a working day
    "limitation": (["limitation"], "--as-of", 3.0),
    "interest": (["interest", "--include-paid"], "--as-of", 3.0),
    "provision": (["provision"], "--as-of", 3.0),
    "kpi": (
        ["kpi", "--from", "2026-01-01", "--by", "salesperson", "--period", "quarter"],
        "--to",
        3.0,
    ),
    "kpi month": (
        ["kpi", "--from", "2026-01-01", "--by", "customer", "--period", "month"],
        "--to",
        3.0,
    ),
    "credit list": (["credit", "list"], "--as-of", 3.0),
    "doctor": (["doctor"], None, 3.0),
}


def reports(env: dict[str, str], as_of: str, aging_s: float | None, engine: str = "") -> None:
    """The whole-ledger reports, one run each, JSON to /dev/null, each as a multiple of the
    aging's time measured in the same run (issue 12's targets), peak RSS against 200 MB."""
    for name, (cmd, option, target) in REPORTS.items():
        dated = [*cmd, option, as_of] if option else cmd
        fmt = [] if name == "doctor" else ["--format", "json"]
        t = run([*HUIKUAN, *dated, *fmt], env, check=name != "doctor")
        ratio = f"{t[0] / aging_s:5.2f}x aging (target <= {target})" if aging_s else ""
        print(f"{engine}{name:<11} huikuan {t[0]:8.3f} s {t[1]:6.0f} MB {_rss(t[1])} {ratio}")


def _rss(mb: float) -> str:
    return "rss ok " if mb <= RSS_LIMIT_MB else f"RSS>{RSS_LIMIT_MB}"


def postgres(env: dict[str, str], args: argparse.Namespace) -> None:
    """Copy the SQLite ledger into the (empty) database at ``args.pg``, VACUUM ANALYZE it (as
    autovacuum would, for both sides), then the aging against the naive aging SQL on
    PostgreSQL, and the reports, as on SQLite."""
    import psycopg

    t = run([*HUIKUAN, "db", "copy", "--to", args.pg], env)
    print(f"pg: db copy {t[0]:.2f} s {t[1]:.0f} MB")
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    pg_env = {**env, "HUIKUAN_DB": args.pg}
    cmd = [*HUIKUAN, "aging", "--as-of", args.as_of, "--format", "json"]
    ours = best(cmd, pg_env, args.repeat)
    base = best([sys.executable, "-c", PLAIN_AGING_PG, args.pg, args.as_of], None, args.repeat)
    line("pg aging", ours, base, "<= 0.5")
    if "reports" in args.only:
        reports(pg_env, args.as_of, ours[0], "pg ")


def aging(env: dict[str, str], db: Path, args: argparse.Namespace) -> float:
    """Aging now and as of a past date against the plain-SQL aging."""
    ours = best([*HUIKUAN, "aging", "--as-of", args.as_of, "--format", "json"], env, args.repeat)
    base = best([sys.executable, "-c", PLAIN_AGING, str(db), args.as_of], None, args.repeat)
    line("aging", ours, base, "<= 0.5")
    past = best([*HUIKUAN, "aging", "--as-of", "2025-06-30", "--format", "json"], env, 1)
    print(
        f"aging --as-of 2025-06-30 (past: later allocations undone) {past[0]:.3f} s {past[1]:.0f} MB"
    )
    return float(ours[0])


def startup(env: dict[str, str], repeat: int) -> None:
    """``huikuan --help`` against ``import typer``."""
    exe = str(Path(sys.executable).with_name("huikuan"))  # the console script, not a shim
    if not Path(exe).exists():
        exe = shutil.which("huikuan") or "huikuan"
    ours = best([exe, "--help"], env, max(5, repeat))
    base = best([sys.executable, "-c", "import typer"], None, max(5, repeat))
    line("--help", ours, base, "<= 2.0")


if __name__ == "__main__":
    main()
