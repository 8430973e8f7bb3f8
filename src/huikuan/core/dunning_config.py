"""``[dunning]`` settings: policies and their levels, escalation, intervals, holidays.

Validated here with clear messages; the built-in ``standard`` policy is the default and may be
given its own ``escalation`` / ``min_interval_days`` without repeating its levels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huikuan.core.dunning import CHANNELS, ESCALATIONS, LETTER_KINDS, DunningConfig, Level
from huikuan.core.errors import HuikuanError, InvalidValue
from huikuan.core.money import parse_fen

DUNNING_KEYS = {
    "policies",
    "segments",
    "default_policy",
    "min_interval_days",
    "min_amount",
    "promise_grace_days",
    "escalation",
    "run_on_holidays",
}
POLICY_KEYS = {"levels", "escalation", "min_interval_days"}
LEVEL_KEYS = {"name", "offset", "channels", "working_days", "letter", "interest"}


def make_dunning(raw: Mapping[str, Any]) -> DunningConfig:
    """Build ``[dunning]`` over the defaults; raise :class:`HuikuanError` on bad settings."""
    unknown = sorted(set(raw) - DUNNING_KEYS)
    if unknown:
        raise HuikuanError(f"unknown [dunning] setting(s): {', '.join(unknown)}")
    policies, overrides = _policies(raw.get("policies", {}))
    segments = {
        str(k): str(v) for k, v in _mapping(raw.get("segments", {}), "dunning.segments").items()
    }
    default = str(raw.get("default_policy", "standard"))
    for name in (*segments.values(), default):
        if name not in policies:
            raise HuikuanError(f"dunning: unknown policy {name!r} (known: {', '.join(policies)})")
    return DunningConfig(
        policies=policies,
        segments=segments,
        default_policy=default,
        min_interval_days=_days(raw.get("min_interval_days", 7), "min_interval_days"),
        min_amount=_amount(raw.get("min_amount", 0)),
        promise_grace_days=_days(raw.get("promise_grace_days", 3), "promise_grace_days"),
        escalation=_escalation(raw.get("escalation", "step"), "dunning.escalation"),
        run_on_holidays=_flag(raw.get("run_on_holidays", False), "dunning.run_on_holidays"),
        overrides=overrides,
    )


def _policies(
    raw: Any,
) -> tuple[dict[str, tuple[Level, ...]], dict[str, dict[str, Any]]]:
    """Each policy's levels (a built-in one keeps its own when none are given) and its own
    escalation / interval settings."""
    policies = dict(DunningConfig().policies)
    overrides: dict[str, dict[str, Any]] = {}
    for name, table in _mapping(raw, "dunning.policies").items():
        where = f"dunning.policies.{name}"
        table = _mapping(table, where)
        extra = sorted(set(table) - POLICY_KEYS)
        if extra:
            raise HuikuanError(f"{where}: unknown key(s) {', '.join(extra)}")
        if "levels" in table or name not in policies:
            policies[name] = _levels(name, table.get("levels"))
        overrides[name] = _override(where, table)
    return policies, overrides


def _override(where: str, table: Mapping[str, Any]) -> dict[str, Any]:
    own: dict[str, Any] = {}
    if "escalation" in table:
        own["escalation"] = _escalation(table["escalation"], f"{where}.escalation")
    if "min_interval_days" in table:
        name = f"{where}.min_interval_days".removeprefix("dunning.")
        own["min_interval_days"] = _days(table["min_interval_days"], name)
    return own


def _escalation(value: Any, name: str) -> str:
    if value not in ESCALATIONS:
        raise HuikuanError(f'{name} must be "step" or "jump", not {value!r}')
    return str(value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise HuikuanError(f"{name} must be true or false, not {value!r}")
    return value


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise HuikuanError(f"{name} must be a table")
    return value


def _days(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise HuikuanError(f"dunning.{name} must be a whole number of days >= 0, not {value!r}")
    return value


def _amount(value: Any) -> int:
    try:
        return parse_fen(str(value), allow_zero=True)
    except InvalidValue as exc:
        raise HuikuanError(f"dunning.min_amount: {exc}") from None


def _levels(policy: str, levels: Any) -> tuple[Level, ...]:
    if not isinstance(levels, list) or not levels:
        raise HuikuanError(f"dunning.policies.{policy}.levels must be a non-empty list of tables")
    out = tuple(_level(f"dunning.policies.{policy}.levels[{n}]", lv) for n, lv in enumerate(levels))
    offsets = [lv.offset for lv in out]
    if offsets != sorted(offsets) or len(set(offsets)) != len(offsets):
        raise HuikuanError(f"dunning.policies.{policy}: level offsets must increase")
    return out


def _level(where: str, raw: Any) -> Level:
    raw = _mapping(raw, where)
    if set(raw) - LEVEL_KEYS:
        raise HuikuanError(f"{where}: unknown key(s) {', '.join(sorted(set(raw) - LEVEL_KEYS))}")
    offset, channels = raw.get("offset"), raw.get("channels")
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise HuikuanError(f"{where}.offset must be a whole number of days")
    if not isinstance(channels, list) or not channels or not set(channels) <= set(CHANNELS):
        raise HuikuanError(f"{where}.channels must be a list of {', '.join(CHANNELS)}")
    letter = raw.get("letter")
    if letter is not None and letter not in LETTER_KINDS:
        raise HuikuanError(f"{where}.letter must be one of {', '.join(LETTER_KINDS)}")
    name = str(raw.get("name") or f"level{offset:+d}")
    return Level(
        name,
        offset,
        tuple(channels),
        bool(raw.get("working_days", False)),
        letter,
        bool(raw.get("interest", False)),
    )
