"""Delivering letters: an email (text + HTML, the PDF attached) by SMTP, or ``.eml`` files.

``[smtp]`` holds ``host``, ``port``, ``starttls``, ``user``, ``from`` (and ``timeout``); the
password comes only from the environment (``HUIKUAN_SMTP_PASSWORD``), never from the config
or the ledger. Header values (names, addresses, subjects) with CR, LF or other control
characters are refused: a customer record must not be able to add recipients or headers.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from huikuan.core.errors import HuikuanError
from huikuan.letters.letter import Letter
from huikuan.letters.settings import PASSWORD_ENV, SmtpSettings, check_address, check_header


class DeliveryFailed(HuikuanError):
    """The SMTP server could not be reached or refused the message (retried next run)."""


def build_message(letter: Letter, sender: str, to: str | None) -> EmailMessage:
    """The email: UTF-8 subject, text and HTML alternatives, the PDF attached when present.

    Without ``to`` (no address on file) the message has no To header: an outbox draft.
    """
    who = f"customer {letter.customer}"
    name = check_header(letter.to_name or letter.customer_name, f"{who}: name")
    msg = EmailMessage()
    msg["Subject"] = check_header(letter.subject, f"{who}: subject")
    msg["From"] = check_address(sender, "smtp.from")
    if to is not None:
        local, _, domain = check_address(to, f"{who}: email").partition("@")
        msg["To"] = Address(display_name=name, username=local, domain=domain)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(idstring=letter.reference, domain=sender.partition("@")[2])
    msg["X-Huikuan-Reference"] = check_header(letter.reference, "reference")
    msg.set_content(letter.text, charset="utf-8")
    msg.add_alternative(letter.html, subtype="html", charset="utf-8")
    if letter.pdf:
        msg.add_attachment(
            letter.pdf, maintype="application", subtype="pdf", filename=f"{letter.reference}.pdf"
        )
    return msg


def send(settings: SmtpSettings, msg: EmailMessage) -> str:
    """Send by SMTP (STARTTLS when configured); return the Message-ID as evidence."""
    password = os.environ.get(PASSWORD_ENV)
    if settings.user and not password:
        raise HuikuanError(f"smtp.user is set but {PASSWORD_ENV} is not")
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, password or "")
            refused = smtp.send_message(msg)
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"SMTP {settings.host}:{settings.port}: {exc}") from None
    if refused:
        raise DeliveryFailed(f"SMTP {settings.host}: recipient refused: {refused}")
    return str(msg["Message-ID"])


def write_file(folder: Path, name: str, data: bytes) -> Path:
    """Write ``folder/name`` once (owner-only, atomically); an existing file is kept as is."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    if path.exists():
        return path
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return path
