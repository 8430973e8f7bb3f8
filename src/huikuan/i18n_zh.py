"""The zh catalogue (data only; see :mod:`huikuan.i18n`).

``MESSAGES`` maps an English template to its Chinese form: ``{name}`` placeholders in the
English match any text, which is put in the same placeholder of the Chinese. ``LABELS``:
table column name -> header. ``VALUES``: fixed table cells.
"""

from __future__ import annotations

VALUES = {
    "Total": "合计",
    "(none)": "（无）",
}

# Words that fill a placeholder (``by {by}``), translated only there.
WORDS = {
    "due": "到期日",
    "issue": "开票日",
    "customer": "客户",
    "salesperson": "业务员",
    "segment": "行业",
    "region": "地区",
    "current": "未到期",
    "month": "月",
    "quarter": "季度",
    "margin": "净利率",
    "rate": "利率",
    "amount": "金额",
    "months": "月数",
    "extra_sales": "需增销售额",
    "decision_maker": "决策人",
    "finance": "财务",
    "purchasing": "采购",
    "legal_rep": "法人",
    "other": "其他",
    "phone": "电话",
    "email": "邮件",
    "letter": "函件",
    "visit": "上门",
    "sms": "短信",
    "wechat": "微信",
    "legal": "法律途径",
}

LABELS = {
    "dunning_policy": "催款策略",
    "blocked_reason": "冻结原因",
    "created_at": "创建时间",
    "dispute_reason": "争议原因",
    "character": "品德",
    "capacity": "能力",
    "capital": "资本",
    "collateral": "抵押",
    "conditions": "条件",
    "acknowledged": "已确认",
    "action": "建议行动",
    "amount": "金额",
    "applied_at": "采用时间",
    "assessor": "评估人",
    "available": "可用额度",
    "avg_days_to_pay": "平均回款天数",
    "balance": "余额",
    "blocked": "冻结",
    "bucket": "账龄段",
    "cei": "回款效率指数",
    "change": "变动",
    "channel": "渠道",
    "check": "检查项",
    "closing": "期末余额",
    "code": "代码",
    "collection_rate": "回款率",
    "collections": "回款",
    "component": "要素",
    "contacts": "联系人",
    "contract": "合同号",
    "credit": "贷方",
    "credit_limit": "信用额度",
    "credit_sales": "赊销额",
    "credited": "冲减",
    "currency": "币种",
    "current": "未到期",
    "customer": "客户",
    "customers": "客户数",
    "date": "日期",
    "days": "天数",
    "days_left": "剩余天数",
    "days_overdue": "逾期天数",
    "debit": "借方",
    "description": "摘要",
    "detail": "详情",
    "disputed": "争议",
    "dso": "DSO",
    "due_date": "到期日",
    "email": "邮箱",
    "evidence": "证据",
    "excuse": "借口",
    "expires": "时效届满日",
    "exposure": "风险敞口",
    "extra_sales": "需增销售额",
    "field": "项目",
    "follow_up": "跟进日",
    "follow_up_days": "跟进天数",
    "id": "编号",
    "interest": "利息",
    "invoice": "应收单",
    "invoiced": "开票额",
    "invoices": "应收单",
    "issue_date": "开票日期",
    "key": "分组",
    "kind": "类型",
    "language": "语言",
    "last_assessed": "最近评估",
    "legal": "诉讼",
    "level": "级别",
    "made_on": "承诺日期",
    "margin": "净利率",
    "method": "方式",
    "milestone": "节点",
    "months": "月数",
    "name": "名称",
    "note": "备注",
    "number": "单号",
    "open": "未收金额",
    "opening": "期初余额",
    "outcome": "结果",
    "overdue": "逾期",
    "overdue_ratio": "逾期比例",
    "paid": "已付",
    "period": "期间",
    "phone": "电话",
    "points": "要点",
    "previous_provision": "上次计提",
    "principal": "本金",
    "promised_date": "承诺付款日",
    "provision": "坏账准备",
    "rate": "利率",
    "rate_source": "利率来源",
    "rating": "评级",
    "recommended_limit": "建议额度",
    "recommended_terms": "建议账期",
    "reference": "参考号",
    "region": "地区",
    "response": "应对",
    "restarted_by": "中断事由",
    "role": "角色",
    "salesperson": "业务员",
    "says": "客户说法",
    "score": "得分",
    "segment": "行业",
    "set_at": "设定时间",
    "set_by": "设定人",
    "since": "起始日",
    "source": "来源",
    "status": "状态",
    "target": "任务",
    "target_met": "完成任务",
    "terms": "账期",
    "title": "职务",
    "total": "合计",
    "type": "类型",
    "unapplied": "未核销",
    "user": "用户",
    "value": "内容",
    "verify": "核实事项",
    "wechat": "微信",
    "weight": "权重",
    "written_off": "核销额",
    # contracts
    "seq": "序号",
    "share": "比例%",
    "event": "节点",
    "to_come": "待开票",
    "retention": "质保金",
}

