"""Files kept with a reply: stored once by content hash, under a name that cannot escape."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from konpfoi.errors import Unsafe
from konpfoi.ledger.store import Ledger
from konpfoi.workspace.files import atomic_write, private_dir

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}
MAX_NAME = 120


@dataclass(frozen=True)
class Stored:
    sha256: str
    name: str  # sanitised
    original_name: str | None
    size: int
    content_type: str | None
    path: Path  # where it lies, inside files/


def sanitise(name: str | None, fallback: str = "attachment") -> str:
    """A safe single file name: no folders, no traversal, no control characters, no leading dot."""
    if not name:
        return fallback
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[\\/]", name)[-1]  # a path's last part, for / and \ alike
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*\x00]', "_", name).strip().strip(".").strip()
    if not name or name in (".", ".."):
        return fallback
    stem, dot, ext = name.rpartition(".")
    if (stem if dot else name).lower() in _RESERVED:
        name = "_" + name
    if len(name) > MAX_NAME:
        ext = ("." + ext[:16]) if dot else ""
        name = name[: MAX_NAME - len(ext)] + ext
    return name


def store(ledger: Ledger, files_dir: Path, content: bytes, original_name: str | None,
          content_type: str | None = None, sync: bool = True) -> Stored:
    """Keep `content` in the ledger and at files/<hash>/<name> for the user to open; the same
    content is stored once."""
    digest = ledger.put_blob(content)
    name = sanitise(original_name)
    folder = private_dir(files_dir / digest[:16])
    existing = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    if existing:
        path = existing[0]
    else:
        path = folder / name
        root = files_dir.resolve()
        if not path.resolve().is_relative_to(root):  # belt and braces: sanitise forbids it
            raise Unsafe(f"attachment name {original_name!r} would leave the workspace")
        atomic_write(path, content, sync=sync)
    return Stored(digest, name, original_name, len(content), content_type, path)
