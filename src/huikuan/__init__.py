"""huikuan (回款): a command-line collections toolkit over a local SQLite ledger."""

__version__ = "0.1.0"
