"""A PDF letter never ends on a page holding only the signature and seal (WeasyPrint layout)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from huikuan.letters import compose
from huikuan.letters.render import render_letter

weasyprint = pytest.importorskip("weasyprint")

COMPANY = {"name": "杭州回款科技有限公司", "bank": "工商银行", "account": "1202",
           "seal": "杭州回款科技有限公司（财务专用章）"}  # fmt: skip
AS_OF = date(2026, 5, 12)
SIGNATURE = {COMPANY["name"], COMPANY["seal"], "12 May 2026", "2026年5月12日", "Yours faithfully,"}


def _context(kind: str, lang: str, count: int) -> dict[str, Any]:
    invoices = [
        {"number": f"INV-{n:04d}", "issue_date": date(2026, 1, 1), "due_date": date(2026, 2, 1),
         "amount": Decimal("100.00"), "open": Decimal("100.00"), "days_overdue": 100,
         "currency": "CNY", "contract": "", "disputed": False}
        for n in range(count)
    ]  # fmt: skip
    return compose.context(
        kind=kind, lang=lang, reference="HK-2026-000001", as_of=AS_OF, deadline=date(2026, 5, 19),
        company=COMPANY, customer={"code": "C1", "name": "上海明达", "email": ""},
        addressee=None, invoices=invoices,
    )  # fmt: skip


def _last_page(html: str) -> tuple[int, list[str]]:
    document = weasyprint.HTML(string=html).render()
    box = document.pages[-1]._page_box
    texts = [b.text for b in box.descendants() if getattr(b, "text", None)]
    return len(document.pages), texts


# With the signature block on its own, these invoice counts left the last page with only
# the company name, the seal and the date on it (with this machine's fonts; the layout, not
# the PDF, is checked, so no Chinese font is needed).
@pytest.mark.parametrize(("lang", "count"), [("en", 36), ("en", 40), ("en", 44), ("zh", 40), ("zh", 43), ("zh", 46)])  # fmt: skip
def test_the_signature_keeps_the_text_above_it(lang: str, count: int) -> None:
    pages, texts = _last_page(render_letter(_context("demand", lang, count)).html)
    assert pages > 1  # long enough to break pages
    assert set(texts) - SIGNATURE, f"the last page holds only the signature: {texts}"
    assert COMPANY["seal"] in texts  # and the signature is there
