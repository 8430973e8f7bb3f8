"""Reading import files: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), JSON and JSONL; ``-`` is stdin.

Each reader yields ``(line, record)`` pairs where ``record`` maps column -> text or None.
Problems with the file itself raise :class:`ImportFailed` with ``FILE:LINE: …`` messages.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from huikuan.core.errors import ImportFailed

Records = Iterator[tuple[int, dict[str, str | None]]]
FieldRows = Iterator[tuple[int, list[str] | str]]  # a str: what is wrong with that row
FORMATS = ("csv", "json", "jsonl")
_SNIFF = 1 << 20
ROW_PROBLEM = "\0"  # key of a record that could not be read as columns


class _Counting(io.RawIOBase):
    """A raw stream over ``head`` + ``rest`` that reports bytes read to a callback."""

    def __init__(
        self, head: bytes, rest: IO[bytes], progress: Callable[[int], None] | None
    ) -> None:
        self._head, self._rest, self._progress = memoryview(head), rest, progress

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        if len(self._head):
            n = min(len(buf), len(self._head))
            buf[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            n = self._rest.readinto(buf)  # type: ignore[attr-defined]
        if self._progress and n:
            self._progress(n)
        return n


class Source:
    """An import file (or stdin) opened for reading."""

    def __init__(self, name: str, stdin: IO[bytes] | None = None) -> None:
        self.label = "<stdin>" if name == "-" else name
        try:
            self._raw: IO[bytes] = (stdin or sys.stdin.buffer) if name == "-" else open(name, "rb")  # noqa: SIM115
        except OSError as exc:
            raise ImportFailed(f"{name}: cannot open: {exc.strerror}") from None
        self.size = (
            os.fstat(self._raw.fileno()).st_size if name != "-" and self._raw.seekable() else 0
        )
        self.suffix = Path(name).suffix.lower().lstrip(".")

    def text(
        self, encoding: str | None, progress: Callable[[int], None] | None
    ) -> io.TextIOWrapper:
        """The file as text, in ``encoding`` or the detected one."""
        head = self._raw.read(_SNIFF)
        enc = encoding or detect_encoding(head)
        self.encoding = enc
        self._counting = _Counting(head, self._raw, progress)
        raw = io.BufferedReader(self._counting, 1 << 16)
        return io.TextIOWrapper(raw, encoding=enc, newline="")

    def count_reads(self, progress: Callable[[int], None] | None) -> None:
        """Send the bytes read from now on to ``progress`` instead."""
        self._counting._progress = progress

    def close(self) -> None:
        if self._raw is not sys.stdin.buffer:
            self._raw.close()


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as UTF-8, else GB18030 (a GBK superset)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def read_csv(src: Source, text: IO[str]) -> tuple[list[str], Records]:
    """Header (lower-cased, trimmed) and the data records of a CSV file."""
    cols, rows = read_csv_rows(src, text)
    return cols, as_records(cols, rows)


def read_csv_rows(src: Source, text: IO[str]) -> tuple[list[str], FieldRows]:
    """Header and the data rows as field lists; a row of the wrong width is a problem text."""
    reader = csv.reader(text)
    header = next(reader, None)
    while header is not None and not any(h.strip() for h in header):
        header = next(reader, None)
    if header is None:
        raise ImportFailed(f"{src.label}: empty file (expected a header row)")
    cols = [h.strip().lower() for h in header]
    return cols, _csv_rows(reader, len(cols))


def _csv_rows(reader: Any, width: int) -> FieldRows:
    start = reader.line_num + 1
    for fields in reader:
        line, start = start, reader.line_num + 1
        if len(fields) == width:
            yield line, fields
        elif any(f.strip() for f in fields):
            yield line, f"row has {len(fields)} fields but the header has {width}"


def as_records(cols: list[str], rows: FieldRows) -> Records:
    for line, fields in rows:
        if isinstance(fields, str):
            yield line, {ROW_PROBLEM: fields}
        else:
            yield line, dict(zip(cols, fields))


def read_json(src: Source, text: IO[str], lines: bool) -> tuple[list[str], Records]:
    """Records of a JSON array (numbered by position) or of JSONL (numbered by line)."""
    if lines:
        return [], _jsonl_records(src, text)
    try:
        data = json.load(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{src.label}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, list):
        raise ImportFailed(f"{src.label}: expected a JSON array of objects")
    if not data:
        raise ImportFailed(f"{src.label}: empty file (no records)")
    return [], ((i, _json_record(obj)) for i, obj in enumerate(data, 1))


def _jsonl_records(src: Source, text: IO[str]) -> Records:
    for n, line in enumerate(text, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            yield n, {ROW_PROBLEM: f"not valid JSON: {exc.msg}"}
            continue
        yield n, _json_record(obj)


def _json_record(obj: Any) -> dict[str, str | None]:
    if not isinstance(obj, dict):
        return {ROW_PROBLEM: "expected a JSON object"}
    out: dict[str, str | None] = {}
    for key, value in obj.items():
        if value is None or isinstance(value, str):
            out[key.strip().lower()] = value
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            out[key.strip().lower()] = str(value)
        else:
            return {ROW_PROBLEM: f"{key}: must be text or a number"}
    return out
