"""What every command shares: global options, opening the ledger, errors, output."""

from __future__ import annotations

import functools
import getpass
import inspect
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from huikuan.core.dates import parse_date
from huikuan.core.errors import HuikuanError
from huikuan.core.text import printable, shorten
from huikuan.db.sqlite import Unavailable as LedgerUnavailable
from huikuan.i18n import resolve_language, translate
from huikuan.output import FORMATS, Result, render

if TYPE_CHECKING:  # imported lazily: `huikuan --help` stays fast
    from huikuan.config import Config
    from huikuan.core.calendar import WorkCalendar

F = TypeVar("F", bound=Callable[..., Any])
APP_NAME = "huikuan"


@dataclass
class State:
    """Global options of this run."""

    db: str | None = None
    config_path: Path | None = None
    user: str | None = None
    _config: Config | None = None
    _calendar: WorkCalendar | None = None
    _language: str | None = None
    warned: set[int] = field(default_factory=set)
    output: Path | None = None  # -o/--output of a command with --format

    @property
    def config(self) -> Config:
        if self._config is None:
            path, named = self.config_path, self.config_path is not None
            if path is None:
                path = Path(typer.get_app_dir(APP_NAME)) / "huikuan.toml"
            from huikuan.config import load_config

            self._config = load_config(path, required=named)
        return self._config

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = self.config.make_calendar()
        return self._calendar

    @property
    def language(self) -> str:
        """The UI language (zh|en): ``[ui] language``, HUIKUAN_LANG, the locale; en if the
        config cannot be read (its error is then reported in English)."""
        if self._language is None:
            try:
                setting = self.config.language
            except HuikuanError:
                return "en"
            self._language = resolve_language(setting, os.environ)
        return self._language

    def say(self, message: str) -> str:
        """``message`` in the UI language."""
        return translate(message, self.language)

    def db_path(self) -> Path | str:
        """The ledger: a file, or a URL (``postgresql://user@host/db``) kept as given.

        ``--db`` / ``HUIKUAN_DB``, else ``[database] url`` in huikuan.toml, else the file in
        the app dir.
        """
        if self.db is not None:
            return self.db if "://" in self.db else Path(self.db)
        where = self.config.database_url
        if where is None:
            return Path(typer.get_app_dir(APP_NAME)) / "ledger.db"
        return where if "://" in where else Path(where).expanduser()

    def db_name(self) -> str:
        """The ledger for messages: the file, or the URL without a password."""
        where = self.db_path()
        if isinstance(where, Path):
            return str(where)
        from huikuan.db.engine import parse_ledger_url

        try:
            return parse_ledger_url(where).display()
        except HuikuanError:
            return "the --db URL"

    def username(self) -> str:
        try:
            return self.user or getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


STATE = State()


def reset(db: str | None, config: Path | None, user: str | None) -> None:
    """Set the global options (called by the root callback)."""
    global STATE
    STATE = State(db=db, config_path=config, user=user)


def state() -> State:
    return STATE


@contextmanager
def ledger(create: bool = False) -> Iterator[Any]:
    """Open the ledger for one command (imports the store lazily)."""
    from huikuan.store.db import open_ledger

    led = open_ledger(STATE.db_path(), STATE.username(), create=create)
    try:
        yield led
    finally:
        led.close()


def warn(message: str) -> None:
    """A message on stderr (``Warning:`` stays English in every language: scripts grep it)."""
    typer.echo(f"Warning: {STATE.say(message)}", err=True)


def _calendar_warnings() -> None:
    cal = STATE._calendar
    if cal is None:
        return
    for year in sorted(cal.missing_years - STATE.warned):
        STATE.warned.add(year)
        warn(
            f"the CN holiday calendar has no data for {year} (chinesecalendar covers up to "
            f"{cal.data_years.stop - 1}); using weekends only for {year}. Add holidays and make-up "
            "workdays under [calendar] in huikuan.toml, or upgrade chinesecalendar."
        )


def guard(fn: F) -> F:
    """Turn our errors into ``Error: …`` lines and exit code 1 (never a traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return _plain(fn, *args, **kwargs)
        except HuikuanError as exc:
            for message in exc.messages:  # "Error:" stays English: scripts grep it
                typer.echo(f"Error: {STATE.say(message)}", err=True)
            if exc.summary:
                summary = exc.summary[0].upper() + exc.summary[1:] + "."
                typer.echo(STATE.say(summary), err=True)
            raise typer.Exit(1) from None
        except LedgerUnavailable as exc:
            typer.echo(f"Error: ledger {STATE.db_name()}: {exc}", err=True)
            raise typer.Exit(1) from None
        except BrokenPipeError:
            os._exit(0)  # the reader (head, less) went away: not an error
        finally:
            _calendar_warnings()

    return wrapper  # type: ignore[return-value]


def _plain(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(...)``; what the environment raises (text, files) as a :class:`HuikuanError`."""
    try:
        return fn(*args, **kwargs)
    except UnicodeEncodeError as exc:  # e.g. argv bytes that are not UTF-8: lone surrogates
        bad = printable(shorten(exc.object[exc.start : exc.end + 20]))
        raise HuikuanError(f"cannot encode {bad!r} as {exc.encoding}: {exc.reason}") from None
    except BrokenPipeError:
        raise
    except OSError as exc:
        where = f"{printable(shorten(str(exc.filename)))}: " if exc.filename else ""
        raise HuikuanError(f"{where}{exc.strerror or exc}") from None
    except Exception as exc:
        if not _database_trouble(exc):
            raise
        raise HuikuanError(f"ledger {STATE.db_name()}: {exc.orig}") from None  # type: ignore[attr-defined]


