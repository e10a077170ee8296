"""The register as a CSV file, so that groups can pool what they found: every claim with its
evidence, written out and read back in. Reading never overwrites: a claim already held is
skipped, a new one is added, and disagreements show as conflicts."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from konpfoi.errors import InvalidInput
from konpfoi.ledger.model import Fact, now_utc
from konpfoi.ledger.store import Ledger
from konpfoi.tracking import register
from konpfoi.workspace.files import atomic_write
from konpfoi.workspace.tables import csv_rows

COLUMNS = ("uid", "body_id", "key", "value", "source", "checked", "note", "settles",
           "recorded_at", "ledger", "group")
REQUIRED = ("body_id", "key", "value", "source", "checked")


def export(ledger: Ledger, path: Path, group: str | None) -> int:
    """Every claim, one a row (with this ledger's id, so its items are told from others')."""
    facts = ledger.facts()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for f in facts:
        w.writerow([f.uid, f.body_id, f.key, f.value, f.source, f.checked, f.note or "",
                    "yes" if f.settles else "", f.recorded_at, ledger.uid, group or ""])
    atomic_write(path, buf.getvalue(), mode=0o644)
    return len(facts)


@dataclass
class Imported:
    added: int = 0
    skipped: int = 0
    unknown_bodies: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # bodies now in conflict


def import_file(ledger: Ledger, path: Path, bodies: Collection[str]) -> Imported:
    """Add the claims a file holds and the ledger lacks; one transaction. A claim sourced
    from another ledger's FOI answer keeps its words but not the item (not one of ours)."""
    rows = list(csv_rows(path, required=REQUIRED))
    out = Imported()
    parsed = []
    for n, row in rows:
        where = f"{path}:{n}"
        key = row["key"].strip().lower()
        if key not in register.KEYS:
            raise InvalidInput(f"{where}: unknown fact {row['key']!r}",
                               hint="facts: " + ", ".join(register.KEYS))
        value = register.check_value(key, row["value"], where)
        try:
            src = register.parse_source(row["source"])
        except InvalidInput as exc:
            raise InvalidInput(f"{where}: {exc.message}", hint=exc.hint) from None
        if row["body_id"] not in bodies:
            out.unknown_bodies.append(row["body_id"])
        ours = row.get("ledger") in ("", None, ledger.uid)
        if src.item_id and not ours:
            by = row.get("group") or "another group"
            src = register.Source(f"{src.text} ({by})")
        parsed.append(Fact(row.get("uid") or _uid(row), row["body_id"], key, value, src.text,
                           _day(row["checked"], where), row.get("recorded_at") or now_utc(),
                           src.item_id, src.question, row.get("note") or None,
                           row.get("settles", "").strip().lower() in ("yes", "true", "1")))
    with ledger.write():
        for fact in parsed:
            if ledger.add_fact(fact):
                out.added += 1
            else:
                out.skipped += 1
        now = register.load(ledger)
    touched = {f.body_id for f in parsed}
    out.conflicts = sorted(b for b in touched if now.get(b) and any(
        s.conflict for s in now[b].keys.values()))
    return out


def _uid(row: dict[str, str]) -> str:
    """A stable id for a hand-written row, so that importing it twice adds it once."""
    import hashlib

    text = "\0".join(row.get(c, "") for c in REQUIRED)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _day(text: str, where: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InvalidInput(f"{where}: checked {text!r} is not a date",
                           hint="write it as YYYY-MM-DD") from None
