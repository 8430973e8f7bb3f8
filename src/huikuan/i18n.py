"""User-facing text in zh and en: which language to use, and the zh catalogue.

The code writes English; :func:`translate` turns a finished English message into Chinese by
matching it against the catalogue's English templates (``{name}`` placeholders match any
text and are carried over), so call sites stay as they are. A message without an entry
stays English. :func:`label` does the same for table column names. JSON/CSV keys are the
English contract and never pass through here. Pure: no I/O, the environment is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import ModuleType

LANGUAGES = ("zh", "en")
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_BAND = re.compile(r"(\d+)(-\d+)?([yd])(\+)?")
_UNITS = {"y": "年", "d": "天"}


@cache
def _zh() -> ModuleType:
    """The Chinese catalogue, imported when first needed: English output never reads it."""
    from huikuan import i18n_zh

    return i18n_zh


def parse_language(value: str) -> str | None:
    """``zh``/``en`` (also ``zh_CN.UTF-8``, ``en-US``, any case) -> the code; else None."""
    code = value.strip().lower().replace("-", "_")
    for lang in LANGUAGES:
        if code == lang or code.startswith(lang + "_") or code.startswith(lang + "."):
            return lang
    return None


def resolve_language(setting: str | None, environ: Mapping[str, str]) -> str:
    """``[ui] language``, else ``HUIKUAN_LANG``, else the locale (``zh_*`` -> zh), else en.

    The locale is the first of LC_ALL, LC_MESSAGES, LANG that is set (POSIX order). A value
    that names neither language is passed over.
    """
    for value in (setting, environ.get("HUIKUAN_LANG")):
        found = parse_language(value) if value else None
        if found:
            return found
    for var in LOCALE_VARS:
        if environ.get(var):
            return "zh" if parse_language(environ[var]) == "zh" else "en"
    return "en"


def label(column: str, lang: str) -> str:
    """A table header: the column name in ``en``, its Chinese label in ``zh``."""
    if lang != "zh":
        return column
    found: str | None = _zh().LABELS.get(column)
    if found is None:
        m = _BAND.fullmatch(column)  # provision bands: 0-1y, 3y+, 0-200d
        found = f"{m[1]}{m[2] or ''}{_UNITS[m[3]]}{'以上' if m[4] else ''}" if m else column
    return found


def value(text: str, lang: str) -> str:
    """A fixed table cell (``Total``, ``(none)``) in ``lang``."""
    found: str = _zh().VALUES.get(text, text) if lang == "zh" else text
    return found


def translate(text: str, lang: str) -> str:
    """``text`` in ``lang``: the catalogue's zh form when an English template matches.

    ``prefix: rest`` that matches no template keeps its prefix (a file, line, option or
    column) and has ``rest`` translated, so ``--amount: not a number: 'x'`` works too.
    """
    if lang != "zh" or not text:
        return text
    found = _match(text)
    if found is not None:
        return found
    head, sep, rest = text.partition(": ")
    if sep and rest:
        return f"{head}: {translate(rest, lang)}" if _translated(rest) else text
    return text


def _translated(text: str) -> bool:
    return translate(text, "zh") != text


def _match(text: str) -> str | None:
    for pattern, zh in _compiled():
        m = pattern.fullmatch(text)
        if m:
            return zh.format(**{k: _part(v) for k, v in m.groupdict().items()})
    return None


def _part(text: str) -> str:
    """A placeholder's text: a known word, a message of its own, or as it is."""
    word: str | None = _zh().WORDS.get(text)
    return word or translate(text, "zh")


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The templates, most literal text first: ``Invoice {n} no longer disputed`` must win
    over ``Invoice {n} disputed``, which would match it too."""
    ordered = sorted(_zh().MESSAGES.items(), key=lambda kv: -len(_PLACEHOLDER.sub("", kv[0])))
    return tuple((_pattern(en), zh) for en, zh in ordered)


def _pattern(template: str) -> re.Pattern[str]:
    """``"Added customer {code}"`` -> ``Added\\ customer\\ (?P<code>.*?)``."""
    parts = _PLACEHOLDER.split(template)
    out = []
    for n, part in enumerate(parts):
        out.append(f"(?P<{part}>.*?)" if n % 2 else re.escape(part))
    return re.compile("".join(out), re.DOTALL)