def _database_trouble(exc: Exception) -> bool:
    """A locked, unreachable or unreadable database met through SQLAlchemy (not a bug of ours):
    said like sqlite3's own errors, in one line. SQLAlchemy is not imported for the check."""
    sa = sys.modules.get("sqlalchemy")
    return sa is not None and isinstance(exc, sa.exc.OperationalError)


class App(typer.Typer):
    """A Typer app whose commands are all wrapped in :func:`guard`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("pretty_exceptions_enable", False)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        register = super().command(*args, **kwargs)

        def decorator(fn: F) -> F:
            fmt = inspect.signature(fn).parameters.get("fmt")
            formatted = fmt is not None and fmt.annotation in ("FormatOpt", FormatOpt)
            register(with_output(guard(fn)) if formatted else guard(fn))
            return fn

        return decorator


def _check_format(value: str) -> str:
    if value not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}")
    return value


FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Output: table, json, jsonl, csv or xlsx (xlsx: with -o FILE, or stdout redirected).",
        callback=_check_format,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", dir_okay=False, help="Write the output to this file [stdout]."),
]


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def with_output(fn: F) -> F:
    """``fn`` with an ``-o/--output FILE`` option (every command that takes ``--format``)."""
    sig = inspect.signature(fn, eval_str=True)  # Typer reads the options from the signature
    output = inspect.Parameter(
        "output", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=OutputOpt
    )

    @functools.wraps(fn)
    def wrapper(*args: Any, output: Path | None = None, **kwargs: Any) -> Any:
        fmt = kwargs.get("fmt")
        output = None if output is not None and str(output) == "-" else output  # - is stdout
        if fmt == "xlsx" and output is None and _stdout_is_terminal():
            raise typer.BadParameter(
                "--format xlsx writes a workbook: give -o FILE (or redirect stdout to a file)",
                param_hint="'--output'",
            )
        STATE.output = output
        return fn(*args, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=[*sig.parameters.values(), output])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {**fn.__annotations__, "output": OutputOpt}
    return wrapper  # type: ignore[return-value]


def one_of(*allowed: str) -> Callable[[str | None], str | None]:
    """An option callback: a value not in ``allowed`` is a usage error (exit 2)."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in allowed:
            raise typer.BadParameter(f"must be one of {', '.join(allowed)}, not {value!r}")
        return value

    return check


def checked_by(parse: Callable[[str], Any]) -> Callable[[str | None], str | None]:
    """An option callback: ``parse`` must accept the value (its error becomes a usage error).

    The value passes on as given (the command parses it again), so the one function that
    knows the valid values, e.g. contact roles or excuse codes, stays the only place to extend.
    """

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parse(value)
        except HuikuanError as exc:
            raise typer.BadParameter(str(exc)) from None
        return value

    return check


def parse_day(value: str | None, what: str = "date") -> date:
    """A date option, defaulting to today (the only place huikuan reads the clock)."""
    if value is None:
        return date.today()
    try:
        return parse_date(value)
    except HuikuanError as exc:
        raise HuikuanError(f"{what}: {exc}") from None


def emit(result: Result, fmt: str) -> None:
    """Render a result to stdout, or to ``-o FILE`` (tables in the UI language; JSON/CSV keys
    stay English; xlsx is a workbook)."""
    lang = STATE.language if fmt == "table" else "en"
    target = STATE.output
    if fmt == "xlsx":
        _workbook(result, target)
    elif target is not None:
        with open(target, "w", encoding="utf-8", newline="") as out:
            render(result, fmt, out, lang)
    else:
        render(result, fmt, lang=lang)
    if target is not None:
        done(f"Wrote {target}")


def _workbook(result: Result, target: Path | None) -> None:
    """The result as a workbook in ``target``, else on stdout (made in memory first)."""
    from huikuan.output_xlsx import write_xlsx

    if target is not None:
        write_xlsx(result, str(target))
        return
    data = io.BytesIO()
    write_xlsx(result, data)
    sys.stdout.flush()
    sys.stdout.buffer.write(data.getvalue())
    sys.stdout.buffer.flush()


def now() -> str:
    """The current time for audit and bookkeeping columns (UTC, ISO 8601)."""
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


def done(message: str) -> None:
    """A confirmation on stderr (stdout stays clean for data), in the UI language."""
    typer.echo(STATE.say(message), err=True)


def _lang(value: str | None) -> str | None:
    if value is not None and value not in ("zh", "en"):
        raise typer.BadParameter(f"must be zh or en, not {value!r}")
    return value


LangOpt = Annotated[
    str | None,
    typer.Option(help="zh or en [the UI language: [ui] language, HUIKUAN_LANG, the locale].",
                 callback=_lang),
]  # fmt: skip
