"""``OpenInvoice`` sets its fields at once and stays a frozen dataclass."""

import dataclasses
from datetime import date

import pytest

from huikuan.core.dunning import OpenInvoice

DUE = date(2026, 10, 1)


def test_fields_defaults_equality_and_replace() -> None:
    inv = OpenInvoice("INV-1", DUE, 500)
    assert dataclasses.astuple(inv) == ("INV-1", DUE, 500, False, frozenset(), None, None, None)
    full = OpenInvoice("INV-1", DUE, 500, True, frozenset({0}), DUE, 0, DUE)
    assert dataclasses.replace(full, disputed=False, done=frozenset(), paused_until=None,
                               highest=None, reached=None) == inv  # fmt: skip
    assert hash(inv) == hash(OpenInvoice("INV-1", DUE, 500)) and inv != full
    with pytest.raises(dataclasses.FrozenInstanceError):
        inv.open = 1  # type: ignore[misc]
