"""``[smtp]`` settings and the header checks, kept apart from smtplib (quick to import)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from huikuan.core.errors import HuikuanError
from huikuan.core.text import CONTROL

PASSWORD_ENV = "HUIKUAN_SMTP_PASSWORD"
KEYS = {"host", "port", "starttls", "user", "from", "timeout", "allow_plaintext_auth"}
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send."""

    host: str
    sender: str
    port: int = 587
    starttls: bool = True
    user: str | None = None
    timeout: float = 30.0
    allow_plaintext_auth: bool = False


def make_smtp(table: dict[str, Any]) -> SmtpSettings | None:
    """Parse ``[smtp]``; None when no host is configured (letters then go to the outbox)."""
    if "password" in table:
        raise HuikuanError(f"smtp.password is not read from the config: set {PASSWORD_ENV} instead")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise HuikuanError(
            f"unknown [smtp] setting(s): {', '.join(unknown)} (known: {', '.join(sorted(KEYS))})"
        )
    if not table.get("host"):
        if table:
            raise HuikuanError("smtp.host is missing")
        return None
    sender = str(table.get("from") or "")
    check_address(sender, "smtp.from")
    starttls = table.get("starttls", True)
    if not isinstance(starttls, bool):
        raise HuikuanError("smtp.starttls must be true or false")
    port = table.get("port", 587 if starttls else 25)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise HuikuanError("smtp.port must be a port number")
    user = table.get("user")
    timeout = table.get("timeout", 30)  # seconds (a socket timeout, not money)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise HuikuanError(f"smtp.timeout must be a number of seconds above 0, not {timeout!r}")
    plain = table.get("allow_plaintext_auth", False)
    if not isinstance(plain, bool):
        raise HuikuanError("smtp.allow_plaintext_auth must be true or false")
    return SmtpSettings(
        str(table["host"]), sender, port, starttls, str(user) if user else None, timeout, plain
    )


def check_header(value: str, what: str) -> str:
    """``value`` unless it holds CR/LF or another control character."""
    if CONTROL.search(value):
        raise HuikuanError(
            f"{what} contains a line break or control character; refusing to put it in a mail header: {value!r}"
        )
    return value


def check_address(value: str, what: str) -> str:
    """A plain ``name@domain.tld`` address, checked for header injection first."""
    check_header(value, what)
    if not _ADDRESS.match(value.strip()):
        raise HuikuanError(f"{what}: not an email address: {value!r}")
    return value.strip()
