"""An HTML letter as a browser shows it: headless Chromium renders the zh 催款函 from the
small ledger; the page holds the customer, the total and the 大写, and the screenshot is a
real page (not blank). Skipped only when Chromium is not installed (.ci/run installs it)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]  # fmt: skip


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _png_colours(path: Path) -> int:
    """How many distinct byte values the PNG's pixel data holds (1 for a blank page)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = b"", 8
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IDAT":
            chunks += data[pos + 8 : pos + 8 + size]
        pos += 12 + size
    return len(set(zlib.decompress(chunks)))


def test_demand_letter_in_chromium(cli: Any, small: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "h.toml"
    cfg.write_text(
        '[company]\nname = "杭州回款科技有限公司"\nbank = "工商银行"\naccount = "1202"\n', "utf-8"
    )
    page = tmp_path / "demand.html"
    cli("--config", str(cfg), "letter", "demand", "C001", "--as-of", "2026-11-22", "-o", str(page))
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    text = dom.stdout
    assert "上海明达机械有限公司" in text  # the customer
    assert "CNY 2,700.00" in text  # the total
    assert "贰仟柒佰元整" in text  # in 大写
    shot = tmp_path / "demand.png"
    run = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=794,1123", page.as_uri())
    assert run.returncode == 0 and shot.exists(), run.stderr
    assert _png_colours(shot) > 16  # text and table lines, not an empty page
