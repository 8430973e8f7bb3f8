"""How ``remind run`` delivers one dunning message: a rendered letter by email or as files.

- ``email``: the level's letter (text + HTML, the PDF when the pdf extra can make one) by SMTP
  when ``[smtp]`` is set; otherwise a ``.eml`` file in the outbox, ready to send.
- ``letter``: ``<reference>.html`` (and ``.pdf``) in the outbox, ready to print, seal and post.
- anything else (sms): the short text message, as before.

A message is not delivered (it fails with the reason, and is retried next run) without a
letterhead (``[company]`` name, bank and account) or, for an email, without an address: the
finance contact's, else the decision maker's, else the customer's email. A missing address
also raises a task (``remind todo``) to find one; it closes when the email goes out.

SMTP delivery is at-least-once with a stable id: a run killed between the server's accept and
the status update re-sends the same message (same Message-ID) next run; a letter whose
delivery was logged is never sent or logged again.

A message retried after what it asked for was paid, credited or disputed is dropped, not
sent (status ``dropped``). Each message gets one letter reference, stored with it, so a retry re-sends the same letter
and the outbox never holds two files for one action. Every delivery is logged as a contact
with the reference; only mail an SMTP server accepted carries evidence (its Message-ID), which
restarts the limitation period. Files in the outbox do not: log the evidence (courier number,
signed receipt) with ``huikuan log add … --evidence`` once the letter has arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huikuan.core.errors import HuikuanError
from huikuan.letters.letter import Letter
from huikuan.services.letters import missing_letterhead

if TYPE_CHECKING:
    from huikuan.config import Config
    from huikuan.services.context import Context


class Dropped(HuikuanError):
    """Nothing the message asked for is still owed (paid, credited or disputed since)."""


class NoAddress(HuikuanError):
    """An email with no address to send it to (failed; a task to find one is raised)."""


@dataclass(frozen=True)
class Delivered:
    """Where a message went: the evidence (Message-ID) or the file, and its letter reference."""

    detail: str
    reference: str | None = None
    evidence: str | None = None


def deliver(ctx: Context, m: dict[str, Any]) -> Delivered:
    """Deliver message ``m`` (a ``dunning_message`` row) as of ``ctx.as_of`` to the SMTP server
    or ``ctx.outbox``; raise on failure (retried next run).

    The letter is numbered and the delivery logged in two short transactions; sending and
    writing files happen outside them, so other runs are not kept waiting on the network.
    """
    led, cfg, day, box, now = ctx.ledger, ctx.config, ctx.as_of, ctx.outbox, ctx.clock()
    kind = m["letter"] or ("reminder" if m["channel"] in ("email", "letter") else None)
    _check_still_owed(led.conn, m, kind, day)
    if kind is None or m["channel"] not in ("email", "letter"):
        return Delivered(str(_short_text(led.conn, cfg, m, day, box)))
    check_letterhead(cfg.company)
    earlier = _already_delivered(led.conn, m["reference"])
    if earlier is not None:
        return earlier
    rcpt = _recipient(led.conn, m) if m["channel"] == "email" else None
    with led.transaction() as conn:
        made = _letter(conn, cfg, m, kind, day, led.user, now)
    out = (
        Delivered(str(_files(box, made)), made.reference)
        if rcpt is None
        else _email(cfg, made, box, rcpt)
    )
    with led.transaction() as conn:
        _log(conn, m, out, day, led.user, now)
    return out


def check_letterhead(company: dict[str, str]) -> None:
    """Refuse to send a letter whose letterhead or bank details would be blank."""
    missing = missing_letterhead(company)
    if missing:
        raise HuikuanError(
            f"no {', '.join(missing)} under [company] in huikuan.toml: letters would go out with"
            " a blank letterhead or bank details (see examples/huikuan.toml)"
        )


def _already_delivered(conn: Any, reference: str | None) -> Delivered | None:
    """The letter's recorded delivery when a crashed run logged it but not the message's status."""
    from huikuan.store.letters import delivery

    if reference is None:
        return None
    evidence = delivery(conn, reference)
    return None if evidence is None else Delivered(evidence, reference)


def _recipient(conn: Any, m: dict[str, Any]) -> tuple[str, str]:
    from huikuan.store.letters import email_recipient

    found = email_recipient(conn, m["customer"])
    if found is None:
        raise NoAddress(
            f"{m['customer']}: no email address (no finance or decision-maker contact with an"
            f" email, no customer email): add one, e.g. huikuan contact add {m['customer']} NAME"
            " --role finance --email ADDRESS; the email is retried on the next run"
        )
    return found


def _check_still_owed(conn: Any, m: dict[str, Any], kind: str | None, day: date) -> None:
    """A retry must not chase what was settled since: raise :class:`Dropped` when nothing
    of the message is still owed (for a demand or final letter: still overdue)."""
    from huikuan.store.dunning import still_owed

    overdue = kind in ("demand", "final")
    if not still_owed(conn, m["invoices"], day, overdue=overdue):
        settled = ", ".join(m["invoices"])
        raise Dropped(
            f"nothing left to collect on {settled} as of {day} (paid, credited or disputed"
            " since the message was planned): message dropped"
        )


def _letter(
    conn: Any, cfg: Config, m: dict[str, Any], kind: str, day: date, user: str, now: str
) -> Letter:
    from huikuan.services.letters import make_letter
    from huikuan.store.dunning import set_reference

    with_pdf = m["channel"] == "letter" or cfg.smtp is not None
    made = make_letter(
        conn, cfg, kind, m["customer"], day, user=user, now=now, reference=m["reference"]
    )
    if m["reference"] is None:
        set_reference(conn, m["id"], made.reference)
    if with_pdf:
        made = _with_pdf(made)
    return made


def _with_pdf(made: Letter) -> Letter:
    """The letter with its PDF when the pdf extra and a font are there; else as it is."""
    from dataclasses import replace

    from huikuan.letters.pdf import html_to_pdf

    try:
        return replace(made, pdf=html_to_pdf(made.html, made.lang))
    except HuikuanError:
        return made


def _files(box: Path, made: Letter) -> Path:
    from huikuan.letters.mail import write_file

    path = write_file(box, f"{made.reference}.html", made.html.encode())
    if made.pdf:
        write_file(box, f"{made.reference}.pdf", made.pdf)
    return path


def _email(cfg: Config, made: Letter, box: Path, rcpt: tuple[str, str]) -> Delivered:
    from huikuan.letters.mail import build_message, send, write_file

    name, to = rcpt
    sender = cfg.smtp.sender if cfg.smtp else (cfg.company.get("email") or "huikuan@outbox.invalid")
    msg = build_message(made, sender, to, name)
    if cfg.smtp is None:
        path = write_file(box, f"{made.reference}.eml", bytes(msg))
        return Delivered(str(path), made.reference)
    evidence = send(cfg.smtp, msg, to)
    return Delivered(f"{to} {evidence}", made.reference, evidence)


def _log(conn: Any, m: dict[str, Any], out: Delivered, day: date, user: str, now: str) -> None:
    """Log the delivery as a contact, once per reference; close a find-the-address task."""
    from huikuan.store.collections import add_log
    from huikuan.store.delivery import close_address_tasks
    from huikuan.store.letters import logged, mark_delivered

    assert out.reference is not None
    how = "sent by SMTP" if out.evidence else f"written to {out.detail} (not sent yet)"
    note = f"dunning {m['level_name']}: letter {out.reference} {how}"
    rec = {"date": day.isoformat(), "channel": m["channel"], "note": note,
           "evidence": out.evidence, "reference": out.reference}  # fmt: skip
    if not logged(conn, out.reference, m["channel"]):
        add_log(conn, user, m["customer"], rec, now)
    mark_delivered(conn, out.reference, m["channel"], out.evidence or out.detail, now)
    if m["channel"] == "email":
        close_address_tasks(conn, m["customer"], out.reference, now)


def _short_text(conn: Any, cfg: Config, m: dict[str, Any], day: date, box: Path) -> Path:
    from huikuan.letters import outbox
    from huikuan.store import dunning as S
    from huikuan.store.todo import people_of

    finance = [c.email for c in people_of(conn, m["customer"]) if c.role == "finance" and c.email]
    to = finance[0] if finance else m["email"]
    invoices = S.open_invoices_of(conn, m["invoices"], day)
    return outbox.write(box, m, outbox.compose(m, invoices, cfg.company, to, day))
