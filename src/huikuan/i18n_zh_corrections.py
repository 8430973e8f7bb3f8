"""zh catalogue entries of the corrections (void, edit, reverse, contact edit/remove, audit);
merged into :mod:`huikuan.i18n_zh` (data only)."""

from __future__ import annotations

LABELS = {
    "at": "时间",
    "entity": "对象",
    "reversed_on": "退票日期",
}

MESSAGES = {
    "Voided invoice {number} ({amount})": "已作废应收单 {number}（{amount}）",
    "Freed {amount} of payment {id} as credit": "已将回款 {id} 的 {amount} 释放为预收款",
    "Applied {amount} of payment {id} to invoice {invoice}": (
        "已将回款 {id} 的 {amount} 冲抵应收单 {invoice}"
    ),
    "Updated invoice {number}: {fields}": "已更正应收单 {number}：{fields}",
    "Reversed payment {id} of {customer} ({amount})": "已冲销客户 {customer} 的回款 {id}（{amount}）",
    "Invoice {number} open again by {amount}": "应收单 {number} 重新挂账 {amount}",
    "Updated contact {name} of {code}: {fields}": "已更正 {code} 的联系人 {name}：{fields}",
    "Removed contact {name} of {code}": "已移除 {code} 的联系人 {name}",
    "unknown payment {key} (see `huikuan payment list`)": (
        "未知的回款 {key}（见 `huikuan payment list`）"
    ),
    "several payments have reference {ref} (ids {ids}): give the id": (
        "有多笔回款的流水号为 {ref}（编号 {ids}）：请给出编号"
    ),
    "payment {id} is a {kind}, not money received; only payments are reversed": (
        "回款 {id} 是{kind}，不是收到的款项；只有回款可以冲销"
    ),
    "payment {id} was already reversed on {day}": "回款 {id} 已于 {day} 冲销",
    "the reversal date {on} is before the payment's date {day}": (
        "冲销日期 {on} 早于回款日期 {day}"
    ),
    "invoice {number} is already void (since {day})": "应收单 {number} 已作废（自 {day} 起）",
    "the void date {on} is before the invoice's issue date {day}": (
        "作废日期 {on} 早于应收单的开票日期 {day}"
    ),
    "invoice {number} has a write-off; a written-off invoice is not voided": (
        "应收单 {number} 已有坏账核销；已核销的应收单不能作废"
    ),
    "invoice {number} has {amount} applied to it; pass --reverse-allocations to free it as"
    " credit (re-applied by the allocation rule)": (
        "应收单 {number} 已冲抵 {amount}；加 --reverse-allocations 可将其释放为预收款"
        "（按冲抵规则重新冲抵）"
    ),
    "invoice {number} is void: its amount is not changed": "应收单 {number} 已作废：金额不能更改",
    "invoice {number} has {amount} applied to it: its amount can only change while nothing is"
    " applied (reverse the payments first)": (
        "应收单 {number} 已冲抵 {amount}：只有尚未冲抵时才能更改金额（请先冲销回款）"
    ),
    "due date {due} is before the issue date {issue}": "到期日 {due} 早于开票日 {issue}",
    "invoice {number} already has these values: nothing to change": (
        "应收单 {number} 已是这些值：没有需要更改的内容"
    ),
    "contact {name} already has these values: nothing to change": (
        "联系人 {name} 已是这些值：没有需要更改的内容"
    ),
    "{code} has no contact named {name} (see `huikuan contact list {code2}`)": (
        "{code} 没有名为 {name} 的联系人（见 `huikuan contact list {code2}`）"
    ),
    "{code} has {n} contacts named {name} ({roles}): give --current-role": (
        "{code} 有 {n} 位名为 {name} 的联系人（{roles}）：请给出 --current-role"
    ),
    "the ledger's schema revision {have} is newer than this huikuan knows (it expects {head}):"
    " upgrade huikuan": "账本的结构版本 {have} 比本程序所知的新（本程序需要 {head}）：请升级 huikuan",
    "the schema upgrade would break references between rows; nothing done": (
        "升级数据库结构会破坏记录之间的引用；未做任何更改"
    ),
}

WORDS = {
    "credit note": "贷项通知单",
    "write off": "坏账核销",
    "void": "作废调整",
}