MESSAGES = {
    # confirmations (done)
    "Ledger ready: {path}": "账本已就绪：{path}",
    "Demo loaded: {counts}": "演示数据已载入：{counts}",
    "Backed up {size} bytes to {file}": "已备份 {size} 字节到 {file}",
    "Added customer {code}": "已添加客户 {code}",
    "Updated customer {code}": "已更新客户 {code}",
    "Blocked customer {code}": "已冻结客户 {code}",
    "Unblocked customer {code}": "已解除冻结客户 {code}",
    "Added contact {name} ({role}) to {code}": "已为 {code} 添加联系人 {name}（{role}）",
    "Added invoice {number}, due {due}": "已添加应收单 {number}，到期日 {due}",
    "Invoice {number} disputed": "应收单 {number} 已标记为争议",
    "Invoice {number} no longer disputed": "应收单 {number} 已取消争议",
    "Recorded payment for {customer}": "已记录 {customer} 的回款",
    "Recorded credit note for {customer}": "已记录 {customer} 的贷项通知单",
    "Recorded discount for {customer}": "已记录 {customer} 的折让",
    "Recorded write off for {customer}": "已记录 {customer} 的坏账核销",
    "Wrote off {amount} of invoice {invoice}": "已核销应收单 {invoice} 的 {amount}",
    "Imported {rows} customers from {file} ({encoding})": "已从 {file}（{encoding}）导入 {rows} 个客户",
    "Imported {rows} invoices from {file} ({encoding})": "已从 {file}（{encoding}）导入 {rows} 张应收单",
    "Imported {rows} payments from {file} ({encoding})": "已从 {file}（{encoding}）导入 {rows} 笔回款",
    "Imported {rows} customers from sheet {sheet} of {file}": "已从 {file} 的工作表 {sheet} 导入 {rows} 个客户",
    "Imported {rows} invoices from sheet {sheet} of {file}": "已从 {file} 的工作表 {sheet} 导入 {rows} 张应收单",
    "Imported {rows} payments from sheet {sheet} of {file}": "已从 {file} 的工作表 {sheet} 导入 {rows} 笔回款",
    "Left out the totals row(s) {rows} (合计) of sheet {sheet}": "未导入工作表 {sheet} 的合计行：第 {rows} 行",
    "Wrote {file}": "已写入 {file}",
    "Logged {channel} contact with {code} on {day}; follow up on {follow} "
    "(mark the invoice with `huikuan invoice dispute` to pause dunning)": (
        "已记录 {day} 与 {code} 的 {channel} 联系；{follow} 跟进"
        "（用 `huikuan invoice dispute` 标记争议以暂停催款）"
    ),
    "Logged {channel} contact with {code} on {day}; follow up on {follow}": (
        "已记录 {day} 与 {code} 的 {channel} 联系；{follow} 跟进"
    ),
    "Logged {channel} contact with {code} on {day} "
    "(mark the invoice with `huikuan invoice dispute` to pause dunning)": (
        "已记录 {day} 与 {code} 的 {channel} 联系（用 `huikuan invoice dispute` 标记争议以暂停催款）"
    ),
    "Logged {channel} contact with {code} on {day}": "已记录 {day} 与 {code} 的 {channel} 联系",
    "Promise recorded: {code} to pay {amount} by {day}": (
        "已记录付款承诺：{code} 将于 {day} 前支付 {amount}"
    ),
    "Stored assessment {id} for {code}; adopt it with `huikuan credit apply {code2}`": (
        "已保存 {code} 的信用评估 {id}；用 `huikuan credit apply {code2}` 采用"
    ),
    "{code}: credit limit {currency} {limit}, terms {terms} "
    "(assessment {id} of {day}, rating {rating})": (
        "{code}：信用额度 {currency} {limit}，账期 {terms}（{day} 的评估 {id}，评级 {rating}）"
    ),
    "Target for {who} in {period}: {amount} (was {old})": (
        "{who} {period} 回款任务：{amount}（原为 {old}）"
    ),
    "Target for {who} in {period}: {amount}": "{who} {period} 回款任务：{amount}",
    "Letter {reference} ({kind}, {lang}) for {customer} -> {output}": (
        "函件 {reference}（{kind}，{lang}）致 {customer} -> {output}"
    ),
    "Letter {reference} ({kind}, {lang}) for {customer}": (
        "函件 {reference}（{kind}，{lang}）致 {customer}"
    ),
    # warnings
    "the CN holiday calendar has no data for {year} (chinesecalendar covers up to {last}); "
    "using weekends only for {year2}. Add holidays and make-up workdays under [calendar] in "
    "huikuan.toml, or upgrade chinesecalendar.": (
        "中国节假日日历没有 {year} 年的数据（chinesecalendar 只到 {last} 年）；{year2} 年仅按周末计算。"
        "请在 huikuan.toml 的 [calendar] 中添加节假日和调休工作日，或升级 chinesecalendar。"
    ),
    "no [company] {missing} in huikuan.toml: the letterhead or bank details are empty": (
        "huikuan.toml 的 [company] 中缺少 {missing}：信头或银行信息为空"
    ),
    "no {missing} under [company] in huikuan.toml: letters would go out with a blank letterhead "
    "or bank details (see examples/huikuan.toml)": (
        "huikuan.toml 的 [company] 中缺少 {missing}：函件的信头或银行信息将为空（参见 examples/huikuan.toml）"
    ),
    "no --margin and no [cost] margin: assuming a 10% net margin": (
        "未给出 --margin，也没有 [cost] margin：按 10% 净利率计算"
    ),
    # errors
    "unknown customer {code} (see `huikuan customer list`)": (
        "未知客户 {code}（见 `huikuan customer list`）"
    ),
    "unknown invoice {number} (see `huikuan invoice list`)": (
        "未知应收单 {number}（见 `huikuan invoice list`）"
    ),
    "customer {code} already exists (use `huikuan customer edit`)": (
        "客户 {code} 已存在（请用 `huikuan customer edit`）"
    ),
    "invoice {number} already exists": "应收单 {number} 已存在",
    "invoice {number} belongs to another customer, not {code}": (
        "应收单 {number} 属于其他客户，不属于 {code}"
    ),
    "no ledger at {path} (run `huikuan init`, or point --db / HUIKUAN_DB at yours)": (
        "{path} 没有账本（请运行 `huikuan init`，或用 --db / HUIKUAN_DB 指向您的账本）"
    ),
    "{path} is not a huikuan ledger: {why}": "{path} 不是 huikuan 账本：{why}",
    "{path} already holds data; the demo only loads into an empty ledger": (
        "{path} 已有数据；演示数据只能载入空账本"
    ),
    "config file {path} not found": "找不到配置文件 {path}",
    "cannot read config {path}: {why}": "无法读取配置 {path}：{why}",
    "is empty": "为空",
    "must be greater than zero": "必须大于零",
    "not a number: {raw}": "不是数字：{raw}",
    "must not be negative: {raw}": "不能为负数：{raw}",
    "badly grouped number: {raw}": "千分位分隔有误：{raw}",
    "more than two decimal places: {raw}": "超过两位小数：{raw}",
    "is implausibly large: {raw}": "数额大得不合理：{raw}",
    "currency must be 3 letters like CNY or USD, not {raw}": (
        "币种必须是 3 个字母，如 CNY 或 USD，而不是 {raw}"
    ),
    "not a date: {raw} (use 2026-11-22, 2026/11/22 or 2026年11月22日)": (
        "不是日期：{raw}（请写作 2026-11-22、2026/11/22 或 2026年11月22日）"
    ),
    "no such date: {raw}": "没有这一天：{raw}",
    "unknown terms code {code} (known: {known})": "未知账期代码 {code}（可用：{known}）",
    "unknown excuse {code} (known: {known}; or {names})": (
        "未知借口 {code}（可用：{known}；或 {names}）"
    ),
    "must be one of {allowed} (or {names}), not {raw}": (
        "必须是 {allowed}（或 {names}）之一，而不是 {raw}"
    ),
    "must be one of {allowed}, not {raw}": "必须是 {allowed} 之一，而不是 {raw}",
    "{what} must be one of {allowed}, not {raw}": "{what} 必须是 {allowed} 之一，而不是 {raw}",
    "must be zh or en, not {raw}": "必须是 zh 或 en，而不是 {raw}",
    "--lang must be zh or en, not {raw}": "--lang 必须是 zh 或 en，而不是 {raw}",
    "not an email address: {raw}": "不是电子邮件地址：{raw}",
    "must be one line without control characters: {raw}": "必须是一行且不含控制字符：{raw}",
    "the invoice has nothing open to write off": "该应收单没有可核销的未收金额",
    "write-off {amount} exceeds the open amount {open}": "核销金额 {amount} 超过未收金额 {open}",
    "write-off date {day} is before the invoice's issue date {issue}": (
        "核销日期 {day} 早于应收单开票日期 {issue}"
    ),
    "a payment with reference {ref} is already recorded for this customer ({detail})": (
        "该客户已记录过流水号为 {ref} 的回款（{detail}）"
    ),
    "no customer or invoice has salesperson {who}": "没有客户或应收单的业务员是 {who}",
    "--from {start} is after --to {end}": "--from {start} 晚于 --to {end}",
    "--since {start} is after --as-of {end}": "--since {start} 晚于 --as-of {end}",
    "--date {day} is before the promise was made ({made})": "--date {day} 早于承诺日期（{made}）",
    "{dest} exists (pass --force to overwrite)": "{dest} 已存在（加 --force 覆盖）",
    "the backup file must not be the ledger itself": "备份文件不能是账本本身",
    "cannot write {dest}: {why}": "无法写入 {dest}：{why}",
    "nothing to change (give at least one option, see --help)": (
        "没有要修改的内容（至少给出一个选项，见 --help）"
    ),
    "{code} has nothing overdue as of {day}: no {kind} letter": (
        "截至 {day}，{code} 没有逾期款项：不生成 {kind} 函"
    ),
    "{name}: cannot open: {why}": "{name}：无法打开：{why}",
    "{name}: empty file (expected a header row)": "{name}：空文件（应有表头行）",
    "{name}: empty file (no records)": "{name}：空文件（没有记录）",
    "{name}: no rows to import": "{name}：没有可导入的行",
    "{name}: expected a JSON array of objects": "{name}：应为对象组成的 JSON 数组",
    "unknown input format {fmt} (use csv, json or jsonl)": (
        "未知输入格式 {fmt}（请用 csv、json 或 jsonl）"
    ),
    "unknown encoding {enc} (try utf-8 or gb18030)": "未知编码 {enc}（试试 utf-8 或 gb18030）",
    "missing column(s) {cols}": "缺少列 {cols}",
    "nothing imported": "未导入任何数据",
    "bucket limits must be positive": "账龄段上限必须为正数",
    "Nothing imported.": "未导入任何数据。",
    "Nothing imported: {n} problem(s) in {rows} row(s).": "未导入任何数据：{rows} 行中有 {n} 个问题。",
    "{failed} message(s) could not be delivered; they are retried on the next run": (
        "{failed} 条消息未能送达；下次运行时重试"
    ),
    "{n} column(s) hidden ({names}): use --format csv or widen the terminal to see all": (
        "已隐藏 {n} 列（{names}）：使用 --format csv 或加宽终端查看全部"
    ),
    # table titles
    "Aging as of {day} ({basis} basis, by {by}, top {top} of {n})": (
        "账龄分析（截至 {day}，自{basis}起算，按{by}，前 {top} / 共 {n}）"
    ),
    "Aging as of {day} ({basis} basis, by {by})": "账龄分析（截至 {day}，自{basis}起算，按{by}）",
    "Open invoices as of {day}": "未结应收单（截至 {day}）",
    "对账单 Statement {customer} to {day}": "对账单 {customer}（截至 {day}）",
    "Balance": "余额",
    "Balances as of {day}": "余额（截至 {day}）",
    "Customer {code}": "客户 {code}",
    "Contacts": "联系人",
    "Invoice {number}": "应收单 {number}",
    "Applied": "核销明细",
    "Applied to": "已冲抵",
    "Contact log": "联系记录",
    "Promises as of {day}": "付款承诺（截至 {day}）",
    "Playbook": "应对话术",
    "Playbook: {code}": "应对话术：{code}",
    "诉讼时效 as of {day}": "诉讼时效（截至 {day}）",
    "Dunning plan as of {day}": "催款计划（截至 {day}）",
    "Dunning run {day}": "催款执行 {day}",
    "To do {day} for {user}": "{day} 待办（{user}）",
    "To do {day}": "{day} 待办",
    "Bad-debt provision (坏账准备) as of {day}": "坏账准备（截至 {day}）",
    "Bad debt as of {day} at a {margin} margin": "坏账成本（截至 {day}，净利率 {margin}）",
    "{title} ({down} down, {across} across)": "{title}（纵向：{down}，横向：{across}）",
    "Collections KPIs {first} .. {last}": "回款指标 {first} .. {last}",
    "Collection targets (回款任务)": "回款任务",
    "5C assessment of {code} as of {day}": "{code} 的 5C 信用评估（截至 {day}）",
    "Credit assessments of {code}": "{code} 的信用评估",
    "Credit as of {day}": "信用情况（截至 {day}）",
    "Credit by rating as of {day}": "按评级的信用情况（截至 {day}）",
    "Credit check {code} as of {day}": "{code} 信用检查（截至 {day}）",
    "Risk matrix as of {day}: rating × days overdue": "风险矩阵（截至 {day}）：评级 × 逾期天数",
    "Late interest as of {day} — {code}": "逾期利息（截至 {day}）— {code}",
    "Late interest as of {day}": "逾期利息（截至 {day}）",
    "{currency} by bucket": "{currency} 各账龄段",
    "{currency} collections by {period}": "{currency} 按{period}回款",
    "Months of delay that eat the profit": "吞噬利润的拖欠月数",
    "Extra sales to earn back": "弥补损失所需的额外销售额",
    # notes
    "Nothing to do.": "无事可做。",
    "Nothing to do today.": "今天没有待办事项。",
    "Left alone: {who}: {reason}": "暂不催款：{who}：{reason}",
    "{day} is not a working day (calendar {cal}): no dunning today; the next working day's run "
    "catches up. Set [dunning] run_on_holidays = true to run on such days.": (
        "{day} 不是工作日（日历 {cal}）：今天不催款，下一个工作日的运行会补上。"
        "如需在此类日期运行，请设置 [dunning] run_on_holidays = true。"
    ),
    "{day} is not a working day: nothing runs.": "{day} 不是工作日：不运行。",
    "{n} message(s) are being sent by another run": "{n} 条消息正由另一次运行发送",
    "{n} message(s) not delivered yet ({parts}): `huikuan remind run` sends them": (
        "{n} 条消息尚未送达（{parts}）：`huikuan remind run` 会发送"
    ),
    "disputed": "有争议",
    "blocked": "已冻结",
    "in litigation": "诉讼中",
    "below the minimum amount": "低于最低催款金额",
    "promise to pay (until {day})": "付款承诺（至 {day}）",
    "last message {day}; next from {wait}": "上次催款 {day}；{wait} 起可再催",
    "level: {counts}": "级别：{counts}",
    "channel: {counts}": "渠道：{counts}",
    "status: {counts}": "状态：{counts}",
    "Rates in %, DSO and days to pay in days; blank: nothing to divide by.": (
        "比率单位为 %，DSO 和回款天数单位为天；空白表示无可计算的基数。"
    ),
    "No CN holiday data for {years}: end dates in those years count weekends only.": (
        "没有 {years} 年的中国节假日数据：这些年份的届满日仅按周末计算。"
    ),
    "No write-offs and no provision in the ledger.": "账本中没有坏账核销，也没有坏账准备。",
    "{currency}: 计提 provide {amount} (was {old})": "{currency}：计提 {amount}（原为 {old}）",
    "{currency}: 转回 reverse {amount} (was {old})": "{currency}：转回 {amount}（原为 {old}）",
    "{currency}: no change {amount} (was {old})": "{currency}：无变化 {amount}（原为 {old}）",
    "No assessments of {code} yet: run `huikuan credit score {code2}`.": (
        "{code} 尚无信用评估：请运行 `huikuan credit score {code2}`。"
    ),
    "Latest reasons: {reason}": "最近一次评估理由：{reason}",
    "Missing inputs: {names}": "缺少的输入：{names}",
    "Total {total}/100, rating {rating}: limit {currency} {limit}, terms {terms}": (
        "总分 {total}/100，评级 {rating}：额度 {currency} {limit}，账期 {terms}"
    ),
    "YES: the sale may go ahead": "可以：可以进行本次赊销",
    "NO: hold this credit sale": "不可以：暂停本次赊销",
    # todo talking points
    "Call the finance contact about {what}: confirm it is in their payment run and get a date.": (
        "致电财务联系人，关于 {what}：确认已列入对方付款计划，并取得付款日期。"
    ),
    "Visit on site (上门催讨) about {what}: meet the decision maker, get a signed plan.": (
        "上门催讨，关于 {what}：约见决策人，取得签字的付款计划。"
    ),
    "Escalate senior management to senior management about {what}.": (
        "升级处理：由我方高层与对方高层沟通 {what}。"
    ),
    "Final demand stage for {what}: review for a lawyer's letter or litigation.": (
        "最后催告阶段，{what}：评估是否发律师函或提起诉讼。"
    ),
    "Limitation period (诉讼时效) ends within {days} days for {what}: get a signed statement "
    "(对账函) or send a demand with proof of delivery.": (
        "{what} 的诉讼时效将在 {days} 天内届满：取得签字的对账函，或发出有送达证据的催款函。"
    ),
    "{invoices} ({total} open)": "{invoices}（未收 {total}）",
    "Promised {amount} by {day}, paid {paid}: call today and get a new date in writing.": (
        "承诺 {day} 前支付 {amount}，已付 {paid}：今天致电，并书面确认新的付款日期。"
    ),
    "Excuse {code} on {day}. {points}": "{day} 的借口 {code}。{points}",
    "{response} Verify: {verify}": "{response}核实：{verify}",
    "Follow up.": "跟进。",
    # contracts
    "Added contract {number} with {n} milestones": "已添加合同 {number}，共 {n} 个付款节点",
    "Recorded {event} of contract {number} on {day}": "已记录合同 {number} 的{event}：{day}",
    "No milestone falls due on this event": "该事件没有对应的付款节点",
    "Invoiced {number} ({milestone}) {amount}, due {due}": "已开应收单 {number}（{milestone}）{amount}，到期日 {due}",
    "Contract {number}: {customer}, {currency} {amount}": "合同 {number}：{customer}，{currency} {amount}",
    "Invoiced {a}, paid {b}, due {c}, to come {d}": "已开票 {a}，已收 {b}，已到期未收 {c}，待开票 {d}",
    "Retention (质保金) held: {amount}": "质保金未收：{amount}",
    "unknown contract {number} (see `huikuan contract list`)": "没有合同 {number}（见 `huikuan contract list`）",
    "contract {number} already exists": "合同 {number} 已存在",
    "contract {number}: {event} was already recorded on {day}": "合同 {number}：{event}已于 {day} 记录",
    "contract {number}: invoice {inv} already exists": "合同 {number}：应收单 {inv} 已存在",
    "the schedule's shares add up to {p}, not 100%": "付款节点比例合计为 {p}，不是 100%",
    "the schedule has no milestones": "付款计划没有节点",
    "give the schedule with --schedule or --schedule-file (one of them)": "请用 --schedule 或 --schedule-file（二选一）给出付款计划",
}

from huikuan.i18n_zh_corrections import LABELS as _CORRECTION_LABELS  # noqa: E402
from huikuan.i18n_zh_corrections import MESSAGES as _CORRECTION_MESSAGES  # noqa: E402
from huikuan.i18n_zh_corrections import WORDS as _CORRECTION_WORDS  # noqa: E402

LABELS |= _CORRECTION_LABELS
MESSAGES |= _CORRECTION_MESSAGES
WORDS |= {k: v for k, v in _CORRECTION_WORDS.items() if k not in WORDS}

from huikuan.i18n_zh_bank import LABELS as _BANK_LABELS  # noqa: E402
from huikuan.i18n_zh_bank import MESSAGES as _BANK_MESSAGES  # noqa: E402

MESSAGES.update(_BANK_MESSAGES)
LABELS.update({k: v for k, v in _BANK_LABELS.items() if k not in LABELS})
