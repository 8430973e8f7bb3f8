"""Collections KPIs (回款率, DSO, CEI, overdue ratio, days to pay) per group and period, and
the salespeople's collection targets (回款任务). Definitions: :mod:`huikuan.core.kpi`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from huikuan.core.kpi import Sums, line_texts, measure_values
from huikuan.core.money import format_fen, to_decimal

if TYPE_CHECKING:
    from huikuan.core.kpi import Figures
    from huikuan.services.context import Context

Periods = list[tuple[str, date, date]]
T = TypeVar("T")


class KpiLine(NamedTuple):
    """One group's figures in one currency and period (``period`` None when not split).

    A named tuple: a report by customer and month has many, made fast."""

    period: str | None
    key: str
    currency: str
    credit_sales: Decimal
    collections: Decimal
    opening: Decimal
    closing: Decimal
    collection_rate: Decimal | None
    dso: Decimal | None
    cei: Decimal | None
    overdue_ratio: Decimal | None
    avg_days_to_pay: Decimal | None
    target: Decimal | None = None

    @property
    def target_met(self) -> bool | None:
        """Whether the collections reached the target (None: no target)."""
        return None if self.target is None else self.collections >= self.target


class KpiText(NamedTuple):
    """A line as text: each figure as ``str()`` of its :class:`KpiLine` Decimal, made from
    the 分 and ratios in integers (a report by customer and month writes many lines)."""

    period: str | None
    key: str
    currency: str
    credit_sales: str
    collections: str
    opening: str
    closing: str
    collection_rate: str | None
    dso: str | None
    cei: str | None
    overdue_ratio: str | None
    avg_days_to_pay: str | None
    target: str | None
    target_met: bool | None


@dataclass(frozen=True, slots=True)
class KpiReport:
    """The KPIs from ``first`` to ``last``: rows by period label (when split), key, currency.

    ``rows`` makes the lines afresh on each reading, from the ledger's sums (a month by
    customer is many lines: they are not all held at once)."""

    first: date
    last: date
    period: str | None
    make_rows: Callable[[], Iterator[KpiLine]]
    make_texts: Callable[[], Iterator[KpiText]]

    @property
    def rows(self) -> Iterator[KpiLine]:
        """The lines, made as they are read."""
        return self.make_rows()

    def texts(self) -> Iterator[KpiText]:
        """The lines as text (what JSON, CSV and tables show), made as they are read."""
        return self.make_texts()

    def collections_by_period(self) -> dict[str, list[tuple[str, Decimal]]]:
        """Per currency (sorted), the collections of each period (sorted); empty unsplit."""
        if not self.period:
            return {}
        per: dict[str, dict[str, Decimal]] = {}
        for r in self.rows:
            label = r.period or ""
            cur = per.setdefault(r.currency, {})
            cur[label] = cur.get(label, Decimal("0.00")) + r.collections
        return {c: sorted(v.items()) for c, v in sorted(per.items())}


class _Span(NamedTuple):
    """What a line needs of its period: its label (None unsplit), days and target label."""

    label: str | None
    days: int
    goal: str


def kpi(ctx: Context, first: date, by: str | None = None, period: str | None = None) -> KpiReport:
    """The KPIs from ``first`` to ``ctx.as_of``, overall or per salesperson, segment or
    customer, in one period or split by month or quarter; per salesperson with the target
    set for exactly that period (a month, quarter or year), if any."""
    from huikuan.core.kpi import label_of, split
    from huikuan.store.kpi import kpi_groups, targets

    last = ctx.as_of
    periods = split(first, last, period)
    conn = ctx.ledger.conn
    with ctx.ledger.small_cache():  # one pass over much of the ledger: the OS caches it
        groups = kpi_groups(conn, by or "all", periods)
    goals = {(t[0], t[1], t[2]): t[3] for t in targets(conn)} if by == "salesperson" else {}
    spans = [_Span(None, 0, "")] + [  # by position: period k is spans[k]
        _Span(label if period else None, (b - a).days + 1, label_of(a, b) or "")
        for label, a, b in periods
    ]
    order = sorted(groups)  # then by period: labels sort as their periods do

    def lines(make: Callable[..., T]) -> Callable[[], Iterator[T]]:
        def made() -> Iterator[T]:
            for key, cur in order:
                for f in groups[(key, cur)].figures():
                    yield make(key, cur, spans[f[0]], f, goals)

        return made

    return KpiReport(first, last, period, lines(_line), lines(_text))


def _line(
    key: str, cur: str, span: _Span, f: Figures, goals: dict[tuple[str, str, str], int]
) -> KpiLine:
    goal = goals.get((key, span.goal, cur)) if goals else None
    s = Sums(*f[1:])
    return KpiLine(
        span.label, key, cur, to_decimal(s.credit_sales), to_decimal(s.collections),
        to_decimal(s.opening), to_decimal(s.closing), *measure_values(s, span.days),
        to_decimal(goal) if goal is not None else None,
    )  # fmt: skip


def _text(
    key: str, cur: str, span: _Span, f: Figures, goals: dict[tuple[str, str, str], int]
) -> KpiText:
    """The line as text (:func:`~huikuan.core.kpi.line_texts`: the same text as each
    figure's Decimal, made without one)."""
    goal = goals.get((key, span.goal, cur)) if goals else None
    if goal is None:
        return KpiText(span.label, key, cur, *line_texts(f, span.days), None, None)
    return KpiText(span.label, key, cur, *line_texts(f, span.days), format_fen(goal), f[2] >= goal)


@dataclass(frozen=True, slots=True)
class Target:
    """A salesperson's collection target for a period, and who set it when (UTC ISO time)."""

    salesperson: str
    period: str
    currency: str
    amount: Decimal
    set_by: str
    set_at: str


@dataclass(frozen=True, slots=True)
class TargetSet:
    """A target just set, and the amount it replaced (None: there was none)."""

    target: Target
    replaced: Decimal | None


def set_target(
    ctx: Context, salesperson: str, period: str, amount: Decimal, currency: str
) -> TargetSet:
    """Set (or replace) ``salesperson``'s target for ``period`` (a checked label such as
    ``2026-Q4``) in one audited change; a salesperson no customer or invoice has is an error."""
    from huikuan.core.errors import NotFound
    from huikuan.core.money import from_decimal
    from huikuan.store import kpi as S
    from huikuan.store.ledger import audit

    fen, at = from_decimal(amount), ctx.clock()
    with ctx.ledger.transaction() as conn:
        if not S.salesperson_known(conn, salesperson):
            raise NotFound(f"no customer or invoice has salesperson {salesperson!r}")
        old = S.set_target(conn, salesperson, period, currency, fen, ctx.user, at)
        change = {"period": period, "currency": currency, "amount": fen, "replaced": old}
        audit(conn, ctx.user, "set", "target", salesperson, change)
    made = Target(salesperson, period, currency, to_decimal(fen), ctx.user, at)
    return TargetSet(made, to_decimal(old) if old is not None else None)


def targets(ctx: Context, period: str | None = None) -> list[Target]:
    """The targets by period, salesperson and currency (of one period label, if given)."""
    from huikuan.store.kpi import targets as stored

    return [
        Target(who, label, cur, to_decimal(fen), by, at)
        for who, label, cur, fen, by, at in stored(ctx.ledger.conn, period)
    ]
