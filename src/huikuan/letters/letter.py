"""A rendered letter: what rendering produces and delivery sends, prints or files."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Letter:
    """One letter to one customer, in one language, with its stored reference number.

    ``to``/``to_name`` are the addressee (the finance contact, else the customer's email);
    ``html`` is the A4 print version, ``text`` the plain version used as an email body.
    ``pdf`` holds the PDF bytes when the ``pdf`` extra rendered one, else None.
    """

    reference: str
    kind: str
    lang: str
    customer: str
    customer_name: str
    subject: str
    html: str
    text: str
    to: str | None = None
    to_name: str | None = None
    pdf: bytes | None = None
    totals: dict[str, str] = field(default_factory=dict)
