"""What `konpfoi bodies import` does to a workspace, so that a refresh cannot wreck the directory:
read the file, diff it against the directory, refuse a mass change unless allowed, keep the
directory as it was (so `--undo` restores it), then write the imported file, owner-only.

A mass change is one that closes or changes more than a sane share of a kind of body: 10% of
the MPs (a truncated download would otherwise retire most of Parliament), any ICB at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.directory.bodies import RUNTIME_FIELDS
from konpfoi.directory.refresh import Change, Result, apply, changes_between, norm
from konpfoi.errors import InvalidInput

# The share of a kind's open bodies an import may close or change without --allow-mass-change.
MASS_SHARE = {"icb": 0.0}
DEFAULT_MASS_SHARE = 0.10
# Changes that do not count towards it: new contacts, aliases, codes and tags refine a body.
_REFINEMENTS = {"contacts", "aliases", "codes", "tags", "website", "formed", "predecessors",
                "notes", "short_name"}
HISTORY_KEEP = 20

IMPORTED_HEADER = ("# Bodies changed by `konpfoi bodies import` (konpfoi rewrites this file; put "
                   "your own\n# bodies and overrides in bodies.yaml, which is read after it).\n")


@dataclass
class Outcome:
    """What an import found, whether it was written, and why not."""

    result: Result
    applied: bool = False
    mass: list[str] = field(default_factory=list)  # why it is a mass change, kind by kind
    yours: list[str] = field(default_factory=list)  # your own contacts that still win

    def to_dict(self) -> dict[str, Any]:
        return {"applied": self.applied, "counts": self.result.counts(),
                "mass_change": self.mass, "notes": self.result.notes + self.yours,
                "changes": [c.to_dict() for c in self.result.changes]}


def mass_changes(current: dict[str, dict[str, Any]], changes: list[Change]) -> list[str]:
    """Kind by kind, where the changes close or alter more of its bodies than is sane."""
    open_by_kind: dict[str, int] = {}
    for e in current.values():
        if not e.get("closed"):
            open_by_kind[e.get("kind", "")] = open_by_kind.get(e.get("kind", ""), 0) + 1
    hits: dict[str, int] = {}
    for c in changes:
        kind = (current.get(c.id) or {}).get("kind")
        if kind is None or c.what == "added":
            continue
        if c.what == "changed" and set(c.fields) <= _REFINEMENTS:
            continue
        hits[kind] = hits.get(kind, 0) + 1
    out = []
    for kind, n in sorted(hits.items()):
        share = MASS_SHARE.get(kind, DEFAULT_MASS_SHARE)
        total = open_by_kind.get(kind, 0)
        if n > share * total:
            limit = "any" if share == 0 else f"more than {share:.0%}"
            out.append(f"it would close or change {n} of the {total} open {kind} bodies "
                       f"({n / max(total, 1):.0%}; {limit} needs --allow-mass-change)")
    return out


def import_file(kind: str, file: Path, *, checked: str, imported: Path, overlay_file: Path,
                history: Path, referenced: dict[str, int], write: bool,
                allow_mass: bool = False) -> Outcome:
    """Read an official data file, diff it against the directory as the workspace has it, and
    (with `write`, and unless it is a mass change not allowed) keep the result in the
    workspace's imported-bodies file, the previous one going to the history."""
    from konpfoi.directory import catalogue, importers

    incoming = importers.read(kind, file, checked)
    current = catalogue.entries(imported)
    result = apply(current, incoming, checked, referenced)
    out = Outcome(result, mass=mass_changes(current, result.changes),
                  yours=_yours_still_win(overlay_file, result.changes))
    if write and result.changes and (allow_mass or not out.mass):
        _push_history(history, imported, f"import {kind} {file.name}")
        _write_imported(imported, overlay_file, result.entries)
        out.applied = True
    return out


def undo(*, imported: Path, overlay_file: Path, history: Path) -> tuple[str, list[Change]]:
    """Put back the directory as it was before the last import; what that was, and what the
    undo changes."""
    from konpfoi.directory import catalogue
    from konpfoi.workspace.files import atomic_write

    kept = sorted(history.glob("*.yaml")) if history.is_dir() else []
    if not kept:
        raise InvalidInput("there is no import to undo",
                           hint="konpfoi keeps the directory as it was before each import")
    last = kept[-1]
    first, _, text = last.read_text(encoding="utf-8").partition("\n")
    what = first.removeprefix("# konpfoi: before ").strip()
    before = catalogue.entries(imported)
    if text.strip():
        atomic_write(imported, text)
    else:
        imported.unlink(missing_ok=True)
    catalogue.load(imported, overlay_file)  # it must read back
    last.unlink()
    after = catalogue.entries(imported)
    return what, _diff(before, after)


def _diff(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[Change]:
    touched = {k for k in after if k in before and _clean(before[k]) != _clean(after[k])}
    gone = [Change(k, "removed", v.get("name", k)) for k, v in sorted(before.items())
            if k not in after]
    added = {k for k in after if k not in before}
    return gone + changes_between(before, after, touched | added, {})


def _clean(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: norm(v) for k, v in entry.items()
            if k not in RUNTIME_FIELDS and norm(v) is not None}


def _push_history(history: Path, imported: Path, what: str) -> None:
    """Keep the imported file as it is now (or its absence), newest last, HISTORY_KEEP at most."""
    from konpfoi.workspace.files import atomic_write, private_dir

    private_dir(history)
    text = imported.read_text(encoding="utf-8") if imported.is_file() else ""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    atomic_write(history / f"{stamp}.yaml", f"# konpfoi: before {what} ({when})\n{text}")
    for old in sorted(history.glob("*.yaml"))[:-HISTORY_KEEP]:
        old.unlink(missing_ok=True)


def _write_imported(imported: Path, overlay_file: Path,
                    entries: dict[str, dict[str, Any]]) -> None:
    from konpfoi.directory import catalogue
    from konpfoi.directory.bodies import dump
    from konpfoi.workspace.files import atomic_write

    atomic_write(imported, dump(overlay(catalogue.entries(), entries), IMPORTED_HEADER))
    catalogue.load(imported, overlay_file)  # it must read back


def overlay(packaged: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
            ) -> list[dict[str, Any]]:
    """The entries a workspace's imported overlay needs: every body that differs from the
    packaged directory (whole, so the overlay reads on its own)."""
    out = []
    for body_id, entry in after.items():
        clean = {k: v for k, v in entry.items()
                 if k not in RUNTIME_FIELDS and v not in (None, [], {})}
        base = packaged.get(body_id)
        if base is None or _clean(clean) != _clean(base):
            out.append(clean)
    return out


def _yours_still_win(overlay_file: Path, changes: list[Change]) -> list[str]:
    """Where the file changes a contact that your own bodies file overrides: yours stays."""
    from konpfoi.directory.edits import own_roles

    mine = own_roles(overlay_file)
    out = []
    for c in changes:
        if c.id not in mine or "contacts" not in c.fields:
            continue
        old, new = c.fields["contacts"]
        before = {x["role"]: x for x in old or []}
        for x in new or []:
            role = x["role"]
            if role in mine[c.id] and _where(before.get(role)) != _where(x):
                out.append(f"{c.id}: your own {role} contact ({mine[c.id][role]}) still wins "
                           f"over the file's ({_where(x)})")
    return out


def _where(c: dict[str, Any] | None) -> str:
    return (c or {}).get("email") or (c or {}).get("url") or ""
