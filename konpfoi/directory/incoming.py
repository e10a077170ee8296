"""What one data file says about bodies (an `Incoming`), and the checks every reader shares:
unique codes, real email addresses, contacts with their source and date."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from konpfoi.errors import InvalidInput
from konpfoi.workspace.tables import csv_rows, json_list

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


def records(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """Records from a JSON list or a CSV with a header (the contacts files come as both)."""
    if path.suffix.lower() == ".json":
        return json_list(path, required)
    return [(n, {k: (v or None) for k, v in row.items()})
            for n, row in csv_rows(path, required=required)]


def unique(path: Path, seen: dict[str, int], code: str, number: int, what: str = "code") -> None:
    if not code:
        raise InvalidInput(f"{path}:{number}: empty {what}")
    if code in seen:
        raise InvalidInput(f"{path}:{number}: duplicate {what} {code} (first at {seen[code]})")
    seen[code] = number


def email_field(path: Path, number: int, value: str | None) -> str | None:
    from konpfoi.workspace.yamlfile import is_email

    value = (value or "").strip()
    if "@" not in value:  # empty, or words such as "No email found"
        return None
    if not is_email(value):
        raise InvalidInput(f"{path}:{number}: not an email address: {value!r}")
    return value


def contact(role: str, email: str | None, source: str | None, checked: str,
             note: str | None = None, url: str | None = None) -> dict[str, Any]:
    return {k: v for k, v in (("role", role), ("email", email), ("url", url),
                              ("source", source), ("checked", checked), ("note", note)) if v}


def site_root(url: str | None) -> str | None:
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


def contacts_from(path: Path, n: int, rec: dict[str, Any], checked: str) -> list[dict]:
    """FOI, FOI-alternative and press contacts from a contacts record (ICB or trust)."""
    foi_src = rec.get("foi_source_url") or path.name
    press_src = rec.get("press_source_url") or path.name
    note = unmangle(rec["notes"]) if rec.get("notes") else None
    out = []
    foi = email_field(path, n, rec.get("foi_email"))
    if foi:
        out.append(contact("foi", foi, foi_src, checked, note))
    elif rec.get("foi_source_url"):  # requests by web form only
        out.append(contact("foi", None, rec["foi_source_url"], checked,
                            note or "no FOI email published: use the page's form",
                            url=rec["foi_source_url"]))
    alt = email_field(path, n, rec.get("foi_email_alt"))
    if alt:
        out.append(contact("foi-alt", alt, foi_src, checked))
    press = email_field(path, n, rec.get("press_email"))
    if press:
        out.append(contact("press", press, press_src, checked))
    return out
