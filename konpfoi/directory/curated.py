"""Files a campaign keeps by hand, each fact with the page that states it: the national bodies
(NHS England, DHSC, Public Health Scotland, ...) and contacts researched body by body (board
and chair addresses, DPOs, devolved bodies' FOI routes). konpfoi's own are in data/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from konpfoi.directory.bodies import ROLES, default_law
from konpfoi.directory.incoming import Incoming, contact, email_field
from konpfoi.errors import InvalidInput
from konpfoi.workspace.config import BODY_NATIONS
from konpfoi.workspace.tables import csv_rows

NATIONAL_COLUMNS = ("id", "name", "nation")
CONTACT_COLUMNS = ("body_id", "role", "source")


def national(path: Path, checked: str) -> Incoming:
    """National and UK-wide bodies (CSV: id, name, short_name, aliases separated by ';',
    nation — england, wales, scotland, northern-ireland or uk —, website, source, note)."""
    inc = Incoming("national", path.name)
    seen: dict[str, int] = {}
    for n, row in csv_rows(path, required=NATIONAL_COLUMNS):
        body_id = row["id"]
        if not re.fullmatch(r"national:[A-Za-z0-9-]+", body_id):
            raise InvalidInput(f"{path}:{n}: id {body_id!r} is not national:<CODE>")
        if body_id in seen:
            raise InvalidInput(f"{path}:{n}: duplicate id {body_id} (first at {seen[body_id]})")
        seen[body_id] = n
        nation = row["nation"].lower()
        if nation not in BODY_NATIONS:
            raise InvalidInput(f"{path}:{n}: unknown nation {row['nation']!r}",
                               hint="nations are " + ", ".join(BODY_NATIONS))
        if not row["name"]:
            raise InvalidInput(f"{path}:{n}: {body_id} has no name")
        entry: dict[str, Any] = {
            "id": body_id, "kind": "national", "name": row["name"],
            "short_name": row.get("short_name") or None, "nation": nation,
            "law": default_law("national", nation),
            "aliases": [a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()],
            "website": row.get("website") or None, "notes": row.get("note") or None,
        }
        inc.entries.append({k: v for k, v in entry.items() if v not in (None, [], {})})
    return inc


def contacts(path: Path, checked: str) -> Incoming:
    """Contacts body by body (CSV: body_id, role, email or url, source, checked, note, doubt;
    any other column, such as the body's name, is for people reading the file).

    Every contact needs its source. A row's own `checked` date is kept; a blank one stays blank
    (nobody knows when it was checked); a file with no `checked` column was checked on the
    import's date. A body may give one contact per role."""
    inc = Incoming("contacts", path.name, contacts_only=True)
    by_body: dict[str, list[dict[str, Any]]] = {}
    seen: dict[tuple[str, str], int] = {}
    rows = list(csv_rows(path, required=CONTACT_COLUMNS))
    dated = bool(rows) and "checked" in rows[0][1]
    for n, row in rows:
        body_id, role = row["body_id"], row["role"].lower()
        if not re.fullmatch(r"[a-z]+:\S+", body_id):
            raise InvalidInput(f"{path}:{n}: body_id {body_id!r} is not an id such as icb:QKK")
        if role not in ROLES:
            raise InvalidInput(f"{path}:{n}: unknown role {row['role']!r}",
                               hint="roles are " + ", ".join(ROLES))
        if (body_id, role) in seen:
            raise InvalidInput(f"{path}:{n}: a second {role} contact for {body_id} (first at "
                               f"{seen[(body_id, role)]})",
                               hint="give another FOI route the role foi-alt")
        seen[(body_id, role)] = n
        email = email_field(path, n, row.get("email"))
        url = row.get("url") or None
        if url and not re.match(r"https?://", url):
            raise InvalidInput(f"{path}:{n}: url {url!r} does not start with http(s)://")
        if not email and not url:
            raise InvalidInput(f"{path}:{n}: a contact needs an email or a url")
        if not row["source"]:
            raise InvalidInput(f"{path}:{n}: no source for {body_id} {role}",
                               hint="give the page or document that states the address")
        day = row.get("checked") if dated else checked
        if day:
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise InvalidInput(f"{path}:{n}: checked {day!r} is not a date (YYYY-MM-DD)"
                                   ) from None
        c = contact(role, email, row["source"], day or "", row.get("note") or None, url=url)
        if row.get("doubt"):
            c["doubt"] = row["doubt"]
        by_body.setdefault(body_id, []).append(c)
    inc.entries = [{"id": k, "contacts": v} for k, v in by_body.items()]
    return inc
