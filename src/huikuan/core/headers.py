"""Import headers: the contract's column names, their Chinese aliases (DESIGN §9), ``--map``.

A header cell is matched after trimming spaces (full-width ones too) and lower-casing; it
names a column when it is the column's own name, one of its aliases for the kind being
imported, or what ``--map 'column=表头'`` says. Two headers naming one column are an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from huikuan.core.errors import HuikuanError
from huikuan.core.records import COLUMNS, REQUIRED

_COMMON = {
    "客户编码": "customer", "客户代码": "customer", "客户编号": "customer", "客户": "customer",
    "金额": "amount", "币种": "currency", "币别": "currency", "货币": "currency",
}  # fmt: skip
_CUSTOMERS = {
    "客户编码": "code", "客户代码": "code", "客户编号": "code", "编码": "code",
    "客户名称": "name", "名称": "name", "客户分类": "segment", "客户类别": "segment",
    "分类": "segment", "地区": "region", "区域": "region", "业务员": "salesperson",
    "销售员": "salesperson", "邮箱": "email", "电子邮箱": "email", "电子邮件": "email",
    "联系电话": "phone", "电话": "phone", "手机": "phone", "语言": "language",
    "信用额度": "credit_limit", "账期": "terms", "付款条件": "terms", "收款条件": "terms",
}  # fmt: skip
_INVOICES = {
    "发票号": "number", "发票号码": "number", "单据编号": "number", "单据号": "number",
    "开票日期": "issue_date", "单据日期": "issue_date", "发票日期": "issue_date",
    "到期日": "due_date", "到期日期": "due_date", "价税合计": "amount", "应收金额": "amount",
    "账期": "terms", "付款条件": "terms", "收款条件": "terms", "合同号": "contract",
    "合同编号": "contract", "业务员": "salesperson", "销售员": "salesperson",
    "摘要": "description", "备注": "description", "说明": "description",
    "里程碑": "milestone", "款项类型": "milestone",
}  # fmt: skip
_PAYMENTS = {
    "收款日期": "date", "日期": "date", "到账日期": "date", "收款金额": "amount",
    "发票号": "invoice", "发票号码": "invoice", "银行流水号": "reference",
    "流水号": "reference", "交易流水号": "reference", "收款方式": "method",
    "结算方式": "method", "付款方式": "method",
}  # fmt: skip
ALIASES: dict[str, dict[str, str]] = {
    "customers": _CUSTOMERS,
    "invoices": _COMMON | _INVOICES,
    "payments": _COMMON | _PAYMENTS,
}
_SPACES = " \t\u3000\u00a0\ufeff"
CURRENCY_NAMES = {
    "人民币": "CNY", "美元": "USD", "欧元": "EUR", "港币": "HKD", "港元": "HKD", "日元": "JPY",
    "英镑": "GBP",
}  # fmt: skip


def clean(header: str) -> str:
    """A header cell as matched: spaces (full-width too) trimmed, lower-cased."""
    return header.strip(_SPACES).lower()


@dataclass(frozen=True)
class Header:
    """A file's header: each position's column (its own name when not known) and problems."""

    columns: list[str]
    problems: list[str]


def parse_map(text: str | None) -> dict[str, str]:
    """``--map 'number=单据编号,amount=应收金额'`` -> ``{header: column}``; bad pairs raise."""
    out: dict[str, str] = {}
    for part in (text or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        column, sep, header = part.partition("=")
        if not sep or not clean(column) or not clean(header):
            raise HuikuanError(f"--map: {part.strip()!r} is not column=header")
        if clean(header) in out:
            raise HuikuanError(f"--map: the header {header.strip()!r} is mapped twice")
        out[clean(header)] = clean(column)
    return out


def map_header(kind: str, cells: Sequence[str], mapping: Mapping[str, str]) -> Header:
    """The column each header cell names, for importing ``kind``; ``mapping`` from :func:`parse_map`."""
    known, aliases = COLUMNS[kind], ALIASES[kind]
    problems = [
        f"--map: {col}: not a column of {kind} (known: {', '.join(known)})"
        for col in dict.fromkeys(mapping.values())
        if col not in known
    ]
    cleaned = [clean(c) for c in cells]
    problems += [f"--map: the file has no header {h!r}" for h in mapping if h not in cleaned]
    columns = [mapping.get(c) or (c if c in known else aliases.get(c, c)) for c in cleaned]
    return Header(columns, problems + _twice(cells, columns))


def _twice(cells: Sequence[str], columns: list[str]) -> list[str]:
    """Problems for columns named by two different headers (the same header twice is left
    to the importer's own duplicate check)."""
    seen: dict[str, str] = {}
    out = []
    for cell, col in zip(cells, columns):
        if not col:
            continue
        first = seen.setdefault(col, cell.strip(_SPACES))
        if first != cell.strip(_SPACES):
            out.append(f"{col}: the headers {first!r} and {cell.strip(_SPACES)!r} both mean {col}")
    return out


def finds(kind: str, cells: Sequence[str], mapping: Mapping[str, str]) -> bool:
    """Whether a row of cells holds every required column of ``kind`` (a header row)."""
    columns = set(map_header(kind, cells, mapping).columns)
    return all(col in columns for col in REQUIRED[kind])


def named_currencies(rows: Iterator[Any], header: Sequence[str]) -> Iterator[Any]:
    """``(line, fields)`` rows with a currency written as its Chinese name (人民币, 美元, …) as
    its code; other rows (problem texts) and other values pass unchanged."""
    if "currency" not in header:
        yield from rows
        return
    at, names = list(header).index("currency"), CURRENCY_NAMES
    for line, fields in rows:
        if not isinstance(fields, str) and fields[at] in names:
            fields = [*fields[:at], names[fields[at]], *fields[at + 1 :]]
        yield line, fields
