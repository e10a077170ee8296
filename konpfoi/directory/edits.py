"""Your own changes to the directory: `bodies set`, `add` and `note` write the workspace's own
bodies.yaml (owner-only), which is read last, so it wins, and which no `bodies import` touches,
so it survives every refresh; `export-changes` and `import-changes` share it with a group.

The file is rewritten whole (the previous text is kept beside it as bodies.yaml.bak), so
comments in it are not kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.directory.bodies import KINDS, ROLES, Body, default_law, dump, parse_entries
from konpfoi.directory.lookup import Directory
from konpfoi.errors import Conflict, InvalidInput
from konpfoi.workspace import yamlfile
from konpfoi.workspace.config import BODY_NATIONS

HEADER = ("# Your own bodies and corrections. `konpfoi bodies set`, `add` and `note` write here;\n"
          "# this file wins over the packaged and imported directory and no `bodies import`\n"
          "# touches it. Share it with `konpfoi bodies export-changes FILE`.\n")
_CONTACT_KEYS = ("role", "email", "url", "source", "checked", "note", "doubt")


def parse_assignment(text: str) -> tuple[str, str | None, str | None]:
    """'foi=foi@x.nhs.uk' or 'board=https://x.nhs.uk/board' → (role, email, url)."""
    role, sep, value = text.partition("=")
    role, value = role.strip().lower(), value.strip()
    if not sep or not value:
        raise InvalidInput(f"{text!r} is not role=address",
                           hint="e.g. foi=foi@example.nhs.uk or board=https://example.nhs.uk/board")
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", hint="roles are " + ", ".join(ROLES))
    if re.match(r"https?://\S+$", value):
        return role, None, value
    if not yamlfile.is_email(value):
        raise InvalidInput(f"not an email address or web address: {value!r}",
                           hint="give an address like foi@example.nhs.uk or a https:// page")
    return role, value, None


class OwnBodies:
    """The workspace's own bodies file: its entries, in file order, and how to save them."""

    def __init__(self, path: Path, directory: Directory, base_ids: set[str]) -> None:
        self.path, self.directory, self.base_ids = path, directory, base_ids
        self.text = path.read_text(encoding="utf-8") if path.is_file() else ""
        data = yamlfile.parse(self.text, path) if self.text.strip() else None
        self.entries: list[dict[str, Any]] = parse_entries(data, path, known=base_ids)

    def find(self, body_id: str) -> dict[str, Any] | None:
        return next((e for e in self.entries if e["id"] == body_id), None)

    def entry(self, body_id: str) -> dict[str, Any]:
        found = self.find(body_id)
        if found is None:
            found = {"id": body_id}
            self.entries.append(found)
        return found

    def save(self, validate: Any) -> None:
        """Write the file (owner-only), keep the old text as .bak, and check it reads back;
        if it does not, put the old text back."""
        from konpfoi.workspace.files import atomic_write

        if self.text:
            atomic_write(self.path.with_name(self.path.name + ".bak"), self.text)
        atomic_write(self.path, dump(self.entries, HEADER, sort=False))
        try:
            validate()
        except BaseException:
            if self.text:
                atomic_write(self.path, self.text)
            else:
                self.path.unlink(missing_ok=True)
            raise


def set_contact(own: OwnBodies, target: str, assignment: str, source: str, today: str,
                note: str | None = None, doubt: str | None = None) -> tuple[Body, str | None]:
    """Give a body a contact of your own; the body and the address it had for that role."""
    role, email, url = parse_assignment(assignment)
    if not source.strip():
        raise InvalidInput("--source is empty", hint="give the page or document that states it")
    body = own.directory.resolve(target, follow_closed=False).body
    old = body.contact(role)
    entry = own.entry(body.id)
    new = {"role": role, "email": email, "url": url, "source": source.strip(),
           "checked": today, "note": note, "doubt": doubt}
    entry["contacts"] = [c for c in entry.get("contacts", []) if c["role"] != role] + [
        {k: v for k, v in new.items() if v}]
    return body, old.where if old else None


