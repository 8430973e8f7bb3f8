"""Exception types raised by huikuan's domain and store code.

The CLI turns every :class:`HuikuanError` into ``Error: …`` lines on stderr and exit code 1.
"""

from __future__ import annotations


class HuikuanError(Exception):
    """An error the user can fix. ``messages`` holds one line per problem."""

    def __init__(self, *messages: str, summary: str | None = None) -> None:
        super().__init__(*messages)
        self.messages = list(messages)
        self.summary = summary

    def __str__(self) -> str:
        return "; ".join(self.messages)


class InvalidValue(HuikuanError):
    """A single value (amount, date, terms code, …) could not be parsed."""


class NotFound(HuikuanError):
    """A customer, invoice or other record named by the user does not exist."""


class Conflict(HuikuanError):
    """The change would break a ledger rule (duplicate key, over-allocation, …)."""


class ImportFailed(HuikuanError):
    """An import found bad rows; nothing was written."""
