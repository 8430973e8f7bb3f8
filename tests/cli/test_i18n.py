"""The user's language (zh|en): tables, titles, notes, messages; JSON/CSV keys stay English."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from huikuan import output
from huikuan.cli import common
from huikuan.i18n import label

AS_OF = "2026-11-22"
# Every command of the small ledger that prints a table (one or more Results).
TABLE_COMMANDS = [
    ["customer", "list"],
    ["customer", "show", "C001", "--as-of", AS_OF],
    ["contact", "list"],
    ["invoice", "list", "--as-of", AS_OF, "--status", "all"],
    ["invoice", "show", "INV-103"],
    ["payment", "list", "--all"],
    ["export", "customers"],
    ["export", "invoices"],
    ["export", "payments"],
    ["aging", "--as-of", AS_OF],
    ["aging", "--as-of", AS_OF, "--detail"],
    ["statement", "C001", "--as-of", AS_OF],
    ["statement", "C001", "--as-of", AS_OF, "--from", "2026-01-01"],
    ["credit", "score", "C001", "--as-of", AS_OF, "--dry-run"],
    ["credit", "show", "C001"],
    ["credit", "list", "--as-of", AS_OF],
    ["credit", "list", "--as-of", AS_OF, "--by", "rating"],
    ["credit", "matrix", "--as-of", AS_OF],
    ["remind", "plan", "--as-of", AS_OF],
    ["remind", "todo", "--as-of", AS_OF],
    ["log", "list"],
    ["promise", "list", "--as-of", AS_OF],
    ["playbook"],
    ["playbook", "will-pay"],
    ["limitation", "--as-of", AS_OF],
    ["interest", "--as-of", AS_OF],
    ["provision", "--as-of", AS_OF, "--since", "2026-01-01"],
    ["cost", "bad-debt", "--as-of", AS_OF, "--margin", "10%"],
    ["cost", "delay", "--margin", "10%", "--rate", "5%"],
    ["cost", "delay", "--margin", "10%", "--margin", "20%", "--rate", "5%", "--table"],
    ["kpi", "--from", "2026-01-01", "--to", AS_OF],
    ["kpi", "--from", "2026-01-01", "--to", AS_OF, "--by", "salesperson", "--period", "month"],
    ["target", "list"],
    ["doctor"],
]


def _columns(result: output.Result) -> set[str]:
    return {c for part in (result, *result.sections) for c in part.columns}


def test_every_table_header_has_a_zh_label(
    cli: Any, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUIKUAN_LANG", "zh")
    seen: set[str] = set()
    render = output.render

    def spy(result: output.Result, fmt: str, out: Any = None, lang: str = "en") -> None:
        seen.update(_columns(result))
        render(result, fmt, out, lang)

    monkeypatch.setattr(common, "render", spy)
    cli("log", "add", "C001", "--channel", "phone", "--date", AS_OF, "--excuse", "will-pay")
    cli("promise", "add", "C001", "--amount", "100", "--date", AS_OF, "--made", "2026-11-01")
    for args in TABLE_COMMANDS:
        r = cli(*args, code=None)
        assert r.exit_code in (0, 3), (args, r.stderr)
    buckets = re.compile(r"\d+(-\d+|\+)|[\d.]+%")  # 1-30, 365+; the cost grid's 10%
    missing = sorted(c for c in seen if label(c, "zh") == c and not buckets.fullmatch(c))
    assert missing == []
    assert len(seen) > 100
