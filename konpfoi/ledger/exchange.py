"""Export and import the ledger as JSON Lines: lossless, idempotent, schema-checked."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from konpfoi.errors import Conflict, InvalidInput
from konpfoi.ledger import checks
from konpfoi.ledger.migrations import APP_ID, SCHEMA_VERSION
from konpfoi.ledger.model import damaged
from konpfoi.ledger.store import ImportConflict, Ledger
from konpfoi.workspace.files import atomic_write

# The longest line an export can hold: the largest blob, base64-encoded, and its fields.
MAX_LINE_CHARS = checks.MAX_BLOB * 4 // 3 + 4096
_NOTHING = "nothing was imported"


def export(ledger: Ledger, path: Path) -> Counter[str]:
    """Write every record, one JSON object per line, in a stable order (atomically)."""
    counts: Counter[str] = Counter()
    lines = []
    with ledger.read():
        for rec in ledger.dump():
            try:
                line = json.dumps(rec, ensure_ascii=False, sort_keys=True,
                                  separators=(",", ":"))
                line.encode("utf-8")
            except (TypeError, ValueError):  # a damaged row: what it holds is not text
                damaged(f"{rec['type']} record {_name(rec)}", "it holds something that is not "
                        "JSON text")
                continue
            counts[rec["type"]] += 1
            lines.append(line)
    atomic_write(path, "\n".join(lines) + "\n")
    counts.pop("header", None)
    return counts


def _name(rec: dict[str, Any]) -> str:
    return str(rec.get("id") or rec.get("uid") or rec.get("key") or rec.get("event") or "")[:40]


def import_file(ledger: Ledger, path: Path) -> tuple[Counter[str], Counter[str]]:
    """Add what the file holds and the ledger lacks; one transaction. (added, skipped).

    Every record is checked against the ledger's model first (ids, kinds, real dates, hashes,
    sizes, no paths but konpfoi's own), and every reference must point to a record earlier in
    the same file: anything else is refused with its line and field, and nothing is written.
    """
    records = _validated(path, _read(path))
    added: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    ids: dict[str, str] = {}
    with ledger.write():
        for number, rec in records:
            try:
                new = ledger.load_record(rec, ids)
            except ImportConflict as exc:
                raise ImportConflict(f"{path}:{number}: {exc.message}", hint=exc.hint) from None
            except (Conflict, KeyError, TypeError, ValueError, binascii.Error) as exc:
                raise InvalidInput(f"{path}:{number}: cannot import this {rec['type']} ({exc})",
                                   hint=_NOTHING) from None
            (added if new else skipped)[rec["type"]] += 1
    return added, skipped


def copy(source: Ledger, target: Ledger) -> tuple[Counter[str], Counter[str]]:
    """Every record of `source` added to `target` unless it is there already: what an export
    imported into `target` would do, in one transaction there. (added, already present).

    A copy keeps every id: a target holding another item under one of them is refused, and
    nothing is written there.
    """
    added: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    ids: dict[str, str] = {}
    with source.read(), target.write():
        for rec in source.dump():
            if rec["type"] == "header":
                continue
            try:
                new = target.load_record(rec, ids)
            except Conflict as exc:
                raise Conflict(f"{target.url}: {exc.message}; nothing was copied",
                               hint="copy into an empty ledger, or into the one it was "
                                    "copied to before") from None
            (added if new else skipped)[rec["type"]] += 1
    return added, skipped


def _read(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, record) for each line; the header is checked, the rest only parsed."""
    records: list[tuple[int, dict[str, Any]]] = []
    number = 0
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            while line := fh.readline(MAX_LINE_CHARS + 1):
                number += 1
                if len(line) > MAX_LINE_CHARS:
                    raise InvalidInput(f"{path}:{number}: the line is longer than any konpfoi "
                                       "record can be", hint=_NOTHING)
                if line.strip():
                    records.append((number, _parse(path, number, line, not records)))
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}:{number + 1}: not UTF-8 text", hint=_NOTHING) from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not records:
        raise InvalidInput(f"{path}: the file is empty")
    return records[1:]


def _parse(path: Path, number: int, line: str, first: bool) -> dict[str, Any]:
    where = f"{path}:{number}"
    try:
        rec = json.loads(line)
    except RecursionError:
        raise InvalidInput(f"{where}: nested too deeply to be a konpfoi record",
                           hint=_NOTHING) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where}: not valid JSON ({exc.msg})", hint=_NOTHING) from None
    except ValueError as exc:  # e.g. a number with more digits than Python will read
        raise InvalidInput(f"{where}: not valid JSON ({exc})", hint=_NOTHING) from None
    if not isinstance(rec, dict) or not isinstance(rec.get("type"), str):
        raise InvalidInput(f"{where}: each line must be a JSON object with a type",
                           hint=_NOTHING)
    if first:
        _check_header(path, rec)
    return rec


def _validated(path: Path, records: list[tuple[int, dict[str, Any]]]
               ) -> list[tuple[int, dict[str, Any]]]:
    """The records, each checked against the model and its references to earlier ones."""
    items: set[str] = set()
    events: set[str] = set()
    for number, rec in records:
        kind = rec["type"]
        try:
            checks.check(kind, rec)
            if kind == "blob":
                content = base64.b64decode(rec["content"], validate=True)
                if len(content) != rec["size"] or \
                        hashlib.sha256(content).hexdigest() != rec["sha256"]:
                    raise checks.BadField("content", "does not match its size and sha256")
            for key, known, what in _REFERENCES.get(kind, ()):
                ref = rec.get(key)
                if ref is not None and ref not in (items if known == "item" else events):
                    raise checks.BadField(key, f"refers to {what} {ref}, which is not earlier "
                                               "in this file")
        except (checks.BadField, binascii.Error, ValueError) as exc:
            field = str(exc) if isinstance(exc, checks.BadField) else f"content: {exc}"
            sep = " " if field.startswith("lacks") else ", "
            raise InvalidInput(f"{path}:{number}: {kind} record{sep}{field}",
                               hint=f"{_NOTHING}; a konpfoi export holds only what konpfoi "
                                    "wrote") from None
        if kind == "item":
            items.add(rec["id"])
        elif kind == "event":
            events.add(rec["uid"])
    return records


# Which fields of a record name another record, and which: each must come earlier in the file.
_REFERENCES = {
    "event": (("item", "item", "item"), ("voids", "event", "event")),
    "attachment": (("event", "event", "event"),),
    "answer": (("event", "event", "event"), ("item", "item", "item")),
    "inbound": (("item_id", "item", "item"), ("event_uid", "event", "event")),
}


def _check_header(path: Path, rec: dict[str, Any]) -> None:
    if rec.get("type") != "header" or rec.get("format") != APP_ID:
        raise InvalidInput(f"{path}:1: not a konpfoi ledger export",
                           hint="make one with: konpfoi export FILE")
    schema = rec.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise InvalidInput(f"{path}:1: the header's schema {schema!r} is not a version",
                           hint=_NOTHING)
    if schema > SCHEMA_VERSION:
        raise Conflict(
            f"{path} was exported from a newer konpfoi (ledger schema {schema}; this konpfoi "
            f"reads up to {SCHEMA_VERSION})", hint="upgrade konpfoi, then import again")
