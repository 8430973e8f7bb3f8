"""``audit``: read the audit log (who changed what, when, and why)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from huikuan.cli.common import FormatOpt, emit, parse_day
from huikuan.cli.context import service_context
from huikuan.output import Result

if TYPE_CHECKING:
    from huikuan.services.audit import Entry

COLUMNS = ["id", "at", "user", "action", "entity", "key", "detail"]


def audit(
    entity: Annotated[
        str | None,
        typer.Option(help="Only this kind of record: customer, contact, invoice, payment, …"),
    ] = None,
    key: Annotated[
        str | None, typer.Option(help="Only this record: a customer code, invoice number, …")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only changes made on or after this date (UTC).")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only changes by this user.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """List the audit log, oldest first: every change with who, when, what and why.

    In JSON the detail (reason, values before and after) is an object; in a table or CSV it
    is its JSON text.

    Example: huikuan audit --entity invoice --key INV-2026-101 --format json
    """
    from huikuan.services.audit import AuditFilter, audit_entries

    day = parse_day(since, "--since") if since is not None else None
    where = AuditFilter(entity=entity, key=key, since=day, user=user)
    with service_context(parse_day(None)) as ctx:
        rows = map(_row, audit_entries(ctx, where))
        emit(Result(COLUMNS, rows if fmt in ("json", "jsonl") else _flat(rows)), fmt)


def _row(entry: Entry) -> dict[str, Any]:
    """An entry's output form: the time in UTC to the second."""
    return {**entry._asdict(), "at": entry.at.isoformat(timespec="seconds")}


def _flat(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The detail as compact JSON text, for a table or CSV cell."""
    for row in rows:
        detail = row["detail"]
        text = detail if isinstance(detail, str) or detail is None else _dumps(detail)
        yield {**row, "detail": text}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def register(app: typer.Typer) -> None:
    """Add ``audit`` to the root app."""
    app.command()(audit)
