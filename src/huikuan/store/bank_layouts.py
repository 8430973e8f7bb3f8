"""The column layouts of the banks' corporate statement exports, and finding the header row.

A layout maps the fields huikuan reads (``date``, ``amount`` or ``credit``/``debit``,
``currency``, ``counterparty``, ``counterparty_account``, ``memo``, ``serial``, ``account``;
BOC names the ``payer``/``payee`` instead of the counterparty) to the header names a bank
writes. Header names are compared normalised (half width, no spaces, an English gloss in
``[ … ]`` dropped, lower case), so ``收(付)方名称`` and ``收（付）方名称`` are one.
Several ``memo`` columns are joined (摘要 / 用途 / 附言). ``required`` is what tells the layout
apart when ``--bank`` is not given. Sources: the column names of CMB (招商银行 交易明细),
ICBC (工商银行 明细查询) and CCB (建设银行 账户明细) exports are from their published export
samples as known to the author; BOC and ABC are from memory and less certain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from huikuan.core.errors import InvalidValue

FIELDS = (
    "date",
    "amount",
    "credit",
    "debit",
    "currency",
    "counterparty",
    "counterparty_account",
    "memo",
    "serial",
)
MAP_FIELDS = FIELDS  # the keys --map takes (DESIGN §10)
HEADER_ROWS = 40  # the header must be within the first rows


@dataclass(frozen=True)
class Layout:
    """One bank's export: field -> header names (normalised), and the headers it must have."""

    name: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)  # account, payer, payee …

    def aliases(self, key: str) -> tuple[str, ...]:
        return self.columns.get(key) or self.extra.get(key, ())


