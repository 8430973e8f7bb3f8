"""The zh catalogue of the bank commands (merged into :mod:`huikuan.i18n_zh`)."""

from __future__ import annotations

MESSAGES = {
    "Imported {new} new bank lines from {file} ({layout} layout, {dups} already there): "
    "{matched} matched, {waiting} waiting": (
        "已从 {file} 导入 {new} 条新流水（{layout} 格式，{dups} 条已导入过）：{matched} 条已核销，"
        "{waiting} 条待认领"
    ),
    "{n} would match, {m} left waiting (dry run: nothing written)": (
        "将核销 {n} 条，{m} 条待认领（试运行：未写入）"
    ),
    "{n} matched, {m} left waiting": "已核销 {n} 条，{m} 条待认领",
    "Claimed bank line {line} for {customer}; learnt {what}": (
        "已将流水 {line} 认领给 {customer}；已记住 {what}"
    ),
    "Claimed bank line {line} for {customer}": "已将流水 {line} 认领给 {customer}",
    "Unclaimed bank line {line}: its payment is reversed": "已撤销流水 {line} 的认领：回款已冲回",
    "Ignored bank line {line}": "已忽略流水 {line}",
    "no bank line {line} (see `huikuan bank list`)": "没有流水 {line}（见 `huikuan bank list`）",
    "bank line {line} is a debit (money out): only credit lines are claimed": (
        "流水 {line} 是支出：只能认领收入流水"
    ),
    "bank line {line} is matched to {customer} already (`huikuan bank unclaim {again}` first)": (
        "流水 {line} 已核销给 {customer}（请先 `huikuan bank unclaim {again}`）"
    ),
    "bank line {line} is matched (`huikuan bank unclaim {again}` first)": (
        "流水 {line} 已核销（请先 `huikuan bank unclaim {again}`）"
    ),
    "bank line {line} is {status}, not matched: nothing to undo": (
        "流水 {line} 未核销（{status}）：无可撤销"
    ),
    "unknown bank {bank} (known: {known})": "未知银行 {bank}（可选：{known}）",
    "the statement does not say its account: give --account": "流水未注明账号：请用 --account 指定",
    "the statement is for account {a}, not {b}": "流水的账号是 {a}，不是 {b}",
    "the statement is in {a}, but the ledger has no {b} invoices (its currency is {c})": (
        "流水币种为 {a}，但账本没有 {b} 应收单（账本币种 {c}）"
    ),
    "the statement is in {a}, not {b}": "流水币种为 {a}，不是 {b}",
    "{code}, but the statement is in {cur}": "{code}，但流水币种为 {cur}",
    "no statement lines below the header": "表头下没有流水",
    "invoice {number} is not this customer's": "应收单 {number} 不属于该客户",
    "no credit or debit amount": "没有收入或支出金额",
    "both credit and debit": "收入和支出都有金额",
}
LABELS = {
    "line": "流水号码",
    "date": "日期",
    "direction": "方向",
    "counterparty": "对方户名",
    "counterparty_account": "对方账号",
    "memo": "摘要",
    "serial": "银行流水号",
    "reason": "依据",
    "file": "文件",
    "account": "账号",
    "lines": "行数",
    "new": "新增",
    "duplicates": "重复",
    "matched": "已核销",
    "unmatched": "待认领",
}
