"""What ``provision --since D`` compares with: the run booked as of D (or the last one before
it), else D's figures rebuilt with the litigation flags as they stood on D."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from huikuan.core.provision import FlagChange, ProvisionPolicy, ProvisionRow
    from huikuan.store.provision import BookedRun


@dataclass(frozen=True)
class Earlier:
    """The earlier figures, where they come from, and the notes that say so."""

    since: date
    rows: list[ProvisionRow]
    run: BookedRun | None = None
    notes: list[str] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """``since``, ``since_source`` and ``compared_with`` for the JSON document."""
        run = self.run
        compared = None
        if run is not None:
            compared = {"run": run.id, "as_of": run.as_of.isoformat(), "booked_at": run.booked_at,
                        "booked_by": run.booked_by}  # fmt: skip
        return {
            "since": self.since.isoformat(),
            "since_source": "rebuilt" if run is None else "booked",
            "compared_with": compared,
        }


def earlier_figures(
    conn: sqlite3.Connection, policy: ProvisionPolicy, since: date, by: str
) -> Earlier:
    """The booked run as of ``since`` or the last before it; else the figures rebuilt with
    ``policy`` (the current ``[provision]`` settings). Rows per customer or ``segment``.

    ``conn``: the ledger connection of the provision service's context (read only)."""
    from huikuan.store.provision import run_on_or_before, run_rows

    run = run_on_or_before(conn, since)
    if run is None:
        return _rebuilt(conn, policy, since, by)
    return Earlier(since, _grouped(conn, run_rows(conn, run), by), run, [_booked_note(run, since)])


def _grouped(conn: sqlite3.Connection, rows: list[ProvisionRow], by: str) -> list[ProvisionRow]:
    from huikuan.core.provision import merge
    from huikuan.store.analytics import segments

    return merge(rows, segments(conn)) if by == "segment" else rows


def booked_on(at: str) -> str:
    """The local day of a ``booked_at`` timestamp."""
    return datetime.fromisoformat(at).astimezone().date().isoformat()


def _booked_note(run: BookedRun, since: date) -> str:
    what = f"the provision booked on {booked_on(run.booked_at)} by {run.booked_by} as of {run.as_of} (run {run.id})"
    if run.as_of == since:
        return f"Compared with {what}."
    return f"No provision booked as of {since}: compared with the last one before it, {what}."


def _rebuilt(conn: sqlite3.Connection, policy: ProvisionPolicy, since: date, by: str) -> Earlier:
    from huikuan.core.provision import flags_on
    from huikuan.store.analytics import provision_rows
    from huikuan.store.provision import legal_changes, legal_now

    now = legal_now(conn)
    flags, guessed = flags_on(now, legal_changes(conn), since)
    rows = provision_rows(conn, policy, since, flags)
    codes = {r.key for r in rows}
    notes = [
        f"No provision booked on or before {since}: its figures are rebuilt from the ledger, "
        "with the litigation flags as they stood then (audit log).",
        "Rates: the current [provision] settings (huikuan keeps no history of them).",
    ]
    notes += _flag_notes(since, {c: flags[c] for c in sorted(codes) if flags[c] != now[c]})
    notes += [_guess_note(g) for g in guessed if g.code in codes]
    return Earlier(since, _grouped(conn, rows, by), None, notes)


def _flag_notes(since: date, changed: dict[str, bool]) -> list[str]:
    if not changed:
        return []
    parts = [
        f"{label}: {', '.join(c for c, flag in changed.items() if flag is value)}"
        for value, label in ((False, "not in litigation"), (True, "in litigation"))
        if value in changed.values()
    ]
    return [f"Flagged differently on {since} than today: {'; '.join(parts)}."]


def _guess_note(change: FlagChange) -> str:
    was = "in" if change.old else "not in"
    return (
        f"The audit log has no earlier value of {change.code}'s litigation flag changed on "
        f"{change.on}: taken as {was} litigation before it."
    )
