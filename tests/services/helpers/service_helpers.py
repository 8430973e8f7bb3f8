"""Service test helpers: the fixed clock and letterhead of the contexts ``conftest`` makes."""

from __future__ import annotations

from collections.abc import Callable

from huikuan.services.context import Context

CLOCK = "2026-11-20T08:00:00+00:00"
COMPANY = {"name": "回款测试有限公司", "bank": "招商银行", "account": "6214 0000 0000 0000"}
MakeCtx = Callable[..., Context]
