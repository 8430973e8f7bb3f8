"""Plain-text reminder messages written to the outbox directory (one file per message).

Until rendered letters and SMTP arrive, ``email``, ``letter`` and ``sms`` messages of a
dunning run are written here as UTF-8 text, ready to send or print.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from huikuan.core.money import format_grouped

SUBJECTS = {
    "zh": {
        "reminder": "付款提醒",
        "demand": "催款函",
        "final": "最后催款通知",
        None: "应收账款提醒",
    },
    "en": {
        "reminder": "Payment reminder",
        "demand": "Overdue payment demand",
        "final": "Final demand before legal action",
        None: "Accounts receivable reminder",
    },
}


def compose(
    msg: dict[str, Any],
    invoices: list[dict[str, Any]],
    company: dict[str, str],
    to: str | None,
    as_of: date,
) -> str:
    """The message as text: headers, a table of the invoices, the total per currency."""
    lang = "en" if msg.get("language") == "en" else "zh"
    subject = SUBJECTS[lang].get(msg.get("letter"), SUBJECTS[lang][None])
    sender = company.get("name", "")
    lines = [
        f"To: {to or '(no email on file)'}",
        f"Subject: {subject} — {msg['name']}",
        f"Date: {as_of.isoformat()}",
        f"Channel: {msg['channel']}  Level: {msg['level_name']}",
        "",
    ]
    lines.append(f"{msg['name']}：" if lang == "zh" else f"Dear {msg['name']},")
    lines.append("")
    lines.append(
        "截至今日，贵司以下款项尚未结清："
        if lang == "zh"
        else "As of today, the following invoices are open on your account:"
    )
    totals: dict[str, int] = {}
    for inv in invoices:
        totals[inv["currency"]] = totals.get(inv["currency"], 0) + inv["open"]
        lines.append(
            f"  {inv['number']:<16} {inv['due_date']}  {inv['currency']} "
            f"{format_grouped(inv['open']):>14}  {inv['days_overdue']:>4} d"
        )
    for cur, fen in totals.items():
        lines.append(
            f"  {'合计' if lang == 'zh' else 'Total':<16} {'':10}  {cur} {format_grouped(fen):>14}"
        )
    lines += [
        "",
        "请尽快安排付款。如已付款，请告知付款日期和银行流水号。"
        if lang == "zh"
        else "Please arrange payment. If you have paid, tell us the date and bank reference.",
        "",
        sender,
    ]
    return "\n".join(lines) + "\n"


def write(outbox: Path, msg: dict[str, Any], text: str) -> Path:
    """Write the message file (owner-only); the same message always gets the same name."""
    outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = (
        f"{msg['run_date']}-{msg['customer']}-{msg['level_name']}-{msg['channel']}-{msg['id']}.txt"
    )
    path = outbox / name.replace(os.sep, "_")
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    tmp.replace(path)
    return path
