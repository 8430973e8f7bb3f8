"""The Jinja environment for letters: sandboxed, strict, HTML autoescaped, our filters.

Templates live in ``templates/letters/<lang>/<kind>.<ext>.j2`` (shared parts at the top,
e.g. ``_layout.html.j2``); a user directory (``[letters] templates``) is searched first, so
any built-in file can be replaced by one at the same relative path. A template cannot reach
Python internals (``{{ ''.__class__ }}`` is refused), a misspelt variable is an error
rather than an empty string, and in ``.html.j2`` files every value is escaped.

User templates are untrusted input too: a file (or link) resolving outside its folder is not
read, expressions that would build huge strings, lists or numbers (``'A' * 300000000``,
``99999 ** 99999``, ``'%999999999d' % 1``) are refused, a letter stops at
:data:`MAX_OUTPUT` characters and after :data:`MAX_SECONDS` of rendering, and every failure
(recursion, overflow …) is one :class:`HuikuanError` naming the template.
"""

from __future__ import annotations

import contextlib
import functools
import re
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from huikuan.core.errors import HuikuanError
from huikuan.core.money import format_grouped, from_decimal

EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip


MAX_OUTPUT = 2_000_000  # characters in one rendered letter
MAX_SIZE = 1_000_000  # items or characters an expression may build; also the largest int argument
MAX_BITS = 10_000  # the largest number a template may compute (about 3,000 digits)
MAX_SECONDS = 10.0  # wall-clock time one template may take to render (main thread, Unix)
# a width or precision of a million or more: "%9999999d", "%.9999999f", "{:>9999999}"
_WIDE = re.compile(r"%[-#0 +]*(\d{7,}|\d*\.\d{7,})|\{[^{}]*:[^{}]*\d{7,}[^{}]*\}")


class TooBig(Exception):
    """A template expression would build something huge."""


def make_env(builtin: Path, user: Path | None = None) -> Any:
    """A sandboxed environment over ``user`` (if any) then ``builtin``."""
    from jinja2 import ChoiceLoader, StrictUndefined

    folders = [user] if user is not None else []
    env = _sandbox()(
        loader=ChoiceLoader([_loader(folder) for folder in [*folders, builtin]]),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(money=money, daxie=daxie, zhdate=zhdate, endate=endate)
    env.filters.update({name: _capped(f, name) for name, f in env.filters.items()})
    return env


def _loader(folder: Path) -> Any:
    """A file loader that refuses a template (or a link) resolving outside ``folder``."""
    from jinja2 import FileSystemLoader
    from jinja2.exceptions import SecurityError
    from jinja2.loaders import split_template_path

    class Contained(FileSystemLoader):
        def get_source(self, environment: Any, template: str) -> Any:
            root = folder.resolve()
            path = folder.joinpath(*split_template_path(template))
            if path.exists() and not path.resolve().is_relative_to(root):
                raise SecurityError(f"{template} leads out of the template folder {folder}")
            return super().get_source(environment, template)

    return Contained(str(folder))


def _sandbox() -> type:
    """The sandbox, also refusing operators and calls that would build something huge."""
    from jinja2.sandbox import SandboxedEnvironment

    class Sandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%", "//"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _check_binop(operator, left, right)
            return super().call_binop(context, operator, left, right)

        def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
            _check_args([*args, *kwargs.values()])
            if getattr(obj, "__name__", "") in ("format", "format_map"):
                bound = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
                _check_format(getattr(bound, "__self__", None))
            return super().call(context, obj, *args, **kwargs)

    return Sandbox


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "%":
        _check_format(left)
    elif operator == "*":
        for seq, n in ((left, right), (right, left)):
            if (
                isinstance(seq, str | list | tuple)
                and isinstance(n, int)
                and len(seq) * n > MAX_SIZE
            ):
                raise TooBig(f"'…' * {n} would be longer than {MAX_SIZE:,}")
        if _int(left) and _int(right) and left.bit_length() + right.bit_length() > MAX_BITS:
            raise TooBig("a number too large for a letter")
    elif operator == "**" and _huge_power(left, right):
        raise TooBig(f"{left} ** {right} is too large for a letter")


def _huge_power(base: Any, exponent: Any) -> bool:
    if not (_int(base) and _int(exponent)) or abs(base) < 2 or exponent < 1:
        return False
    return bool(abs(base).bit_length() * exponent > MAX_BITS)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_args(values: list[Any]) -> None:
    """Refuse an int argument above :data:`MAX_SIZE`."""
    for value in values:
        if _int(value) and abs(value) > MAX_SIZE:
            raise TooBig(f"the number {value} is too large an argument")


def _check_format(value: Any) -> None:
    """Refuse a format string with a width or precision of a million or more."""
    if isinstance(value, str) and _WIDE.search(value):
        raise TooBig("a format width or precision of a million or more")


def _capped(f: Callable[..., Any], name: str) -> Callable[..., Any]:
    """Filter ``f`` refusing huge size arguments (``'x'|center(10**9)``)."""
    if getattr(f, "_capped", False):
        return f
    skip = 2 if hasattr(f, "jinja_pass_arg") else 1  # (context or env,) value, then arguments

    @functools.wraps(f)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_args([*args[skip:], *kwargs.values()])
        if name == "format" and len(args) >= skip:
            _check_format(args[skip - 1])
        return f(*args, **kwargs)

    checked._capped = True  # type: ignore[attr-defined]
    return checked


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
        return _render(env, name, context)
    except HuikuanError:
        raise
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
    except TooBig as exc:
        raise HuikuanError(f"letter template {name}: refused: {exc}") from None
    except (RecursionError, MemoryError) as exc:
        raise HuikuanError(f"letter template {name}: {exc.__class__.__name__} (too deep or too large)") from None  # fmt: skip
    except Exception as exc:  # overflow, int too long to print, bad types …: one line
        what = f"{exc.__class__.__name__}: {exc}".splitlines()[0][:200]
        raise HuikuanError(f"letter template {name}: {what}") from None


def _render(env: Any, name: str, context: dict[str, Any]) -> str:
    """Render within :data:`MAX_SECONDS` (a template looping for ever is stopped)."""
    with _time_limit(name):
        return _render_capped(env, name, context)


@contextlib.contextmanager
def _time_limit(name: str) -> Iterator[None]:
    """Stop a render that takes longer than :data:`MAX_SECONDS` (a timer signal; only where
    one can be used: the main thread on a Unix system)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise HuikuanError(f"letter template {name}: took longer than {MAX_SECONDS:g} s: refused")

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, MAX_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _render_capped(env: Any, name: str, context: dict[str, Any]) -> str:
    """Render piece by piece, stopping once the letter passes :data:`MAX_OUTPUT` characters."""
    parts, size = [], 0
    for part in env.get_template(name).generate(context):
        size += len(part)
        if size > MAX_OUTPUT:
            raise HuikuanError(
                f"letter template {name}: the letter passes {MAX_OUTPUT:,} characters: refused"
            )
        parts.append(part)
    return "".join(parts)
