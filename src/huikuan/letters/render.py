"""Rendering a letter's HTML and text from its templates into a :class:`Letter`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huikuan.letters.compose import subject
from huikuan.letters.env import make_env, render_template
from huikuan.letters.letter import Letter


def builtin_dir() -> Path:
    """The shipped ``templates/letters`` directory."""
    from huikuan.resources import resource_dir

    return resource_dir("templates") / "letters"


def render_letter(ctx: dict[str, Any], user_dir: Path | None = None) -> Letter:
    """HTML (A4 print) and plain text of ``ctx["kind"]`` in ``ctx["lang"]``."""
    env = make_env(builtin_dir(), user_dir)
    kind, lang = ctx["kind"], ctx["lang"]
    html = render_template(env, f"{lang}/{kind}.html.j2", ctx)
    text = render_template(env, f"{lang}/{kind}.txt.j2", ctx)
    customer, addressee = ctx["customer"], ctx["addressee"]
    return Letter(
        reference=ctx["reference"],
        kind=kind,
        lang=lang,
        customer=customer["code"],
        customer_name=customer["name"],
        subject=subject(kind, lang, ctx["company"]["name"], ctx["reference"]),
        html=html,
        text=_tidy(text),
        to=(addressee or {}).get("email") or customer.get("email") or None,
        to_name=(addressee or {}).get("name") or customer["name"],
        totals={t["currency"]: str(t["due"]) for t in ctx["totals"]},
    )


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one newline at the end."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"
