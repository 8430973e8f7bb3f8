"""The renderer: streamed document values print exactly like lists."""

import io

import pytest

from huikuan.output import Result, render


def _json(doc: dict) -> str:
    out = io.StringIO()
    render(Result(["a"], [], document=doc), "json", out)
    return out.getvalue()


@pytest.mark.parametrize("items", [[], [{"a": "1"}], [{"a": "1"}, {"a": "中"}]])
def test_iterator_value_renders_like_a_list(items: list) -> None:
    listed = _json({"as_of": "2026-11-23", "rows": items, "totals": []})
    streamed = _json({"as_of": "2026-11-23", "rows": iter(items), "totals": []})
    assert streamed == listed


def test_values_after_a_stream_are_read_after_it() -> None:
    totals: list[dict] = []

    def rows():
        yield {"a": "1"}
        totals.append({"n": 1})  # filled only once the rows are written

    text = _json({"rows": rows(), "totals": totals})
    assert text == '{\n  "rows": [\n    {"a": "1"}\n  ],\n  "totals": [\n    {"n": 1}\n  ]\n}\n'
