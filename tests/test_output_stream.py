"""Streamed JSON rows, encoded and written a batch at a time, are the bytes ``json.dumps``
gives item by item (the list layout of a document), and the collector pause of whole-ledger
commands puts the collector back as it was."""

import gc
import io
import json
from decimal import Decimal

import pytest

from huikuan.output import WRITE_BATCH, Result, render
from huikuan.runtime import collector_paused

ODD = [
    {"invoice": "B-1", "name": "客户\u2028\"引号\"\\", "open": "1.00", "days_left": -3,
     "restarted_by": {"kind": "payment", "date": "2026-01-02", "detail": "payment 9.00"},
     "flag": True, "none": None, "ratio": 0.1, "big": 10**20, "list": ["a", "中", 1]},
    "a bare string",
    ["a", {"b": None}],
    12,
    None,
]  # fmt: skip


def _expected(doc: dict) -> str:
    """The document as the list layout writes it, item by item with ``json.dumps``."""
    parts = []
    for key, value in doc.items():
        items = [json.dumps(v, ensure_ascii=False, separators=(", ", ": ")) for v in value]
        body = "[\n    " + ",\n    ".join(items) + "\n  ]" if items else "[]"
        parts.append(f"\n  {json.dumps(key)}: {body}")
    return "{" + ",".join(parts) + "\n}\n"


def _streamed(doc: dict) -> str:
    out = io.StringIO()
    render(Result(["a"], [], document={k: iter(v) for k, v in doc.items()}), "json", out)
    return out.getvalue()


def test_batches_of_rows_are_the_bytes_of_json_dumps() -> None:
    many = [dict(ODD[0], invoice=f"B-{n}") for n in range(2 * WRITE_BATCH + 3)]
    for doc in ({"rows": ODD}, {"rows": many, "more": ODD}, {"rows": []}, {"rows": many[:WRITE_BATCH]}):  # fmt: skip
        assert _streamed(doc) == _expected(doc)


def test_a_value_json_cannot_encode_fails_as_with_json_dumps() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        _streamed({"rows": [{"amount": Decimal("1.00")}]})


def test_the_collector_is_paused_and_put_back_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off: left off
    finally:
        gc.enable()
