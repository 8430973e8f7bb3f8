"""Schema migrations: ordered, named functions recorded in the ``_migrations`` table.

Add a migration by appending a function to ``MIGRATIONS``; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

Migration = Callable[[sqlite3.Connection], None]


def m001_ledger(conn: sqlite3.Connection) -> None:
    """Customers, contacts, invoices, payments (cash, credit notes, write-offs), allocations."""
    _run(
        conn,
        """
        CREATE TABLE customer (
          id INTEGER PRIMARY KEY,
          code TEXT NOT NULL UNIQUE,
          name TEXT NOT NULL,
          segment TEXT, region TEXT, salesperson TEXT, email TEXT, phone TEXT,
          language TEXT NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
          credit_limit INTEGER CHECK (credit_limit >= 0),
          terms TEXT,
          dunning_policy TEXT,
          blocked INTEGER NOT NULL DEFAULT 0,
          blocked_reason TEXT,
          legal INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL
        );
        CREATE TABLE contact (
          id INTEGER PRIMARY KEY,
          customer_id INTEGER NOT NULL REFERENCES customer(id),
          name TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN
            ('decision_maker', 'finance', 'purchasing', 'legal_rep', 'other')),
          title TEXT, phone TEXT, email TEXT, wechat TEXT, note TEXT
        );
        CREATE INDEX contact_customer ON contact(customer_id);
        CREATE TABLE invoice (
          id INTEGER PRIMARY KEY,
          number TEXT NOT NULL UNIQUE,
          customer_id INTEGER NOT NULL REFERENCES customer(id),
          issue_date TEXT NOT NULL,
          due_date TEXT NOT NULL,
          amount INTEGER NOT NULL CHECK (amount > 0),
          currency TEXT NOT NULL,
          terms TEXT, contract TEXT, salesperson TEXT, description TEXT, milestone TEXT,
          disputed INTEGER NOT NULL DEFAULT 0,
          dispute_reason TEXT,
          open_amount INTEGER NOT NULL CHECK (open_amount >= 0 AND open_amount <= amount)
        );
        CREATE INDEX invoice_customer ON invoice(customer_id);
        CREATE INDEX invoice_issue ON invoice(issue_date);
        CREATE INDEX invoice_open ON invoice(customer_id, currency, due_date, issue_date, number)
          WHERE open_amount > 0;
        CREATE TABLE payment (
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL DEFAULT 'payment'
            CHECK (kind IN ('payment', 'credit_note', 'write_off')),
          customer_id INTEGER NOT NULL REFERENCES customer(id),
          date TEXT NOT NULL,
          amount INTEGER NOT NULL CHECK (amount > 0),
          currency TEXT NOT NULL,
          invoice_id INTEGER REFERENCES invoice(id),
          reference TEXT, method TEXT, note TEXT,
          unapplied INTEGER NOT NULL CHECK (unapplied >= 0 AND unapplied <= amount)
        );
        CREATE INDEX payment_customer ON payment(customer_id, date);
        CREATE INDEX payment_unapplied ON payment(customer_id, currency, date, id)
          WHERE unapplied > 0;
        CREATE TABLE allocation (
          id INTEGER PRIMARY KEY,
          payment_id INTEGER NOT NULL REFERENCES payment(id),
          invoice_id INTEGER NOT NULL REFERENCES invoice(id),
          amount INTEGER NOT NULL CHECK (amount > 0),
          date TEXT NOT NULL
        );
        CREATE INDEX allocation_invoice ON allocation(invoice_id);
        CREATE INDEX allocation_payment ON allocation(payment_id);
        CREATE INDEX allocation_date ON allocation(date);
        CREATE TABLE audit (
          id INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          user TEXT NOT NULL,
          action TEXT NOT NULL,
          entity TEXT NOT NULL,
          key TEXT,
          detail TEXT
        );
        """,
    )


def m002_credit(conn: sqlite3.Connection) -> None:
    """5C credit assessments: every one kept with its inputs, weights, scores and advice."""
    _run(
        conn,
        """
        CREATE TABLE credit_assessment (
          id INTEGER PRIMARY KEY,
          customer_id INTEGER NOT NULL REFERENCES customer(id),
          date TEXT NOT NULL,
          assessor TEXT NOT NULL,
          inputs TEXT NOT NULL,
          weights TEXT NOT NULL,
          scores TEXT NOT NULL,
          total INTEGER NOT NULL CHECK (total BETWEEN 0 AND 100),
          rating TEXT NOT NULL CHECK (rating IN ('AAA', 'AA', 'A', 'B', 'C')),
          recommended_limit INTEGER NOT NULL CHECK (recommended_limit >= 0),
          recommended_terms TEXT NOT NULL,
          currency TEXT NOT NULL,
          reasons TEXT NOT NULL,
          missing TEXT NOT NULL,
          applied_at TEXT,
          created_at TEXT NOT NULL
        );
        CREATE INDEX credit_assessment_customer ON credit_assessment(customer_id, date, id)
        """,
    )


def m003_collections(conn: sqlite3.Connection) -> None:
    """Contact log, promises to pay, dunning messages and the per-invoice dunning record."""
    _run(
        conn,
        """
        CREATE TABLE contact_log (
          id INTEGER PRIMARY KEY,
          customer_id INTEGER NOT NULL REFERENCES customer(id),
          invoice_id INTEGER REFERENCES invoice(id),
          date TEXT NOT NULL,
          channel TEXT NOT NULL CHECK (channel IN
            ('phone', 'email', 'letter', 'visit', 'sms', 'wechat', 'legal')),
          outcome TEXT, excuse TEXT, note TEXT, evidence TEXT, reference TEXT,
          acknowledged INTEGER NOT NULL DEFAULT 0,
          follow_up TEXT,
          user TEXT NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE INDEX contact_log_customer ON contact_log(customer_id, date);
        CREATE TABLE promise (
          id INTEGER PRIMARY KEY,
          customer_id INTEGER NOT NULL REFERENCES customer(id),
          invoice_id INTEGER REFERENCES invoice(id),
          amount INTEGER NOT NULL CHECK (amount > 0),
          currency TEXT NOT NULL,
          made_on TEXT NOT NULL,
          promised_date TEXT NOT NULL CHECK (promised_date >= made_on),
          note TEXT,
          user TEXT NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE INDEX promise_customer ON promise(customer_id, promised_date);
        CREATE TABLE dunning_message (
          id INTEGER PRIMARY KEY,
          customer_id INTEGER NOT NULL REFERENCES customer(id),
          run_date TEXT NOT NULL,
          policy TEXT NOT NULL,
          level INTEGER NOT NULL,
          level_name TEXT NOT NULL,
          channel TEXT NOT NULL,
          letter TEXT,
          invoices TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'open')),
          attempts INTEGER NOT NULL DEFAULT 0,
          error TEXT,
          evidence TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        CREATE INDEX dunning_message_customer ON dunning_message(customer_id, run_date);
        CREATE INDEX dunning_message_status ON dunning_message(status);
        CREATE TABLE dunning_action (
          id INTEGER PRIMARY KEY,
          invoice_id INTEGER NOT NULL REFERENCES invoice(id),
          level INTEGER NOT NULL,
          level_name TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('done', 'skipped')),
          run_date TEXT NOT NULL,
          message_id INTEGER REFERENCES dunning_message(id),
          UNIQUE (invoice_id, level)
        )
        """,
    )


def m004_covering_open_index(conn: sqlite3.Connection) -> None:
    """Carry the open amount in the partial index of open invoices (aging reads only it)."""
    _run(
        conn,
        """
        DROP INDEX invoice_open;
        CREATE INDEX invoice_open
          ON invoice(customer_id, currency, due_date, issue_date, number, open_amount)
          WHERE open_amount > 0
        """,
    )


def m005_letters(conn: sqlite3.Connection) -> None:
    """Letters issued: the unique reference number, and how each was delivered."""
    _run(
        conn,
        """
        CREATE TABLE letter (
          id INTEGER PRIMARY KEY,
          reference TEXT NOT NULL UNIQUE,
          kind TEXT NOT NULL,
          lang TEXT NOT NULL,
          customer_id INTEGER NOT NULL REFERENCES customer(id),
          as_of TEXT NOT NULL,
          totals TEXT NOT NULL,
          channel TEXT,
          evidence TEXT,
          delivered_at TEXT,
          user TEXT NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE INDEX letter_customer ON letter(customer_id, as_of);
        ALTER TABLE dunning_message ADD COLUMN reference TEXT;
        """,
    )


def m006_targets(conn: sqlite3.Connection) -> None:
    """Collection targets (回款任务) per salesperson, period and currency."""
    _run(
        conn,
        """
        CREATE TABLE target (
          id INTEGER PRIMARY KEY,
          salesperson TEXT NOT NULL,
          period TEXT NOT NULL,
          currency TEXT NOT NULL,
          amount INTEGER NOT NULL CHECK (amount > 0),
          set_by TEXT NOT NULL,
          set_at TEXT NOT NULL,
          UNIQUE (salesperson, period, currency)
        )
        """,
    )


def m007_message_dropped(conn: sqlite3.Connection) -> None:
    """A dunning message may be ``dropped``: settled or disputed before a retry could send it."""
    _rebuild(
        conn,
        "dunning_message",
        "'failed', 'open')",
        "'failed', 'open', 'dropped')",
    )


m007_message_dropped.foreign_keys_off = True  # type: ignore[attr-defined]


def _rebuild(conn: sqlite3.Connection, table: str, old: str, new: str) -> None:
    """Rebuild ``table`` with ``old`` replaced by ``new`` in its CREATE statement (SQLite's
    way to change a CHECK): copy, drop, rename, indexes again. Foreign keys must be off."""
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    if old not in sql:
        raise RuntimeError(f"{table}: unexpected schema, {old!r} not found")
    indexes = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,))]  # fmt: skip
    conn.execute(sql.replace(old, new).replace(table, f"{table}_new", 1))
    conn.execute(f"INSERT INTO {table}_new SELECT * FROM {table}")
    conn.execute(f"DROP TABLE {table}")
    conn.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
    for index in indexes:
        conn.execute(index)


def m009_message_claim(conn: sqlite3.Connection) -> None:
    """Who holds a dunning message being sent: process id, host and when it was claimed."""
    _run(
        conn,
        """
        ALTER TABLE dunning_message ADD COLUMN claimed_pid INTEGER;
        ALTER TABLE dunning_message ADD COLUMN claimed_host TEXT;
        ALTER TABLE dunning_message ADD COLUMN claimed_at TEXT
        """,
    )


def m010_provision_runs(conn: sqlite3.Connection) -> None:
    """Booked provision runs (``provision book``): the policy used and, per customer, currency
    and age band, the open amount and the provision. A run booked again for the same date is
    kept, marked ``superseded`` by the new one; one live run per as-of date."""
    _run(
        conn,
        """
        CREATE TABLE provision_run (
          id INTEGER PRIMARY KEY,
          as_of TEXT NOT NULL,
          booked_at TEXT NOT NULL,
          booked_by TEXT NOT NULL,
          policy TEXT NOT NULL,
          reason TEXT,
          replaces INTEGER REFERENCES provision_run(id),
          superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1))
        );
        CREATE UNIQUE INDEX provision_run_live ON provision_run(as_of) WHERE superseded = 0;
        CREATE TABLE provision_line (
          id INTEGER PRIMARY KEY,
          run_id INTEGER NOT NULL REFERENCES provision_run(id),
          customer_id INTEGER NOT NULL REFERENCES customer(id),
          currency TEXT NOT NULL,
          band INTEGER NOT NULL CHECK (band >= 0),
          open INTEGER NOT NULL CHECK (open > 0),
          rate TEXT NOT NULL,
          provision INTEGER NOT NULL CHECK (provision >= 0),
          rate_source TEXT NOT NULL CHECK (rate_source IN ('matrix', 'litigation', 'individual')),
          UNIQUE (run_id, customer_id, currency, band)
        )
        """,
    )


MIGRATIONS: list[Migration] = [
    m001_ledger,
    m002_credit,
    m003_collections,
    m004_covering_open_index,
    m005_letters,
    m006_targets,
    m007_message_dropped,
    m009_message_claim,
    m010_provision_runs,
]


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated DDL inside the caller's transaction (``executescript`` would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in the database."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def pending(conn: sqlite3.Connection) -> list[Migration]:
    """Migrations not yet applied, in order."""
    done = set(applied(conn))
    return [m for m in MIGRATIONS if m.__name__ not in done]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations, each in its own transaction; return their names."""
    names = []
    for migration in pending(conn):
        rebuilds = getattr(migration, "foreign_keys_off", False)
        if rebuilds:  # SQLite's table rebuild: keys off outside the transaction, checked inside
            conn.execute("PRAGMA foreign_keys = OFF")
        try:
            if _apply(conn, migration, check_keys=rebuilds):
                names.append(migration.__name__)
        finally:
            if rebuilds:
                conn.execute("PRAGMA foreign_keys = ON")
    return names


def _apply(conn: sqlite3.Connection, migration: Migration, *, check_keys: bool) -> bool:
    """Apply one migration; False when another process applied it while we waited."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if migration.__name__ in applied(conn):
            conn.rollback()
            return False
        migration(conn)
        if check_keys and conn.execute("PRAGMA foreign_key_check").fetchone():
            raise RuntimeError(f"{migration.__name__} would break foreign keys")
        conn.execute(
            "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
            (migration.__name__, datetime.now(UTC).isoformat(timespec="seconds")),
        )
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return True
