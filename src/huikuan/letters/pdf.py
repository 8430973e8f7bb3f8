"""PDF letters through WeasyPrint (the optional ``pdf`` extra) with a system CJK font."""

from __future__ import annotations

import shutil
import subprocess

from huikuan.core.errors import HuikuanError

INSTALL = "PDF letters need the pdf extra: pip install 'huikuan[pdf]'"


def cjk_font_found() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs (e.g. Debian's fonts-noto-cjk)."""
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    return bool(out.stdout.strip())


def html_to_pdf(html: str, lang: str) -> bytes:
    """The PDF of an HTML letter; a clear error when WeasyPrint or a CJK font is missing."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint without its system libraries
        raise HuikuanError(f"{INSTALL} ({exc.__class__.__name__}: {exc})") from None
    if lang == "zh" and not cjk_font_found():
        raise HuikuanError(
            "no Chinese font found for the PDF (fc-list :lang=zh is empty); install one, "
            "e.g. apt install fonts-noto-cjk, or use --format html and print from a browser"
        )
    result = HTML(string=html).write_pdf()
    assert isinstance(result, bytes)
    return result
