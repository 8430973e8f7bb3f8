"""What goes into a letter: the template context, the subject, an instalment schedule (pure)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from huikuan.core.errors import InvalidValue
from huikuan.core.money import from_decimal, to_decimal

KINDS = ("reminder", "demand", "final", "statement", "plan")
COMPANY_KEYS = ("name", "address", "phone", "email", "bank", "account", "contact", "seal")
SUBJECTS = {
    "zh": {"reminder": "付款提醒", "demand": "催款函", "final": "最后催款通知",
           "statement": "对账函", "plan": "分期付款补充协议"},
    "en": {"reminder": "Payment reminder", "demand": "Demand for payment",
           "final": "Final demand before legal action", "statement": "Statement of account",
           "plan": "Instalment plan agreement"},
}  # fmt: skip
CHANNELS = {
    "zh": {"phone": "电话", "email": "电子邮件", "letter": "书面函件", "visit": "上门拜访",
           "sms": "短信", "wechat": "微信", "legal": "律师函"},
    "en": {"phone": "phone call", "email": "email", "letter": "letter", "visit": "visit",
           "sms": "text message", "wechat": "WeChat", "legal": "lawyer's letter"},
}  # fmt: skip


def subject(kind: str, lang: str, company: str, reference: str) -> str:
    """``催款函 HK-2026-000001 — 上海某某有限公司``."""
    sender = f" — {company}" if company else ""
    return f"{SUBJECTS[lang][kind]} {reference}{sender}"


def context(
    *,
    kind: str,
    lang: str,
    reference: str,
    as_of: date,
    deadline: date,
    company: dict[str, str],
    customer: dict[str, Any],
    addressee: dict[str, Any] | None,
    invoices: list[dict[str, Any]],
    interest: dict[str, Decimal] | None = None,
    rate: str = "",
    extra: dict[str, Any] | None = None,
    contacts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The template variables (amounts as ``Decimal``, dates as ``date``).

    ``interest`` maps invoice number -> accrued interest when the letter shows interest.
    ``contacts``: the customer's logged contacts before this letter (date, channel, reference,
    kind of the letter sent, if any), oldest first; templates state them as facts.
    """
    shown = interest is not None
    rows = with_interest(invoices, interest)
    return {
        "kind": kind,
        "lang": lang,
        "reference": reference,
        "date": as_of,
        "deadline": deadline,
        "company": {k: company.get(k, "") for k in COMPANY_KEYS},
        "customer": customer,
        "addressee": addressee,
        "invoices": rows,
        "totals": totals(rows),
        "contracts": sorted({i["contract"] for i in rows if i["contract"]}),
        "interest": {"shown": shown, "rate": rate},
        "contacts": prior_contacts(contacts or [], lang),
        "statement": {"since": None, "lines": []},
        "plan": {"instalments": [], "currency": ""},
        **(extra or {}),
    }


def prior_contacts(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Each contact with ``how`` (the channel in words) and ``letter`` (the letter's title)."""
    return [
        {
            "date": r["date"],
            "channel": r["channel"],
            "how": CHANNELS[lang].get(r["channel"], r["channel"]),
            "letter": SUBJECTS[lang].get(r.get("kind") or "", ""),
            "reference": r.get("reference") or "",
        }
        for r in rows
    ]


def with_interest(
    invoices: list[dict[str, Any]], interest: dict[str, Decimal] | None
) -> list[dict[str, Any]]:
    """Each invoice with its ``interest`` (0.00 when none accrued or none is shown)."""
    return [{**i, "interest": (interest or {}).get(i["number"], Decimal("0.00"))} for i in invoices]


def totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per currency: open, interest, open + interest, and whether 大写 applies (CNY only)."""
    sums: dict[str, list[Decimal]] = {}
    for r in rows:
        s = sums.setdefault(r["currency"], [Decimal("0.00"), Decimal("0.00")])
        s[0] += r["open"]
        s[1] += r["interest"]
    return [
        {"currency": c, "open": o, "interest": i, "due": o + i, "cny": c == "CNY"}
        for c, (o, i) in sorted(sums.items())
    ]


def schedule(total: Decimal, count: int, first: date, every: str) -> list[dict[str, Any]]:
    """Split ``total`` into ``count`` instalments (to the 分, the remainder on the last one).

    ``every`` is ``month`` (same day each month, month ends kept) or a number of days.
    """
    if not 1 <= count <= 120:
        raise InvalidValue(f"--instalments must be between 1 and 120, not {count}")
    fen = from_decimal(total)
    part = fen // count
    step = _step(every)
    out = []
    for n in range(count):
        amount = part if n < count - 1 else fen - part * (count - 1)
        out.append({"no": n + 1, "date": step(first, n), "amount": to_decimal(amount)})
    return out


def _step(every: str) -> Any:
    if every == "month":
        return lambda first, n: first + relativedelta(months=n)
    if every.isdigit() and int(every) > 0:
        return lambda first, n: first + timedelta(days=int(every) * n)
    raise InvalidValue(f"--every must be month or a number of days, not {every!r}")
