"""The Jinja environment for letters: sandboxed, strict, HTML autoescaped, our filters.

Templates live in ``templates/letters/<lang>/<kind>.<ext>.j2`` (shared parts at the top,
e.g. ``_layout.html.j2``); a user directory (``[letters] templates``) is searched first, so
any built-in file can be replaced by one at the same relative path. A template cannot reach
Python internals (``{{ ''.__class__ }}`` is refused), a misspelt variable is an error
rather than an empty string, and in ``.html.j2`` files every value is escaped.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from huikuan.core.errors import HuikuanError
from huikuan.core.money import format_grouped, from_decimal

EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip


def make_env(builtin: Path, user: Path | None = None) -> Any:
    """A sandboxed environment over ``user`` (if any) then ``builtin``."""
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    loaders = [FileSystemLoader(str(user))] if user is not None else []
    env = SandboxedEnvironment(
        loader=ChoiceLoader([*loaders, FileSystemLoader(str(builtin))]),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(money=money, daxie=daxie, zhdate=zhdate, endate=endate)
    return env


def _fen(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value * 100
    if isinstance(value, Decimal | str):
        return from_decimal(Decimal(value))
    raise HuikuanError(f"letter template: not an amount: {value!r}")


def money(value: Any) -> str:
    """``Decimal("1234.5")`` -> ``1,234.50``."""
    return format_grouped(_fen(value))


def daxie(value: Any) -> str:
    """大写金额 (cn2an "rmb" mode): ``100.05`` -> ``壹佰元零伍分``, ``0`` -> ``零元整``."""
    import cn2an

    fen = _fen(value)
    if fen < 0:
        return "负" + daxie(Decimal(-fen).scaleb(-2))
    if fen == 0:
        return "零元整"
    return str(cn2an.an2cn(f"{Decimal(fen).scaleb(-2):.2f}", "rmb"))


def zhdate(value: date) -> str:
    """``2026年11月22日``."""
    return f"{value.year}年{value.month}月{value.day}日"


def endate(value: date) -> str:
    """``22 November 2026``."""
    return f"{value.day} {EN_MONTHS[value.month - 1]} {value.year}"


def render_template(env: Any, name: str, context: dict[str, Any]) -> str:
    """Render ``name``; template problems become one clear :class:`HuikuanError`."""
    from jinja2 import TemplateError, TemplateNotFound
    from jinja2.exceptions import SecurityError, TemplateSyntaxError

    try:
        return str(env.get_template(name).render(context))
    except TemplateNotFound as exc:
        raise HuikuanError(f"letter template {exc.name} not found") from None
    except TemplateSyntaxError as exc:
        raise HuikuanError(
            f"letter template {exc.filename or name}:{exc.lineno}: {exc.message}"
        ) from None
    except SecurityError as exc:
        raise HuikuanError(f"letter template {name}: refused by the sandbox: {exc}") from None
    except TemplateError as exc:
        raise HuikuanError(f"letter template {name}: {exc}") from None
