"""Bad-debt provision (坏账准备): the figures as of a day, booking them, and the change since an
earlier day: the run booked as of that day (or the last one before it), else that day's
figures rebuilt with the litigation flags as they stood then (audit log).

Money in the results is ``Decimal`` yuan (two places), dates are ``date``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from huikuan.core.errors import InvalidValue
from huikuan.core.money import to_decimal

if TYPE_CHECKING:
    from huikuan.core.provision import FlagChange, ProvisionPolicy, ProvisionRow
    from huikuan.services.context import Context
    from huikuan.store.db import Connection
    from huikuan.store.provision import BookedRun


@dataclass(frozen=True)
class Earlier:
    """The earlier figures (per customer or segment), the run they were booked in (None:
    rebuilt from the ledger), and the notes that say where they come from."""

    since: date
    rows: list[ProvisionRow]
    run: BookedRun | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProvisionLine:
    """One customer (or segment) in one currency: open amounts per age band, the provision,
    where its rate came from, and (when compared) the provision before."""

    key: str
    name: str
    currency: str
    bands: list[Decimal]
    open: Decimal
    provision: Decimal
    source: str
    previous: Decimal | None = None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.provision - self.previous


@dataclass(frozen=True)
class ProvisionTotal:
    """One currency's open amount and provision (and the provision before, when compared)."""

    currency: str
    open: Decimal
    provision: Decimal
    previous: Decimal | None = None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.provision - self.previous


@dataclass(frozen=True)
class Provision:
    """The provision as of a day: band labels, lines (largest provision first), totals per
    currency, and what it was compared with (``earlier``, None without ``--since``)."""

    as_of: date
    labels: list[str]
    lines: list[ProvisionLine]
    totals: list[ProvisionTotal]
    earlier: Earlier | None = None


@dataclass(frozen=True)
class Booked:
    """A booked provision: its figures, the run's id, when and by whom it was booked."""

    provision: Provision
    run: int
    booked_at: str
    booked_by: str


def provision(ctx: Context, by: str = "customer", since: date | None = None) -> Provision:
    """The provision as of ``ctx.as_of`` per customer or segment (``by``); with ``since``,
    also the provision then, to show the change to book."""
    if since is not None and since > ctx.as_of:
        raise InvalidValue(f"--since {since} is after --as-of {ctx.as_of}")
    conn, policy = ctx.ledger.conn, ctx.config.provision
    rows = figures(conn, policy, ctx.as_of, by)
    earlier = earlier_figures(ctx, since, by) if since is not None else None
    return report(ctx.as_of, policy.labels, rows, earlier)


def figures(conn: Connection, policy: ProvisionPolicy, day: date, by: str) -> list[ProvisionRow]:
    """The provision rows as of ``day`` per customer, or merged per segment."""
    from huikuan.store.analytics import provision_rows

    return _grouped(conn, provision_rows(conn, policy, day), by)


def book(ctx: Context, replace: bool = False, reason: str | None = None) -> Booked:
    """Compute and record the provision as of ``ctx.as_of`` in one transaction (audited).
    A day is booked once; ``replace`` (with a ``reason``) books it again, keeping the
    earlier run (superseded)."""
    from huikuan.store.analytics import provision_rows
    from huikuan.store.provision import book as record

    if replace and not (reason or "").strip():
        raise InvalidValue("--replace needs --reason (why the date is booked again)")
    day, policy, at = ctx.as_of, ctx.config.provision, ctx.clock()
    with ctx.ledger.transaction() as conn:
        rows = provision_rows(conn, policy, day)
        run = record(conn, ctx.user, (day, at), policy, rows, (replace, reason))
    return Booked(report(day, policy.labels, rows, None), run, at, ctx.user)


def report(
    day: date, labels: list[str], rows: list[ProvisionRow], earlier: Earlier | None
) -> Provision:
    """The lines and totals of ``rows``, compared with ``earlier`` when given (a customer
    provided for then and gone now shows as a reversal)."""
    from huikuan.core.provision import with_reversals

    prior = None
    if earlier is not None:
        prior = {(r.key, r.currency): r.provision for r in earlier.rows}
        rows = with_reversals(rows, earlier.rows, len(labels))
    rows = sorted(rows, key=lambda r: (-r.provision, -r.open, r.key, r.currency))
    lines = [_line(r, prior) for r in rows]
    return Provision(day, labels, lines, _totals(lines), earlier)


def _line(r: ProvisionRow, prior: dict[tuple[str, str], int] | None) -> ProvisionLine:
    before = None if prior is None else to_decimal(prior.get((r.key, r.currency), 0))
    bands = [to_decimal(f) for f in r.bands]
    return ProvisionLine(r.key, r.name, r.currency, bands, to_decimal(r.open),
                         to_decimal(r.provision), r.source, before)  # fmt: skip


def _totals(lines: list[ProvisionLine]) -> list[ProvisionTotal]:
    zero = to_decimal(0)
    sums: dict[str, list[Decimal]] = {}
    for line in lines:
        s = sums.setdefault(line.currency, [zero, zero, zero])
        s[0] += line.open
        s[1] += line.provision
        s[2] += line.previous or zero
    compared = any(line.previous is not None for line in lines)
    return [
        ProvisionTotal(cur, sums[cur][0], sums[cur][1], sums[cur][2] if compared else None)
        for cur in sorted(sums)
    ]


def earlier_figures(ctx: Context, since: date, by: str) -> Earlier:
    """The run booked as of ``since`` or the last one before it; else the figures rebuilt."""
    from huikuan.store.provision import run_on_or_before, run_rows

    conn = ctx.ledger.conn
    run = run_on_or_before(conn, since)
    if run is None:
        return _rebuilt(ctx, since, by)
    return Earlier(since, _grouped(conn, run_rows(conn, run), by), run, [_booked_note(run, since)])


def _grouped(conn: Connection, rows: list[ProvisionRow], by: str) -> list[ProvisionRow]:
    from huikuan.core.provision import merge
    from huikuan.store.analytics import segments

    return merge(rows, segments(conn)) if by == "segment" else rows


def _booked_on(at: str) -> str:
    """The local day of a ``booked_at`` timestamp."""
    return datetime.fromisoformat(at).astimezone().date().isoformat()


def _booked_note(run: BookedRun, since: date) -> str:
    what = f"the provision booked on {_booked_on(run.booked_at)} by {run.booked_by} as of {run.as_of} (run {run.id})"
    if run.as_of == since:
        return f"Compared with {what}."
    return f"No provision booked as of {since}: compared with the last one before it, {what}."


def _rebuilt(ctx: Context, since: date, by: str) -> Earlier:
    from huikuan.core.provision import flags_on
    from huikuan.store.analytics import provision_rows
    from huikuan.store.provision import legal_changes, legal_now

    conn = ctx.ledger.conn
    now = legal_now(conn)
    flags, guessed = flags_on(now, legal_changes(conn), since)
    rows = provision_rows(conn, ctx.config.provision, since, flags)
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
