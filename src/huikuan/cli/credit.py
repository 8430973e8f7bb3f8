"""``credit score|show|list|apply|check|matrix``: 5C scoring, limits and the credit hold."""

from __future__ import annotations

import sys
from dataclasses import fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from huikuan.cli.common import App, FormatOpt, done, emit, one_of, parse_day
from huikuan.cli.context import service_context
from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.core.money import parse_fen, to_decimal
from huikuan.output import Result

if TYPE_CHECKING:
    from huikuan.services.credit import CreditLine, RatingGroup, Scored, StoredAssessment

credit_app = App(
    help="5C credit scoring, credit limits and the credit check (credit hold).\n\nExample: huikuan credit check C001 --amount 50000"
)

Code = Annotated[str, typer.Argument(help="Customer code, e.g. C001.")]
AsOf = Annotated[str | None, typer.Option(help="Assess as of this date [today].")]
Num = Annotated[str | None, typer.Option()]


def _money(value: Decimal | None) -> str | None:
    """``Decimal`` yuan -> ``"1234.50"`` (JSON/CSV form); None stays None."""
    return None if value is None else f"{value:.2f}"


def _read_inputs(source: str) -> dict[str, Any]:
    """A JSON object of inputs from FILE or ``-`` (stdin)."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise HuikuanError(f"{source}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise HuikuanError(f"{source}: not UTF-8 text") from None
    from huikuan.services.credit import inputs_from_json

    return inputs_from_json(text, source)


@credit_app.command("score")
def score(
    code: Code,
    from_: Annotated[
        str | None, typer.Option("--from", help="JSON object of inputs, or - for stdin.")
    ] = None,
    current_ratio: Num = None,
    quick_ratio: Num = None,
    debt_ratio: Num = None,
    net_worth: Num = None,
    tangible_net_worth: Num = None,
    operating_cash_flow: Num = None,
    annual_revenue: Num = None,
    collateral_value: Num = None,
    guarantee_value: Num = None,
    industry_outlook: Annotated[str | None, typer.Option(help="1 (poor) to 5 (strong).")] = None,
    region_outlook: Annotated[str | None, typer.Option(help="1 (poor) to 5 (strong).")] = None,
    expected_monthly_sales: Num = None,
    character: Annotated[
        str | None, typer.Option(help="0-100, used only when the ledger has no history.")
    ] = None,
    as_of: AsOf = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, do not store.")] = False,
    fmt: FormatOpt = "table",
) -> None:
    """Assess a customer on the 5C and store the assessment (history is kept).

    Examples: huikuan credit score C001 --current-ratio 1.8 --debt-ratio 0.55 --net-worth 5,000,000
              echo '{"quick_ratio": 0.9, "industry_outlook": 4}' | huikuan credit score C001 --from -
    """
    given = {
        k: v for k, v in locals().items() if k not in ("code", "from_", "as_of", "dry_run", "fmt")
    }
    from huikuan.services import credit

    raw = {
        **(_read_inputs(from_) if from_ else {}),
        **{k: v for k, v in given.items() if v is not None},
    }
    with service_context(parse_day(as_of, "--as-of")) as ctx:
        scored = credit.score(ctx, code, raw, store=not dry_run)
    emit(_score_result(scored), fmt)
    if scored.id:
        done(
            f"Stored assessment {scored.id} for {code}; adopt it with `huikuan credit apply {code}`"
        )


def _score_result(scored: Scored) -> Result:
    a, limit = scored.assessment, _money(scored.recommended_limit)
    doc = {
        "customer": a.customer,
        "date": a.date.isoformat(),
        "scores": a.scores,
        "weights": {k: str(v) for k, v in a.weights.items()},
        "total": a.total,
        "rating": a.rating,
        "recommended_limit": limit,
        "recommended_terms": a.recommended_terms,
        "currency": a.currency,
        "reasons": a.reasons,
        "missing": a.missing,
        "id": scored.id,
    }
    rows = [{"component": k, "score": v, "weight": str(a.weights[k])} for k, v in a.scores.items()]
    notes = [
        f"Total {a.total}/100, rating {a.rating}: limit {a.currency} "
        f"{limit}, terms {a.recommended_terms}"
    ]
    notes += [f"- {r}" for r in a.reasons]
    if a.missing:
        notes.append("Missing inputs: " + ", ".join(a.missing))
    return Result(
        ["component", "score", "weight"],
        rows,
        document=doc,
        title=f"5C assessment of {a.customer} as of {a.date}",
        notes=notes,
    )


def _assessment_row(a: StoredAssessment) -> dict[str, Any]:
    """An assessment as an output row (the keys and order of the JSON contract)."""
    row = {f.name: getattr(a, f.name) for f in fields(a)}
    return row | {"date": a.date.isoformat(), "recommended_limit": _money(a.recommended_limit)}


@credit_app.command("show")
def show(code: Code, fmt: FormatOpt = "table") -> None:
    """A customer's latest assessment and its history.

    Example: huikuan credit show C001 --format json | jq .latest.rating
    """
    from huikuan.services import credit

    with service_context(parse_day(None)) as ctx:
        found = credit.assessments(ctx, code)
    rows = [_assessment_row(a) for a in found]
    cols = [
        "id",
        "date",
        "rating",
        "total",
        "recommended_limit",
        "recommended_terms",
        "currency",
        "assessor",
        "applied_at",
    ]
    notes = [] if rows else [f"No assessments of {code} yet: run `huikuan credit score {code}`."]
    if rows:
        notes = [f"Latest reasons: {r}" for r in rows[0]["reasons"]]
    emit(
        Result(
            cols,
            rows,
            document={"customer": code, "latest": rows[0] if rows else None, "history": rows},
            title=f"Credit assessments of {code}",
            money={"recommended_limit"},
            notes=notes,
        ),
        fmt,
    )


LIST_COLUMNS = [
    "code",
    "name",
    "rating",
    "total",
    "last_assessed",
    "credit_limit",
    "terms",
    "currency",
    "exposure",
    "available",
]
MONEY = ("credit_limit", "exposure", "available")


@credit_app.command("list")
def list_(
    stale: Annotated[
        int | None, typer.Option(min=0, help="Only customers not assessed for DAYS (or never).")
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="rating: totals per rating.", callback=one_of("rating"))
    ] = None,
    as_of: AsOf = None,
    fmt: FormatOpt = "table",
) -> None:
    """Every customer's rating, limit, exposure and available credit.

    Examples: huikuan credit list --stale 365;  huikuan credit list --by rating --format json
    """
    from huikuan.services import credit

    day = parse_day(as_of, "--as-of")
    with service_context(day) as ctx:
        lines = list(credit.credit_lines(ctx, stale))
    if by == "rating":
        emit(_by_rating(credit.by_rating(lines), day), fmt)
        return
    emit(
        Result(
            LIST_COLUMNS,
            [_line_row(line) for line in lines],
            title=f"Credit as of {day}",
            money=set(MONEY),
        ),
        fmt,
    )


def _line_row(line: CreditLine) -> dict[str, Any]:
    assessed = line.last_assessed
    return {
        "code": line.code,
        "name": line.name,
        "rating": line.rating,
        "total": line.total,
        "last_assessed": assessed.isoformat() if assessed else None,
        "credit_limit": _money(line.credit_limit),
        "terms": line.terms,
        "currency": line.currency,
        "exposure": _money(line.exposure),
        "available": _money(line.available),
    }


def _by_rating(groups: list[RatingGroup], day: date) -> Result:
    out = [
        {"rating": g.rating, "currency": g.currency, "customers": g.customers,
         **{col: _money(getattr(g, col)) for col in MONEY}}
        for g in groups
    ]  # fmt: skip
    return Result(
        ["rating", "currency", "customers", *MONEY],
        out,
        title=f"Credit by rating as of {day}",
        money=set(MONEY),
    )


@credit_app.command("apply")
def apply(
    code: Code,
    assessment: Annotated[
        int | None, typer.Option(help="Assessment id to adopt [the latest].")
    ] = None,
) -> None:
    """Adopt the recommended limit and terms as the customer's (audited).

    Example: huikuan credit apply C001
    """
    from huikuan.services import credit

    with service_context(parse_day(None)) as ctx:
        a = credit.apply(ctx, code, assessment)
    done(
        f"{code}: credit limit {a.currency} {_money(a.recommended_limit)}, terms"
        f" {a.recommended_terms} (assessment {a.id} of {a.date}, rating {a.rating})"
    )


@credit_app.command("check")
def check(
    code: Code,
    amount: Annotated[str, typer.Option(help="Amount of the new credit sale, e.g. 50,000.")],
    as_of: AsOf = None,
    fmt: FormatOpt = "table",
) -> None:
    """May a new credit sale go ahead? Exit 0 = yes, 3 = no (with the reasons).

    Example: huikuan credit check C001 --amount 50000 --format json && echo ship it
    """
    from huikuan.services import creditcheck

    try:
        fen = parse_fen(amount)
    except InvalidValue as exc:
        raise InvalidValue(f"--amount: {exc}") from None
    day = parse_day(as_of, "--as-of")
    with service_context(day) as ctx:
        res = creditcheck.check(ctx, code, to_decimal(fen))
    doc = {
        "customer": code,
        "allowed": res.allowed,
        "limit": _money(res.limit),
        "exposure": _money(res.exposure),
        "available": _money(res.available),
        "reasons": res.reasons,
        "amount": _money(res.amount),
        "currency": res.currency,
        "as_of": day.isoformat(),
    }
    verdict = "YES: the sale may go ahead" if res.allowed else "NO: hold this credit sale"
    emit(
        Result(
            ["customer", "allowed", "currency", "limit", "exposure", "available", "amount"],
            [doc],
            document=doc,
            title=f"Credit check {code} as of {day}",
            money={"limit", "exposure", "available", "amount"},
            notes=[verdict, *(f"- {r}" for r in res.reasons)],
        ),
        fmt,
    )
    if not res.allowed:
        raise typer.Exit(3)


@credit_app.command("matrix")
def matrix(as_of: AsOf = None, fmt: FormatOpt = "table") -> None:
    """Risk matrix: open receivables by rating × days overdue, per currency.

    Example: huikuan credit matrix --as-of 2026-12-31
    """
    from huikuan.services import credit

    day = parse_day(as_of, "--as-of")
    with service_context(day) as ctx:
        found = credit.matrix(ctx)
    labels = found.buckets
    rows = [
        {"rating": r.rating, "currency": r.currency,
         **{label: _money(v) for label, v in zip(labels, r.amounts)}, "total": _money(r.total)}
        for r in found.rows
    ]  # fmt: skip
    cols = ["rating", "currency", *labels, "total"]
    emit(
        Result(
            cols,
            rows,
            title=f"Risk matrix as of {day}: rating × days overdue",
            money={*labels, "total"},
            document={"as_of": day.isoformat(), "buckets": list(labels), "rows": rows},
        ),
        fmt,
    )


def register(app: typer.Typer) -> None:
    """Add the credit command group to the root app."""
    app.add_typer(credit_app, name="credit")
