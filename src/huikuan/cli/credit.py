"""``credit score|show|list|apply|check|matrix``: 5C scoring, limits and the credit hold."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from huikuan.cli.common import App, FormatOpt, done, emit, ledger, now, one_of, parse_day, state
from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.core.money import format_fen, parse_fen
from huikuan.output import Result

credit_app = App(
    help="5C credit scoring, credit limits and the credit check (credit hold).\n\nExample: huikuan credit check C001 --amount 50000"
)

Code = Annotated[str, typer.Argument(help="Customer code, e.g. C001.")]
AsOf = Annotated[str | None, typer.Option(help="Assess as of this date [today].")]
Num = Annotated[str | None, typer.Option()]


def _read_inputs(source: str) -> dict[str, Any]:
    """A JSON object of inputs from FILE or ``-`` (stdin)."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise HuikuanError(f"{source}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise HuikuanError(f"{source}: not UTF-8 text") from None
    from huikuan.store.sources import BadJson, JsonObject, loads

    try:
        data = loads(text)
    except BadJson as exc:
        raise HuikuanError(f"{source}:{exc.line}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise HuikuanError(f"{source}: expected a JSON object of inputs")
    if isinstance(data, JsonObject) and data.problem:
        raise HuikuanError(f"{source}: {data.problem}")
    return data


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
    from huikuan.core.credit import assess
    from huikuan.core.creditpolicy import parse_inputs
    from huikuan.store import credit as S
    from huikuan.store.ledger import require_customer

    raw = {
        **(_read_inputs(from_) if from_ else {}),
        **{k: v for k, v in given.items() if v is not None},
    }
    inputs = parse_inputs(raw)
    day = parse_day(as_of, "--as-of")
    cfg = state().config
    with ledger() as led, led.transaction() as conn:
        cid = require_customer(conn, code).id
        currency = S.limit_currency(conn, cid, cfg.currency)
        result = assess(
            code, day, inputs, S.history(conn, cid, currency, day), cfg.credit, currency
        )
        saved = None if dry_run else S.save(conn, led.user, cid, result, inputs, now())
    emit(_score_result(result, saved), fmt)
    if saved:
        done(f"Stored assessment {saved} for {code}; adopt it with `huikuan credit apply {code}`")


def _score_result(a: Any, saved: int | None) -> Result:
    doc = {
        "customer": a.customer,
        "date": a.date.isoformat(),
        "scores": a.scores,
        "weights": {k: str(v) for k, v in a.weights.items()},
        "total": a.total,
        "rating": a.rating,
        "recommended_limit": format_fen(a.recommended_limit),
        "recommended_terms": a.recommended_terms,
        "currency": a.currency,
        "reasons": a.reasons,
        "missing": a.missing,
        "id": saved,
    }
    rows = [{"component": k, "score": v, "weight": str(a.weights[k])} for k, v in a.scores.items()]
    notes = [
        f"Total {a.total}/100, rating {a.rating}: limit {a.currency} "
        f"{format_fen(a.recommended_limit)}, terms {a.recommended_terms}"
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


@credit_app.command("show")
def show(code: Code, fmt: FormatOpt = "table") -> None:
    """A customer's latest assessment and its history.

    Example: huikuan credit show C001 --format json | jq .latest.rating
    """
    from huikuan.store import credit as S
    from huikuan.store.ledger import require_customer

    with ledger() as led:
        rows = S.assessments(led.conn, require_customer(led.conn, code).id)
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
    day = parse_day(as_of, "--as-of")
    with ledger() as led:
        rows = list(_list_rows(led.conn, day, stale))
    if by == "rating":
        emit(_by_rating(rows, day), fmt)
        return
    emit(
        Result(
            LIST_COLUMNS,
            [_formatted(r) for r in rows],
            title=f"Credit as of {day}",
            money=set(MONEY),
        ),
        fmt,
    )


def _list_rows(conn: Any, day: date, stale: int | None) -> Any:
    """One row per customer; money as 分 (formatted by the caller)."""
    from huikuan.store.creditlist import credit_rows

    return credit_rows(conn, day, stale, state().config.currency)


MONEY = ("credit_limit", "exposure", "available")


def _formatted(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (format_fen(v) if k in MONEY and v is not None else v) for k, v in row.items()}


def _by_rating(rows: list[dict[str, Any]], day: date) -> Result:
    from huikuan.core.creditpolicy import RATINGS

    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["rating"] or "unrated", row["currency"])
        g = groups.setdefault(
            key,
            {
                "rating": key[0],
                "currency": key[1],
                "customers": 0,
                "credit_limit": 0,
                "exposure": 0,
                "available": 0,
            },
        )
        g["customers"] += 1
        for col in MONEY:
            g[col] += row[col] or 0
    order = {r: n for n, r in enumerate((*RATINGS, "unrated"))}
    out = [
        _formatted(g) for _, g in sorted(groups.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
    ]
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
    from huikuan.store import credit as S

    with ledger() as led, led.transaction() as conn:
        row = S.apply(conn, led.user, code, assessment, now())
    done(
        f"{code}: credit limit {row['currency']} {row['recommended_limit']}, terms"
        f" {row['recommended_terms']} (assessment {row['id']} of {row['date']}, rating {row['rating']})"
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
    from huikuan.core.creditcheck import check_credit
    from huikuan.store import credit as S

    try:
        fen = parse_fen(amount)
    except InvalidValue as exc:
        raise InvalidValue(f"--amount: {exc}") from None
    day = parse_day(as_of, "--as-of")
    cfg = state().config
    with ledger() as led:
        st = S.standing(led.conn, code, day, cfg.currency)
    res = check_credit(st, fen, cfg.credit.hold_days)
    doc = {
        "customer": code,
        "allowed": res.allowed,
        "limit": None if st.limit is None else format_fen(st.limit),
        "exposure": format_fen(st.exposure),
        "available": format_fen(res.available),
        "reasons": res.reasons,
        "amount": format_fen(fen),
        "currency": st.currency,
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
    from huikuan.core.aging import Buckets
    from huikuan.core.creditpolicy import RATINGS
    from huikuan.store import credit as S

    day = parse_day(as_of, "--as-of")
    buckets = Buckets(state().config.buckets)
    cells: dict[tuple[str, str], list[int]] = {}
    with ledger() as led:
        ratings = {
            code: (S.latest(led.conn, cid, day) or {}).get("rating") or "unrated"
            for cid, code, _ in S.customer_ids(led.conn)
        }
        for code, currency, b, fen in S.risk_cells(led.conn, day, buckets):
            cells.setdefault((ratings[code], currency), [0] * len(buckets.labels))[b] += fen
    order = {r: n for n, r in enumerate((*RATINGS, "unrated"))}
    rows = []
    for (rating, currency), amounts in sorted(
        cells.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])
    ):
        row: dict[str, Any] = {"rating": rating, "currency": currency}
        row.update({label: format_fen(v) for label, v in zip(buckets.labels, amounts)})
        row["total"] = format_fen(sum(amounts))
        rows.append(row)
    cols = ["rating", "currency", *buckets.labels, "total"]
    emit(
        Result(
            cols,
            rows,
            title=f"Risk matrix as of {day}: rating × days overdue",
            money={*buckets.labels, "total"},
            document={"as_of": day.isoformat(), "buckets": list(buckets.labels), "rows": rows},
        ),
        fmt,
    )


def register(app: typer.Typer) -> None:
    """Add the credit command group to the root app."""
    app.add_typer(credit_app, name="credit")
