"""MPs from the MP lookup CSV or a UK Parliament Members API search result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from konpfoi.directory.incoming import NATIONS, Incoming, contact, email_field, unique
from konpfoi.errors import InvalidInput
from konpfoi.workspace.tables import csv_rows, read_text

MP_COLUMNS = ("pcon_name", "pcon_code", "member_id", "display_as", "party_text",
              "member_email", "region_name", "country_name")


def mps(path: Path, checked: str) -> Incoming:
    """Every sitting MP from the MP lookup CSV (dfe-analytical-services/mp-lookup layout)."""
    inc = Incoming("mps", path.name, complete_for="mp")
    seen: dict[str, int] = {}
    seats: dict[str, int] = {}
    for n, row in csv_rows(path, required=MP_COLUMNS):
        unique(path, seen, row["member_id"], n, "member_id")
        unique(path, seats, row["pcon_code"], n, "constituency code")
        if not row["member_id"].isdigit():
            raise InvalidInput(f"{path}:{n}: member_id {row['member_id']!r} is not a number")
        nation = NATIONS.get(row["country_name"].lower())
        if nation is None:
            raise InvalidInput(f"{path}:{n}: unknown country {row['country_name']!r}")
        email = email_field(path, n, row["member_email"])
        entry: dict[str, Any] = {
            "id": f"mp:{row['member_id']}", "kind": "mp", "name": row["display_as"],
            "aliases": [a for a in [row.get("full_title", "")] if a and a != row["display_as"]],
            "nation": nation, "region": row["region_name"] or None,
            "constituency": row["pcon_name"], "party": row["party_text"] or None,
            "member_id": int(row["member_id"]), "codes": {"ons": row["pcon_code"]},
            "contacts": [contact("general", email, "UK Parliament (" + path.name + ")",
                                  checked)] if email else [],
        }
        inc.entries.append({k: v for k, v in entry.items() if v not in (None, [], {})})
    return inc


def mps_api(path: Path, checked: str) -> Incoming:
    """Sitting MPs from a UK Parliament Members API search result ({"items": [{"value":
    {"id", "nameDisplayAs", "latestParty": {"name"}, "latestHouseMembership": {...}}}]}).
    The search result carries no email: an MP already known keeps theirs."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InvalidInput(f"{path}: not a Members API search result (no 'items' list)")
    inc = Incoming("mps-api", path.name, complete_for="mp")
    if isinstance(data.get("totalResults"), int) and data["totalResults"] > len(items):
        inc.complete_for = None  # one page of several: it cannot say who has left
        inc.notes.append(f"{path.name} holds {len(items)} of {data['totalResults']} results: "
                         "MPs missing from it are not marked as gone")
    seen: dict[str, int] = {}
    for n, item in enumerate(items, start=1):
        v = item.get("value", item) if isinstance(item, dict) else None
        m = (v or {}).get("latestHouseMembership") or {}
        if not isinstance(v, dict) or "id" not in v or "nameDisplayAs" not in v:
            raise InvalidInput(f"{path}: item {n} lacks value.id or value.nameDisplayAs")
        if m.get("house", 1) != 1 or not (m.get("membershipStatus") or {}).get(
                "statusIsActive", True):
            continue  # the Lords, or no longer sitting
        unique(path, seen, str(v["id"]), n, "member id")
        entry = {
            "id": f"mp:{v['id']}", "kind": "mp", "name": v["nameDisplayAs"],
            "constituency": m.get("membershipFrom"), "member_id": int(v["id"]),
            "party": (v.get("latestParty") or {}).get("name"), "nation": "england",
        }
        inc.entries.append({k: x for k, x in entry.items() if x is not None})
    return inc
