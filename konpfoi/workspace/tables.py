"""Tables a user hands konpfoi (CSV in whatever dialect a spreadsheet wrote, JSON lists), read
row by row with the row's number for every error."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from konpfoi.errors import InvalidInput


def read_text(path: Path) -> str:
    """A data file's text: UTF-8 (with or without a BOM), else Windows-1252 as Excel writes it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def csv_rows(path: Path, columns: tuple[str, ...] | None = None,
             required: tuple[str, ...] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, row) for each non-blank row; a header must hold the `required` columns.

    With `columns` the file has no header and each row must have at least that many fields.
    Commas, semicolons and tabs are all understood as separators.
    """
    text = read_text(path)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header: list[str]
    if columns is None:
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise InvalidInput(f"{path}: the file is empty") from None
        missing = [c for c in required if c not in header]
        if missing:
            raise InvalidInput(f"{path}:1: missing column(s) {', '.join(missing)}",
                               hint="expected columns: " + ", ".join(required))
        first = 2
    else:
        header, first = list(columns), 1
    for number, fields in enumerate(reader, start=first):
        if not any(f.strip() for f in fields):
            continue
        if columns is not None and len(fields) < len(columns):
            raise InvalidInput(f"{path}:{number}: expected {len(columns)} fields, found "
                               f"{len(fields)}", hint="is this the right kind of file?")
        yield number, {h: (fields[i].strip() if i < len(fields) else "")
                       for i, h in enumerate(header)}


def json_list(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """(item number, item) for a JSON list of objects that must hold the `required` keys."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, list):
        raise InvalidInput(f"{path}: expected a JSON list of records")
    out = []
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict) or any(k not in item for k in required):
            raise InvalidInput(f"{path}: record {n} lacks " + ", ".join(
                k for k in required if not isinstance(item, dict) or k not in item),
                hint="is this the right kind of file?")
        out.append((n, item))
    return out
