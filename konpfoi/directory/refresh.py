"""Apply what an imported file says to the directory, and say what changed.

No body is ever dropped: one that leaves a complete list (an MP who lost their seat, an ICB that
merged) or that the ODS file says has closed is kept, marked closed, with its successor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from konpfoi.directory.bodies import RUNTIME_FIELDS
from konpfoi.directory.importers import Incoming
from konpfoi.directory.lookup import normalise

_UNION = ("aliases", "tags", "predecessors")
_PSEUDO = ("ics", "hq_icb")  # what a trust file says about its ICB, turned into `parent`


@dataclass
class Change:
    id: str
    what: str  # added, changed, closed, merged, reopened
    name: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    referenced: int = 0  # ledger items that refer to the body

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "change": self.what, "name": self.name,
                "fields": {k: {"old": o, "new": n} for k, (o, n) in self.fields.items()},
                "ledger_items": self.referenced}


@dataclass
class Result:
    entries: dict[str, dict[str, Any]]
    changes: list[Change]
    notes: list[str]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.what] = out.get(c.what, 0) + 1
        return out


def apply(current: dict[str, dict[str, Any]], inc: Incoming, today: str,
          referenced: dict[str, int] | None = None) -> Result:
    """The directory after `inc`, and the changes, body by body."""
    new = {k: dict(v) for k, v in current.items()}
    notes = list(inc.notes)
    skipped: list[str] = []
    hq_disagrees: list[str] = []
    touched: set[str] = set()
    for e in inc.entries:
        body_id = e["id"]
        if body_id not in new:
            if inc.contacts_only or "kind" not in e or "nation" not in e:
                if not _alias_of_successor(new, e, touched):
                    skipped.append(body_id)
                continue
            if body_id in inc.closed:
                continue  # a closed body we never knew: nothing to keep
            entry = {k: v for k, v in e.items() if k not in _PSEUDO}
            new[body_id] = entry
        else:
            _update(new[body_id], e, inc.contacts_only)
        touched.add(body_id)
        _place_trust(new, new[body_id], e, hq_disagrees)
    present = {e["id"] for e in inc.entries}
    for body_id, day in inc.closed.items():
        if body_id in new and not new[body_id].get("closed"):
            new[body_id]["closed"] = day
            touched.add(body_id)
    if inc.complete_for:
        for body_id, entry in new.items():
            if entry.get("kind") == inc.complete_for and body_id not in present \
                    and not entry.get("closed"):
                entry["closed"] = today
                touched.add(body_id)
    for body_id in touched:
        entry = new[body_id]
        if entry.get("closed") and body_id in present and body_id not in inc.closed \
                and not inc.contacts_only and inc.kind != "icb-names":
            entry.pop("closed", None)  # listed again as open: it reopened
            entry.pop("successor", None)
        if entry.get("closed") and not entry.get("successor"):
            successor = _successor(new, body_id)
            if successor:
                entry["successor"] = successor
    if skipped:
        notes.append(f"{len(skipped)} record(s) for bodies not in the directory were skipped "
                     f"({', '.join(skipped[:5])}{'...' if len(skipped) > 5 else ''})")
    if hq_disagrees:
        notes.append("the ODS file places these trusts' headquarters in another ICB; the ICB "
                     "from the trust list was kept: " + ", ".join(hq_disagrees))
    changes = changes_between(current, new, touched, referenced or {})
    return Result(new, changes, notes)


def _update(entry: dict[str, Any], e: dict[str, Any], contacts_only: bool) -> None:
    for key, value in e.items():
        if key in ("id", *_PSEUDO) or (contacts_only and key != "contacts"):
            continue
        if key == "contacts":
            entry["contacts"] = _merge_contacts(entry.get("contacts", []), value)
        elif key in _UNION:
            merged = list(entry.get(key, []))
            merged += [v for v in value if v not in merged]
            entry[key] = merged
        elif key == "codes":
            entry["codes"] = {**entry.get("codes", {}), **value}
        elif key == "name" and entry.get("name"):
            if entry["name"].lower() != value.lower():  # a real rename: keep the old as alias
                entry.setdefault("aliases", [])
                if entry["name"] not in entry["aliases"]:
                    entry["aliases"] = [*entry["aliases"], entry["name"]]
                entry["name"] = value
        elif key == "kind" and entry.get("kind"):
            continue
        else:
            entry[key] = value


def _merge_contacts(old: list[dict[str, Any]], new: list[dict[str, Any]]
                    ) -> list[dict[str, Any]]:
    """The contacts after a file gives `new` ones (by role); a doubt recorded about an address
    stays with it while the address is the same."""
    by_role = {c["role"]: c for c in old}
    for c in new:
        before = by_role.get(c["role"])
        if before and before.get("doubt") and not c.get("doubt") and \
                (before.get("email"), before.get("url")) == (c.get("email"), c.get("url")):
            c = {**c, "doubt": before["doubt"]}
        by_role[c["role"]] = c
    return list(by_role.values())


def _alias_of_successor(new: dict[str, dict[str, Any]], e: dict[str, Any],
                        touched: set[str]) -> bool:
    """A record for a body that merged (e.g. an old ICB's official name) becomes a search
    alias of its successor(s)."""
    successors = [k for k, v in new.items() if e["id"] in v.get("predecessors", [])]
    if not successors or "name" not in e:
        return False
    for s in successors:
        aliases = new[s].setdefault("aliases", [])
        if e["name"] not in aliases and e["name"] != new[s].get("name"):
            new[s]["aliases"] = [*aliases, e["name"]]
            touched.add(s)
    return True


def _place_trust(new: dict[str, dict[str, Any]], entry: dict[str, Any], e: dict[str, Any],
                 hq_disagrees: list[str]) -> None:
    """A trust's parent: the ICB of its integrated care system (from the trust list), else the
    ICB of its headquarters' postcode (ODS), which can differ (Oxleas: SE London, HQ in Kent)."""
    if e.get("ics"):
        icb = _icb_for_ics(new, e["ics"])
        if icb:
            entry["parent"] = icb
    if e.get("hq_icb"):
        hq = _current_icb(new, e["hq_icb"])
        if not entry.get("parent"):
            if hq:
                entry["parent"] = hq
        elif hq and hq != entry["parent"]:
            hq_disagrees.append(f"{entry['id']} {entry.get('name', '')} ({hq} vs "
                                f"{entry['parent']})")
    parent = new.get(entry.get("parent") or "")
    if entry.get("kind") == "trust" and parent and parent.get("region"):
        entry["region"] = parent["region"]  # the NHS region of its ICB, not of its HQ


def _icb_for_ics(new: dict[str, dict[str, Any]], ics: str) -> str | None:
    want = normalise(ics)
    hits = []
    for body_id, b in new.items():
        if b.get("kind") != "icb" or b.get("closed"):
            continue
        names = [b.get("name", ""), b.get("short_name") or "", *b.get("aliases", [])]
        if want in {normalise(n) for n in names}:
            hits.append(body_id)
    return hits[0] if len(hits) == 1 else None  # an ICS split between two ICBs: no guess


def _current_icb(new: dict[str, dict[str, Any]], icb_id: str) -> str | None:
    if icb_id in new and not new[icb_id].get("closed"):
        return icb_id
    successors = [k for k, v in new.items() if icb_id in v.get("predecessors", [])]
    return successors[0] if len(successors) == 1 else None


def _successor(new: dict[str, dict[str, Any]], body_id: str) -> str | None:
    entry = new[body_id]
    by_predecessor = [k for k, v in new.items()
                      if body_id in v.get("predecessors", []) and not v.get("closed")]
    if len(by_predecessor) == 1:
        return by_predecessor[0]
    if entry.get("kind") == "mp" and entry.get("constituency"):  # the seat's new MP
        seat = entry.get("codes", {}).get("ons") or entry["constituency"]
        for k, v in new.items():
            if k != body_id and v.get("kind") == "mp" and not v.get("closed") and seat in (
                    v.get("codes", {}).get("ons"), v.get("constituency")):
                return k
    return None


def changes_between(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]],
                    touched: set[str], referenced: dict[str, int]) -> list[Change]:
    """The changes between two directories, for the bodies in `touched`."""
    out = []
    for body_id in sorted(touched):
        before, after = old.get(body_id), new[body_id]
        name = after.get("name", body_id)
        refs = referenced.get(body_id, 0)
        if before is None:
            out.append(Change(body_id, "added", name, referenced=refs))
            continue
        diff = {k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
                if k not in RUNTIME_FIELDS and norm(before.get(k)) != norm(after.get(k))}
        if not diff:
            continue
        if "closed" in diff and after.get("closed"):
            what = "merged" if after.get("successor") and any(
                body_id in v.get("predecessors", []) for v in new.values()) else "closed"
        elif "closed" in diff:
            what = "reopened"
        else:
            what = "changed"
        out.append(Change(body_id, what, name, diff, refs))
    return out


def norm(value: Any) -> Any:
    """What counts as a change: for contacts, who and where, not when or how they were found."""
    if value in (None, "", [], {}):
        return None
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return sorted((d.get("role"), d.get("email"), d.get("url")) for d in value)
    return value
