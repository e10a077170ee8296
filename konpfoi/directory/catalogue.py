"""The directory as loaded: the packaged bodies.yaml plus a workspace's overlays (later files
win), parsed once and cached by content; and its health check."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from konpfoi import __version__
from konpfoi.directory.bodies import Body, merge, parse_entries
from konpfoi.directory.lookup import Directory
from konpfoi.errors import InvalidInput, unreadable
from konpfoi.workspace.files import atomic_write, private_dir
from konpfoi.workspace.resources import packaged

_CACHE_FORMAT = "2"


def load(*overlays: Path, base: Path | None = None) -> Directory:
    """The packaged directory plus the overlays that exist (later files win), from a cache
    keyed by their content."""
    files = [base or packaged("bodies.yaml"), *(o for o in overlays if o.is_file())]
    contents = []
    digest = hashlib.sha256(f"{_CACHE_FORMAT}:{__version__}".encode())
    for f in files:
        try:
            raw = f.read_bytes()
        except OSError as exc:
            raise unreadable(f, exc, " the directory") from None
        contents.append(raw)
        digest.update(str(f).encode() + b"\0" + raw + b"\0")
    cache = _cache_file(digest.hexdigest()[:24])
    if cache is not None:
        try:
            rows = json.loads(cache.read_bytes())
            return Directory([Body.from_dict(r) for r in rows], files)
        except (OSError, ValueError, TypeError):
            pass
    rows = _parse(files, contents)
    if cache is not None:
        _write_cache(cache, rows)
    return Directory([Body.from_dict(r) for r in rows], files)


def entries(*overlays: Path, base: Path | None = None) -> dict[str, dict]:
    """The directory as plain entries (id -> fields), for importers to update."""
    return {b.id: b.to_dict() for b in load(*overlays, base=base)}


def _parse(files: list[Path], contents: list[bytes]) -> list[dict]:
    from konpfoi.workspace import yamlfile

    merged: dict[str, dict] = {}
    for f, raw in zip(files, contents, strict=True):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{f}: not UTF-8 text", hint="save the file as UTF-8") from None
        entries = parse_entries(yamlfile.parse(text, f), f, known=set(merged))
        for entry in entries:
            merged[entry["id"]] = merge(merged.get(entry["id"]), entry, str(f))
    return list(merged.values())


def _cache_file(key: str) -> Path | None:
    from konpfoi.workspace.folders import cache_dir

    try:
        return cache_dir() / f"bodies-{key}.json"
    except Exception:  # no usable cache folder: parse every time
        return None


def _write_cache(cache: Path, rows: list[dict]) -> None:
    try:
        private_dir(cache.parent)
        for old in cache.parent.glob("bodies-*.json"):
            old.unlink(missing_ok=True)
        atomic_write(cache, json.dumps(rows, separators=(",", ":")))
    except OSError:
        pass  # a cache is an optimisation; never fail a command over it


@dataclass(frozen=True)
class Finding:
    severity: str  # error, warning
    body_id: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "body": self.body_id, "message": self.message}


def check(d: Directory, today: str, stale_days: int = 365) -> list[Finding]:
    """Broken links between bodies, bodies with no way to reach them, stale contacts."""
    import datetime as dt

    limit = (dt.date.fromisoformat(today) - dt.timedelta(days=stale_days)).isoformat()
    out = []
    for b in d:
        if b.parent and b.parent not in d.bodies:
            out.append(Finding("error", b.id, f"parent {b.parent} is not in the directory"))
        if b.successor and b.successor not in d.bodies:
            out.append(Finding("error", b.id, f"successor {b.successor} is not in the directory"))
        if b.closed:
            if not b.successor:
                out.append(Finding("warning", b.id, f"closed {b.closed} with no successor"))
            continue
        if b.law != "none" and not any(c.role in ("foi", "foi-alt") for c in b.contacts):
            out.append(Finding("warning", b.id, "no FOI address or form known: drafting to it "
                                                "will say so"))
        elif not b.contacts:
            out.append(Finding("warning", b.id, "no contact address known"))
        for c in b.contacts:
            if not c.checked:
                out.append(Finding("warning", b.id, f"{c.role} contact has no checked date"))
            elif c.checked < limit:
                out.append(Finding("warning", b.id, f"{c.role} contact last checked {c.checked}, "
                                                    f"over {stale_days} days ago"))
    return out
