"""examples/huikuan.toml loads as it is, and with every commented setting uncommented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from huikuan.config import load_config

EXAMPLE = Path(__file__).parents[1] / "examples" / "huikuan.toml"


# A commented-out setting: a `[table]` / `[[array]]` header, or `key = value` with a key
# of no spaces (bare, quoted or dotted). Invalid TOML in such a line must reach the loader.
_KEY = r'(?:"[^"]*"|[^\s=#"\[\]]+)'
_STATEMENT = re.compile(rf"\[\[?[^\]]+\]\]?(\s+#.*)?|{_KEY}(\.{_KEY})*\s*=\s*\S.*")


def uncommented(text: str) -> str:
    """Strip one leading ``#`` (and one space) from each line that then is a TOML statement.

    Prose stays commented, including the indented policy table (``#   friendly  -3 …``).
    """
    out = []
    for line in text.splitlines():
        body = line[1:].removeprefix(" ") if line.startswith("#") else None
        out.append(body if body is not None and _STATEMENT.fullmatch(body) else line)
    return "\n".join(out) + "\n"


def test_uncommenting_finds_the_commented_settings() -> None:
    text = uncommented(EXAMPLE.read_text("utf-8"))
    for line in ('"零售" = "strict"', 'host = "smtp.exmail.qq.com"', "[[dunning.policies.strict.levels]]",
                 'language = "zh"', 'C009 = "80%"', 'name = "上海某某贸易有限公司"'):  # fmt: skip
        assert line in text.splitlines()
    assert "# Define others like this:" in text  # prose is left alone


def test_example_loads_as_shipped(tmp_path: Path) -> None:
    cfg = load_config(EXAMPLE, required=True)
    assert cfg.currency == "CNY" and cfg.language is None


def test_example_loads_with_every_setting_uncommented(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUIKUAN_SMTP_PASSWORD", "secret")  # [smtp] user needs it
    (tmp_path / "my-letters").mkdir()  # [letters] templates names this folder
    path = tmp_path / "huikuan.toml"
    path.write_text(uncommented(EXAMPLE.read_text("utf-8")), "utf-8")
    cfg = load_config(path, required=True)
    assert cfg.language == "zh"
    assert cfg.dunning.segments == {"零售": "strict"}
    assert "strict" in cfg.dunning.policies
    assert cfg.company["name"] == "上海某某贸易有限公司"
