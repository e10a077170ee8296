"""Read official and open data files into directory entries (bodies.yaml is built this way).

Each reader returns an `Incoming`: partial entries for the bodies the file describes, what it
says is closed, and whether it is the complete list of some kind of body (so that a body
missing from it has closed). `refresh.apply` turns that into a diff against the directory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from konpfoi.directory.curated import contacts, national
from konpfoi.directory.incoming import (
    NATIONS,
    Incoming,
    contact,
    contacts_from,
    email_field,
    records,
    site_root,
    title_case,
    unique,
)
from konpfoi.directory.parliament import mps, mps_api
from konpfoi.errors import InvalidInput
from konpfoi.workspace.tables import csv_rows, json_list

KINDS = {
    "icb-list": "ICBs: the open ICB list (icb_urls.json): names, region, website, mergers",
    "icb-names": "ICBs: official names and ONS codes (ONS 'ICB Names and Codes' CSV)",
    "icb-contacts": "ICBs: FOI and press addresses (icb-contacts.json or .csv)",
    "trust-list": "trusts: the open trust list (trust_urls.json): names, type, ICS, mergers",
    "ods-trusts": "trusts: the NHS ODS trust file (etr.csv, no header): names, openings, closures",
    "trust-contacts": "trusts: FOI and press addresses (trust-contacts.json or .csv)",
    "mps": "MPs: the MP lookup CSV (mp_lookup.csv, from the UK Parliament Members API)",
    "mps-api": "MPs: a UK Parliament Members API search result (JSON, House of Commons)",
    "devolved": "Scottish health boards, Welsh LHBs and trusts, NI HSC trusts (CSV)",
    "national": "national and UK-wide bodies (CSV: id, name, short_name, aliases, nation, ...)",
    "contacts": "contacts body by body, each with its source (CSV: body_id, role, email or url,"
                " source, checked, note, doubt)",
}

NHS_REGIONS = {"Y56": "London", "Y58": "South West", "Y59": "South East", "Y60": "Midlands",
               "Y61": "East of England", "Y62": "North West", "Y63": "North East and Yorkshire"}
TRUST_TYPES = {
    "acute and acute & community trusts": "acute",
    "acute specialist trusts": "specialist",
    "community trusts": "community",
    "ambulance trusts": "ambulance",
    "online / digital": "online",
}

# -- ICBs --------------------------------------------------------------------------------------


def icb_list(path: Path, checked: str) -> Incoming:
    """The ICB list (icb_urls.json layout): every current ICB, its region, website, mergers."""
    inc = Incoming("icb-list", path.name, complete_for="icb")
    seen: dict[str, int] = {}
    for n, rec in json_list(path, ("ods_code", "names")):
        code = str(rec["ods_code"]).strip()
        unique(path, seen, code, n)
        names = [str(x).strip() for x in rec["names"] if str(x).strip()]
        if not names:
            raise InvalidInput(f"{path}: record {n} ({code}) has no name")
        short = names[0]
        entry: dict[str, Any] = {
            "id": f"icb:{code}", "kind": "icb", "nation": "england",
            "name": "NHS " + re.sub(r"\s+ICB$", "", short) + " Integrated Care Board",
            "short_name": short, "aliases": names[1:], "codes": {"ods": code},
            "region": rec.get("region") or None, "website": site_root(rec.get("url_root")),
        }
        preds = [f"icb:{p}" for p in rec.get("predecessor_codes") or []]
        if preds:
            entry["predecessors"] = preds
        if rec.get("merger_date"):
            entry["formed"] = str(rec["merger_date"])
        if rec.get("cluster_id"):
            entry["tags"] = [f"cluster:{rec['cluster_id']}"]
        inc.entries.append({k: v for k, v in entry.items() if v not in (None, [], {})})
    return inc


def icb_names(path: Path, checked: str) -> Incoming:
    """Official ICB names and ONS codes (ONS 'ICB Names and Codes' CSV: ICBxxCD, ICBxxCDH,
    ICBxxNM). Codes no longer in use become search aliases of their successors."""
    rows = list(csv_rows(path))
    if not rows:
        raise InvalidInput(f"{path}: the file is empty")
    cols = rows[0][1].keys()
    ons = next((c for c in cols if re.fullmatch(r"icb\d\dcd", c)), None)
    ods = next((c for c in cols if re.fullmatch(r"icb\d\dcdh", c)), None)
    name = next((c for c in cols if re.fullmatch(r"icb\d\dnm", c)), None)
    if not (ons and ods and name):
        raise InvalidInput(f"{path}:1: expected columns ICBxxCD, ICBxxCDH and ICBxxNM",
                           hint="the ONS 'Integrated Care Boards Names and Codes' file")
    inc = Incoming("icb-names", path.name, contacts_only=False)
    seen: dict[str, int] = {}
    for n, row in rows:
        unique(path, seen, row[ods], n)
        inc.entries.append({"id": f"icb:{row[ods]}", "name": row[name],
                            "codes": {"ods": row[ods], "ons": row[ons]}})
    return inc


def icb_contacts(path: Path, checked: str) -> Incoming:
    """FOI and press addresses of ICBs (icb-contacts.json or .csv)."""
    return _contacts_file(path, checked, "icb")


def _contacts_file(path: Path, checked: str, kind: str) -> Incoming:
    inc = Incoming(f"{kind}-contacts", path.name, contacts_only=True)
    seen: dict[str, int] = {}
    for n, rec in records(path, ("ods_code", "foi_email")):
        code = str(rec["ods_code"]).strip()
        unique(path, seen, code, n)
        inc.entries.append({"id": f"{kind}:{code}",
                            "contacts": contacts_from(path, n, rec, checked)})
    return inc


# -- trusts ----------------------------------------------------------------------------------

ETR_COLUMNS = ("code", "name", "region", "icb", "a1", "a2", "a3", "a4", "a5", "postcode",
               "opened", "closed")
_WELSH_POSTCODES = ("CF", "LD", "LL", "NP", "SA")


def ods_trusts(path: Path, checked: str) -> Incoming:
    """The NHS ODS trust file (etr.csv: no header): official names, openings and closures.

    The ICB column is the geography of the trust's headquarters, not the ICB it belongs to: it
    is kept as the parent only where no better source (the trust list) has given one.
    """
    inc = Incoming("ods-trusts", path.name)
    seen: dict[str, int] = {}
    for n, row in csv_rows(path, columns=ETR_COLUMNS):
        code = row["code"]
        unique(path, seen, code, n)
        if not re.fullmatch(r"\d{8}", row["opened"] or "00000000"):
            raise InvalidInput(f"{path}:{n}: open date {row['opened']!r} is not YYYYMMDD")
        region = NHS_REGIONS.get(row["region"])
        welsh = not row["region"] and row["postcode"][:2].upper() in _WELSH_POSTCODES
        entry: dict[str, Any] = {
            "id": f"trust:{code}", "kind": "trust", "name": title_case(row["name"]),
            "nation": "wales" if welsh else "england", "codes": {"ods": code},
            "region": region, "hq_icb": f"icb:{row['icb']}" if row["icb"] else None,
        }
        if row["closed"]:
            if not re.fullmatch(r"\d{8}", row["closed"]):
                raise InvalidInput(f"{path}:{n}: close date {row['closed']!r} is not YYYYMMDD")
            c = row["closed"]
            inc.closed[entry["id"]] = f"{c[:4]}-{c[4:6]}-{c[6:]}"
        inc.entries.append({k: v for k, v in entry.items() if v is not None})
    return inc


def trust_list(path: Path, checked: str) -> Incoming:
    """The trust list (trust_urls.json layout): names, type, legacy ICS, website, mergers."""
    inc = Incoming("trust-list", path.name)
    seen: dict[str, int] = {}
    for n, rec in json_list(path, ("ods_code", "names")):
        code = str(rec["ods_code"]).strip()
        unique(path, seen, code, n)
        names = [str(x).strip() for x in rec["names"] if str(x).strip()]
        kind = TRUST_TYPES.get(str(rec.get("type") or "").lower())
        if kind is None and "mental health" in str(rec.get("type") or "").lower():
            kind = "mental-health"
        tags = [t for t in (kind, "foundation-trust" if "foundation trust" in
                            names[0].lower() else None) if t]
        entry: dict[str, Any] = {
            "id": f"trust:{code}", "kind": "trust", "name": names[0], "aliases": names[1:],
            "nation": "england", "region": rec.get("region") or None,
            "website": site_root(rec.get("url")), "tags": tags, "ics": rec.get("ics") or None,
        }
        preds = [f"trust:{p}" for p in rec.get("predecessor_codes") or []]
        if preds:
            entry["predecessors"] = preds
        if rec.get("merger_date"):
            entry["formed"] = str(rec["merger_date"])
        inc.entries.append({k: v for k, v in entry.items() if v not in (None, [], {})})
    return inc


def trust_contacts(path: Path, checked: str) -> Incoming:
    """FOI and press addresses of trusts (trust-contacts.json or .csv)."""
    return _contacts_file(path, checked, "trust")


# -- devolved bodies -----------------------------------------------------------------------------

DEVOLVED_COLUMNS = ("country", "body_type", "name", "ods_code", "gss_code", "foi_email")


def devolved(path: Path, checked: str) -> Incoming:
    """Scottish territorial boards (FOISA), Welsh local health boards and trusts, Northern
    Ireland HSC trusts. Without a known FOI address a body is still listed (and flagged)."""
    inc = Incoming("devolved", path.name)
    seen: dict[str, int] = {}
    for n, row in csv_rows(path, required=DEVOLVED_COLUMNS):
        nation = NATIONS.get(row["country"].lower())
        btype = row["body_type"].lower()
        if nation == "scotland":
            kind, code = "hb", row["gss_code"]
        elif nation == "wales" and "health board" in btype:
            kind, code = "lhb", row["ods_code"]
        elif nation == "wales":
            kind, code = "trust", row["ods_code"]
        elif nation == "northern-ireland":
            kind, code = "hsc", row["ods_code"]
        else:
            raise InvalidInput(f"{path}:{n}: unknown country {row['country']!r}",
                               hint="Scotland, Wales or Northern Ireland")
        unique(path, seen, code, n)
        email = email_field(path, n, row["foi_email"])
        entry: dict[str, Any] = {
            "id": f"{kind}:{code}", "kind": kind, "name": row["name"], "nation": nation,
            "region": row["country"].strip().title(),
            "codes": {k: v for k, v in (("ods", row["ods_code"]), ("gss", row["gss_code"]))
                      if v},
            "contacts": [contact("foi", email, path.name, checked)] if email else [],
        }
        inc.entries.append({k: v for k, v in entry.items() if v not in (None, [], {})})
    return inc


READERS = {"icb-list": icb_list, "icb-names": icb_names, "icb-contacts": icb_contacts,
           "trust-list": trust_list, "ods-trusts": ods_trusts, "trust-contacts": trust_contacts,
           "mps": mps, "mps-api": mps_api, "devolved": devolved, "national": national,
           "contacts": contacts}


def read(kind: str, path: Path, checked: str) -> Incoming:
    if kind not in READERS:
        raise InvalidInput(f"unknown import kind {kind!r}",
                           hint="kinds: " + ", ".join(READERS))
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    return READERS[kind](path, checked)
