"""Read official and open data files into directory entries (bodies.yaml is built this way).

Each reader returns an `Incoming`: partial entries for the bodies the file describes, what it
says is closed, and whether it is the complete list of some kind of body (so that a body
missing from it has closed). `changes.apply` turns that into a diff against the directory.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from konpfoi.errors import InvalidInput

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
NATIONS = {"england": "england", "wales": "wales", "scotland": "scotland",
           "northern ireland": "northern-ireland"}


@dataclass
class Incoming:
    """What one file says: entries (partial: id plus the fields it knows) and closures."""

    kind: str
    source: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    closed: dict[str, str] = field(default_factory=dict)  # id -> the day it closed
    complete_for: str | None = None  # a body kind this file lists in full
    contacts_only: bool = False  # it may only add to the contacts of bodies already known
    notes: list[str] = field(default_factory=list)


# -- reading files ---------------------------------------------------------------------------


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


def _records(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """Records from a JSON list or a CSV with a header (the contacts files come as both)."""
    if path.suffix.lower() == ".json":
        return json_list(path, required)
    return [(n, {k: (v or None) for k, v in row.items()})
            for n, row in csv_rows(path, required=required)]


def _unique(path: Path, seen: dict[str, int], code: str, number: int, what: str = "code") -> None:
    if not code:
        raise InvalidInput(f"{path}:{number}: empty {what}")
    if code in seen:
        raise InvalidInput(f"{path}:{number}: duplicate {what} {code} (first at {seen[code]})")
    seen[code] = number


def _email(path: Path, number: int, value: str | None) -> str | None:
    from konpfoi.workspace.yamlfile import is_email

    value = (value or "").strip()
    if "@" not in value:  # empty, or words such as "No email found"
        return None
    if not is_email(value):
        raise InvalidInput(f"{path}:{number}: not an email address: {value!r}")
    return value


def _contact(role: str, email: str | None, source: str | None, checked: str,
             note: str | None = None, url: str | None = None) -> dict[str, Any]:
    return {k: v for k, v in (("role", role), ("email", email), ("url", url),
                              ("source", source), ("checked", checked), ("note", note)) if v}


def _root(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def title_case(upper: str) -> str:
    """ODS upper case to title case: "GUY'S AND ST THOMAS' NHS FOUNDATION TRUST" becomes
    "Guy's and St Thomas' NHS Foundation Trust"."""
    small = {"and", "of", "the", "for", "upon", "on", "in", "with"}
    keep = {"NHS", "UK", "HSC", "ICB"}
    words = []
    for i, word in enumerate(upper.split()):
        parts = []
        for part in word.split("-"):
            if part in keep:
                parts.append(part)
            elif part.lower() in small and (i > 0 or parts):
                parts.append(part.lower())
            else:
                parts.append(part[:1].upper() + part[1:].lower())
        words.append("-".join(parts))
    return " ".join(words)


def unmangle(text: str) -> str:
    """Repair UTF-8 that was read as Windows-1252 upstream ('â€”' for an em dash)."""
    if "â€" not in text and "Ã" not in text:
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return re.sub("â€[\u0080-\u2122]", "-", text)


def _contacts_from(path: Path, n: int, rec: dict[str, Any], checked: str) -> list[dict]:
    """FOI, FOI-alternative and press contacts from a contacts record (ICB or trust)."""
    foi_src = rec.get("foi_source_url") or path.name
    press_src = rec.get("press_source_url") or path.name
    note = unmangle(rec["notes"]) if rec.get("notes") else None
    out = []
    foi = _email(path, n, rec.get("foi_email"))
    if foi:
        out.append(_contact("foi", foi, foi_src, checked, note))
    elif rec.get("foi_source_url"):  # requests by web form only
        out.append(_contact("foi", None, rec["foi_source_url"], checked,
                            note or "no FOI email published: use the page's form",
                            url=rec["foi_source_url"]))
    alt = _email(path, n, rec.get("foi_email_alt"))
    if alt:
        out.append(_contact("foi-alt", alt, foi_src, checked))
    press = _email(path, n, rec.get("press_email"))
    if press:
        out.append(_contact("press", press, press_src, checked))
    return out


# -- ICBs --------------------------------------------------------------------------------------


def icb_list(path: Path, checked: str) -> Incoming:
    """The ICB list (icb_urls.json layout): every current ICB, its region, website, mergers."""
    inc = Incoming("icb-list", path.name, complete_for="icb")
    seen: dict[str, int] = {}
    for n, rec in json_list(path, ("ods_code", "names")):
        code = str(rec["ods_code"]).strip()
        _unique(path, seen, code, n)
        names = [str(x).strip() for x in rec["names"] if str(x).strip()]
        if not names:
            raise InvalidInput(f"{path}: record {n} ({code}) has no name")
        short = names[0]
        entry: dict[str, Any] = {
            "id": f"icb:{code}", "kind": "icb", "nation": "england",
            "name": "NHS " + re.sub(r"\s+ICB$", "", short) + " Integrated Care Board",
            "short_name": short, "aliases": names[1:], "codes": {"ods": code},
            "region": rec.get("region") or None, "website": _root(rec.get("url_root")),
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
        _unique(path, seen, row[ods], n)
        inc.entries.append({"id": f"icb:{row[ods]}", "name": row[name],
                            "codes": {"ods": row[ods], "ons": row[ons]}})
    return inc


def icb_contacts(path: Path, checked: str) -> Incoming:
    """FOI and press addresses of ICBs (icb-contacts.json or .csv)."""
    return _contacts_file(path, checked, "icb")


def _contacts_file(path: Path, checked: str, kind: str) -> Incoming:
    inc = Incoming(f"{kind}-contacts", path.name, contacts_only=True)
    seen: dict[str, int] = {}
    for n, rec in _records(path, ("ods_code", "foi_email")):
        code = str(rec["ods_code"]).strip()
        _unique(path, seen, code, n)
        inc.entries.append({"id": f"{kind}:{code}",
                            "contacts": _contacts_from(path, n, rec, checked)})
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
        _unique(path, seen, code, n)
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
        _unique(path, seen, code, n)
        names = [str(x).strip() for x in rec["names"] if str(x).strip()]
        kind = TRUST_TYPES.get(str(rec.get("type") or "").lower())
        if kind is None and "mental health" in str(rec.get("type") or "").lower():
            kind = "mental-health"
        tags = [t for t in (kind, "foundation-trust" if "foundation trust" in
                            names[0].lower() else None) if t]
        entry: dict[str, Any] = {
            "id": f"trust:{code}", "kind": "trust", "name": names[0], "aliases": names[1:],
            "nation": "england", "region": rec.get("region") or None,
            "website": _root(rec.get("url")), "tags": tags, "ics": rec.get("ics") or None,
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


# -- MPs ---------------------------------------------------------------------------------------

MP_COLUMNS = ("pcon_name", "pcon_code", "member_id", "display_as", "party_text",
              "member_email", "region_name", "country_name")


def mps(path: Path, checked: str) -> Incoming:
    """Every sitting MP from the MP lookup CSV (dfe-analytical-services/mp-lookup layout)."""
    inc = Incoming("mps", path.name, complete_for="mp")
    seen: dict[str, int] = {}
    seats: dict[str, int] = {}
    for n, row in csv_rows(path, required=MP_COLUMNS):
        _unique(path, seen, row["member_id"], n, "member_id")
        _unique(path, seats, row["pcon_code"], n, "constituency code")
        if not row["member_id"].isdigit():
            raise InvalidInput(f"{path}:{n}: member_id {row['member_id']!r} is not a number")
        nation = NATIONS.get(row["country_name"].lower())
        if nation is None:
            raise InvalidInput(f"{path}:{n}: unknown country {row['country_name']!r}")
        email = _email(path, n, row["member_email"])
        entry: dict[str, Any] = {
            "id": f"mp:{row['member_id']}", "kind": "mp", "name": row["display_as"],
            "aliases": [a for a in [row.get("full_title", "")] if a and a != row["display_as"]],
            "nation": nation, "region": row["region_name"] or None,
            "constituency": row["pcon_name"], "party": row["party_text"] or None,
            "member_id": int(row["member_id"]), "codes": {"ons": row["pcon_code"]},
            "contacts": [_contact("general", email, "UK Parliament (" + path.name + ")",
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
        _unique(path, seen, str(v["id"]), n, "member id")
        entry = {
            "id": f"mp:{v['id']}", "kind": "mp", "name": v["nameDisplayAs"],
            "constituency": m.get("membershipFrom"), "member_id": int(v["id"]),
            "party": (v.get("latestParty") or {}).get("name"), "nation": "england",
        }
        inc.entries.append({k: x for k, x in entry.items() if x is not None})
    return inc


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
        _unique(path, seen, code, n)
        email = _email(path, n, row["foi_email"])
        entry: dict[str, Any] = {
            "id": f"{kind}:{code}", "kind": kind, "name": row["name"], "nation": nation,
            "region": row["country"].strip().title(),
            "codes": {k: v for k, v in (("ods", row["ods_code"]), ("gss", row["gss_code"]))
                      if v},
            "contacts": [_contact("foi", email, path.name, checked)] if email else [],
        }
        inc.entries.append({k: v for k, v in entry.items() if v not in (None, [], {})})
    return inc


READERS = {"icb-list": icb_list, "icb-names": icb_names, "icb-contacts": icb_contacts,
           "trust-list": trust_list, "ods-trusts": ods_trusts, "trust-contacts": trust_contacts,
           "mps": mps, "mps-api": mps_api, "devolved": devolved}


def read(kind: str, path: Path, checked: str) -> Incoming:
    if kind not in READERS:
        raise InvalidInput(f"unknown import kind {kind!r}",
                           hint="kinds: " + ", ".join(READERS))
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    return READERS[kind](path, checked)
