"""Tables a user hands konpfoi (CSV in whatever dialect a spreadsheet wrote, JSON lists), read
row by row with the row's number for every error."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from konpfoi.errors import InvalidInput, unreadable
from konpfoi.workspace.words import plural

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8 (comma delimited)'"


def read_text(path: Path) -> str:
    """A data file's text: UTF-8 or UTF-16/32 with a byte order mark (Excel's 'Unicode text'),
    UTF-16 without one, UTF-8 without one, else Windows-1252 as Excel writes it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise unreadable(path, exc) from None
    if raw.startswith(b"PK\x03\x04"):
        raise InvalidInput(f"{path}: a spreadsheet workbook (.xlsx), not a CSV file",
                           hint=_SAVE_AS)
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), None)
    head = raw[:4096]
    if encoding is None and head.count(0) * 4 >= len(head) > 0:  # UTF-16 with no BOM
        encoding = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    try:
        text = raw.decode(encoding) if encoding else raw.decode("utf-8")
    except UnicodeDecodeError:
        if encoding:
            raise InvalidInput(f"{path}: not readable as {encoding.upper()} text",
                               hint=_SAVE_AS) from None
        text = raw.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise InvalidInput(f"{path}: holds NUL characters: not a text file", hint=_SAVE_AS)
    return text


def csv_rows(path: Path, columns: tuple[str, ...] | None = None,
             required: tuple[str, ...] = (),
             row_like: Callable[[list[str]], bool] | None = None
             ) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, row) for each non-blank row; a header must hold the `required` columns.

    With `columns` the file has no header and each row must have at least that many fields.
    Commas, semicolons and tabs are all understood as separators. A row's number is the line
    it starts on. A quote left open, which would swallow the rows after it into one field, is
    an error naming the line it opens on (a line inside a field that looks like a row of its
    own: as many fields as the header, or what `row_like` says); so is a field over the csv
    module's limit.
    """
    text = read_text(path)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header: list[str]
    try:
        if columns is None:
            try:
                header = [h.strip().lower() for h in next(reader)]
            except StopIteration:
                raise InvalidInput(f"{path}: the file is empty") from None
            missing = [c for c in required if c not in header]
            if missing:
                raise InvalidInput(f"{path}:1: missing {plural('column', len(missing))} "
                                   f"{', '.join(missing)}",
                                   hint="expected columns: " + ", ".join(required))
        else:
            header = list(columns)
        last = reader.line_num
        for fields in reader:
            number, last = last + 1, reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if last > number:
                _check_open_quote(path, number, last, fields, len(header), dialect, row_like)
            if columns is not None and len(fields) < len(columns):
                raise InvalidInput(f"{path}:{number}: expected {len(columns)} fields, found "
                                   f"{len(fields)}", hint="is this the right kind of file?")
            yield number, {h: (fields[i].strip() if i < len(fields) else "")
                           for i, h in enumerate(header)}
    except csv.Error as exc:
        why, hint = str(exc), "is a quote left open above this line?"
        if "field limit" in why:
            why = f"a field is longer than {csv.field_size_limit():,} characters"
            hint = "no field needs to be this long: " + hint
        raise InvalidInput(f"{path}:{reader.line_num}: {why}", hint=hint) from None


def _check_open_quote(path: Path, first: int, last: int, fields: list[str], columns: int,
                      dialect: Any, row_like: Callable[[list[str]], bool] | None) -> None:
    """A field spanning lines is fine (a paragraph in a cell), unless the record has more
    fields than the header (the quote closed mid-row, further on) or a line inside the field
    looks like a row of its own: then a quote was left open and has swallowed rows."""
    swallowed = columns > 1 and len(fields) > columns
    for f in fields if not swallowed else ():
        for line in f.splitlines()[1:]:
            parts = next(csv.reader([line], dialect), [])
            if (columns > 1 and len(parts) >= columns) or (row_like and row_like(parts)):
                swallowed = True
    if swallowed:
        raise InvalidInput(
            f"{path}:{first}: a quote opened on this line is not closed until line {last}, "
            "so the rows in between would be read as part of one field",
            hint='close the quote; a quote inside a quoted field is written twice ("")')


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
