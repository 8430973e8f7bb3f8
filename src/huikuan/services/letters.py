"""Composing and issuing letters: 催款函, 对账函, final demand, reminder, instalment plan.

:func:`make_letter` gathers, numbers and renders one letter (``remind run`` uses it for the
letters it delivers); :func:`issue_letter` is the ``letter`` command's use case. What is pure
rendering lives in ``huikuan.letters``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.core.rows import plain
from huikuan.letters.letter import Letter

if TYPE_CHECKING:
    from huikuan.config import Config
    from huikuan.services.context import Context

LETTERHEAD = ("name", "bank", "account")


@dataclass(frozen=True)
class LetterRequest:
    """One letter to issue: its kind, the customer, and the options of the kind.

    ``options``: ``since`` (statement), ``instalments``/``first``/``every`` (plan)."""

    kind: str
    customer: str
    lang: str | None = None
    pdf: bool = False
    draft: bool = False
    options: dict[str, Any] = field(default_factory=dict)


def missing_letterhead(company: dict[str, str]) -> list[str]:
    """The ``[company]`` keys a letterhead needs that are blank."""
    return [k for k in LETTERHEAD if not company.get(k, "").strip()]


def issue_letter(ctx: Context, req: LetterRequest, keep: Callable[[Letter], None]) -> Letter:
    """Number and render one letter as of ``ctx.as_of``, and ``keep`` it (write it out)
    inside the same transaction: when keeping fails, the reference number is given back."""
    with ctx.ledger.transaction() as conn:
        made = make_letter(
            conn, ctx.config, req.kind, req.customer, ctx.as_of, lang=req.lang,
            user=ctx.user, now=ctx.clock(), pdf=req.pdf, draft=req.draft, **req.options,
        )  # fmt: skip
        keep(made)
    return made


def make_letter(
    conn: Any,
    cfg: Config,
    kind: str,
    code: str,
    as_of: date,
    *,
    lang: str | None = None,
    user: str,
    now: str,
    pdf: bool = False,
    draft: bool = False,
    reference: str | None = None,
    **options: Any,
) -> Letter:
    """Gather, number (stored, unique), render and return one letter.

    ``reference``: render again under a reference issued earlier (a retried delivery).
    ``options``: ``since`` (statement), ``instalments``/``first``/``every`` (plan).
    """
    from huikuan.letters import compose
    from huikuan.letters.compose import KINDS
    from huikuan.letters.render import render_letter
    from huikuan.store import letters as S

    if kind not in KINDS:
        raise InvalidValue(f"letter kind must be one of {', '.join(KINDS)}, not {kind!r}")
    customer, addressee = S.customer_facts(conn, code)
    lang = lang or customer.language or "zh"
    invoices = _invoices(conn, kind, code, as_of)
    interest, rate = _interest(conn, cfg, kind, code, as_of, lang)
    extra = _extra(conn, kind, code, as_of, invoices, options)
    deadline = cfg.make_calendar().add_workdays(as_of, cfg.letters.deadline_days)
    due = compose.totals(compose.with_interest(invoices, interest))
    totals = {t["currency"]: t["due"] for t in due}
    if reference is None:
        reference = "DRAFT" if draft else S.new_reference(
            conn, cfg.letters.reference_prefix, kind, lang, code, as_of, totals, user, now)  # fmt: skip
    ctx = compose.context(
        kind=kind, lang=lang, reference=reference, as_of=as_of, deadline=deadline,
        company=cfg.company, customer=customer._asdict(),
        addressee=addressee._asdict() if addressee else None, invoices=invoices,
        interest=interest, rate=rate, extra=extra,
        contacts=[c._asdict() for c in S.prior_contacts(conn, code, as_of, reference)],
    )  # fmt: skip
    letter = render_letter(ctx, cfg.letters.templates)
    if pdf:
        from dataclasses import replace

        from huikuan.letters.pdf import html_to_pdf

        letter = replace(letter, pdf=html_to_pdf(letter.html, lang))
    return letter


def _invoices(conn: Any, kind: str, code: str, as_of: date) -> list[dict[str, Any]]:
    from huikuan.store.letters import open_invoices

    rows = [r for r in open_invoices(conn, code, as_of) if not r.disputed]
    if kind in ("demand", "final"):
        rows = [r for r in rows if r.days_overdue > 0]
        if not rows:
            raise HuikuanError(f"{code} has nothing overdue as of {as_of}: no {kind} letter")
    return [r._asdict() for r in rows]  # the template's variables


def _interest(
    conn: Any, cfg: Config, kind: str, code: str, as_of: date, lang: str
) -> tuple[dict[str, Decimal] | None, str]:
    if kind not in ("demand", "final") or not cfg.interest.in_letters:
        return None, ""
    from huikuan.store.interest import invoice_interest

    found = list(invoice_interest(conn, cfg.interest, as_of, code))
    rates = sorted({i.rate_zh if lang == "zh" else i.rate for i in found})
    return {i.number: i.interest for i in found}, "；".join(rates) if lang == "zh" else "; ".join(
        rates
    )


def _extra(
    conn: Any, kind: str, code: str, as_of: date, invoices: list[dict[str, Any]], options: Any
) -> dict[str, Any]:
    from huikuan.letters.compose import schedule
    from huikuan.store.statement import statement

    if kind == "statement":
        since = options.get("since")
        lines, _ = statement(conn, code, as_of, since)
        return {"statement": {"since": since, "lines": [plain(x) for x in lines]}}
    if kind != "plan":
        return {}
    currencies = sorted({i["currency"] for i in invoices})
    if len(currencies) != 1:
        raise HuikuanError(f"{code}: an instalment plan needs open invoices in one currency, not {currencies or 'none'}")  # fmt: skip
    total = sum((i["open"] for i in invoices), Decimal("0.00"))
    first = options.get("first") or as_of
    count = options.get("instalments")
    plan = schedule(total, 3 if count is None else count, first, options.get("every") or "month")
    return {"plan": {"instalments": plan, "currency": currencies[0]}}
