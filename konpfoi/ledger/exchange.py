"""Export and import the ledger as JSON Lines: lossless, idempotent, schema-checked."""

from __future__ import annotations

import binascii
import json
from collections import Counter
from pathlib import Path

from konpfoi.errors import Conflict, InvalidInput
from konpfoi.ledger.migrations import APP_ID, SCHEMA_VERSION
from konpfoi.ledger.store import ImportConflict, Ledger
from konpfoi.workspace.files import atomic_write

_REQUIRED = {
    "blob": ("sha256", "size", "content"),
    "volunteer": ("email", "name", "joined_at"),
    "item": ("id", "uid", "kind", "body_id", "body_name", "subject", "created_at"),
    "event": ("uid", "item", "kind", "date", "recorded_at"),
    "attachment": ("event", "sha256", "name", "size"),
    "answer": ("event", "item", "question", "outcome"),
    "inbound": ("key", "imported_at", "sha256", "status"),
}


def export(ledger: Ledger, path: Path) -> Counter[str]:
    """Write every record, one JSON object per line, in a stable order (atomically)."""
    counts: Counter[str] = Counter()
    lines = []
    with ledger.read():
        for rec in ledger.dump():
            counts[rec["type"]] += 1
            lines.append(json.dumps(rec, ensure_ascii=False, sort_keys=True,
                                    separators=(",", ":")))
    atomic_write(path, "\n".join(lines) + "\n")
    counts.pop("header", None)
    return counts


def import_file(ledger: Ledger, path: Path) -> tuple[Counter[str], Counter[str]]:
    """Add what the file holds and the ledger lacks; one transaction. (added, skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read ({exc})") from None
    header = None
    records: list[tuple[int, dict]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(rec, dict) or "type" not in rec:
            raise InvalidInput(f"{path}:{number}: each line must be a JSON object with a type")
        if header is None:
            _check_header(path, rec)
            header = rec
            continue
        missing = [k for k in _REQUIRED.get(rec["type"], ("?",)) if k not in rec]
        if rec["type"] not in _REQUIRED or missing:
            raise InvalidInput(f"{path}:{number}: " + (
                f"unknown record type {rec['type']!r}" if rec["type"] not in _REQUIRED
                else f"{rec['type']} record lacks {', '.join(missing)}"))
        records.append((number, rec))
    if header is None:
        raise InvalidInput(f"{path}: the file is empty")
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
                                   hint="nothing was imported") from None
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


def _check_header(path: Path, rec: dict) -> None:
    if rec.get("type") != "header" or rec.get("format") != APP_ID:
        raise InvalidInput(f"{path}:1: not a konpfoi ledger export",
                           hint="make one with: konpfoi export FILE")
    schema = rec.get("schema")
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise Conflict(
            f"{path} was exported from a newer konpfoi (ledger schema {schema}; this konpfoi "
            f"reads up to {SCHEMA_VERSION})", hint="upgrade konpfoi, then import again")
