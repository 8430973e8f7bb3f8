"""User templates are untrusted: no links out of their folder, no huge results, no tracebacks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from huikuan.core.errors import HuikuanError
from huikuan.letters.env import make_env, render_template
from huikuan.letters.render import builtin_dir


def _env(tmp_path: Path, body: str, name: str = "zh/x.txt.j2") -> Any:
    user = tmp_path / "templates"
    (user / name).parent.mkdir(parents=True, exist_ok=True)
    (user / name).write_text(body, "utf-8")
    return make_env(builtin_dir(), user)


def test_a_link_out_of_the_template_folder_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0", "utf-8")
    env = _env(tmp_path, "ok")
    (tmp_path / "templates" / "zh" / "demand.txt.j2").symlink_to(secret)
    (tmp_path / "templates" / "en").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "templates" / "passwd.txt.j2").symlink_to("/etc/passwd")
    for name in ("zh/demand.txt.j2", "en/secret.txt", "passwd.txt.j2"):
        with pytest.raises(HuikuanError, match="leads out of the template folder") as err:
            render_template(env, name, {})
        assert "root:" not in str(err.value)


def test_a_link_inside_the_folder_is_fine(tmp_path: Path) -> None:
    env = _env(tmp_path, "shared {{ n }}", "common.txt.j2")
    (tmp_path / "templates" / "zh").mkdir()
    (tmp_path / "templates" / "zh" / "demand.txt.j2").symlink_to(tmp_path / "templates" / "common.txt.j2")  # fmt: skip
    assert render_template(env, "zh/demand.txt.j2", {"n": 1}) == "shared 1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ 'A' * 300000000 }}", "refused: '…' \\* 300000000 would be longer"),
        ("{{ [0] * 300000000 }}", "refused"),
        ("{{ range(10**8)|length }}", "refused: the number 100000000 is too large"),
        ("{% for i in range(200000) %}{% endfor %}", "Range too big"),
        ("{{ 99999 ** 99999 }}", "refused: 99999 \\*\\* 99999 is too large"),
        (
            "{{ (10 ** 2000) * (10 ** 2000) * (10 ** 2000) * (10 ** 2000) }}",
            "refused: a number too large",
        ),
        ("{{ '%999999999d' % 1 }}", "refused: a format width"),
        ("{{ '%.999999999f' % 1 }}", "refused: a format width"),
        ("{{ '{:>999999999}'.format(1) }}", "refused: a format width"),
        ("{{ '%999999999s'|format(1) }}", "refused: a format width"),
        ("{{ 'x'|center(999999999) }}", "refused: the number 999999999"),
        ("{{ 'x'.ljust(999999999) }}", "refused: the number 999999999"),
        ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "RecursionError"),
        ("{{ 10 ** 5000 }}", "refused"),
        ("{{ 2.0 ** 5000 }}", "OverflowError"),
        ("{% for i in range(100000) %}{{ 'A' * 100 }}{% endfor %}", "passes 2,000,000 characters"),
    ],
)
def test_huge_or_runaway_templates_are_one_clear_error(tmp_path: Path, body: str, message: str) -> None:  # fmt: skip
    env = _env(tmp_path, body)
    start = time.monotonic()
    with pytest.raises(HuikuanError, match=r"letter template zh/x\.txt\.j2: .*" + message):
        render_template(env, "zh/x.txt.j2", {})
    assert time.monotonic() - start < 10


def test_ordinary_arithmetic_and_formatting_still_work(tmp_path: Path) -> None:
    body = "{{ '%-6s|'|format('ab') }}{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ '%5.1f' % 2.25 }} {{ '{:>4}'.format(7) }} {{ 'x'|center(5) }}|"  # fmt: skip
    assert (
        render_template(_env(tmp_path, body), "zh/x.txt.j2", {})
        == "ab    |ababab 1024   2.2    7   x  |"
    )


def test_a_template_looping_for_ever_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huikuan.letters.env as E

    monkeypatch.setattr(E, "MAX_SECONDS", 0.5)
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "slow.txt.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "utf-8"
    )
    env = make_env(builtin_dir(), tmp_path)
    started = time.monotonic()
    with pytest.raises(HuikuanError, match=r"zh/slow.txt.j2: took longer than 0.5 s: refused"):
        render_template(env, "zh/slow.txt.j2", {})
    assert time.monotonic() - started < 5
