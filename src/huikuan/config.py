"""``huikuan.toml``: loading, validation and built-in defaults (huikuan works with no file)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from huikuan.core.aging import DEFAULT_LIMITS, Buckets
from huikuan.core.calendar import CALENDARS, WorkCalendar, make_calendar
from huikuan.core.dates import in_range, parse_date
from huikuan.core.errors import HuikuanError
from huikuan.core.money import parse_currency

if TYPE_CHECKING:
    from huikuan.core.cost import CostPolicy
    from huikuan.core.creditpolicy import CreditPolicy
    from huikuan.core.dunning import DunningConfig
    from huikuan.core.interest import InterestPolicy
    from huikuan.core.provision import ProvisionPolicy
    from huikuan.letters.settings import SmtpSettings

T = TypeVar("T")

# Sections later features read; listed so a typo in a section name is reported.
SECTIONS = {
    "ledger",
    "calendar",
    "aging",
    "company",
    "credit",
    "dunning",
    "delivery",
    "smtp",
    "letters",
    "interest",
    "provision",
    "cost",
    "ui",
    "database",
    "bank",
}


@dataclass(frozen=True)
class LetterSettings:
    """``[letters]``: a template directory that overrides the built-in templates by path,
    the reference prefix (``HK`` -> ``HK-2026-000001``) and the working days to the new
    payment deadline a letter sets."""

    templates: Path | None = None
    reference_prefix: str = "HK"
    deadline_days: int = 7


class Lazy(Generic[T]):
    """A :class:`Config` setting whose built-in default is made on first read.

    The policies' modules (dunning, interest, bank matching, …) are then imported only by the
    commands that read them, not by every command (``credit check`` starts quickly).
    """

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Lazy[T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> T | Lazy[T]:
        if obj is None:
            return self  # the dataclass default: "not given"
        if self._slot not in obj.__dict__:
            obj.__dict__[self._slot] = self._make()
        value: T = obj.__dict__[self._slot]
        return value

    def __set__(self, obj: object, value: T | Lazy[T]) -> None:
        if value is not self:
            obj.__dict__[self._slot] = value


def _credit() -> CreditPolicy:
    from huikuan.core.creditpolicy import CreditPolicy

    return CreditPolicy()


def _dunning() -> DunningConfig:
    from huikuan.core.dunning import DunningConfig

    return DunningConfig()


def _provision() -> ProvisionPolicy:
    from huikuan.core.provision import ProvisionPolicy

    return ProvisionPolicy()


def _cost() -> CostPolicy:
    from huikuan.core.cost import CostPolicy

    return CostPolicy()


def _interest() -> InterestPolicy:
    from huikuan.core.interest import InterestPolicy

    return InterestPolicy()


def _threshold() -> int:
    from huikuan.core.bankmatch import DEFAULT_THRESHOLD

    return DEFAULT_THRESHOLD


@dataclass
class Config:
    """Settings in force for one run."""

    currency: str = "CNY"
    calendar: str = "CN"
    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()
    buckets: tuple[int, ...] = DEFAULT_LIMITS
    company: dict[str, str] = field(default_factory=dict)
    credit: Lazy[CreditPolicy] = Lazy(_credit)
    dunning: Lazy[DunningConfig] = Lazy(_dunning)
    outbox: Path | None = None  # [delivery] outbox
    provision: Lazy[ProvisionPolicy] = Lazy(_provision)
    cost: Lazy[CostPolicy] = Lazy(_cost)
    interest: Lazy[InterestPolicy] = Lazy(_interest)
    letters: LetterSettings = field(default_factory=lambda: LetterSettings())
    smtp: SmtpSettings | None = None
    language: str | None = None  # [ui] language; None: HUIKUAN_LANG, then the locale
    database_url: str | None = None  # [database] url: the ledger when --db/HUIKUAN_DB are not set
    auto_match_score: Lazy[int] = Lazy(_threshold)  # [bank]: bank lines at or above are paid
    raw: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None

    def make_calendar(self) -> WorkCalendar:
        """The working-day calendar with the config's extra holidays and workdays."""
        return make_calendar(self.calendar, self.holidays, self.workdays)


def load_config(path: Path | None, *, required: bool) -> Config:
    """Read ``path`` (``required``: it was named by the user, so it must exist)."""
    if path is None or (not required and not path.exists()):
        return Config()
    import tomllib  # only when there is a file to read

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HuikuanError(f"config file {path} not found") from None
    except (OSError, ValueError) as exc:  # ValueError: TOML, UTF-8, 4,300+ digit numbers
        raise HuikuanError(f"cannot read config {path}: {exc}") from None
    except RecursionError:
        raise HuikuanError(f"cannot read config {path}: nested too deeply") from None
    try:
        return _parse(raw, path)
    except HuikuanError as exc:
        raise HuikuanError(*(f"{path}: {m}" for m in exc.messages)) from None


