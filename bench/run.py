"""Time huikuan against plain sqlite3 baselines on a generated ledger, in one run.

Usage:
    python bench/generate.py                 # 1M invoices, 750K payments, 20K customers
    python bench/run.py [--data bench/data] [--work DIR] [--repeat 3] [--pg URL]

Prints each measurement as seconds and peak RSS, and the ratio huikuan / baseline:
- import:  `huikuan import invoices FILE` vs a plain `executemany` of the same CSV rows;
           `import payments` vs a plain `executemany` of the payment rows, also for a copy of
           the payments file where every other row names no invoice (into a copy of the
           ledger as it was before the payments);
- pg:      with --pg URL (a server; databases huikuan_bench* are made and dropped there): the
           same imports into a PostgreSQL ledger vs a plain `COPY` of the same rows;
- aging:   `huikuan aging --format json` (end-to-end) vs a plain-SQL aging query that sums
           the allocations per invoice at query time (on the same ledger file);
- help:    `huikuan --help` vs `python -c "import typer"`, and `huikuan credit check C001
           --amount 1` on the demo ledger vs `python -c "import sqlmodel, typer"`;
- reports: `remind plan`, `limitation`, `interest`, `provision`, `kpi` (twice), `credit list`,
           `doctor`, each as a multiple of the aging's time, with peak RSS against 200 MB;
           with --pg, the ledger is also copied into a database huikuan_bench_reports there
           (`huikuan db copy`) and aging (vs the same naive SQL on PostgreSQL) and reports rerun.
Every side runs as its own process so start-up and peak memory are counted alike.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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

PLAIN_PAYMENTS = """
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("DROP TABLE IF EXISTS pay")
conn.execute("CREATE TABLE pay (customer TEXT, date TEXT, amount INTEGER, invoice TEXT,"
             " reference TEXT)")
with open(sys.argv[2], newline="", encoding="utf-8") as fh:
    rows = csv.reader(fh)
    next(rows)
    with conn:
        conn.executemany("INSERT INTO pay VALUES (?, ?, ?, ?, ?)",
                         ((c, d, int(a.replace(".", "")), i or None, r) for c, d, a, i, r in rows))