def add_body(own: OwnBodies, body_id: str, name: str, nation: str, *,
             short_name: str | None = None, website: str | None = None,
             parent: str | None = None, contacts: list[str] | None = None,
             source: str | None = None, today: str) -> dict[str, Any]:
    """Add a body the packaged directory lacks (a council's scrutiny committee, a GP practice)."""
    kind = body_id.split(":", 1)[0]
    if not re.fullmatch(r"[a-z]+:[A-Za-z0-9][\w.-]*", body_id) or kind not in KINDS:
        raise InvalidInput(f"{body_id!r} is not an id such as council:lambeth-hosc",
                           hint="the part before ':' is the kind: " + ", ".join(KINDS))
    if body_id in own.directory.bodies:
        raise Conflict(f"{body_id} is already in the directory",
                       hint=f"change it with: konpfoi bodies set {body_id} ROLE=ADDRESS "
                            "--source URL")
    if nation not in BODY_NATIONS:
        raise InvalidInput(f"unknown nation {nation!r}", hint="nations are "
                           + ", ".join(BODY_NATIONS))
    if parent and parent not in own.directory.bodies:
        raise InvalidInput(f"parent {parent} is not in the directory")
    if contacts and not (source or "").strip():
        raise InvalidInput("--set needs --source", hint="give the page that states the address")
    entry: dict[str, Any] = {"id": body_id, "kind": kind, "name": name.strip(),
                             "short_name": short_name, "nation": nation,
                             "law": default_law(kind, nation), "website": website,
                             "parent": parent, "contacts": []}
    for text in contacts or []:
        role, email, url = parse_assignment(text)
        c = {"role": role, "email": email, "url": url, "source": source, "checked": today}
        entry["contacts"] = [x for x in entry["contacts"] if x["role"] != role] + [
            {k: v for k, v in c.items() if v}]
    own.entries.append({k: v for k, v in entry.items() if v not in (None, [])})
    return entry


def add_note(own: OwnBodies, target: str, text: str, today: str) -> Body:
    """Add a dated line to your own notes on a body."""
    if not text.strip():
        raise InvalidInput("the note is empty")
    body = own.directory.resolve(target, follow_closed=False).body
    entry = own.entry(body.id)
    line = f"{today}: {' '.join(text.split())}"
    entry["own_notes"] = "\n".join(x for x in (entry.get("own_notes"), line) if x)
    return body


def export_changes(own: OwnBodies, out: Path, today: str) -> int:
    """Write your own changes to a file another workspace can `import-changes`."""
    from konpfoi.workspace.files import atomic_write

    if not own.entries:
        raise InvalidInput("you have no changes of your own to export",
                           hint="make some with konpfoi bodies set, add or note")
    header = (f"# Corrections to the konpfoi directory, exported on {today}.\n"
              "# Read them into a workspace with: konpfoi bodies import-changes FILE\n")
    atomic_write(out, dump(own.entries, header, sort=False))
    return len(own.entries)


@dataclass
class Merged:
    """What importing someone's changes does to one body."""

    id: str
    taken: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # theirs differs from yours


def import_changes(own: OwnBodies, file: Path, theirs: bool = False) -> list[Merged]:
    """Take another workspace's changes into yours, body by body and contact by contact; where
    both give something different, yours stays unless `theirs`."""
    data = yamlfile.load(file)
    incoming = parse_entries(data, file, known=set(own.directory.bodies))
    out = []
    for entry in incoming:
        mine = own.find(entry["id"])
        m = Merged(entry["id"])
        if mine is None:
            own.entries.append(entry)
            m.taken.append("the whole entry")
        else:
            _merge_entry(mine, entry, m, theirs)
        if m.taken or m.conflicts:
            out.append(m)
    return out


def _merge_entry(mine: dict[str, Any], theirs_entry: dict[str, Any], m: Merged,
                 theirs: bool) -> None:
    for key, value in theirs_entry.items():
        if key == "id":
            continue
        if key == "contacts":
            have = {c["role"]: c for c in mine.get("contacts", [])}
            for c in value:
                old = have.get(c["role"])
                where = c.get("email") or c.get("url")
                if old is None or theirs:
                    if old is None or (old.get("email") or old.get("url")) != where:
                        have[c["role"]] = c
                        m.taken.append(f"{c['role']} {where}")
                elif (old.get("email") or old.get("url")) != where:
                    m.conflicts.append(f"{c['role']}: yours {old.get('email') or old.get('url')}"
                                       f", theirs {where}")
            mine["contacts"] = list(have.values())
        elif key == "own_notes":
            lines = (mine.get("own_notes") or "").splitlines()
            new = [x for x in value.splitlines() if x not in lines]
            if new:
                mine["own_notes"] = "\n".join(lines + new)
                m.taken.append(f"{len(new)} note line(s)")
        elif mine.get(key) in (None, "", []) or theirs:
            if mine.get(key) != value:
                mine[key] = value
                m.taken.append(key)
        elif mine.get(key) != value:
            m.conflicts.append(f"{key}: yours {mine[key]!r}, theirs {value!r}")


def own_roles(path: Path) -> dict[str, dict[str, str]]:
    """Body id → role → address, for the contacts your own bodies file gives (read loosely:
    a file that does not parse is reported when the directory loads)."""
    try:
        data = yamlfile.load(path) if path.is_file() else None
    except InvalidInput:
        return {}
    entries = data.get("bodies") if isinstance(data, dict) else None
    out: dict[str, dict[str, str]] = {}
    for e in entries if isinstance(entries, list) else []:
        if isinstance(e, dict) and isinstance(e.get("contacts"), list):
            out[str(e.get("id"))] = {str(c.get("role")): str(c.get("email") or c.get("url"))
                                     for c in e["contacts"] if isinstance(c, dict)}
    return out