def _parse(raw: dict[str, Any], path: Path) -> Config:
    from huikuan.core.cost import make_cost
    from huikuan.core.creditpolicy import make_policy
    from huikuan.core.dunning_config import make_dunning
    from huikuan.core.interest import make_interest
    from huikuan.core.provision import make_provision
    from huikuan.letters.settings import make_smtp

    unknown = sorted(set(raw) - SECTIONS)
    if unknown:
        raise HuikuanError(
            f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(sorted(SECTIONS))})"
        )
    cfg = Config(raw=raw, source=path)
    ledger = _table(raw, "ledger", {"currency"})
    if "currency" in ledger:
        cfg.currency = parse_currency(str(ledger["currency"]))
    _parse_calendar(raw.get("calendar"), cfg)
    aging = _table(raw, "aging", {"buckets"})
    if "buckets" in aging:
        cfg.buckets = tuple(_int_list(aging["buckets"], "aging.buckets"))
        Buckets(cfg.buckets)
    cfg.company = {str(k): str(v) for k, v in _table(raw, "company", None).items()}
    cfg.credit = make_policy(_table(raw, "credit", None))
    cfg.dunning = make_dunning(_table(raw, "dunning", None))
    cfg.provision = make_provision(_table(raw, "provision", None))
    cfg.cost = make_cost(_table(raw, "cost", None))
    cfg.interest = make_interest(_table(raw, "interest", None))
    cfg.letters = _letters(
        _table(raw, "letters", {"templates", "reference_prefix", "deadline_days"}), path
    )
    cfg.smtp = make_smtp(_table(raw, "smtp", None))
    ui = _table(raw, "ui", {"language"})
    if "language" in ui:
        cfg.language = _language(ui["language"])
    database = _table(raw, "database", {"url"})
    if "url" in database:
        if not isinstance(database["url"], str) or not database["url"].strip():
            raise HuikuanError("database.url must be a ledger file or postgresql://user@host/db")
        cfg.database_url = database["url"].strip()
    cfg.auto_match_score = _auto_match(_table(raw, "bank", {"auto_match_score"}))
    delivery = _table(raw, "delivery", {"outbox"})
    if "outbox" in delivery:
        cfg.outbox = Path(str(delivery["outbox"])).expanduser()
    return cfg


def _letters(table: dict[str, Any], path: Path) -> LetterSettings:
    out = LetterSettings()
    if "templates" in table:
        folder = Path(str(table["templates"])).expanduser()
        folder = folder if folder.is_absolute() else path.parent / folder
        if not folder.is_dir():
            raise HuikuanError(f"letters.templates: {folder} is not a directory")
        out = replace(out, templates=folder)
    prefix = str(table.get("reference_prefix", out.reference_prefix))
    if not prefix or not all(ch.isalnum() or ch in "-_" for ch in prefix):
        raise HuikuanError("letters.reference_prefix must be letters, digits, - or _")
    days = table.get("deadline_days", out.deadline_days)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 90:
        raise HuikuanError("letters.deadline_days must be a whole number from 0 to 90")
    return replace(out, reference_prefix=prefix, deadline_days=days)


def _auto_match(table: dict[str, Any]) -> int:
    value = table.get("auto_match_score", _threshold())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 101:
        raise HuikuanError(
            "bank.auto_match_score must be a whole number from 1 to 101 (101: never)"
        )
    return value


def _language(value: Any) -> str:
    if value not in ("zh", "en"):
        raise HuikuanError(f'ui.language must be "zh" or "en", not {value!r}')
    return str(value)


def _parse_calendar(value: Any, cfg: Config) -> None:
    if value is None:
        return
    table = {"kind": value} if isinstance(value, str) else value
    if not isinstance(table, dict):
        raise HuikuanError('calendar must be "CN", "none" or a [calendar] table')
    extra = set(table) - {"kind", "holidays", "workdays"}
    if extra:
        raise HuikuanError(f"unknown calendar setting(s): {', '.join(sorted(extra))}")
    cfg.calendar = str(table.get("kind", "CN"))
    if cfg.calendar not in CALENDARS:
        raise HuikuanError(f"calendar must be one of {', '.join(CALENDARS)}, not {cfg.calendar!r}")
    cfg.holidays = tuple(_date_list(table.get("holidays", []), "calendar.holidays"))
    cfg.workdays = tuple(_date_list(table.get("workdays", []), "calendar.workdays"))


def _table(raw: dict[str, Any], name: str, keys: set[str] | None) -> dict[str, Any]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise HuikuanError(f"[{name}] must be a table")
    if keys is not None and set(table) - keys:
        raise HuikuanError(f"unknown [{name}] setting(s): {', '.join(sorted(set(table) - keys))}")
    return table


def _date_list(value: Any, name: str) -> list[date]:
    if not isinstance(value, list):
        raise HuikuanError(f"{name} must be a list of dates")
    try:
        return [in_range(v) if isinstance(v, date) else parse_date(str(v)) for v in value]
    except HuikuanError as exc:
        raise HuikuanError(f"{name}: {exc}") from None


def _int_list(value: Any, name: str) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        raise HuikuanError(f"{name} must be a list of whole numbers of days")
    return list(value)
