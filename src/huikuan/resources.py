"""Files shipped with huikuan: demo data (``examples/``) and letter templates (``templates/``).

In a wheel they live inside the package; in a source checkout (editable install) beside ``src/``.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The ``examples`` or ``templates`` directory."""
    for candidate in (_PKG / name, _PKG.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"huikuan's {name}/ directory is missing from this installation")
