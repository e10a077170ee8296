"""The directory's data model and its validation: one entry per public body."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.workspace.config import BODY_NATIONS

KINDS = {
    "national": "national body (NHS England, DHSC, PHS, BSO, ...)",
    "icb": "Integrated Care Board",
    "trust": "NHS trust",
    "mp": "Member of Parliament",
    "hb": "Scottish territorial health board",
    "lhb": "Welsh local health board",
    "hsc": "Northern Ireland health and social care trust",
    "council": "local council or scrutiny committee",
    "gp": "GP practice",
    "person": "named person (chair, chief executive, ...)",
    "other": "other public body",
}
LAWS = ("foia", "foisa", "none")
# What each contact is for: the letters ask for the role they need (a request the FOI route,
# an open letter the board or chair, a subject access request the DPO).
ROLES = {
    "foi": "FOI requests (an inbox, or the body's request form or page)",
    "foi-alt": "another published FOI route",
    "general": "general enquiries",
    "press": "media enquiries",
    "board": "the board: its secretary, governance team or public-questions address",
    "chair": "the chair of the board",
    "dpo": "the Data Protection Officer: subject access requests, data protection questions",
}

_BODY_FIELDS = (
    "id", "kind", "name", "short_name", "nation", "law", "region", "parent", "website",
    "contacts", "codes", "aliases", "predecessors", "formed", "successor", "closed", "constituency",
    "party", "member_id", "tags", "notes", "own_notes",
)
# What loading adds to a body and no file holds: the file an entry (or its last override) came
# from, and the file that first defined it.
RUNTIME_FIELDS = ("origin", "defined_in")
_CONTACT_FIELDS = ("role", "email", "url", "source", "checked", "note", "doubt")


@dataclass(slots=True)
class Contact:
    role: str
    email: str | None = None
    url: str | None = None  # a web form, where a body takes requests only that way
    source: str | None = None
    checked: str | None = None
    note: str | None = None
    doubt: str | None = None  # why the address may not reach the body (a legacy inbox, ...)
    origin: str = ""  # the file it came from (not written to any file)

    @property
    def where(self) -> str:
        return self.email or self.url or ""


@dataclass(slots=True)
class Body:
    id: str
    kind: str
    name: str
    nation: str
    law: str
    short_name: str | None = None
    region: str | None = None
    parent: str | None = None
    website: str | None = None
    contacts: list[Contact] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    predecessors: list[str] = field(default_factory=list)
    formed: str | None = None  # when a merger created it
    successor: str | None = None
    closed: str | None = None
    constituency: str | None = None
    party: str | None = None
    member_id: int | None = None
    tags: list[str] = field(default_factory=list)
    notes: str | None = None
    own_notes: str | None = None  # the user's own, from `konpfoi bodies note`
    origin: str = ""  # the file this entry (or its last override) came from
    defined_in: str = ""  # the file that first defined it

    @property
    def code(self) -> str:
        return self.id.split(":", 1)[1]

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def contact(self, role: str) -> Contact | None:
        return next((c for c in self.contacts if c.role == role), None)

    @property
    def foi_email(self) -> str | None:
        c = self.contact("foi")
        return c.email if c else None

    @property
    def email(self) -> str | None:
        """Where a message to this body goes: its FOI inbox, else its general address."""
        for role in ("foi", "general", "foi-alt"):
            c = self.contact(role)
            if c and c.email:
                return c.email
        return None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["contacts"] = [{k: v for k, v in c.items() if k != "origin" and v is not None}
                           for c in out["contacts"]]
        return {k: v for k, v in out.items() if v not in (None, [], {}, "")}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Body:
        d = dict(d)
        d["contacts"] = [Contact(**c) for c in d.get("contacts", [])]
        return cls(**d)


def default_law(kind: str, nation: str) -> str:
    if kind == "mp" or kind == "person":
        return "none"  # an MP is not a public authority under FOIA
    return "foisa" if nation == "scotland" else "foia"


def parse_entries(data: Any, source: Path, known: set[str] | None = None) -> list[dict[str, Any]]:
    """Validate a bodies file and return its entries as plain dicts.

    `known` holds ids already loaded: an entry with one of those ids is an override and may
    give only the fields it changes.
    """
    from konpfoi.workspace import yamlfile

    ck = yamlfile.Checker(source)
    if data is None:
        return []
    top = ck.mapping(data, "a bodies file")
    ck.fields(top, "bodies file", ("bodies",), ("version", "generated", "sources"))
    entries = top["bodies"]
    if not isinstance(entries, list):
        ck.fail(top, "bodies", "bodies must be a list of entries")
    seen: dict[str, int] = {}
    out = []
    for raw in entries:
        m = ck.mapping(raw, "each body", top, "bodies")
        body_id = ck.text(m, "id", "body")
        if not body_id:
            ck.fail(m, "id", "body: missing field 'id'")
        assert body_id is not None
        what = f"body {body_id}"
        if body_id in seen:
            ck.fail(m, "id", f"duplicate id {body_id!r} (first on line {seen[body_id]})",
                    hint="each body needs its own id")
        seen[body_id] = m.line_of("id")
        override = known is not None and body_id in known
        ck.fields(m, what, () if override else ("id", "kind", "name", "nation"), _BODY_FIELDS)
        entry: dict[str, Any] = {"id": body_id}
        if not override:
            kind = ck.text(m, "kind", what) or ""
            if kind not in KINDS:
                ck.fail(m, "kind", f"{what}: unknown kind {kind!r}",
                        hint="kinds are " + ", ".join(KINDS))
            if not body_id.startswith(kind + ":") or len(body_id) <= len(kind) + 1:
                ck.fail(m, "id", f"{what}: id must be '{kind}:<code>'")
            entry["kind"] = kind
        for key in ("name", "short_name", "region", "parent", "website", "successor",
                    "constituency", "party", "notes", "own_notes"):
            if key in m:
                entry[key] = ck.text(m, key, what, single_line=key not in ("notes", "own_notes"))
        if "nation" in m:
            nation = ck.text(m, "nation", what)
            if nation not in BODY_NATIONS:
                ck.fail(m, "nation", f"{what}: unknown nation {nation!r}",
                        hint="nations are " + ", ".join(BODY_NATIONS))
            entry["nation"] = nation
        if "law" in m:
            law = ck.text(m, "law", what)
            if law not in LAWS:
                ck.fail(m, "law", f"{what}: law must be one of {', '.join(LAWS)}")
            entry["law"] = law
        for key in ("closed", "formed"):
            if key in m:
                entry[key] = ck.date(m, key, what)
        if "member_id" in m:
            if not isinstance(m["member_id"], int):
                ck.fail(m, "member_id", f"{what}: member_id must be a number")
            entry["member_id"] = m["member_id"]
        for key in ("aliases", "predecessors", "tags"):
            if key in m:
                entry[key] = ck.text_list(m, key, what)
        if "codes" in m:
            codes = ck.mapping(m["codes"], f"{what}: codes", m, "codes")
            entry["codes"] = {str(k): str(v) for k, v in codes.items()}
        if "contacts" in m:
            entry["contacts"] = _contacts(ck, m, what)
        out.append(entry)
    return out


def _contacts(ck: Any, m: Any, what: str) -> list[dict[str, Any]]:
    value = m["contacts"]
    if not isinstance(value, list):
        ck.fail(m, "contacts", f"{what}: contacts must be a list")
    out = []
    for raw in value:
        c = ck.mapping(raw, f"{what}: each contact", m, "contacts")
        ck.fields(c, f"{what} contact", ("role",), _CONTACT_FIELDS)
        role = ck.text(c, "role", what)
        if role not in ROLES:
            ck.fail(c, "role", f"{what}: unknown contact role {role!r}",
                    hint="roles are " + ", ".join(ROLES))
        email = ck.email(c, "email", f"{what} contact")
        url = ck.text(c, "url", what)
        if not email and not url:
            ck.fail(c, "role", f"{what}: a contact needs an email or a url")
        out.append({
            "role": role, "email": email, "url": url, "source": ck.text(c, "source", what),
            "checked": ck.date(c, "checked", what), "note": ck.text(c, "note", what),
            "doubt": ck.text(c, "doubt", what),
        })
    return out


def merge(base: dict[str, Any] | None, entry: dict[str, Any], origin: str) -> dict[str, Any]:
    """Apply an entry (new, or an override of `base`) and say which file it, and each contact
    it gives, came from."""
    if "contacts" in entry:
        entry = {**entry, "contacts": [{**c, "origin": origin} for c in entry["contacts"]]}
    if base is None:
        merged = dict(entry)
        merged.setdefault("law", default_law(merged["kind"], merged["nation"]))
        merged["defined_in"] = origin
    else:
        merged = dict(base)
        for key, value in entry.items():
            if key == "contacts":
                by_role = {c["role"]: c for c in base.get("contacts", [])}
                by_role.update({c["role"]: c for c in value})
                merged["contacts"] = list(by_role.values())
            else:
                merged[key] = value
    merged["origin"] = origin
    return merged


_ORDER = {"national": 0, "icb": 1, "trust": 2, "hb": 3, "lhb": 4, "hsc": 5, "mp": 6}
_FIELD_ORDER = {name: i for i, name in enumerate(_BODY_FIELDS)}


def dump(entries: list[dict[str, Any]], header: str, sort: bool = True, **top: Any) -> str:
    """The YAML text of a bodies file: a comment header, then one block per body (in a stable
    order, kind then id, unless `sort` is off) with fields in a fixed order."""
    import yaml

    rows = []
    if sort:
        entries = sorted(entries, key=lambda e: (_ORDER.get(e["kind"], 9) if "kind" in e else 9,
                                                 e["id"]))
    for e in entries:
        clean = {k: v for k, v in e.items()
                 if k not in RUNTIME_FIELDS and v not in (None, [], {}, "")}
        if "contacts" in clean:
            clean["contacts"] = [{k: v for k, v in c.items() if k != "origin" and v is not None}
                                 for c in clean["contacts"]]
        rows.append(dict(sorted(clean.items(), key=lambda kv: _FIELD_ORDER.get(kv[0], 99))))
    doc = {"version": 1, **top, "bodies": rows}
    text: str = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    return header + text
