"""The schema revision this huikuan expects (kept apart: checking it imports nothing)."""

HEAD = "0006"
BASELINE = "0001"  # what a huikuan 0.1 ledger is stamped with once adopted
