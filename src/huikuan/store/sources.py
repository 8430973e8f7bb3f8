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
from huikuan.core.text import NOT_LINE, SURROGATE, printable, shorten, unneutralise

Records = Iterator[tuple[int, dict[str, str | None]]]
FieldRows = Iterator[tuple[int, list[str] | str]]  # a str: what is wrong with that row
FORMATS = ("csv", "json", "jsonl")
_SNIFF = 1 << 20
ROW_PROBLEM = "\0"  # key of a record that could not be read as columns
MAX_COLUMNS = 1000  # a header (or JSON object) wider than this is not a ledger file


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
        self.encoding: str | None = None

    def read(self) -> bytes:
        """The whole file (a workbook is read at once)."""
        return self._raw.read()

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
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)
    except csv.Error as exc:
        raise _unreadable(src, reader.line_num or 1, exc) from None
    except UnicodeError as exc:
        raise not_text(src, exc) from None
    if header is None:
        raise ImportFailed(f"{src.label}: empty file (expected a header row)")
    if len(header) > MAX_COLUMNS:
        raise ImportFailed(
            f"{src.label}:{reader.line_num}: the header has {len(header)} columns "
            f"(at most {MAX_COLUMNS})"
        )
    cols = [h.strip().lower() for h in header]
    return cols, _csv_rows(src, reader, len(cols))


def _csv_rows(src: Source, reader: Any, width: int) -> FieldRows:
    start = reader.line_num + 1
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if len(fields) == width:
                # a leading ' before =, +, -, @, tab or CR is what our exports add: take it off
                yield (
                    line,
                    ([unneutralise(f) for f in fields] if "'" in "".join(fields) else fields),
                )
            elif any(f.strip() for f in fields):
                yield line, f"row has {len(fields)} fields but the header has {width}"
    except csv.Error as exc:
        raise _unreadable(src, start, exc) from None
    except UnicodeDecodeError:
        raise  # the caller explains it (also when this runs in a second process)
    except UnicodeError as exc:  # e.g. UTF-16 without a byte-order mark
        raise not_text(src, exc) from None


def not_text(src: Source, exc: UnicodeError) -> ImportFailed:
    """The file does not decode in its encoding (also: UTF-16 without a byte-order mark)."""
    reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
    return ImportFailed(
        f"{src.label}: not valid {src.encoding} text ({reason}); try --encoding gb18030 or utf-8",
        summary="nothing imported",
    )


def _unreadable(src: Source, line: int, exc: csv.Error) -> ImportFailed:
    reason = str(exc)
    if "field limit" in reason:
        reason = f"a field is longer than {csv.field_size_limit()} characters"
    return ImportFailed(f"{src.label}:{line}: cannot read the CSV: {reason}")


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
        data = loads(text.read())
    except BadJson as exc:
        raise ImportFailed(f"{src.label}:{exc.line}: not valid JSON: {exc.msg}") from None
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
            obj = loads(line)
        except BadJson as exc:
            yield n, {ROW_PROBLEM: f"not valid JSON: {exc.msg}"}
            continue
        yield n, _json_record(obj)


def _json_record(obj: Any) -> dict[str, str | None]:
    if not isinstance(obj, dict):
        return {ROW_PROBLEM: "expected a JSON object"}
    if isinstance(obj, JsonObject) and obj.problem:
        return {ROW_PROBLEM: obj.problem}
    out: dict[str, str | None] = {}
    for key, value in obj.items():
        if NOT_LINE.search(key):
            return {ROW_PROBLEM: f"{printable(key)}: a column name must be one line of text"}
        if value is None or isinstance(value, str):
            out[key.strip().lower()] = value
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            out[key.strip().lower()] = str(value)
        else:
            return {ROW_PROBLEM: f"{key}: must be text or a number"}
    return out


class BadJson(ValueError):
    """JSON that cannot be read: ``line`` and ``msg`` say where and why."""

    def __init__(self, line: int, msg: str) -> None:
        super().__init__(f"{line}: {msg}")
        self.line, self.msg = line, msg


class JsonObject(dict[str, Any]):
    """A JSON object; ``problem`` says what is wrong with its keys or text, if anything."""

    problem: str | None = None


def _object(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject(pairs)
    if len(pairs) > MAX_COLUMNS:
        obj.problem = f"the object has {len(pairs)} keys (at most {MAX_COLUMNS})"
        return obj
    seen: set[str] = set()
    for key, value in pairs:
        if SURROGATE.search(key) or (isinstance(value, str) and SURROGATE.search(value)):
            obj.problem = f"{shorten(printable(key))}: not valid Unicode text (a lone surrogate)"
            return obj
        name = key.strip().lower()
        if name in seen:
            obj.problem = f"{shorten(printable(key))}: the key appears more than once in the object"
            return obj
        seen.add(name)
    return obj


def loads(text: str) -> Any:
    """JSON with numbers kept exact (``Decimal``, any number of digits), objects as
    :class:`JsonObject`; :class:`BadJson` for anything unreadable, nesting too deep included.
    """
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise BadJson(exc.lineno, exc.msg) from None
    except RecursionError:
        raise BadJson(1, "nested too deeply") from None
