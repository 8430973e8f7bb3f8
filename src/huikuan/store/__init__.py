"""Persistence: the SQLite ledger, its migrations, queries, imports and exports."""
