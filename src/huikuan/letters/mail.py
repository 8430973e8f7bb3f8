"""Delivering letters: an email (text + HTML, the PDF attached) by SMTP, or ``.eml`` files.

``[smtp]`` holds ``host``, ``port``, ``starttls``, ``user``, ``from`` (and ``timeout``); the
password comes only from the environment (``HUIKUAN_SMTP_PASSWORD``), never from the config
or the ledger, and it is never sent over an unencrypted connection unless
``allow_plaintext_auth = true``. Header values (names, addresses, subjects) with CR, LF or other
control characters are refused, and names and subjects are RFC 2047-encoded here (the email
package does not parse them again), so an encoded word in a customer's name cannot turn into
a header either (CPython CVE-2024-6923).

Delivery is at-least-once with a stable id: the Message-ID is fixed by the letter's reference
(``<HK-2026-000001@sender.domain>``), so a retry after a crash re-sends the same message and
the recipient's mail system can tell the copies apart as one.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime
from pathlib import Path

from huikuan.core.errors import HuikuanError
from huikuan.letters.letter import Letter
from huikuan.letters.settings import PASSWORD_ENV, SmtpSettings, check_address, check_header


class DeliveryFailed(HuikuanError):
    """The SMTP server could not be reached or refused the message (retried next run)."""


def build_message(
    letter: Letter, sender: str, to: str | None, to_name: str | None = None
) -> EmailMessage:
    """The email: UTF-8 subject, text and HTML alternatives, the PDF attached when present.

    Without ``to`` (no address on file) the message has no To header: an outbox draft.
    """
    who = f"customer {letter.customer}"
    name = check_header(to_name or letter.to_name or letter.customer_name, f"{who}: name")
    msg = EmailMessage()
    msg["Subject"] = Encoded("Subject", _words(check_header(letter.subject, f"{who}: subject")))
    msg["From"] = check_address(sender, "smtp.from")
    if to is not None:
        address = check_address(to, f"{who}: email")
        if not address.isascii():
            raise HuikuanError(f"{who}: email: only ASCII addresses can be sent to: {address!r}")
        msg["To"] = Encoded("To", f"{_words(name)} <{address}>")
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = message_id(letter.reference, sender)
    msg["X-Huikuan-Reference"] = check_header(letter.reference, "reference")
    msg.set_content(letter.text, charset="utf-8")
    msg.add_alternative(letter.html, subtype="html", charset="utf-8")
    if letter.pdf:
        msg.add_attachment(
            letter.pdf, maintype="application", subtype="pdf", filename=f"{letter.reference}.pdf"
        )
    return msg


class Encoded(str):
    """A header value encoded here: the email package writes it as it is, without parsing
    (and so without decoding) it. It must be plain ASCII."""

    name: str

    def __new__(cls, name: str, value: str) -> Encoded:
        value.encode("ascii")
        obj = super().__new__(cls, value)
        obj.name = name
        return obj

    def fold(self, *, policy: Policy) -> str:
        """The header line, as :mod:`email.generator` asks for it."""
        return f"{self.name}: {self}{policy.linesep}"


def _words(text: str) -> str:
    """``text`` as RFC 2047 encoded words (UTF-8), on one line: nothing in it is taken as syntax."""
    encoded = Header(text, "utf-8", maxlinelen=10_000).encode(splitchars=" ", linesep="\r\n")
    return " ".join(encoded.split())


def message_id(reference: str, sender: str) -> str:
    """``<HK-2026-000001@example.cn>``: the same for every attempt to deliver one letter."""
    check_header(reference, "reference")
    return f"<{reference}@{sender.partition('@')[2] or 'huikuan.invalid'}>"


def send(settings: SmtpSettings, msg: EmailMessage, to: str) -> str:
    """Send by SMTP (STARTTLS when configured) to ``to``; return the Message-ID as evidence.

    The password is only sent over TLS, unless ``allow_plaintext_auth`` says otherwise.
    """
    password = os.environ.get(PASSWORD_ENV)
    if settings.user and not password:
        raise HuikuanError(f"smtp.user is set but {PASSWORD_ENV} is not")
    if settings.user and not settings.starttls and not settings.allow_plaintext_auth:
        raise HuikuanError(
            "smtp.user is set but starttls = false: refusing to send the password unencrypted"
            " (use starttls = true, or set [smtp] allow_plaintext_auth = true)"
        )
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, password or "")
            refused = smtp.send_message(msg, from_addr=settings.sender, to_addrs=[to])
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
