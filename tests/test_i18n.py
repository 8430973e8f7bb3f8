"""huikuan.i18n: which language, and the zh catalogue's template matching."""

from __future__ import annotations

import pytest

from huikuan.i18n import label, resolve_language, translate
from huikuan.i18n_zh import MESSAGES


@pytest.mark.parametrize(
    ("setting", "env", "lang"),
    [
        (None, {}, "en"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LANG": "zh_TW.UTF-8"}, "zh"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),
        (None, {"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "en"),
        (None, {"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # empty means unset
        (None, {"HUIKUAN_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"HUIKUAN_LANG": "zh", "LC_ALL": "en_US.UTF-8"}, "zh"),
        (None, {"HUIKUAN_LANG": "ZH_cn", "LANG": "C"}, "zh"),
        (None, {"HUIKUAN_LANG": "fr", "LANG": "zh_CN.UTF-8"}, "zh"),  # not ours: passed over
        ("zh", {"HUIKUAN_LANG": "en", "LANG": "en_US.UTF-8"}, "zh"),
        ("en", {"HUIKUAN_LANG": "zh", "LANG": "zh_CN.UTF-8"}, "en"),
    ],
)
def test_resolve_language_order(setting: str | None, env: dict[str, str], lang: str) -> None:
    assert resolve_language(setting, env) == lang


def test_translate_a_template_carries_the_placeholders() -> None:
    assert translate("Added invoice INV-1, due 2026-12-01", "zh") == (
        "已添加应收单 INV-1，到期日 2026-12-01"
    )
    assert translate("Added invoice INV-1, due 2026-12-01", "en") == (
        "Added invoice INV-1, due 2026-12-01"
    )


def test_translate_keeps_a_prefix_and_translates_the_rest() -> None:
    assert translate("--amount: not a number: 'abc'", "zh") == "--amount: 不是数字：'abc'"
    assert translate("f.csv:3: amount: must be greater than zero", "zh") == (
        "f.csv:3: amount: 必须大于零"
    )


def test_a_message_without_an_entry_stays_english() -> None:
    assert translate("something new: happened", "zh") == "something new: happened"


def test_placeholders_are_translated_when_they_are_messages_or_words() -> None:
    assert translate("Left alone: C005 INV-501: disputed", "zh") == "暂不催款：C005 INV-501：有争议"
    assert translate("Aging as of 2026-11-22 (due basis, by customer)", "zh") == (
        "账龄分析（截至 2026-11-22，自到期日起算，按客户）"
    )


def test_every_template_uses_only_its_own_placeholders() -> None:
    import re

    for en, zh in MESSAGES.items():
        names = set(re.findall(r"\{(\w+)\}", en))
        assert set(re.findall(r"\{(\w+)\}", zh)) <= names, en
        assert len(names) == len(re.findall(r"\{(\w+)\}", en)), f"repeated name in {en!r}"


def test_labels() -> None:
    assert label("open", "zh") == "未收金额" and label("open", "en") == "open"
    assert label("3y+", "zh") == "3年以上" and label("1-2y", "zh") == "1-2年"
    assert label("1-30", "zh") == "1-30"


def test_the_most_specific_template_wins() -> None:
    assert translate("Invoice INV-1 disputed", "zh") == "应收单 INV-1 已标记为争议"
    assert translate("Invoice INV-1 no longer disputed", "zh") == "应收单 INV-1 已取消争议"
