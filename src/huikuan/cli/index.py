"""Which module owns each top-level command or group, and the help line ``huikuan --help``
shows for it, so that neither ``--help`` nor a command imports every command module.

Generated; tests/cli/test_startup.py checks it matches the commands. After adding, renaming
or re-describing a command: python -c "from huikuan.cli import write_index; write_index()"
&& ruff format src/huikuan/cli/index.py
"""

INDEX: dict[str, tuple[str, str, str]] = {
    "db": (
        "setup",
        "group",
        "The ledger's database: copy it to another file or PostgreSQL database.",
    ),
    "terms": (
        "setup",
        "group",
        "Payment terms: NET<n>/账期<n>天, EOM<n>/月结<n>天, PREPAID/款到发货, COD/货到付款.",
    ),
    "customer": ("customers", "group", "Customers: add, list, show, edit, block, unblock."),
    "contact": (
        "customers",
        "group",
        "Contacts of a customer (decision maker, finance, …): add, list, edit, remove.",
    ),
    "invoice": (
        "invoices",
        "group",
        "Invoices (应收单): add, list, show, dispute, undispute, void, edit.",
    ),
    "payment": (
        "payments",
        "group",
        "Payments (回款): add, list, reverse (退票). Allocation: named invoice, then oldest due first.",
    ),
    "credit-note": (
        "payments",
        "group",
        "Credit notes and discounts: reduce open invoices like payments do.",
    ),
    "write-off": ("payments", "group", "Write-offs (坏账核销) of uncollectable invoices."),
    "import": (
        "transfer",
        "group",
        "Import CSV (UTF-8/BOM/GBK), JSON, JSONL or Excel (.xlsx/.xls); all-or-nothing. Chinese headers (客户编码, 发票号, 金额, …) are understood; --map names others. FILE may be - for stdin.",
    ),
    "export": (
        "transfer",
        "group",
        "Export with the import columns (re-importable, also as .xlsx).",
    ),
    "credit": (
        "credit",
        "group",
        "5C credit scoring, credit limits and the credit check (credit hold).",
    ),
    "remind": (
        "remind",
        "group",
        "Dunning: what to send today (plan), send it (run), the day's tasks (todo).",
    ),
    "log": ("collect", "group", "The contact log: every call, visit, letter and what came of it."),
    "promise": (
        "collect",
        "group",
        "Promises to pay (付款承诺): kept or broken, checked against payments.",
    ),
    "provision": (
        "analytics",
        "group",
        "Bad-debt provision (坏账准备) by age band × rate, with individual assessments.",
    ),
    "cost": (
        "analytics",
        "group",
        "What delay and bad debt cost: months of delay that eat the profit, sales to earn back a bad debt.",
    ),
    "target": ("kpi", "group", "Collection targets (回款任务) per salesperson and period."),
    "contract": (
        "contracts",
        "group",
        "Contracts with milestone schedules (预付/验收/质保金): add, event, show, list.",
    ),
    "bank": (
        "bank",
        "group",
        "Bank statements (银行流水核销): import, match to invoices, claim what is left.",
    ),
    "init": ("setup", "command", "Create the ledger (or bring an existing one up to date)."),
    "backup": (
        "setup",
        "command",
        "Copy the ledger safely while it may be in use, into a SQLite ledger file.",
    ),
    "doctor": (
        "setup",
        "command",
        "Check the ledger: integrity, invariants, permissions, calendar data for this and next year.",
    ),
    "aging": (
        "reports",
        "command",
        "Aged receivables (账龄分析) by customer, salesperson, segment or region.",
    ),
    "statement": (
        "reports",
        "command",
        "Statement of account (对账单): invoices, payments and the running balance.",
    ),
    "playbook": (
        "collect",
        "command",
        "The ten common excuses (拖延借口) with the answer, what to verify and the follow-up.",
    ),
    "limitation": (
        "limitation",
        "command",
        "诉讼时效: when each open invoice's 3-year limitation period ends, and what to do.",
    ),
    "kpi": (
        "kpi",
        "command",
        "Collections KPIs: credit sales, collections, 回款率, DSO, CEI, overdue ratio, days to pay.",
    ),
    "interest": (
        "interest",
        "command",
        "Late interest (违约金 / 逾期利息) per overdue invoice, following partial payments.",
    ),
    "letter": (
        "letter",
        "command",
        "Render a letter (HTML for print, text for email, or PDF) with a stored reference number.",
    ),
    "audit": (
        "audit",
        "command",
        "List the audit log, oldest first: every change with who, when, what and why.",
    ),
}
