"""The ten common payment excuses (拖延借口) and the professional answer to each.

Each entry: what the customer says, the response, what to verify, and when to follow up
(``follow_up_days`` after the contact; logging the excuse schedules it).
"""

from __future__ import annotations

from dataclasses import dataclass

from huikuan.core.errors import InvalidValue


@dataclass(frozen=True)
class Excuse:
    """One excuse with zh and en texts."""

    code: str
    follow_up_days: int
    says: dict[str, str]
    response: dict[str, str]
    verify: dict[str, str]

    def text(self, lang: str) -> dict[str, str | int]:
        """The entry in one language, as a flat record."""
        return {
            "code": self.code,
            "says": self.says[lang],
            "response": self.response[lang],
            "verify": self.verify[lang],
            "follow_up_days": self.follow_up_days,
        }


def _e(code: str, days: int, zh: tuple[str, str, str], en: tuple[str, str, str]) -> Excuse:
    return Excuse(code, days, {"zh": zh[0], "en": en[0]}, {"zh": zh[1], "en": en[1]},
                  {"zh": zh[2], "en": en[2]})  # fmt: skip


EXCUSES = (
    _e("paid-already", 2,
       ("钱已经付出了", "感谢对方，请告知付款日期、付款银行、金额和收款账号，我方立即与财务核对。",
        "付款日期、银行、金额、收款账号；银行回单或流水号"),
       ("We already paid", "Thank them; ask for the remittance date, bank, amount and the receiving account, and check with finance at once.",
        "Date, bank, amount, receiving account; the bank slip or serial number")),
    _e("finance-processing", 3,
       ("我已经通知财务了", "请提供财务联系人的姓名和电话，并确认付款的具体日期。",
        "财务联系人、审批进度、预计付款日期"),
       ("Finance is handling it", "Ask for the finance contact's name and number and the date the payment will go out.",
        "Finance contact, approval status, payment date")),
    _e("customer-not-paid", 3,
       ("我的客户没有付款给我", "我们的合同是与贵司签订的，付款义务不取决于贵司的客户；大型企业不得以此拖欠中小企业款项。",
        "合同付款条款；是否有背靠背条款（对大企业无效）"),
       ("My customer hasn't paid me", "Our contract is with you, not your customer; back-to-back payment clauses are banned for large firms paying SMEs.",
        "The contract's payment terms; any back-to-back clause (void for large firms)")),
    _e("restructuring", 5,
       ("公司正在改组或并购", "请告知现在由谁审批付款，并以书面形式确认欠款和付款安排。",
        "新的审批人、书面确认的欠款金额、工商变更信息"),
       ("We're restructuring", "Ask who approves payments now, and get the debt and the payment plan confirmed in writing.",
        "The new approver, the debt confirmed in writing, registry changes")),
    _e("force-majeure", 7,
       ("天灾（不可抗力）", "请说明具体影响，并提出切实可行的付款计划。",
        "不可抗力的具体事实和持续时间、付款计划"),
       ("Force majeure", "Ask for the specifics and a realistic payment plan.",
        "What happened and for how long; a payment plan")),
    _e("manager-agreed", 1,
       ("你们经理同意我们晚一个月付", "我方会内部核实；任何延期必须签订书面补充协议，口头同意无效。",
        "向经理核实；是否有签字的补充协议"),
       ("Your manager agreed to a delay", "Verify internally; no verbal extensions, only a signed supplementary agreement.",
        "Check with the manager; a signed supplementary agreement")),
    _e("quality", 3,
       ("货物有质量问题", "登记争议并索取具体问题和证据，尽快处理；无争议部分仍应按期付款。",
        "问题明细、照片或检验报告、涉及的发票和金额"),
       ("Quality problem", "Log a dispute, get the details and evidence, resolve it fast; the undisputed part is still due.",
        "Details, photos or inspection report, the invoices and amounts concerned")),
    _e("no-receipt", 1,
       ("我们没有收货凭证", "今天就把签收单或快递签收记录发给对方。",
        "签收单、快递单号及签收记录"),
       ("We have no delivery proof", "Send the signed receipt or courier proof today.",
        "Signed delivery note, courier number and proof of delivery")),
    _e("no-money", 3,
       ("我们没有钱", "了解对方真实财务状况，提出分期付款方案并签订书面协议。",
        "经营和现金状况、可担保资产、分期计划"),
       ("We have no money", "Assess their situation; offer an instalment plan with a signed agreement.",
        "Cash position, assets for security, an instalment plan")),
    _e("will-pay", 1,
       ("我们一定会付款", "没有日期的承诺不是承诺：请确认金额和日期，登记为付款承诺，到期次日跟进。",
        "承诺的金额和日期（用 huikuan promise add 登记）"),
       ("We'll definitely pay", "A promise without a date is not a promise: get an amount and a date, log it as a promise to pay, follow up the day after.",
        "The promised amount and date (log it with huikuan promise add)")),
)  # fmt: skip
BY_CODE = {e.code: e for e in EXCUSES}
# Short Chinese names a user would type, besides the code and the full zh wording (says).
SHORT_NAMES = {
    "paid-already": ("已付款", "已经付了", "已付"),
    "finance-processing": ("财务处理中", "已通知财务"),
    "customer-not-paid": ("客户未付款", "下游未付款"),
    "restructuring": ("改组", "重组", "并购"),
    "force-majeure": ("不可抗力", "天灾"),
    "manager-agreed": ("经理同意", "经理同意延期"),
    "quality": ("质量问题",),
    "no-receipt": ("没有收货凭证", "无收货凭证"),
    "no-money": ("没钱", "没有钱", "资金困难"),
    "will-pay": ("一定付款", "会付款"),
}
_NAMES = {e.says["zh"]: e.code for e in EXCUSES} | {
    name: code for code, names in SHORT_NAMES.items() for name in names
}


def excuse_code(text: str) -> str:
    """The excuse code for a code (``paid-already``, ``PAID_ALREADY``), its Chinese wording
    (钱已经付出了) or a short name (已付款); InvalidValue naming the choices otherwise."""
    key = text.strip().rstrip("。！!")
    code = key.lower().replace("_", "-").replace(" ", "-")
    if code in BY_CODE:
        return code
    if key in _NAMES:
        return _NAMES[key]
    shorts = ", ".join(names[0] for names in SHORT_NAMES.values())
    raise InvalidValue(f"unknown excuse {text!r} (known: {', '.join(BY_CODE)}; or {shorts})")


def excuse(code: str) -> Excuse:
    """The excuse named by a code or a Chinese name (see :func:`excuse_code`)."""
    return BY_CODE[excuse_code(code)]
