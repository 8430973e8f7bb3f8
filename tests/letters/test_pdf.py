"""letters/pdf.py: a PDF with an embedded Chinese font, or a clear message saying what is missing."""

from __future__ import annotations

import sys
import zlib

import pytest

from huikuan.core.errors import HuikuanError
from huikuan.letters import pdf

try:
    import weasyprint  # noqa: F401

    HAVE_WEASYPRINT = True
except (ImportError, OSError):  # not installed, or installed without its system libraries
    HAVE_WEASYPRINT = False
needs_weasyprint = pytest.mark.skipif(not HAVE_WEASYPRINT, reason="the pdf extra is not installed")
HTML = "<html><body><h1>催款函</h1><p>合计：贰仟柒佰元整</p></body></html>"


def test_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as if not installed
    with pytest.raises(HuikuanError, match=r"pip install 'huikuan\[pdf\]'"):
        pdf.html_to_pdf(HTML, "zh")


@needs_weasyprint
def test_missing_chinese_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "cjk_font_found", lambda: False)
    with pytest.raises(HuikuanError, match="fonts-noto-cjk"):
        pdf.html_to_pdf(HTML, "zh")


@needs_weasyprint
def test_pdf_embeds_a_chinese_font() -> None:
    if not pdf.cjk_font_found():
        pytest.skip("no Chinese font on this machine")
    data = pdf.html_to_pdf(HTML, "zh")
    assert data.startswith(b"%PDF-")
    assert b"CJK" in _inflated(data)  # the embedded subset font's name, e.g. NotoSerifCJK


def _inflated(data: bytes) -> bytes:
    """The PDF with its compressed streams (object streams hold the font names) inflated."""
    out = [data]
    for part in data.split(b"stream")[1:]:
        body = part.lstrip(b"\r\n").split(b"endstream")[0]
        try:
            out.append(zlib.decompress(body))
        except zlib.error:
            continue
    return b"".join(out)
