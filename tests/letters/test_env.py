"""letters/env.py: the filters (大写 edge cases), the sandbox, strictness and HTML escaping."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from huikuan.core.errors import HuikuanError
from huikuan.letters.env import daxie, endate, make_env, money, render_template, zhdate
from huikuan.letters.render import builtin_dir


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("100.05", "壹佰元零伍分"),  # DESIGN §2
        ("1000000", "壹佰万元整"),
        ("20030.40", "贰万零叁拾元肆角"),
        ("0.07", "柒分"),
        ("1010000", "壹佰零壹万元整"),
        ("1234.50", "壹仟贰佰叁拾肆元伍角"),
        ("10", "壹拾元整"),
        ("100000000.01", "壹亿元零壹分"),
        ("0", "零元整"),
        ("-5", "负伍元整"),
    ],
)
def test_daxie(amount: str, expected: str) -> None:
    assert daxie(Decimal(amount)) == expected


def test_money_and_dates() -> None:
    assert money(Decimal("1234.5")) == "1,234.50"
    assert money("1000000") == "1,000,000.00"
    assert money(7) == "7.00"
    assert zhdate(date(2026, 11, 22)) == "2026年11月22日"
    assert endate(date(2026, 11, 2)) == "2 November 2026"
    with pytest.raises(HuikuanError, match="not an amount"):
        money(1.5)  # never float


def _user_dir(tmp_path: Path, name: str, body: str) -> Path:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, "utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "trick",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ money.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_the_sandbox_refuses_attribute_tricks(tmp_path: Path, trick: str) -> None:
    env = make_env(builtin_dir(), _user_dir(tmp_path, "zh/demand.txt.j2", trick))
    with pytest.raises(HuikuanError, match=r"letter template zh/demand\.txt\.j2"):
        render_template(env, "zh/demand.txt.j2", {})


def test_a_misspelt_variable_is_an_error_not_blank(tmp_path: Path) -> None:
    env = make_env(builtin_dir(), _user_dir(tmp_path, "zh/x.txt.j2", "{{ custmer.name }}"))
    with pytest.raises(HuikuanError, match="'custmer' is undefined"):
        render_template(env, "zh/x.txt.j2", {"customer": {"name": "x"}})


def test_syntax_errors_and_missing_templates_are_clear(tmp_path: Path) -> None:
    env = make_env(builtin_dir(), _user_dir(tmp_path, "zh/x.txt.j2", "{% if %}"))
    with pytest.raises(HuikuanError, match=r"zh/x.txt.j2:1: "):
        render_template(env, "zh/x.txt.j2", {})
    with pytest.raises(HuikuanError, match=r"letter template fr/demand\.html\.j2 not found"):
        render_template(env, "fr/demand.html.j2", {})


def test_html_is_escaped_and_text_is_not(tmp_path: Path) -> None:
    user = _user_dir(tmp_path, "a.html.j2", "<p>{{ name }}</p>")
    _user_dir(tmp_path, "a.txt.j2", "{{ name }}")
    env = make_env(builtin_dir(), user)
    hostile = '<script>alert(1)</script> & "O\'Brien"'
    html = render_template(env, "a.html.j2", {"name": hostile})
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;O&#39;Brien&#34;</p>"
    assert render_template(env, "a.txt.j2", {"name": hostile}) == hostile