"""

# The PostgreSQL baselines: the file's rows into a plain table with COPY (psycopg).
PLAIN_COPY = """
import sys, psycopg
table, file = sys.argv[2], sys.argv[3]
ddl = {
    "inv": "number TEXT UNIQUE, customer TEXT, issue_date DATE, amount NUMERIC(16, 2),"
           " due_date DATE, terms TEXT",
    "pay": "customer TEXT, date DATE, amount NUMERIC(16, 2), invoice TEXT, reference TEXT",
}[table]
with psycopg.connect(sys.argv[1]) as conn, open(file, "rb") as fh:
    conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.execute(f"CREATE TABLE {table} ({ddl})")
    with conn.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER)") as copy:
        while data := fh.read(1 << 20):
            copy.write(data)
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
    cmd: list[str],
    env: dict[str, str] | None = None,
    check: bool = True,
    codes: tuple[int, ...] = (0,),
) -> tuple[float, float]:
    """Run ``cmd``; return (wall seconds, peak RSS in MB). Fails loudly on an exit code not
    in ``codes`` (unless ``check`` is false). Its stderr goes to a file, so it can never fill
    a pipe."""
    with tempfile.TemporaryFile() as errfile:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errfile, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        errfile.seek(0)
        err = errfile.read().decode(errors="replace")
    if proc.returncode not in codes and check:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def best(
    cmd: list[str], env: dict[str, str] | None, repeat: int, codes: tuple[int, ...] = (0,)
) -> tuple[float, float]:
    runs = [run(cmd, env, codes=codes) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def line(name: str, ours: tuple[float, float], base: tuple[float, float], target: str) -> None:
    print(
        f"{name:<16} huikuan {ours[0]:8.3f} s {ours[1]:6.0f} MB {_rss(ours[1])}| baseline "
        f"{base[0]:8.3f} s {base[1]:6.0f} MB | ratio {ours[0] / base[0]:5.2f}  (target {target})",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description="huikuan benchmarks against plain sqlite3")
    ap.add_argument("--data", type=Path, default=Path("bench/data"))
    ap.add_argument("--work", type=Path, default=None, help="scratch dir [a temp dir]")
    ap.add_argument("--as-of", default="2026-11-22")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the quick measurements")
    ap.add_argument(
        "--only",
        default="import,pg,pgpay,aging,reports,help",
        help="comma-separated: import, pg (invoices), pgpay (payments), aging, reports, help",
    )
    ap.add_argument("--pg", default=None, help="a PostgreSQL server URL for the pg figures")
    ap.add_argument(
        "--pg-ledger",
        default=None,
        help="an existing PostgreSQL copy of the bench ledger for the pg aging and reports"
        " (instead of copying the SQLite ledger to --pg)",
    )
    args = ap.parse_args()
    only = set(args.only.split(","))
    work = args.work or Path(tempfile.mkdtemp(prefix="huikuan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db, plain = work / "ledger.db", work / "plain.db"
    for p in (db, plain, work / "half.db", work / "demo.db"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{p}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "HUIKUAN_DB": str(db), "HUIKUAN_USER": "bench"}
    env.pop("HUIKUAN_CONFIG", None)
    # Bytecode as an installed package has it (pip compiles on install; the baselines' libraries
    # have theirs): with PYTHONDONTWRITEBYTECODE set, a source checkout is compiled every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    inv = str(args.data / "invoices.csv")
    print(f"data {args.data}  work {work}")
    run([*HUIKUAN, "init"], env)
    t = run([*HUIKUAN, "import", "customers", str(args.data / "customers.csv")], env)
    print(f"customers import {t[0]:.2f} s")
    ours = run([*HUIKUAN, "import", "invoices", inv], env)
    base = run([sys.executable, "-c", PLAIN_IMPORT, str(plain), inv])
    line("import", ours, base, "<= 2.5")
    pays, half = args.data / "payments.csv", work / "payments-half.csv"
    write_half(pays, half)
    if "import" in only:
        shutil.copy(db, work / "half.db")  # the ledger before the payments (no WAL left)
    if only & {"import", "aging", "reports"}:
        ours = run([*HUIKUAN, "import", "payments", str(pays)], env)
        base = run([sys.executable, "-c", PLAIN_PAYMENTS, str(plain), str(pays)])
        line("payments", ours, base, "<= 4")
    if "import" in only:
        env_half = {**env, "HUIKUAN_DB": str(work / "half.db")}
        ours = run([*HUIKUAN, "import", "payments", str(half)], env_half)
        base = run([sys.executable, "-c", PLAIN_PAYMENTS, str(plain), str(half)])
        line("payments half", ours, base, "<= 4")
    if only & {"pg", "pgpay"} and args.pg:
        postgres(args, env, half)
    aging_s = aging(env, db, args) if "aging" in only else None
    if "reports" in only:
        reports(env, args.as_of, aging_s)
    if (args.pg or args.pg_ledger) and only & {"aging", "reports"}:
        pg_reports(env, args)
    if "help" in only:
        startup(env, args.repeat, work)
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


def pg_reports(env: dict[str, str], args: argparse.Namespace) -> None:
    """Copy the SQLite ledger into a new database huikuan_bench_reports on the server at
    ``args.pg``, VACUUM ANALYZE it (as autovacuum would, for both sides), then the aging
    against the naive aging SQL on PostgreSQL, and the reports, as on SQLite."""
    if args.pg_ledger:
        args = argparse.Namespace(**{**vars(args), "pg": args.pg_ledger})
        print(f"pg: the ledger {args.pg}")
    else:
        args = argparse.Namespace(**{**vars(args), "pg": pg_copy(env, args.pg)})
    pg_env = {**env, "HUIKUAN_DB": args.pg}
    cmd = [*HUIKUAN, "aging", "--as-of", args.as_of, "--format", "json"]
    ours = best(cmd, pg_env, args.repeat)
    base = best([sys.executable, "-c", PLAIN_AGING_PG, args.pg, args.as_of], None, args.repeat)
    line("pg aging", ours, base, "<= 0.5")
    if "reports" in args.only:
        reports(pg_env, args.as_of, ours[0], "pg ")


def pg_copy(env: dict[str, str], server_url: str) -> str:
    """The SQLite ledger copied into a new database huikuan_bench_reports on the server,
    VACUUM ANALYZEd (as autovacuum would, for both sides); its URL."""
    import psycopg
    import sqlalchemy as sa

    server = sa.make_url(server_url)
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS huikuan_bench_reports")
        conn.execute("CREATE DATABASE huikuan_bench_reports")
    url = server.set(database="huikuan_bench_reports").render_as_string(hide_password=False)
    t = run([*HUIKUAN, "db", "copy", "--to", url], env)
    print(f"pg: db copy {t[0]:.2f} s {t[1]:.0f} MB")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return url


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


def startup(env: dict[str, str], repeat: int, work: Path) -> None:
    """``huikuan --help`` against ``import typer``; ``credit check`` on the demo ledger
    against ``import sqlmodel, typer``."""
    exe = str(Path(sys.executable).with_name("huikuan"))  # the console script, not a shim
    if not Path(exe).exists():
        exe = shutil.which("huikuan") or "huikuan"
    ours = best([exe, "--help"], env, max(5, repeat))
    base = best([sys.executable, "-c", "import typer"], None, max(5, repeat))
    line("--help", ours, base, "<= 2.0")
    demo = {**env, "HUIKUAN_DB": str(work / "demo.db")}
    run([exe, "init", "--demo"], demo)
    check = [exe, "credit", "check", "C001", "--amount", "1"]
    ours = best(check, demo, max(5, repeat), codes=(0, 3))  # 3: the check said no
    base = best([sys.executable, "-c", "import sqlmodel, typer"], None, max(5, repeat))
    line("credit check", ours, base, "<= 1.5")


def write_half(src: Path, dest: Path) -> None:
    """The payments file with the invoice left out of every other row."""
    with src.open(newline="", encoding="utf-8") as fin, dest.open("w", newline="") as fout:
        rows, out = csv.reader(fin), csv.writer(fout)
        out.writerow(next(rows))
        for n, row in enumerate(rows):
            out.writerow(row if n % 2 else [*row[:3], "", *row[4:]])


def postgres(args: argparse.Namespace, env: dict[str, str], half: Path) -> None:
    """The imports into a PostgreSQL ledger against a plain COPY of the same rows."""
    import psycopg
    import sqlalchemy as sa

    server = sa.make_url(args.pg)
    names = ("huikuan_bench", "huikuan_bench_half", "huikuan_bench_plain")
    urls = [server.set(database=n).render_as_string(hide_password=False) for n in names]
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)

    def sql(statement: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(statement)

    for name in names:
        sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    sql(f"CREATE DATABASE {names[0]}")
    sql(f"CREATE DATABASE {names[2]}")
    pg = {**env, "HUIKUAN_DB": urls[0]}
    inv = str(args.data / "invoices.csv")
    run([*HUIKUAN, "init"], pg)
    run([*HUIKUAN, "import", "customers", str(args.data / "customers.csv")], pg)
    ours = run([*HUIKUAN, "import", "invoices", inv], pg)
    base = run([sys.executable, "-c", PLAIN_COPY, urls[2], "inv", inv])
    line("pg import", ours, base, "<= 2.5")
    if "pgpay" in args.only:
        pg_payments(args, pg, urls, half, sql)
    if args.work is None:
        for name in names:
            sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def pg_payments(
    args: argparse.Namespace, pg: dict[str, str], urls: list[str], half: Path, sql: Any
) -> None:
    """The two payments imports into PostgreSQL ledgers against a plain COPY."""
    pays = str(args.data / "payments.csv")
    sql("CREATE DATABASE huikuan_bench_half TEMPLATE huikuan_bench")  # before the payments
    ours = run([*HUIKUAN, "import", "payments", pays], pg)
    base = run([sys.executable, "-c", PLAIN_COPY, urls[2], "pay", pays])
    line("pg payments", ours, base, "(none)")
    ours = run([*HUIKUAN, "import", "payments", str(half)], {**pg, "HUIKUAN_DB": urls[1]})
    base = run([sys.executable, "-c", PLAIN_COPY, urls[2], "pay", str(half)])
    line("pg payments half", ours, base, "(none)")


if __name__ == "__main__":
    main()