def head(text: object) -> str:
    """A header cell for comparison: half width, no spaces or ``[English]`` gloss, lower case."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = re.sub(r"\[[^\]]*\]", "", s)
    return re.sub(r"\s+", "", s).casefold()


def _h(*names: str) -> tuple[str, ...]:
    return tuple(head(n) for n in names)


CMB = Layout(
    "cmb",
    {
        "date": _h("交易日", "交易日期"),
        "credit": _h("贷方金额"),
        "debit": _h("借方金额"),
        "currency": _h("币种"),
        "counterparty": _h("收/付方名称", "收(付)方名称"),
        "counterparty_account": _h("收/付方帐号", "收/付方账号", "收(付)方帐号", "收(付)方账号"),
        "memo": _h("摘要", "用途", "业务摘要", "扩展摘要"),
        "serial": _h("流水号"),
    },
    _h("交易日", "借方金额", "贷方金额", "流水号"),
)
ICBC = Layout(
    "icbc",
    {
        "date": _h("交易时间", "交易日期"),
        "credit": _h("贷方发生额"),
        "debit": _h("借方发生额"),
        "currency": _h("币种"),
        "counterparty": _h("对方单位名称", "对方单位", "对方户名"),
        "counterparty_account": _h("对方账号"),
        "memo": _h("摘要", "用途", "附言", "个性化信息"),
        "serial": _h("交易流水号", "凭证号"),
    },
    _h("借方发生额", "贷方发生额", "对方单位名称"),
    {"account": _h("本方账号")},
)
CCB = Layout(
    "ccb",
    {
        "date": _h("交易时间", "记账日期"),
        "credit": _h("贷方发生额（收入）", "贷方发生额"),
        "debit": _h("借方发生额（支取）", "借方发生额"),
        "currency": _h("币种"),
        "counterparty": _h("对方户名"),
        "counterparty_account": _h("对方账号"),
        "memo": _h("摘要", "备注"),
        "serial": _h("账户明细编号-交易流水号", "交易流水号"),
    },
    _h("借方发生额（支取）", "贷方发生额（收入）"),
    {"account": _h("账号")},
)
BOC = Layout(
    "boc",
    {
        "date": _h("交易日期"),
        "amount": _h("交易金额"),
        "currency": _h("交易货币", "币种"),
        "memo": _h("摘要", "用途", "附言", "备注"),
        "serial": _h("交易流水号"),
    },
    _h("交易金额", "付款人名称", "收款人名称"),
    {
        "payer": _h("付款人名称"),
        "payer_account": _h("付款人账号"),
        "payee": _h("收款人名称"),
        "payee_account": _h("收款人账号"),
    },
)
ABC = Layout(
    "abc",
    {
        "date": _h("交易时间", "交易日期"),
        "credit": _h("收入金额"),
        "debit": _h("支出金额"),
        "currency": _h("币种"),
        "counterparty": _h("对方户名"),
        "counterparty_account": _h("对方账号"),
        "memo": _h("交易用途", "交易摘要", "交易附言", "交易说明", "摘要"),
        "serial": _h("交易流水号", "流水号"),
    },
    _h("收入金额", "支出金额", "对方户名"),
)
GENERIC_COLUMNS = {
    "date": _h("date", "日期", "交易日期", "记账日期", "交易日"),
    "amount": _h("amount", "金额", "交易金额"),
    "credit": _h("credit", "收入", "收入金额", "贷方金额", "贷方发生额"),
    "debit": _h("debit", "支出", "支出金额", "借方金额", "借方发生额"),
    "currency": _h("currency", "币种", "币别"),
    "counterparty": _h("counterparty", "对方户名", "对方名称", "对方单位", "付款方户名", "付款人"),
    "counterparty_account": _h("counterparty_account", "对方账号", "对方帐号", "付款方账号"),
    "memo": _h("memo", "摘要", "用途", "附言", "备注"),
    "serial": _h("serial", "流水号", "交易流水号", "银行流水号"),
}
BANKS = {layout.name: layout for layout in (CMB, ICBC, CCB, BOC, ABC)}
NAMES = (*BANKS, "generic")


def layout_for(bank: str | None, mapping: dict[str, str]) -> Layout | None:
    """The layout ``--bank`` names with ``--map`` applied (None: detect it); unknown banks
    and ``--map`` keys are errors."""
    if bank is not None and bank not in NAMES:
        raise InvalidValue(f"unknown bank {bank!r} (known: {', '.join(NAMES)})")
    unknown = sorted(set(mapping) - set(MAP_FIELDS))
    if unknown:
        raise InvalidValue(
            f"--map: unknown key(s) {', '.join(unknown)} (known: {', '.join(MAP_FIELDS)})"
        )
    if bank is None:
        return None
    return with_map(generic() if bank == "generic" else BANKS[bank], mapping)


def generic() -> Layout:
    """The generic layout: common header names; a date and an amount (or credit) column."""
    return Layout("generic", dict(GENERIC_COLUMNS), ())


def with_map(layout: Layout, mapping: dict[str, str]) -> Layout:
    """``layout`` with ``--map`` headers put first (and required: the user named them)."""
    if not mapping:
        return layout
    columns = dict(layout.columns)
    for key, header in mapping.items():
        columns[key] = (head(header),)
    required = (*layout.required, *(head(h) for h in mapping.values()))
    return Layout(layout.name, columns, tuple(dict.fromkeys(required)), layout.extra)


def parse_map(text: str | None) -> dict[str, str]:
    """``--map 'date=记账日,credit=收入金额'`` as a dict."""
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidValue(f"--map: expected key=header, not {part.strip()!r}")
        out[key.strip().lower()] = value.strip()
    return out


@dataclass(frozen=True)
class Found:
    """A layout found in a sheet: the header row (0-based) and field -> column positions."""

    layout: Layout
    row: int
    positions: dict[str, tuple[int, ...]]

    @property
    def width(self) -> int:
        """The columns a line must have (shorter rows are padded)."""
        return max((i for at in self.positions.values() for i in at), default=0) + 1


def locate(layout: Layout, rows: Sequence[Sequence[object]]) -> Found | None:
    """The first row (of the first :data:`HEADER_ROWS`) holding the layout's columns."""
    for n, row in enumerate(rows[:HEADER_ROWS]):
        heads = [head(c) for c in row]
        if layout.required and not set(layout.required) <= set(heads):
            continue
        positions = _positions(layout, heads)
        if _usable(positions):
            return Found(layout, n, positions)
    return None


def _positions(layout: Layout, heads: list[str]) -> dict[str, tuple[int, ...]]:
    out: dict[str, tuple[int, ...]] = {}
    for key in (*layout.columns, *layout.extra):
        names = layout.aliases(key)
        hits = [i for i, h in enumerate(heads) if h in names]
        if key == "memo":
            hits.sort(key=lambda i: names.index(heads[i]))
        elif hits:
            hits = [min(hits, key=lambda i: names.index(heads[i]))]
        if hits:
            out[key] = tuple(hits)
    return out


def _usable(positions: dict[str, tuple[int, ...]]) -> bool:
    return "date" in positions and ("amount" in positions or "credit" in positions)


def detect(rows: Sequence[Sequence[object]], mapping: dict[str, str]) -> Found | None:
    """The first bank layout whose columns a header row holds, else the generic one."""
    for layout in BANKS.values():
        found = locate(with_map(layout, mapping), rows)
        if found is not None:
            return found
    return locate(with_map(generic(), mapping), rows)
