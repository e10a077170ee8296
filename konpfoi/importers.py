"""Turn official and open data files into directory entries; bodies.yaml is built this way."""

from __future__ import annotations

import csv
import io
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
    """(row number, row) for each non-blank row; a header must hold `required` columns.

    With `columns` the file has no header and each row must have at least that many fields.
    """
    text = read_text(path)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header: list[str]
    if columns is None:
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InvalidInput(f"{path}: the file is empty") from None
        missing = [c for c in required if c not in header]
        if missing:
            raise InvalidInput(
                f"{path}:1: missing column(s) {', '.join(missing)}",
                hint="expected columns: " + ", ".join(required),
            )
        first = 2
    else:
        header = list(columns)
        first = 1
    for number, fields in enumerate(reader, start=first):
        if not any(f.strip() for f in fields):
            continue
        if columns is not None and len(fields) < len(columns):
            raise InvalidInput(
                f"{path}:{number}: expected {len(columns)} fields, found {len(fields)}",
                hint="is this the right kind of file?",
            )
        yield number, {h: (fields[i].strip() if i < len(fields) else "")
                       for i, h in enumerate(header)}


def _contact(role: str, email: str, source: str, checked: str, note: str | None = None
             ) -> dict[str, Any]:
    out: dict[str, Any] = {"role": role, "email": email}
    if source:
        out["source"] = source
    out["checked"] = checked
    if note:
        out["note"] = note
    return out


ICB_COLUMNS = ("ods_code", "name", "short_name", "ons_code_2026", "nhs_region", "website",
               "foi_email", "foi_email_alt", "foi_source_url", "press_email",
               "predecessor_codes", "merger_date", "cluster_id", "contact_notes")


def icbs_from_table(path: Path, checked: str) -> list[dict[str, Any]]:
    """ICBs from the joined ICB table (icbs_2026_DERIVED.csv layout)."""
    out = []
    seen: dict[str, int] = {}
    for number, row in csv_rows(path, required=ICB_COLUMNS):
        code = row["ods_code"]
        if not code:
            raise InvalidInput(f"{path}:{number}: empty ods_code")
        if code in seen:
            raise InvalidInput(f"{path}:{number}: duplicate ICB code {code} "
                               f"(first on row {seen[code]})")
        seen[code] = number
        source = f"{path.name} (foi page {row['foi_source_url']})" if row["foi_source_url"] \
            else path.name
        contacts = []
        if row["foi_email"]:
            contacts.append(_contact("foi", row["foi_email"], row["foi_source_url"] or source,
                                     checked, row["contact_notes"] or None))
        if row["foi_email_alt"]:
            contacts.append(_contact("foi-alt", row["foi_email_alt"],
                                     row["foi_source_url"] or source, checked))
        if row["press_email"]:
            contacts.append(_contact("press", row["press_email"], path.name, checked))
        entry: dict[str, Any] = {
            "id": f"icb:{code}", "kind": "icb", "name": row["name"],
            "short_name": row["short_name"], "nation": "england", "region": row["nhs_region"],
            "website": row["website"] or None, "contacts": contacts,
            "codes": {k: v for k, v in (("ods", code), ("ons", row["ons_code_2026"])) if v},
        }
        preds = [p.strip() for p in row["predecessor_codes"].split(";") if p.strip()]
        if preds:
            entry["predecessors"] = [f"icb:{p}" for p in preds]
        if row["merger_date"]:
            entry["formed"] = row["merger_date"]
        if row["cluster_id"]:
            entry["tags"] = [f"cluster:{row['cluster_id']}"]
        out.append({k: v for k, v in entry.items() if v not in (None, "", [], {})})
    return out


def write_bodies(entries: list[dict[str, Any]], path: Path, sources: list[str],
                 generated: str) -> None:
    """Write a bodies file, one readable block per body, in a stable order."""
    import yaml

    from konpfoi.fsutil import atomic_write

    order = {"icb": 0, "trust": 1, "hb": 2, "lhb": 3, "hsc": 4, "mp": 5}
    entries = sorted(entries, key=lambda e: (order.get(e["kind"], 9), e["id"]))
    doc = {"version": 1, "generated": generated, "sources": sources, "bodies": entries}
    header = ("# The konpfoi directory of public bodies. Generated by scripts/build_bodies.py\n"
              "# from open data (see README, 'Maintaining the directory'); do not edit by hand.\n"
              "# Add or override bodies in your workspace's own bodies.yaml instead.\n")
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    atomic_write(path, header + text, mode=0o644)
